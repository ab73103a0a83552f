"""Blueprint files of an older language version → the current version, rewritten in place (``mlopsgen migrate``).

The renames come from ``blueprint.versions.MIGRATIONS``, the table the loader uses to read old
blueprints in memory, so the file ``migrate`` writes means exactly what the old file meant (checked
below on the data before anything is written). The YAML is edited with ruamel.yaml's round-trip
mode: comments, key order, quoting and flow style stay as written; only the renamed keys and the
``version`` line change. ruamel.yaml is imported here only, so rendering never pays for it.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import field
from pathlib import Path
from typing import Any

from mlopsgen.blueprint.loader import load_blueprint
from mlopsgen.blueprint.versions import CURRENT, declared_version, renames_from, upgrade
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.frozen import frozen
from mlopsgen.swap import write_atomic


@frozen
class Migrated:
    """One blueprint file's migration.

    Attributes:
        file: The file's display name.
        old: Its text as read.
        new: Its text at the current version (equal to ``old`` when nothing changes or on errors).
        diagnostics: Why the file cannot be migrated (then nothing is written).
    """

    file: str
    old: str
    new: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when migrating rewrites the file."""
        return self.new != self.old

    def diff(self) -> str:
        """The change as a unified diff (empty when nothing changes)."""
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            f"a/{self.file}",
            f"b/{self.file}",
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def migrate_text(text: str, file: str = "<string>") -> Migrated:
    """Rewrite one blueprint's YAML text to the current language version.

    Args:
        text: The blueprint as written.
        file: Display name for diagnostics and the diff.

    Returns:
        The old and new text, or the diagnostics that stop the migration.
    """
    loaded = load_blueprint(text, file)
    if loaded.data is None or loaded.diagnostics:
        return Migrated(file, text, text, loaded.diagnostics)
    version = declared_version(loaded.data)
    if version == CURRENT:
        return Migrated(file, text, text)
    upgraded = upgrade(loaded)
    if upgraded.errors:
        return Migrated(file, text, text, upgraded.errors)
    if not upgraded.warnings or version is None:  # a version no migration reads: the schema says why
        return Migrated(file, text, text, [_refused(file, loaded.source.values.get(("version",)), version)])
    new = _rewrite(text, version)
    reread = load_blueprint(new, file)
    if reread.data != upgraded.loaded.data:  # never write a file that means something else
        message = "the rewritten blueprint would not mean what this one means; migrate it by hand"
        hint = "the README's changelog lists each change between versions."
        return Migrated(file, text, text, [Diagnostic("MLG134", message, "", file, Position(1, 1), hint)])
    return Migrated(file, text, new)


def _refused(file: str, pos: Position | None, version: int | None) -> Diagnostic:
    shown = "not a whole number" if version is None else str(version)
    return Diagnostic(
        "MLG133",
        f"cannot migrate: the blueprint's version is {shown}",
        "version",
        file,
        pos or Position(1, 1),
        f"write version: 1 (or remove the key) for a version 1 blueprint; {CURRENT} is current.",
    )


def _rewrite(text: str, version: int) -> str:
    """Apply the renames from ``version`` on the round-trip YAML tree and set ``version``."""
    from ruamel.yaml import YAML  # only `mlopsgen migrate` needs it
    from ruamel.yaml.util import load_yaml_guess_indent

    _, _, block_seq_indent = load_yaml_guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line that was not folded
    offset = block_seq_indent or 0
    yaml.indent(mapping=_mapping_indent(text), sequence=offset + 2, offset=offset)
    document: Any = yaml.load(text)
    baseline = io.StringIO()
    yaml.dump(document, baseline)  # the same tree unedited: what ruamel itself would change
    for rename in renames_from(version):
        parent = document
        for key in rename.old[:-1]:
            parent = parent.get(key) if hasattr(parent, "get") else None
        if parent is not None and hasattr(parent, "insert") and rename.old[-1] in parent:
            _rename_key(parent, rename.old[-1], rename.new)
    if "version" in document:
        document["version"] = CURRENT
    else:
        document.insert(0, "version", CURRENT)
    out = io.StringIO()
    yaml.dump(document, out)
    return keep_untouched(text, baseline.getvalue(), out.getvalue())


