"""Diagnostics as data: every stage reports problems here, the CLI and library callers format them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a blueprint file."""

    line: int
    col: int


@dataclass(frozen=True)
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
    """Return a ``Did you mean 'x'?`` suffix for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""
