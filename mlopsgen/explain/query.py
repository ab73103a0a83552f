"""``FILE[:LINE]`` or ``FILE#/json/pointer`` → the blueprint keys and Plan item that produced that line.

Finds the output folder (the nearest ``mlopsgen.manifest.json`` above the file), the blueprint the
manifest names, re-renders it with provenance recording (``explain.record``), checks the file on disk is
what that render writes, and answers from the recorded line origins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mlopsgen.blueprint.loader import PathKey, SourceMap
from mlopsgen.blueprint.paths import display_path
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.explain.record import Recorded, record
from mlopsgen.frozen import frozen
from mlopsgen.manifest import MANIFEST, OutputError, read_manifest
from mlopsgen.provenance import Line


@frozen
class Key:
    """One blueprint key an answer points at."""

    path: str
    """Display path, list items named (``pipeline.steps[Train]``)."""
    file: str
    line: int
    col: int
    written: bool
    """False when the key is not in the blueprint (a default): the position is its nearest written parent."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return {"path": self.path, "file": self.file, "line": self.line, "col": self.col, "written": self.written}


@frozen
class Answer:
    """Where one generated line came from."""

    file: str
    line: int
    text: str
    item: str
    """The Plan item, in words."""
    keys: tuple[Key, ...]
    pointer: str
    """JSON pointer of the value written on the line (JSON and YAML files), else empty."""

    @property
    def derived(self) -> bool:
        """Derived from several keys (a name built from the project name, id and stage)."""
        return len(self.keys) > 1

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return {
            "file": self.file,
            "line": self.line,
            "text": self.text,
            "item": self.item,
            "derived": self.derived,
            "keys": [k.to_dict() for k in self.keys],
            "pointer": self.pointer,
        }

    def format(self) -> str:
        """``file:line: text`` then one ``blueprint:line:col: path`` line per key (editors jump to them)."""
        head = f"{self.file}:{self.line}: {self.text.strip()}"
        verb = "derived from" if self.derived else "from"
        lines = [head, f"    {verb} {self.item}" + (f" (value {self.pointer})" if self.pointer else "")]
        for key in self.keys:
            note = "" if key.written else " (not written: a default under this key)"
            lines.append(f"    {key.file}:{key.line}:{key.col}: {key.path}{note}")
        return "\n".join(lines)


def parse_target(target: str) -> tuple[Path, int | None, str | None]:
    """Split ``FILE[:LINE]`` or ``FILE#/pointer`` into its parts."""
    if "#" in target:
        file, pointer = target.split("#", 1)
        return Path(file), None, pointer
    file, sep, line = target.rpartition(":")
    if sep and line.isdigit() and file:
        return Path(file), int(line), None
    return Path(target), None, None


def explain(target: str, blueprint: Path | None = None) -> tuple[list[Answer], list[Diagnostic]]:
    """Answer for one line (``:LINE``), one value (``#/pointer``) or every line of a generated file.

    Args:
        target: ``FILE``, ``FILE:LINE`` or ``FILE#/json/pointer``.
        blueprint: The blueprint, when it is not found beside the output folder.

    Returns:
        The answers, or the diagnostics (MLG700-MLG705, or the blueprint's own) explaining why not.
    """
    path, number, pointer = parse_target(target)
    shown = str(path)

    def fail(code: str, message: str, hint: str = "", line: int = 1) -> tuple[list[Answer], list[Diagnostic]]:
        return [], [Diagnostic(code, message, file=shown, pos=Position(line, 1), hint=hint)]

    if not path.is_file():
        return fail("MLG700", "not a file", "name a file mlopsgen generated, e.g. generated/<name>/...")
    folder = _output_folder(path)
    if folder is None:
        return fail("MLG700", f"not in an mlopsgen output folder (no {MANIFEST} above it)")
    try:
        manifest = read_manifest(folder)
    except OutputError as exc:
        return fail("MLG700", str(exc))
    relative = path.resolve().relative_to(folder.resolve()).as_posix()
    if manifest is None or (relative not in manifest.files and relative != MANIFEST):
        return fail("MLG700", "not a file mlopsgen generated (the output folder's manifest does not list it)")
    source = blueprint or _find_blueprint(folder, manifest.blueprint)
    if source is None:
        hint = "pass it with --blueprint PATH"
        return fail("MLG702", f"cannot find the blueprint {manifest.blueprint!r} this folder was rendered from", hint)
    recorded, diagnostics = record(source)
    if recorded is None:
        return [], diagnostics
    content = recorded.files.get(relative)
    on_disk = path.read_bytes()
    if content is None or (content.encode("utf-8") if isinstance(content, str) else content) != on_disk:
        hint = f"run `mlopsgen render {source}` first (or pass the blueprint it came from with --blueprint)"
        return fail("MLG701", f"differs from a fresh render of {source}, so its lines cannot be explained", hint)
    lines = recorded.lines[relative]
    texts = on_disk.decode("utf-8", errors="replace").splitlines()
    if number is not None:
        if not 1 <= number <= len(lines):
            return fail("MLG703", f"line {number} is past the end of the file ({len(lines)} lines)")
        picked = [number]
    elif pointer is not None:
        wanted = _pointer_parts(pointer)
        found = [n for n, line in enumerate(lines, 1) if [str(p) for p in line.pointer] == wanted]
        if not found:
            return fail("MLG704", f"no value at JSON pointer {pointer!r} in this file")
        picked = found[:1]
    else:
        picked = list(range(1, len(lines) + 1))
    return [_answer(shown, n, texts[n - 1], lines[n - 1], recorded) for n in picked], []


def _answer(file: str, number: int, text: str, line: Line, recorded: Recorded) -> Answer:
    assert line.origin is not None  # record() gives every line at least its target's section
    keys = tuple(_key(recorded.source, recorded.data, path) for path in line.origin.keys)
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in line.pointer)
    return Answer(file, number, text, line.origin.item, keys, pointer)


def _key(source: SourceMap, data: Any, path: PathKey) -> Key:
    """The key at ``path``, or (for a default) its nearest written ancestor; the project key at worst."""
    probe = tuple(path)
    while probe and probe not in source.keys and not (isinstance(probe[-1], int) and probe in source.values):
        probe = probe[:-1]
    if not probe:
        probe = ("project",)
    pos = source.keys.get(probe) or source.values.get(probe) or Position(1, 1)  # a list item has no key
    return Key(display_path(data, probe), source.file, pos.line, pos.col, probe == tuple(path))


def _pointer_parts(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def _output_folder(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        if (folder / MANIFEST).is_file():
            return folder
    return None


def _find_blueprint(folder: Path, name: str) -> Path | None:
    """The blueprint beside the output tree: ``<dir>/<name>`` or ``<dir>/blueprints/<name>`` upwards.

    Stops at the repository root (the folder holding ``.git``); a blueprint elsewhere is named with
    ``--blueprint``.
    """
    if not name or os.sep in name or "/" in name:
        return None
    for parent in folder.parents:
        for candidate in (parent / name, parent / "blueprints" / name):
            if candidate.is_file():
                return Path(os.path.relpath(candidate))
        if (parent / ".git").exists():
            break
    return None