def keep_untouched(original: str, baseline: str, edited: str) -> str:
    """Apply only the lines the edits changed to the original text, so every other line stays byte for byte.

    ruamel.yaml reproduces almost every file exactly, but normalises a few spellings on the way (``TRUE``
    → ``true``, keys over 128 characters as ``? key``, unused anchors). ``baseline`` is its dump of the
    unedited tree and ``edited`` the dump after the renames: the lines that differ between those two are
    the edits, and they are put in place of the original's matching lines. When an edit touches a line
    ruamel also normalised, the whole of ``edited`` is returned (still checked for meaning by the caller).

    Args:
        original: The file as written.
        baseline: ruamel's dump of it, unedited.
        edited: ruamel's dump after the edits.

    Returns:
        The original text with the edited lines replaced.
    """
    old, base, new = (t.splitlines(keepends=True) for t in (original, baseline, edited))
    same: dict[int, int] = {len(base): len(old)}  # baseline line → the original's identical line
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, base, old, autojunk=False).get_opcodes():
        if tag == "equal":
            same.update({i1 + k: j1 + k for k in range(i2 - i1)})
    replacements: list[tuple[int, int, list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lines = [same.get(k) for k in range(i1, i2)] if i2 > i1 else [same.get(i1)]
        start = lines[0]
        if start is None or any(line != start + k for k, line in enumerate(lines)):
            return edited
        replacements.append((start, start + (i2 - i1), new[j1:j2]))
    for start, end, lines_new in sorted(replacements, reverse=True):
        old[start:end] = lines_new
    return "".join(old)


def _mapping_indent(text: str) -> int:
    """The file's mapping indentation: the smallest indent of a key line (ruamel's guess follows sequences)."""
    indents = [
        len(line) - len(stripped)
        for line in text.splitlines()
        if (stripped := line.lstrip(" ")) and line != stripped and not stripped.startswith(("#", "-"))
    ]
    return min(indents, default=2)


def _rename_key(mapping: Any, old: str, new: str) -> None:
    """Rename a key of a ruamel ``CommentedMap`` in place, keeping its position and its comments."""
    position = list(mapping.keys()).index(old)
    comment = mapping.ca.items.pop(old, None)
    value = mapping.pop(old)
    mapping.insert(position, new, value)
    if comment is not None:
        token = comment[2] if len(comment) > 2 else None
        if token is not None and hasattr(token, "start_mark"):
            # ruamel keeps an end-of-line comment at its column; shift it so the gap before it stays.
            token.start_mark.column += len(new) - len(old)
        mapping.ca.items[new] = comment


def migrate_files(paths: list[Path], *, write: bool) -> list[Migrated]:
    """Migrate blueprint files; with ``write``, rewrite each changed file atomically.

    A file with diagnostics is left as it is; the others are still migrated.

    Args:
        paths: Blueprint files.
        write: Rewrite changed files in place (False: report only, as ``--check`` does).

    Returns:
        One result per path, in order.

    Raises:
        OSError: A file cannot be read or written (files written before it stay migrated).
    """
    results = []
    for path in paths:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            message = "blueprint is not UTF-8 text"
            results.append(Migrated(str(path), "", "", [Diagnostic("MLG100", message, "", str(path), Position(1, 1))]))
            continue
        result = migrate_text(text, str(path))
        if write and result.changed and not result.diagnostics:
            write_atomic(path, result.new.encode("utf-8"))
        results.append(result)
    return results


def outcome(results: list[Migrated], *, check: bool) -> tuple[str, int]:
    """The summary line and exit code of ``mlopsgen migrate``.

    Exit 1 when a file could not be migrated, or with ``check`` when one would change (CI fails
    until the blueprints are migrated); 0 otherwise, so a second run after a migration exits 0.
    """
    changed = sum(1 for r in results if r.changed and not r.diagnostics)
    failed = sum(1 for r in results if r.diagnostics)
    verb = "would migrate" if check else "migrated"
    summary = f"{verb} {changed} of {len(results)} blueprint(s); {failed} with problems"
    return summary, 1 if failed or (check and changed) else 0
