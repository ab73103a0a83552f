"""The output folder's manifest (``mlopsgen.manifest.json``): what mlopsgen owns there, read and written.

A leaf beside ``output.py`` (which writes the folder): the manifest records every file mlopsgen owns
with its content hash, the files handed over to the user (ejected) and a summary for reviews.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "mlopsgen.manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    """What mlopsgen owns in one output folder."""

    blueprint: str
    files: dict[str, str] = field(default_factory=dict)
    ejected: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_text(self) -> str:
        """The manifest file's content (sorted, stable)."""
        data = {
            "blueprint": self.blueprint,
            "generated_by": "mlopsgen; do not edit (use `mlopsgen eject` to take a file over)",
            "format": FORMAT,
            "files": dict(sorted(self.files.items())),
            "ejected": sorted(self.ejected),
            "summary": self.summary,
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def sha256(content: str | bytes) -> str:
    """Content hash as the manifest records it (of the UTF-8 bytes for text)."""
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


class OutputError(Exception):
    """The output folder cannot be read or written as asked: reported naming the path (exit 1), not a bug.

    Attributes:
        path: The file or folder at fault.
        message: What is wrong with it, in the user's terms.
    """

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


_HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def safe_relative(path: str) -> bool:
    """True for a plain relative POSIX path that stays inside its folder (no ``..``, ``.``, empty or absolute part)."""
    parts = path.split("/")
    return bool(path) and "\\" not in path and "\0" not in path and all(p not in ("", ".", "..") for p in parts)


def read_bytes_nofollow(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes without following a symlink at ``path`` (``OSError`` ELOOP if it is one).

    Args:
        path: The file.
        limit: Read at most this many bytes (plus one, so callers can tell a larger file).

    Returns:
        The content.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        return handle.read(-1 if limit is None else limit + 1)


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, read defensively: whatever is in the file is data, never a crash.

    Args:
        folder: The blueprint's output folder.

    Returns:
        The manifest, or None when the folder has none.

    Raises:
        OutputError: When the manifest is a symlink, unreadable or not what mlopsgen writes (corrupted).
    """
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return None
    if path.is_symlink():
        raise OutputError(path, "replaced by a symlink; mlopsgen writes a regular file here (remove the link)")
    try:
        raw = read_bytes_nofollow(path, MAX_MANIFEST_BYTES)
    except OSError as exc:
        raise OutputError(path, f"cannot read the manifest: {exc.strerror or exc}") from None
    try:
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ValueError("larger than 16 MiB")
        return _parse(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError) as exc:
        message = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        raise OutputError(
            path, f"corrupted manifest ({message}); restore it from version control, or delete it and render again"
        ) from None


def _parse(data: object) -> Manifest:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    blueprint, files, ejected, summary = (data.get(k, d) for k, d in MANIFEST_KEYS)
    if not isinstance(blueprint, str):
        raise ValueError("'blueprint' must be text")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and safe_relative(k) and isinstance(v, str) and _HASH.match(v) for k, v in files.items()
    ):
        raise ValueError("'files' must map relative paths inside the folder to sha256 hashes")
    if not isinstance(ejected, list) or not all(isinstance(p, str) and safe_relative(p) for p in ejected):
        raise ValueError("'ejected' must be a list of relative paths inside the folder")
    if not isinstance(summary, dict):
        raise ValueError("'summary' must be an object")
    return Manifest(blueprint, dict(files), list(ejected), summary)


MANIFEST_KEYS: tuple[tuple[str, object], ...] = (("blueprint", ""), ("files", {}), ("ejected", []), ("summary", {}))
