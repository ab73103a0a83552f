"""Rendered files → disk, or → drift against disk. The only module that writes (with ``swap``).

Each blueprint's output folder holds a manifest (``mlopsgen.manifest.json``) recording every file
mlopsgen owns with its content hash, the files handed over to the user (ejected), and a summary of
the blueprint for reviews. With it, writing can tell a hand edit (disk bytes differ from the recorded
hash) from a stale file, remove only files it owns, and leave everything else alone. A folder is
replaced as a whole: the new tree is built beside it (unowned and ejected files, symlinks and empty
folders copied in as they are, modes kept) and swapped in with renames under a lock (``swap.py``).
Nothing here follows a symlink found in the folder: links are compared and kept as links.
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlopsgen.frozen import frozen
from mlopsgen.manifest import MANIFEST, Manifest, OutputError, read_bytes_nofollow, read_manifest, safe_relative, sha256
from mlopsgen.swap import leftovers, locked, make_staging, recover, swap, write_atomic

Content = str | bytes
"""A file's content: text (written as UTF-8 with LF endings, as rendered), or bytes copied as they are."""

__all__ = [
    "MANIFEST",
    "Drift",
    "HandEdited",
    "Manifest",
    "OutputError",
    "diff_files",
    "eject",
    "leftovers",
    "read_manifest",
    "sha256",
    "write_files",
]


@frozen
class Drift:
    """One difference between a fresh render and the files on disk.

    Attributes:
        path: Path relative to the blueprint's output folder.
        kind: ``changed``, ``missing`` (rendered, not on disk), ``orphaned`` (owned, no longer
            rendered), ``hand-edited`` (differs from what mlopsgen wrote), ``edited-orphan`` (no
            longer rendered, and edited by hand), ``unowned`` (a file mlopsgen would write exists
            but was never written by it) or ``symlink`` (a file or folder of the tree replaced by
            a symlink; never followed).
        diff: Unified diff from the disk content to the rendered content, where both exist.
    """

    path: str
    kind: str
    diff: str = ""


class HandEdited(Exception):  # noqa: N818 - a refusal reported to the user, not a bug
    """Files mlopsgen would overwrite or remove were edited by hand, never written by it, or are symlinks."""

    def __init__(self, drift: list[Drift]) -> None:
        super().__init__(", ".join(d.path for d in drift))
        self.drift = drift


def expected_tree(
    rendered: Mapping[str, Content], blueprint: str, summary: dict[str, Any], ejected: list[str]
) -> dict[str, Content]:
    """The files mlopsgen should own in the folder: rendered minus ejected, plus the manifest."""
    owned = {p: c for p, c in rendered.items() if p not in set(ejected)}
    manifest = Manifest(blueprint, {p: sha256(c) for p, c in owned.items()}, list(ejected), summary)
    return {**owned, MANIFEST: manifest.to_text()}


CONFLICTS = ("hand-edited", "edited-orphan", "unowned", "symlink")
"""Drift kinds ``write_files`` refuses without ``force``: the user's work, or something it must not follow."""


@dataclass
class Tree:
    """What a folder holds, seen without following symlinks (relative POSIX paths)."""

    files: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    dirs: dict[str, int] = field(default_factory=dict)
    """Folder → its mode."""
    empty: set[str] = field(default_factory=set)


