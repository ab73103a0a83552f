"""Rendered files → disk, or → drift against disk. The only module that writes.

A blueprint's output folder is replaced as a whole: files are written to a temporary sibling
folder first and swapped in with renames, so an interrupted render leaves the previous tree.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Drift:
    """One difference between a fresh render and the files on disk.

    Attributes:
        path: Path relative to the blueprint's output folder.
        kind: ``changed``, ``missing`` (rendered, not on disk) or ``extra`` (on disk, not rendered).
        diff: Unified diff for changed files.
    """

    path: str
    kind: str
    diff: str = ""


def write_files(files: Mapping[str, str], folder: Path) -> None:
    """Replace ``folder`` with exactly ``files``.

    Args:
        files: Relative path → text.
        folder: The blueprint's output folder (created if missing).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for rel, content in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
        old = folder.parent / f".{folder.name}.old"
        if old.exists():
            shutil.rmtree(old)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def diff_files(files: Mapping[str, str], folder: Path) -> list[Drift]:
    """Compare rendered files with a folder on disk.

    Args:
        files: Relative path → expected text.
        folder: The blueprint's output folder.

    Returns:
        Every changed, missing and extra file, sorted by path.
    """
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
    drift: list[Drift] = []
    for rel in sorted(set(files) | on_disk):
        if rel not in on_disk:
            drift.append(Drift(rel, "missing"))
        elif rel not in files:
            drift.append(Drift(rel, "extra"))
        else:
            current = (folder / rel).read_text(encoding="utf-8", errors="replace")
            if current != files[rel]:
                diff = "".join(
                    difflib.unified_diff(
                        current.splitlines(keepends=True),
                        files[rel].splitlines(keepends=True),
                        fromfile=f"a/{rel}",
                        tofile=f"b/{rel}",
                    )
                )
                drift.append(Drift(rel, "changed", diff))
    return drift
