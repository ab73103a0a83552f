"""Blueprint input (text, bytes, a path or parsed data) → loaded data, display name and a code reader.

The part of ``api`` that touches what the caller handed in: decoding bytes, reading a blueprint
file and its code files without following links out of the repository, and refusing file names
that could not appear in generated files. Split from ``api.py`` so the pipeline there reads in one
screen; nothing here validates or renders.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlopsgen.blueprint.loader import Loaded, SourceMap, load_blueprint
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.plan.build_base import CodeRefused, ReadCode
from mlopsgen.plan.build_script import ListCode

BlueprintInput = str | bytes | Path | Mapping[str, Any]
"""YAML text (``bytes`` are read as UTF-8), a path to a blueprint file, or already-parsed data."""


def repository_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git`` (a folder, or a file in a worktree).

    Args:
        folder: Where to start looking (an absolute path).

    Returns:
        The repository root, or None outside a Git checkout.
    """
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repository_blueprint_dir(blueprint: Path) -> str | None:
    """The blueprint's folder relative to its repository root, as CI (which runs there) must name it.

    Args:
        blueprint: The blueprint file.

    Returns:
        A POSIX relative path (``"."`` at the root), or None outside a Git checkout.
    """
    try:
        folder = blueprint.resolve().parent
    except OSError:
        return None
    root = repository_root(folder)
    return None if root is None else folder.relative_to(root).as_posix()


def read_input(
    blueprint: BlueprintInput, name: str | None, code: Mapping[str, bytes] | None
) -> tuple[Loaded, str, ReadCode]:
    """Load what the caller handed in.

    Args:
        blueprint: YAML text, UTF-8 bytes, a path, or parsed data.
        name: Display name (default: the path, ``<string>``, ``<bytes>`` or ``<mapping>``).
        code: Code file contents by blueprint-relative path; default for a path: read beside it.

    Returns:
        The loaded data (with any load diagnostics), the display name and the code reader.

    Raises:
        TypeError: ``blueprint`` is none of text, bytes, a path or a mapping.
    """
    if isinstance(blueprint, Path):
        display = name or str(blueprint)
        if _leaves_repository(blueprint):
            message = "blueprint is a symlink resolving outside the repository; links must stay inside it"
            return _unusable(display, "MLG105", message), display, _no_code
        try:
            raw = blueprint.read_bytes()
        except OSError as exc:
            return _unusable(display, "MLG105", f"cannot read blueprint: {exc.strerror}"), display, _no_code
        root = blueprint.parent
        return _load_bytes(raw, display), display, code_reader(root) if code is None else _mapping_reader(code)
    reader = _mapping_reader(code or {})
    if isinstance(blueprint, str):
        display = name or "<string>"
        return load_blueprint(blueprint, display), display, reader
    if isinstance(blueprint, bytes | bytearray | memoryview):
        display = name or "<bytes>"
        return _load_bytes(bytes(blueprint), display), display, reader
    if not isinstance(blueprint, Mapping):
        # Anything else would serialise to a scalar and "validate" as an empty blueprint.
        raise TypeError(
            f"blueprint must be YAML text (str or UTF-8 bytes), a Path or a mapping, not {type(blueprint).__name__}"
        )
    display = name or "<mapping>"
    data = json.loads(json.dumps(blueprint, default=str))
    return Loaded(data if isinstance(data, dict) else None, SourceMap(display)), display, reader


def _leaves_repository(blueprint: Path) -> bool:
    """True for a blueprint inside a checkout that is (or passes through) a link out of it.

    ``mlopsgen check`` in CI reads every blueprint of a pull request: a committed link to
    ``/proc/self/environ`` would otherwise print the environment in YAML diagnostics.
    """
    try:
        root = repository_root(Path(os.path.abspath(blueprint.parent)))
        return root is not None and not blueprint.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def _unusable(display: str, code: str, message: str, pos: Position | None = None) -> Loaded:
    return Loaded(None, SourceMap(display), [Diagnostic(code, message, file=display, pos=pos or Position(1, 1))])