def scan(folder: Path) -> Tree:
    """Regular files, symlinks (with their targets, unread) and folders under ``folder``.

    Raises:
        OSError: When a folder inside cannot be listed (never silently skipped: writing would lose it).
    """
    tree = Tree()
    if folder.is_symlink() or not folder.is_dir():
        return tree

    def fail(exc: OSError) -> None:
        raise exc

    for here, dirnames, filenames in os.walk(folder, onerror=fail):
        base = Path(here).relative_to(folder).as_posix()
        prefix = "" if base == "." else base + "/"
        if not dirnames and not filenames and prefix:
            tree.empty.add(base)
        for name in (*dirnames, *filenames):
            path = os.path.join(here, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                tree.links[prefix + name] = os.readlink(path)
            elif stat.S_ISDIR(info.st_mode):
                tree.dirs[prefix + name] = stat.S_IMODE(info.st_mode)
            elif stat.S_ISREG(info.st_mode):
                tree.files.add(prefix + name)
    return tree


def _link_on_path(rel: str, tree: Tree) -> str | None:
    """The symlink at ``rel`` or at one of its parent folders, if any."""
    parts = rel.split("/")
    for i in range(1, len(parts) + 1):
        if "/".join(parts[:i]) in tree.links:
            return "/".join(parts[:i])
    return None


def _encoded(content: Content) -> bytes:
    """Rendered content as the bytes written: text as UTF-8 (LF as rendered), copied files as they are."""
    return content.encode("utf-8") if isinstance(content, str) else content


def _binary(content: bytes) -> bool:
    """Content a line diff cannot show (as git decides: a NUL byte, or not UTF-8)."""
    if b"\0" in content:
        return True
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _unified(path: str, old: bytes, new: bytes) -> str:
    if _binary(old) or _binary(new):
        return f"Binary files a/{path} and b/{path} differ\n"
    old_text, new_text = (b.decode("utf-8", errors="replace") for b in (old, new))
    return "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def diff_files(
    rendered: Mapping[str, Content],
    folder: Path,
    *,
    blueprint: str = "",
    summary: dict[str, Any] | None = None,
    lock: bool = True,
) -> list[Drift]:
    """Compare a fresh render with a folder on disk, byte for byte, following no symlink.

    Args:
        rendered: Relative path → text, as rendered now.
        folder: The blueprint's output folder.
        blueprint: Blueprint file name recorded in the manifest.
        summary: Blueprint summary recorded in the manifest.
        lock: Take the output root's shared lock (``write_files`` already holds the exclusive one).

    Returns:
        Every changed, missing, orphaned, hand-edited, unowned and symlinked file, sorted by path.
        Files the manifest does not own, and ejected files, are not compared. A symlinked folder
        is one ``symlink`` drift with path ``""``.

    Raises:
        OutputError: When the manifest is corrupted or the folder cannot be read.
    """
    if not lock:
        return _diff(rendered, folder, blueprint, summary or {})
    with locked(folder.parent, shared=True):
        return _diff(rendered, folder, blueprint, summary or {})


def _diff(rendered: Mapping[str, Content], folder: Path, blueprint: str, summary: dict[str, Any]) -> list[Drift]:
    if folder.is_symlink():
        return [Drift("", "symlink")]
    old = read_manifest(folder)
    ejected = old.ejected if old else []
    expected = expected_tree(rendered, blueprint, summary, ejected)
    tree = _scan(folder)
    owned_before = set(old.files) if old else set()
    drift: dict[str, Drift] = {}
    for rel in sorted(set(expected) | (owned_before - set(ejected))):
        link = _link_on_path(rel, tree)
        if link is not None:
            drift.setdefault(link, Drift(link, "symlink"))
            continue
        if rel not in tree.files:
            if rel in expected:
                drift[rel] = Drift(rel, "missing")
            continue
        current = _read(folder / rel)
        if rel not in expected:
            edited = old is not None and sha256(current) != old.files[rel]
            drift[rel] = Drift(rel, "edited-orphan", _unified(rel, current, b"")) if edited else Drift(rel, "orphaned")
            continue
        new = _encoded(expected[rel])
        if current == new:
            continue
        diff = _unified(rel, current, new)
        if rel == MANIFEST:
            drift[rel] = Drift(rel, "changed", diff)
        elif old is None or rel not in old.files:
            drift[rel] = Drift(rel, "unowned", diff)
        elif sha256(current) != old.files[rel]:
            drift[rel] = Drift(rel, "hand-edited", diff)
        else:
            drift[rel] = Drift(rel, "changed", diff)
    return [drift[k] for k in sorted(drift)]


def _scan(folder: Path) -> Tree:
    try:
        return scan(folder)
    except OSError as exc:
        raise OutputError(exc.filename or folder, f"cannot read: {exc.strerror}") from None


def _read(path: Path) -> bytes:
    try:
        return read_bytes_nofollow(path)
    except OSError as exc:
        raise OutputError(path, f"cannot read: {exc.strerror}") from None


