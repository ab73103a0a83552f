"""A new output tree → the output folder by two renames, with a lock and recovery from interrupted swaps.

Beside each output folder ``<root>/<name>`` mlopsgen uses only these names:

- ``.<name>.new-<hex>``: a tree being built (or being deleted); always derived from the folder, so
  deleting it loses nothing once the folder is in place;
- ``.<name>.old``: the previous tree, between the two renames of a swap; it is the only copy of the
  user's files while the folder is missing, so it is moved back, never deleted unchecked;
- ``.mlopsgen.lock``: an ``fcntl.flock`` lock serialising renders (and checks, shared) in one root,
  present only while a render runs.

Whatever moment a render dies at (``kill -9`` included), the next render under the lock finds one
of these states and recovers: folder missing + ``.old`` → move ``.old`` back; folder + ``.old`` →
delete ``.old`` only when every file in it is regenerable or in the folder; ``.new-*`` → delete.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mlopsgen.manifest import OutputError

LOCK = ".mlopsgen.lock"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@contextmanager
def locked(root: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold the output root's lock: exclusive to write, shared to compare.

    The lock file exists only while someone holds it: the last holder deletes it before unlocking,
    and every taker checks after ``flock`` that the file it locked is still the one at the path
    (else it locked a deleted file, and tries again), the usual way to delete a lock file safely.
    A reader that cannot create the file (a read-only checkout) locks an existing one, or none.

    Args:
        root: The folder holding the blueprints' output folders.
        shared: Take a shared lock (readers), else an exclusive one.

    Yields:
        Nothing; the lock is held inside the ``with`` block.

    Raises:
        OutputError: When a writer cannot create the lock file (read-only folder, a symlink in its place).
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    path = root / LOCK
    while True:
        fd = _open_lock(path, shared)
        if fd is None:  # a reader that may neither create nor open it: compare unlocked
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        yield
    finally:
        try:  # the last holder deletes the file; a reader only when nobody else holds or waits for it
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a reader's conversion is not atomic: check again
            if _same_file(fd, path):
                path.unlink()
        except OSError:
            pass
        os.close(fd)


def _open_lock(path: Path, shared: bool) -> int | None:
    flags = _NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o666)
    except OSError as exc:
        if not shared:
            raise OutputError(path, f"cannot create the lock file: {exc.strerror}") from None
    try:
        return os.open(path, os.O_RDONLY | flags)
    except OSError:
        return None


def _same_file(fd: int, path: Path) -> bool:
    try:
        at_path = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino)


def old_path(folder: Path) -> Path:
    """Where the previous tree waits between the two renames of a swap."""
    return folder.parent / f".{folder.name}.old"


def leftovers(folder: Path) -> list[Path]:
    """What interrupted renders left beside ``folder`` (``.<name>.old``, ``.<name>.new-*``), sorted."""
    if not folder.parent.is_dir():
        return []
    staging = re.compile(rf"^\.{re.escape(folder.name)}\.new-[A-Za-z0-9_]+$")
    old = old_path(folder).name
    return sorted(p for p in folder.parent.iterdir() if p.name == old or staging.match(p.name))


def recover(folder: Path, redundant: Callable[[Path, Path], list[str]]) -> None:
    """Bring the leftovers of an interrupted swap back to a plain folder (call under the exclusive lock).

    Args:
        folder: The blueprint's output folder.
        redundant: ``(old tree, folder) → files of the old tree the folder lacks`` (empty when the
            old tree holds nothing the folder does not).

    Raises:
        OutputError: When a leftover holds files the folder lacks, or is not a folder: the user decides.
    """
    old = old_path(folder)
    if os.path.lexists(old):
        if old.is_symlink() or not old.is_dir():
            raise OutputError(old, "is not a folder mlopsgen left; remove it and render again")
        if not os.path.lexists(folder):
            os.replace(old, folder)  # died between the two renames: the old tree is the truth
        else:
            lacking = redundant(old, folder)
            if lacking:
                shown = ", ".join(lacking[:5]) + (", ..." if len(lacking) > 5 else "")
                raise OutputError(
                    old,
                    f"left by an interrupted render, holds files {folder} lacks ({shown}); "
                    f"move what you need into {folder}, delete {old}, and render again",
                )
            discard(old, folder)
    for path in leftovers(folder):
        if path != old and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)


def discard(tree: Path, folder: Path) -> None:
    """Delete a redundant tree, renamed to a ``.new-*`` name first: a kill mid-way leaves a deletable leftover."""
    if tree.is_symlink():
        tree.unlink()
        return
    trash = folder.parent / f".{folder.name}.new-{secrets.token_hex(6)}"
    os.replace(tree, trash)
    shutil.rmtree(trash)


def make_staging(folder: Path) -> Path:
    """A new empty folder beside ``folder`` with the folder's mode (or the umask's default for a new one)."""
    while True:
        path = folder.parent / f".{folder.name}.new-{secrets.token_hex(6)}"
        try:
            os.mkdir(path, 0o777)  # the umask decides, as for any folder the user creates
        except FileExistsError:
            continue
        if folder.is_dir() and not folder.is_symlink():
            os.chmod(path, stat.S_IMODE(folder.stat().st_mode))
        return path


def swap(staging: Path, folder: Path) -> None:
    """Replace ``folder`` (a folder, a symlink, or nothing) with ``staging`` by two renames.

    Between the renames only ``.<name>.old`` holds the previous tree; ``recover`` handles a death
    there. An exception between them (not a kill) moves the old tree straight back.
    """
    old = old_path(folder)
    had = os.path.lexists(folder)
    if had:
        os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except BaseException:
        if had and not os.path.lexists(folder):
            os.replace(old, folder)
        raise
    if had:
        discard(old, folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by a temporary file in its folder and a rename: readers see the old or the new content.

    The file keeps its mode when it exists; a symlink at ``path`` is replaced, never written through.

    Args:
        path: The file to write.
        data: Its new content.

    Raises:
        OSError: When the folder cannot be written (the file is then unchanged).
    """
    try:
        mode: int | None = stat.S_IMODE(os.lstat(path).st_mode) if path.is_file() and not path.is_symlink() else None
    except OSError:
        mode = None
    temp = path.parent / f".{path.name}.tmp-{secrets.token_hex(6)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
