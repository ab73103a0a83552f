"""Seeded files → one commit on a GitHub or GitHub Enterprise branch, through the REST git data API.

Blobs, then one tree on the branch's tree, then a commit, then the branch moved to it without
force: a retry creates the same content-addressed objects again, and a branch that moved meanwhile
makes the update fail rather than lose someone's commit. The token (read from Secrets Manager by
the handler) goes only into the Authorization header; it is never logged or put in an error.
Standard library only (``urllib``): the Lambda ships no HTTP client.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from mlopsgen.seed.changes import Delivered, DeliveryError, changes

DEFAULT_API = "https://api.github.com"
TIMEOUT_SECONDS = 30


class GitHub:
    """A minimal client for the git data endpoints of one repository.

    Args:
        repository: ``owner/name``.
        token: A token allowed to write contents.
        api_url: ``https://api.github.com``, or ``https://<host>/api/v3`` for GitHub Enterprise Server.
    """

    def __init__(self, repository: str, token: str, api_url: str = DEFAULT_API) -> None:
        if repository.count("/") != 1 or not all(repository.split("/")):
            raise DeliveryError(f"GitHub repository must be owner/name, not {repository!r}")
        self._base = f"{api_url.rstrip('/')}/repos/{urllib.parse.quote(repository)}"
        self._token = token

    def __repr__(self) -> str:  # never show the token, even in a traceback's locals
        return f"GitHub({self._base!r})"

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, Any]:
        """One request; returns the status and the decoded JSON (None for 404/409, which callers read)."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self._base + path, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "mlopsgen-seed")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https URL from config
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 409) and method == "GET":
                return exc.code, None
            detail = exc.read(500).decode("utf-8", "replace")
            raise DeliveryError(f"GitHub {method} {path.split('?')[0]} failed: HTTP {exc.code} {detail}") from None
        except urllib.error.URLError as exc:
            raise DeliveryError(f"GitHub {method} {path.split('?')[0]} failed: {exc.reason}") from None


def branch_files(api: GitHub, branch: str) -> tuple[str | None, str | None, dict[str, str], bool]:
    """Head commit, its tree, every file's blob id, and whether the repository is empty (no commit at all)."""
    status, ref = api.call("GET", f"/git/ref/heads/{urllib.parse.quote(branch)}")
    if status in (404, 409):  # 409: "Git Repository is empty"
        return None, None, {}, status == 409
    head = ref["object"]["sha"]
    _, commit = api.call("GET", f"/git/commits/{head}")
    tree = commit["tree"]["sha"]
    _, listing = api.call("GET", f"/git/trees/{tree}?recursive=1")
    if listing.get("truncated"):
        raise DeliveryError("the branch's tree is too large to list in one request; seed an empty branch instead")
    files = {e["path"]: e["sha"] for e in listing["tree"] if e["type"] == "blob"}
    return head, tree, files, False


def deliver(api: GitHub, branch: str, files: Mapping[str, bytes], message: str) -> Delivered:
    """Make ``branch`` hold ``files`` with one commit, or none when nothing differs.

    Args:
        api: The repository's client.
        branch: Branch (created when missing).
        files: Repository path → content.
        message: Commit message.

    Returns:
        The branch's head commit and whether a commit was made.

    Raises:
        DeliveryError: GitHub refused a request (the message says which and why).
    """
    head, tree, present, empty = branch_files(api, branch)
    if empty:
        # The git data API refuses objects in a repository without commits; the contents API creates
        # the first commit (with one of our own files), then the rest goes through the normal path.
        first = min(files)
        body = {"message": message, "branch": branch, "content": base64.b64encode(files[first]).decode("ascii")}
        api.call("PUT", f"/contents/{urllib.parse.quote(first)}", body)
        head, tree, present, _ = branch_files(api, branch)
    todo = changes(files, present)
    if not todo:
        if head is None:
            raise DeliveryError("nothing to commit to an empty branch")
        return Delivered(head, False)
    entries: list[dict[str, Any]] = []
    for path, content in todo.put.items():
        body = {"content": base64.b64encode(content).decode("ascii"), "encoding": "base64"}
        _, blob = api.call("POST", "/git/blobs", body)
        entries.append({"path": path, "mode": "100644", "type": "blob", "sha": blob["sha"]})
    entries += [{"path": path, "mode": "100644", "type": "blob", "sha": None} for path in todo.delete]
    _, new_tree = api.call("POST", "/git/trees", {"tree": entries, **({"base_tree": tree} if tree else {})})
    parents = [head] if head else []
    _, commit = api.call("POST", "/git/commits", {"message": message, "tree": new_tree["sha"], "parents": parents})
    if head:
        api.call("PATCH", f"/git/refs/heads/{urllib.parse.quote(branch)}", {"sha": commit["sha"], "force": False})
    else:
        api.call("POST", "/git/refs", {"ref": f"refs/heads/{branch}", "sha": commit["sha"]})
    return Delivered(commit["sha"], True)
