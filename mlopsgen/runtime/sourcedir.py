"""Source directory files → ``sourcedir.tar.gz``: the one deterministic packer the planner and CI share.

Script-mode steps run a whole directory (``source_dir``), which the framework containers download
from ``sagemaker_submit_directory`` and extract with ``tarfile``/``tar -xzf``. The Plan addresses
the archive by content, so render time (which computes the S3 key) and CI (which builds and uploads
the archive) must produce the same archive from the same files. Both call :func:`pack_tar` here:
the planner imports this module, and a copy sits beside ``run_pipeline.py`` in the generated tree
(standard library only, like every runtime script).

Normalised so the same files give the same bytes on any machine, OS, umask, checkout time or
Python version: entries sorted by path, regular files only (directories are implied by the
paths), mtime 0, uid/gid 0, empty owner names, mode 0644, PAX format. The address (``digest``)
is the sha256 of that *uncompressed* tar stream, not of the gzip bytes: gzip is written with
mtime 0, no file name and level 9, which is byte-stable for one zlib, but zlib implementations
differ (zlib-ng compresses differently), and the address must not depend on which one CI has.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable

ARCHIVE_NAME = "sourcedir.tar.gz"
"""The archive's file name in S3, the name the SDK uses for script-mode code."""

MAX_FILES = 2000
"""Most files a source directory may hold (data belongs in S3 channels, not in the code bundle)."""

MAX_BYTES = 20 * 1024 * 1024
"""Most bytes a source directory may hold, summed over its files (planner and CI read it into memory)."""

SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints"})
"""Folders never packed: caches and VCS state that differ between a workstation and a CI checkout."""


def packed(name: str) -> bool:
    """Whether a file (by its path inside the source directory) goes into the archive.

    Hidden files and folders (``.env``, ``.venv``), byte-code and caches are left out: they exist in
    a workstation's tree but not in CI's clean checkout, so packing them would make the address
    computed at render time differ from the one CI computes, and ``.env`` files hold secrets.

    Args:
        name: POSIX path relative to the source directory.

    Returns:
        True when the file is packed.
    """
    parts = name.split("/")
    if any(p in SKIPPED_DIRS or p.startswith(".") for p in parts):
        return False
    return not name.endswith((".pyc", ".pyo"))


def pack_tar(files: Iterable[tuple[str, bytes]]) -> bytes:
    """The normalised, uncompressed tar stream of some files.

    Args:
        files: (POSIX path relative to the source directory, content) pairs, in any order.

    Returns:
        The tar bytes; equal for equal files whatever their order, times, owners or modes.
    """
    import tarfile  # here, not at the top: ~10 ms (shutil, bz2, lzma) every render would pay

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def digest(tar: bytes) -> str:
    """The content address of an archive: sha256 of its uncompressed tar stream (see the module doc)."""
    return hashlib.sha256(tar).hexdigest()


def compress(tar: bytes) -> bytes:
    """The ``.tar.gz`` bytes CI uploads: gzip with mtime 0, no file name and level 9."""
    import gzip

    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(tar)
    return buffer.getvalue()