def _load_bytes(raw: bytes, display: str) -> Loaded:
    """Blueprint bytes (a file, or an S3 object in the seed Lambda) → loaded data, UTF-8 only."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"blueprint is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} is {exc.reason}"
        return _unusable(display, "MLG105", message, Position(line, col))
    return load_blueprint(text, display)


def _no_code(_: str) -> bytes | None:
    return None


def _mapping_reader(files: Mapping[str, bytes]) -> ReadCode:
    return lambda path: files.get(path)


def code_reader(root: Path) -> ReadCode:
    """Read code files relative to ``root`` (the blueprint's folder), never through a symlink out of the repository.

    The boundary is the repository holding ``root`` (nearest ``.git``), or ``root`` itself outside a
    checkout: CI hashes and uploads these files, so a link to ``/proc/self/environ`` or ``~/.aws``
    committed in a pull request must not be read.
    """
    try:
        top = root.resolve()
    except OSError:
        return _no_code
    boundary = repository_root(top) or top

    def read(path: str) -> bytes | None:
        target = root / path
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        if not real.is_relative_to(boundary):
            raise CodeRefused("is a symlink resolving outside the repository; links must stay inside it")
        try:
            return real.read_bytes() if real.is_file() else None
        except OSError:
            return None

    return read


SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}\.(?:yaml|yml)$", re.IGNORECASE)
"""Blueprint file names: they name the output folder and appear in comments of every generated file."""


def mapping_lister(files: Mapping[str, bytes]) -> ListCode:
    """List a source directory's files from a mapping of repository paths (the library's ``code=``)."""

    def listing(folder: str) -> list[str] | None:
        prefix = "" if folder == "." else folder + "/"
        names = [path.removeprefix(prefix) for path in files if path.startswith(prefix)]
        return names or None

    return listing


def code_lister(root: Path) -> ListCode:
    """List a source directory's files relative to ``root``, inside the same boundary as ``code_reader``.

    Links to files are listed (``code_reader`` refuses those leading out of the repository when they are
    read); a link to a folder is refused, since packing through it could loop or leave the repository.
    Hidden folders and ``__pycache__`` are not walked: the packer leaves them out anyway.
    """
    try:
        top = root.resolve()
    except OSError:
        return lambda _: None
    boundary = repository_root(top) or top

    def listing(folder: str) -> list[str] | None:
        start = root / folder
        try:
            real = start.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(boundary):
            raise CodeRefused("is a symlink resolving outside the repository; links must stay inside it")
        if not real.is_dir():
            return None
        names: list[str] = []
        for current, dirs, files in os.walk(real):
            here = Path(current)
            for d in list(dirs):
                if (here / d).is_symlink():
                    raise CodeRefused(f"holds a link to a folder ('{(here / d).relative_to(real).as_posix()}')")
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            names += [(here / f).relative_to(real).as_posix() for f in files]
        return sorted(names)

    return listing


def unsafe_name(blueprint: BlueprintInput, name: str | None) -> Diagnostic | None:
    """MLG106 when the blueprint's file name could break generated files or escape the output root."""
    if name is None and not isinstance(blueprint, Path):
        return None
    display = name if name is not None else str(blueprint)
    base = display.replace("\\", "/").rsplit("/", 1)[-1]
    if SAFE_NAME.fullmatch(base):
        return None
    shown = ascii(display)[1:-1]  # newlines, DEL and undecodable bytes shown escaped, never printed raw
    return Diagnostic(
        "MLG106",
        f"blueprint file name '{ascii(base)[1:-1]}' is not allowed: it names the output folder and appears "
        "in generated files",
        file=shown,
        pos=Position(1, 1),
        hint="use letters, digits, '.', '_' and '-', starting with a letter, digit or '_', ending in .yaml or .yml",
    )
