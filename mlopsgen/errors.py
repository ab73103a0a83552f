"""Diagnostics as data: every stage reports problems here, the CLI and library callers format them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mlopsgen.frozen import frozen


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a blueprint file."""

    line: int
    col: int


@frozen
class Diagnostic:
    """One problem found in a blueprint, pointing at the key that caused it.

    Attributes:
        code: Stable code such as ``MLG110`` (see the table in the README).
        message: One sentence in blueprint terms; never raw pydantic text.
        path: Blueprint path with list items named by their ``name`` (``pipeline.steps[Train].image``).
        file: The blueprint's display name (a path, or ``<string>`` for in-memory text).
        pos: Where the offending key or value starts, when known.
        hint: Optional advice on how to fix it.
    """

    code: str
    message: str
    path: str = ""
    file: str = "<string>"
    pos: Position | None = None
    hint: str = ""

    def format(self) -> str:
        """Render as ``file:line:col: CODE message`` plus an indented hint line."""
        where = f"{self.file}:{self.pos.line}:{self.pos.col}" if self.pos else f"{self.file}:1:1"
        text = f"{_one_line(where)}: {self.code} {_one_line(self.message)}"
        if self.hint:
            text += f"\n    hint: {_one_line(self.hint)}"
        return text

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order diagnostics by file, then position, then code, so reports are stable."""
        line, col = (self.pos.line, self.pos.col) if self.pos else (0, 0)
        return (self.file, line, col, self.code, self.message)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form for JSON output and library callers."""
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "file": self.file,
            "line": self.pos.line if self.pos else None,
            "col": self.pos.col if self.pos else None,
            "hint": self.hint,
        }


_CONTROL_ESCAPES = (
    {point: f"\\x{point:02x}" for point in [*range(0x20), 0x7F, 0x85]}
    | {point: f"\\u{point:04x}" for point in (0x2028, 0x2029)}
    | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
)


def _one_line(text: str) -> str:
    """Escape line breaks, control characters and lone surrogates: a quoted value must not break the line.

    Surrogates come only from library callers' data (the loader refuses them); escaped, the message
    still prints on any UTF-8 stream.
    """
    return text.translate(_CONTROL_ESCAPES).encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class MlopsgenError(Exception):
    """Raised once per run when a blueprint has problems; carries all of them."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return a ``Did you mean 'x'?`` suffix for the closest choice, or an empty string.

    Only a likely slip is suggested, ignoring case: a typo (at most one edit, an insert, delete,
    replace or swap of neighbours, per four characters) or an abbreviation or extension (one word's
    letters, in order, within the other, from the same first letter, the shorter at least 40% of
    the longer: ``int`` for ``integer``, ``training`` for ``train``; or the end of the other, at
    least half as long: ``ApprovalStatus`` for ``ModelApprovalStatus``). A looser likeness (difflib's
    ratio) suggested ``description`` for ``distribution`` and ``instance`` for ``use_spot_instances``:
    a different word that happens to share letters, which sends the user the wrong way.
    """
    ranked = sorted((rank, choice) for choice in set(choices) if (rank := _likeness(word, choice)) is not None)
    return f" Did you mean '{ranked[0][1]}'?" if ranked else ""


def _likeness(word: str, choice: str) -> tuple[int, int] | None:
    """(0, edits) for a typo, (1, length difference) for an abbreviation or extension, else None."""
    a, b = word.lower(), choice.lower()
    allowed = len(a) // 4 if len(a) >= 3 else 0
    edits = edit_distance(a, b, allowed)
    if edits <= allowed:
        return (0, edits)
    short, long = sorted((a, b), key=len)
    if short and short[0] == long[0] and len(short) >= 0.4 * len(long) and _within(short, long):
        return (1, len(long) - len(short))
    if short and long.endswith(short) and len(short) >= 0.5 * len(long):  # ApprovalStatus, ModelApprovalStatus
        return (1, len(long) - len(short))
    return None


def _within(short: str, long: str) -> bool:
    """``short``'s letters appear in ``long`` in the same order."""
    letters = iter(long)
    return all(c in letters for c in short)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap of neighbours) from ``a`` to ``b``; over ``limit`` is ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
