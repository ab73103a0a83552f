"""Seeded files + what a branch holds → the changes to commit: only files whose bytes differ.

Repositories report each file's Git blob id (CodeCommit ``GetFolder``, GitHub's trees API), which is
a hash of the content, so comparing needs no download: a retry after a partial delivery, or an
Update with an unchanged render, finds nothing (or only the rest) to commit. Only files in the
seeded output folders (``generated/<stem>/``) are ever deleted (output no longer rendered);
everything else in the repository (the team's own files, other blueprints' output) is left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import field

from mlopsgen.frozen import frozen

DELETABLE_PREFIX = "generated/"


def blob_id(content: bytes) -> str:
    """The Git blob id of ``content`` (SHA-1 of ``blob <size>``, a NUL byte, then the content)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@frozen
class Changes:
    """What a commit must do to make a branch hold the seeded files.

    Attributes:
        put: Path → content, for files missing or different on the branch.
        delete: Paths in the seeded ``generated/<stem>/`` folders that are no longer rendered.
    """

    put: dict[str, bytes] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.put or self.delete)


def changes(wanted: Mapping[str, bytes], present: Mapping[str, str]) -> Changes:
    """The changes from ``present`` (path → blob id on the branch) to ``wanted`` (path → bytes).

    Args:
        wanted: The seeded repository's files.
        present: The branch's files with their blob ids (empty for a new branch).

    Returns:
        Files to write (sorted by path) and files to delete.
    """
    put = {path: content for path, content in sorted(wanted.items()) if present.get(path) != blob_id(content)}
    folders = {"/".join(p.split("/")[:2]) + "/" for p in wanted if p.startswith(DELETABLE_PREFIX) and p.count("/") >= 2}
    delete = sorted(p for p in present if p not in wanted and any(p.startswith(f) for f in folders))
    return Changes(put, delete)


class DeliveryError(Exception):
    """The repository refused the seed (a file over its limits, a branch moved meanwhile, ...)."""


@frozen
class Delivered:
    """Where the seed landed: the head commit (or object version) and whether anything was written."""

    reference: str
    changed: bool
