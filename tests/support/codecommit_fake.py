"""A CodeCommit repository in memory behind a real botocore client, checked against the real service model.

moto implements CodeCommit's repository calls but not GetBranch, GetFolder or CreateCommit, so this
is a botocore ``Stubber`` whose responses come from a small Git-like store instead of a queue: the
client validates every request against botocore's model, and the Stubber validates every response
and error against it too. CreateCommit enforces what the service does that the seed relies on: the
parent must be the branch tip, a commit must change something, at most 100 files per commit.
"""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
from botocore import xform_name
from botocore.stub import Stubber

from mlopsgen.seed.changes import blob_id


class FakeCodeCommit(Stubber):  # type: ignore[misc]
    """A stateful stub: ``branches`` name → commit id, ``commits`` id → {path: bytes}."""

    def __init__(self, repository: str = "seeded") -> None:
        super().__init__(boto3.client("codecommit", region_name="eu-west-1"))
        self.repository = repository
        self.branches: dict[str, str] = {}
        self.commits: dict[str, dict[str, bytes]] = {}
        self.calls: list[str] = []
        self.fail_commit_number: int | None = None  # fail the n-th CreateCommit (1-based) once

    def files(self, branch: str = "main") -> dict[str, bytes]:
        return dict(self.commits[self.branches[branch]])

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        # Keep the API parameters (before-call sees the serialized request); the client then validates
        # them against the model before anything is answered.
        context["fake_params"] = dict(params)

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        self.calls.append(model.name)
        try:
            response = getattr(self, "_" + xform_name(model.name))(context["fake_params"])
        except _Error as error:
            self.add_client_error(xform_name(model.name), error.code, error.message, 400)
        else:
            self.add_response(xform_name(model.name), response)  # validated against the output shape
        return super()._get_response_handler(model, params, context, **kwargs)

    def _get_branch(self, params: dict[str, Any]) -> dict[str, Any]:
        self._repository(params)
        if params["branchName"] not in self.branches:
            raise _Error("BranchDoesNotExistException", f"Branch {params['branchName']} does not exist")
        return {"branch": {"branchName": params["branchName"], "commitId": self.branches[params["branchName"]]}}

    def _get_folder(self, params: dict[str, Any]) -> dict[str, Any]:
        self._repository(params)
        tree = self.commits[params["commitSpecifier"]]
        folder = params["folderPath"].strip("/")
        prefix = folder + "/" if folder else ""
        files, subs = [], set()
        for path, content in tree.items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            if "/" in rest:
                subs.add(prefix + rest.split("/")[0])
            else:
                files.append(
                    {"blobId": blob_id(content), "absolutePath": path, "relativePath": rest, "fileMode": "NORMAL"}
                )
        return {
            "commitId": params["commitSpecifier"],
            "folderPath": "/" + folder,
            "files": files,
            "subFolders": [{"absolutePath": s, "relativePath": s.rsplit("/", 1)[-1]} for s in sorted(subs)],
        }

    def _create_commit(self, params: dict[str, Any]) -> dict[str, Any]:
        self._repository(params)
        tip = self.branches.get(params["branchName"])
        if tip is not None and params.get("parentCommitId") is None:
            raise _Error("ParentCommitIdRequiredException", "A parent commit ID is required")
        if params.get("parentCommitId") != tip:
            raise _Error("ParentCommitIdOutdatedException", "The parent commit ID is not the tip of the branch")
        entries = len(params.get("putFiles", [])) + len(params.get("deleteFiles", []))
        if entries > 100:
            raise _Error("MaximumFileEntriesExceededException", "Too many files")
        number = sum(1 for c in self.calls if c == "CreateCommit")
        if self.fail_commit_number == number:
            self.fail_commit_number = None
            raise _Error("EncryptionKeyUnavailableException", "injected failure")
        tree = dict(self.commits[tip]) if tip else {}
        before = dict(tree)
        for put in params.get("putFiles", []):
            tree[put["filePath"]] = put["fileContent"]
        for delete in params.get("deleteFiles", []):
            tree.pop(delete["filePath"])
        if tree == before:
            raise _Error("NoChangeException", "No change")
        commit = hashlib.sha1(repr((tip, sorted(tree.items()))).encode(), usedforsecurity=False).hexdigest()
        self.commits[commit] = tree
        self.branches[params["branchName"]] = commit
        return {"commitId": commit, "treeId": commit, "filesAdded": [], "filesUpdated": [], "filesDeleted": []}

    def _repository(self, params: dict[str, Any]) -> None:
        if params["repositoryName"] != self.repository:
            raise _Error("RepositoryDoesNotExistException", f"{params['repositoryName']} does not exist")


class _Error(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message
