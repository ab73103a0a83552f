"""Seeded files → commits on a CodeCommit branch (``CreateCommit``), split where the API's limits require.

The branch's files are listed with ``GetFolder`` (blob ids, no content) and only what differs is
committed, each commit on the previous one (``parentCommitId``), so a retry after a failure part
way resumes where it stopped, and an unchanged render commits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlopsgen.seed.changes import Changes, Delivered, DeliveryError, changes

# CodeCommit quotas (https://docs.aws.amazon.com/codecommit/latest/userguide/limits.html) and the
# CreateCommit errors in botocore's model: at most 100 files changed per commit, 6 MB per file and
# a combined change of at most 7 MB; kept a little under so metadata never tips a commit over.
MAX_FILES_PER_COMMIT = 100
MAX_FILE_BYTES = 6 * 1024 * 1024
MAX_COMMIT_BYTES = 6 * 1024 * 1024


def branch_files(client: Any, repository: str, branch: str) -> tuple[str | None, dict[str, str]]:
    """The branch's head commit and every file on it with its blob id (None, {} for a new branch)."""
    try:
        head = client.get_branch(repositoryName=repository, branchName=branch)["branch"]["commitId"]
    except client.exceptions.BranchDoesNotExistException:
        return None, {}
    files: dict[str, str] = {}
    folders = ["/"]
    while folders:
        folder = client.get_folder(repositoryName=repository, commitSpecifier=head, folderPath=folders.pop())
        files.update({f["absolutePath"].lstrip("/"): f["blobId"] for f in folder.get("files", [])})
        folders += [sub["absolutePath"] for sub in folder.get("subFolders", [])]
    return head, files


def batches(todo: Changes) -> list[Changes]:
    """Split changes into commits within CreateCommit's limits (deletes first, then files by path).

    Raises:
        DeliveryError: A single file is larger than CodeCommit accepts through the API.
    """
    out: list[Changes] = []
    put: dict[str, bytes] = {}
    delete: list[str] = []
    size = 0
    for path in todo.delete:
        if len(delete) + len(put) >= MAX_FILES_PER_COMMIT:
            out.append(Changes(put, delete))
            put, delete, size = {}, [], 0
        delete.append(path)
    for path, content in todo.put.items():
        if len(content) > MAX_FILE_BYTES:
            raise DeliveryError(f"{path} is {len(content)} bytes; CodeCommit's API takes files up to 6 MB")
        if len(delete) + len(put) >= MAX_FILES_PER_COMMIT or size + len(content) > MAX_COMMIT_BYTES:
            out.append(Changes(put, delete))
            put, delete, size = {}, [], 0
        put[path] = content
        size += len(content)
    if put or delete:
        out.append(Changes(put, delete))
    return out


def deliver(
    client: Any, repository: str, branch: str, files: Mapping[str, bytes], message: str, author: str = "mlopsgen"
) -> Delivered:
    """Make ``branch`` of a CodeCommit repository hold ``files``, committing only what differs.

    Args:
        client: A boto3 ``codecommit`` client.
        repository: Repository name.
        branch: Branch (created by the first commit when missing).
        files: Repository path → content.
        message: Commit message (``(i/n)`` is appended when the change takes several commits).
        author: Commit author name.

    Returns:
        The branch's head commit after delivery and whether any commit was made.

    Raises:
        DeliveryError: A file over CodeCommit's limits.
    """
    head, present = branch_files(client, repository, branch)
    parts = batches(changes(files, present))
    for i, part in enumerate(parts, start=1):
        request: dict[str, Any] = {
            "repositoryName": repository,
            "branchName": branch,
            "authorName": author,
            "commitMessage": message if len(parts) == 1 else f"{message} ({i}/{len(parts)})",
            "putFiles": [{"filePath": p, "fileContent": c, "fileMode": "NORMAL"} for p, c in part.put.items()],
            "deleteFiles": [{"filePath": p} for p in part.delete],
        }
        if head is not None:  # the tip we read: CodeCommit refuses the commit if someone pushed meanwhile
            request["parentCommitId"] = head
        head = client.create_commit(**request)["commitId"]
    if head is None:
        raise DeliveryError("nothing to commit to an empty repository")
    return Delivered(head, bool(parts))
