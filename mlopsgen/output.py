"""Rendered files → disk, or → drift against disk. The only module that writes.

Each blueprint's output folder holds a manifest (``mlopsgen.manifest.json``) recording every file
mlopsgen owns with its content hash, the files handed over to the user (ejected), and a summary of
the blueprint for reviews. With it, writing can tell a hand edit (disk differs from the recorded
hash) from a stale file, remove only files it owns, and leave everything else alone. A folder is
replaced as a whole: the new tree is built beside it (unowned and ejected files copied in) and
swapped in with renames, so an interrupted render leaves the previous tree.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlopsgen.manifest import MANIFEST, Manifest, read_manifest, sha256

__all__ = [
    "MANIFEST",
    "Drift",
    "HandEdited",
    "Manifest",
    "diff_files",
    "eject",
    "read_manifest",
    "sha256",
    "write_files",
]


@dataclass(frozen=True)
class Drift:
    """One difference between a fresh render and the files on disk.

    Attributes:
        path: Path relative to the blueprint's output folder.
        kind: ``changed``, ``missing`` (rendered, not on disk), ``orphaned`` (owned, no longer
            rendered), ``hand-edited`` (differs from what mlopsgen wrote) or ``unowned`` (a file
            mlopsgen would write exists but was never written by it).
        diff: Unified diff from the disk content to the rendered content, where both exist.
    """

    path: str
    kind: str
    diff: str = ""


class HandEdited(Exception):  # noqa: N818 - a refusal reported to the user, not a bug
    """Files mlopsgen would overwrite were edited by hand (or never written by it)."""

    def __init__(self, drift: list[Drift]) -> None:
        super().__init__(", ".join(d.path for d in drift))
        self.drift = drift


def expected_tree(
    rendered: Mapping[str, str], blueprint: str, summary: dict[str, Any], ejected: list[str]
) -> dict[str, str]:
    """The files mlopsgen should own in the folder: rendered minus ejected, plus the manifest."""
    owned = {p: c for p, c in rendered.items() if p not in set(ejected)}
    manifest = Manifest(blueprint, {p: sha256(c) for p, c in owned.items()}, list(ejected), summary)
    return {**owned, MANIFEST: manifest.to_text()}


def _disk_files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _unified(path: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
    )


def diff_files(
    rendered: Mapping[str, str], folder: Path, *, blueprint: str = "", summary: dict[str, Any] | None = None
) -> list[Drift]:
    """Compare a fresh render with a folder on disk.

    Args:
        rendered: Relative path → text, as rendered now.
        folder: The blueprint's output folder.
        blueprint: Blueprint file name recorded in the manifest.
        summary: Blueprint summary recorded in the manifest.

    Returns:
        Every changed, missing, orphaned, hand-edited and unowned file, sorted by path. Files the
        manifest does not own, and ejected files, are not compared.
    """
    old = read_manifest(folder)
    ejected = old.ejected if old else []
    expected = expected_tree(rendered, blueprint, summary or {}, ejected)
    on_disk = _disk_files(folder)
    owned_before = set(old.files) if old else set()
    drift: list[Drift] = []
    for rel in sorted(set(expected) | (owned_before - set(ejected))):
        target = folder / rel
        if rel not in expected:
            if rel in on_disk:
                drift.append(Drift(rel, "orphaned"))
            continue
        if rel not in on_disk:
            drift.append(Drift(rel, "missing"))
            continue
        current = _read(target)
        if current == expected[rel]:
            continue
        diff = _unified(rel, current, expected[rel])
        if rel == MANIFEST:
            drift.append(Drift(rel, "changed", diff))
        elif old is None or rel not in old.files:
            drift.append(Drift(rel, "unowned", diff))
        elif sha256(current) != old.files[rel]:
            drift.append(Drift(rel, "hand-edited", diff))
        else:
            drift.append(Drift(rel, "changed", diff))
    return drift


def write_files(
    rendered: Mapping[str, str],
    folder: Path,
    *,
    blueprint: str = "",
    summary: dict[str, Any] | None = None,
    force: bool = False,
) -> list[Drift]:
    """Bring ``folder`` to the rendered state, keeping what mlopsgen does not own.

    Args:
        rendered: Relative path → text.
        folder: The blueprint's output folder (created if missing).
        blueprint: Blueprint file name recorded in the manifest.
        summary: Blueprint summary recorded in the manifest.
        force: Overwrite hand-edited and unowned files instead of refusing.

    Returns:
        What changed on disk.

    Raises:
        HandEdited: When files would be overwritten that mlopsgen did not write as they are now.
    """
    drift = diff_files(rendered, folder, blueprint=blueprint, summary=summary)
    conflicts = [d for d in drift if d.kind in ("hand-edited", "unowned")]
    if conflicts and not force:
        raise HandEdited(conflicts)
    if not drift and folder.is_dir():
        return []
    old = read_manifest(folder)
    ejected = old.ejected if old else []
    expected = expected_tree(rendered, blueprint, summary or {}, ejected)
    owned_before = set(old.files) if old else set()
    keep = {p for p in _disk_files(folder) if p not in expected and (p not in owned_before or p in ejected)}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for rel in sorted(keep):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / rel, staging / rel)
        for rel, content in sorted(expected.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
        _swap(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return drift


def _swap(staging: Path, folder: Path) -> None:
    """Replace ``folder`` with ``staging`` using renames (the old tree survives until the last step)."""
    old = folder.parent / f".{folder.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if folder.exists():
        os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except BaseException:
        if old.exists() and not folder.exists():
            os.replace(old, folder)
        raise
    if old.exists():
        shutil.rmtree(old)


def eject(folder: Path, paths: list[str]) -> list[str]:
    """Hand files over to the user: mlopsgen stops writing and checking them, and says so in the manifest.

    Args:
        folder: The blueprint's output folder.
        paths: Paths relative to the folder.

    Returns:
        The paths that were not owned (nothing done for them).
    """
    manifest = read_manifest(folder)
    if manifest is None:
        return list(paths)
    unknown = [p for p in paths if p not in manifest.files and p not in manifest.ejected]
    for path in paths:
        if path in manifest.files:
            del manifest.files[path]
            manifest.ejected.append(path)
    (folder / MANIFEST).write_text(manifest.to_text(), encoding="utf-8")
    return unknown