def write_files(
    rendered: Mapping[str, Content],
    folder: Path,
    *,
    blueprint: str = "",
    summary: dict[str, Any] | None = None,
    force: bool = False,
) -> list[Drift]:
    """Bring ``folder`` to the rendered state, keeping what mlopsgen does not own.

    Holds the output root's lock, first recovers what an interrupted render left (``swap.recover``),
    then builds the new tree beside the folder and swaps it in.

    Args:
        rendered: Relative path → text.
        folder: The blueprint's output folder (created if missing).
        blueprint: Blueprint file name recorded in the manifest.
        summary: Blueprint summary recorded in the manifest.
        force: Overwrite (or remove) hand-edited, unowned and symlinked files instead of refusing.

    Returns:
        What changed on disk.

    Raises:
        HandEdited: When files would be overwritten that mlopsgen did not write as they are now.
        OutputError: When the folder cannot be read or written (named; the previous output is intact).
    """
    root = folder.parent
    if os.path.lexists(root) and not root.is_dir():
        raise OutputError(root, "is not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
        with locked(root):
            recover(folder, _lacking)
            return _write(rendered, folder, blueprint, summary or {}, force)
    except OSError as exc:
        raise OutputError(exc.filename or folder, f"cannot write: {exc.strerror or exc}") from None


def _write(
    rendered: Mapping[str, Content], folder: Path, blueprint: str, summary: dict[str, Any], force: bool
) -> list[Drift]:
    drift = _diff(rendered, folder, blueprint, summary)
    conflicts = [d for d in drift if d.kind in CONFLICTS]
    if conflicts and not force:
        raise HandEdited(conflicts)
    if not drift and folder.is_dir():
        return []
    old = None if folder.is_symlink() else read_manifest(folder)
    ejected = old.ejected if old else []
    expected = expected_tree(rendered, blueprint, summary, ejected)
    owned = set(old.files) - set(ejected) if old else set()
    tree = _scan(folder)
    parents = {"/".join(p.split("/")[:i]) for p in expected for i in range(1, p.count("/") + 1)}
    staging = make_staging(folder)
    try:
        for rel in sorted(set(tree.dirs) & (tree.empty | parents)):
            (staging / rel).mkdir(parents=True, exist_ok=True)
        for rel in sorted(tree.files - set(expected) - owned):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / rel, staging / rel, follow_symlinks=False)
        for rel, target in sorted(tree.links.items()):
            if rel not in expected and rel not in parents:
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(target, staging / rel)
        for rel, content in sorted(expected.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:
                handle.write(_encoded(content))
            if rel in tree.files:
                os.chmod(path, stat.S_IMODE(os.lstat(folder / rel).st_mode))
        for rel, mode in tree.dirs.items():
            if (staging / rel).is_dir() and not (staging / rel).is_symlink():
                os.chmod(staging / rel, mode)
        swap(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return drift


def _lacking(old: Path, folder: Path) -> list[str]:
    """Files of an old tree (left by an interrupted swap) that are neither regenerable nor in ``folder``."""
    try:
        manifest = read_manifest(old)
    except OutputError:
        manifest = None
    owned = set(manifest.files) - set(manifest.ejected) if manifest else set()
    before, now = scan(old), scan(folder)
    lacking = [rel for rel in before.empty if rel not in now.dirs]
    lacking += [rel for rel, target in before.links.items() if now.links.get(rel) != target]
    for rel in sorted(before.files - owned - {MANIFEST}):
        if rel not in now.files or read_bytes_nofollow(old / rel) != read_bytes_nofollow(folder / rel):
            lacking.append(rel)
    return sorted(lacking)


def eject(folder: Path, paths: list[str]) -> list[str]:
    """Hand files over to the user: mlopsgen stops writing and checking them, and says so in the manifest.

    Args:
        folder: The blueprint's output folder.
        paths: Paths relative to the folder.

    Returns:
        The paths that were not owned (nothing done for them).

    Raises:
        OutputError: When the manifest is corrupted or cannot be written.
    """
    if not folder.parent.is_dir():
        return list(paths)
    try:
        with locked(folder.parent):
            manifest = read_manifest(folder)
            if manifest is None:
                return list(paths)
            known = set(manifest.files) | set(manifest.ejected)
            unknown = [p for p in paths if not safe_relative(p) or p not in known]
            for path in paths:
                if path in manifest.files:
                    del manifest.files[path]
                    manifest.ejected.append(path)
            write_atomic(folder / MANIFEST, manifest.to_text().encode("utf-8"))
    except OSError as exc:
        raise OutputError(exc.filename or folder / MANIFEST, f"cannot write: {exc.strerror or exc}") from None
    return unknown
