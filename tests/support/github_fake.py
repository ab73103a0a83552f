"""A local HTTP server implementing the GitHub REST calls the seed makes (git data API and first-commit contents).

Blob shas are real Git blob ids (the seed compares them with its own); trees and commits get unique
ids. Every request must carry the expected bearer token. ``fail_once`` makes one call fail with 502
to exercise retries; ``requests`` records what was called, and ``empty`` starts a repository with
no commit (where GitHub answers 409 and refuses git objects).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mlopsgen.seed.changes import blob_id


@dataclass
class Repo:
    token: str
    name: str = "org/seeded"
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    fail_once: str | None = None  # "METHOD /path-prefix"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def files(self, branch: str = "main") -> dict[str, bytes]:
        tree = self.trees[self.commits[self.refs[branch]]["tree"]]
        return {path: self.blobs[sha] for path, sha in tree.items()}

    def _store_tree(self, tree: dict[str, str]) -> str:
        sha = hashlib.sha1(json.dumps(sorted(tree.items())).encode(), usedforsecurity=False).hexdigest()
        self.trees[sha] = tree
        return sha

    def _commit(self, tree: str, parents: list[str], message: str) -> str:
        sha = hashlib.sha1(json.dumps([tree, parents, message, len(self.commits)]).encode(), usedforsecurity=False)
        self.commits[sha.hexdigest()] = {"tree": tree, "parents": parents}
        return sha.hexdigest()

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        prefix = f"/repos/{self.name}"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}
        path = path[len(prefix) :]
        self.requests.append(f"{method} {path}")
        if self.fail_once and f"{method} {path}".startswith(self.fail_once):
            self.fail_once = None
            return 502, {"message": "Server Error"}
        empty = not self.commits
        if method == "GET" and path.startswith("/git/ref/heads/"):
            if empty:
                return 409, {"message": "Git Repository is empty."}
            branch = path.removeprefix("/git/ref/heads/")
            if branch not in self.refs:
                return 404, {"message": "Not Found"}
            return 200, {"ref": f"refs/heads/{branch}", "object": {"sha": self.refs[branch], "type": "commit"}}
        if method == "GET" and path.startswith("/git/commits/"):
            commit = self.commits[path.removeprefix("/git/commits/")]
            return 200, {"sha": path.rsplit("/", 1)[-1], "tree": {"sha": commit["tree"]}}
        if method == "GET" and path.startswith("/git/trees/"):
            tree = self.trees[path.removeprefix("/git/trees/").split("?")[0]]
            entries = [{"path": p, "mode": "100644", "type": "blob", "sha": s} for p, s in sorted(tree.items())]
            return 200, {"tree": entries, "truncated": False}
        if method == "PUT" and path.startswith("/contents/"):
            content = base64.b64decode(body["content"])
            self.blobs[blob_id(content)] = content
            first = self._store_tree({path.removeprefix("/contents/"): blob_id(content)})
            self.refs[body["branch"]] = self._commit(first, [], body["message"])
            return 201, {"commit": {"sha": self.refs[body["branch"]]}}
        if empty:
            return 409, {"message": "Git Repository is empty."}
        if method == "POST" and path == "/git/blobs":
            assert body["encoding"] == "base64"
            content = base64.b64decode(body["content"])
            self.blobs[blob_id(content)] = content
            return 201, {"sha": blob_id(content)}
        if method == "POST" and path == "/git/trees":
            tree = dict(self.trees[body["base_tree"]]) if "base_tree" in body else {}
            for entry in body["tree"]:
                if entry["sha"] is None:
                    tree.pop(entry["path"], None)
                else:
                    assert entry["sha"] in self.blobs, "tree entry for an unknown blob"
                    tree[entry["path"]] = entry["sha"]
            return 201, {"sha": self._store_tree(tree)}
        if method == "POST" and path == "/git/commits":
            return 201, {"sha": self._commit(body["tree"], body["parents"], body["message"])}
        if method == "PATCH" and path.startswith("/git/refs/heads/"):
            branch = path.removeprefix("/git/refs/heads/")
            if not body.get("force") and self.refs.get(branch) not in self.commits[body["sha"]]["parents"]:
                return 422, {"message": "Update is not a fast forward"}
            self.refs[branch] = body["sha"]
            return 200, {"object": {"sha": body["sha"]}}
        if method == "POST" and path == "/git/refs":
            branch = body["ref"].removeprefix("refs/heads/")
            if branch in self.refs:
                return 422, {"message": "Reference already exists"}
            self.refs[branch] = body["sha"]
            return 201, {"object": {"sha": body["sha"]}}
        return 404, {"message": "Not Found"}


@contextmanager
def serve(repo: Repo) -> Iterator[str]:
    """Serve ``repo`` on 127.0.0.1; yields the API base URL (as for GitHub Enterprise: .../api/v3)."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {repo.token}":
                self._reply(401, {"message": "Bad credentials"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            path = self.path.removeprefix("/api/v3")
            with repo.lock:
                status, answer = repo.handle(self.command, path, body)
            self._reply(status, answer)

        def _reply(self, status: int, answer: Any) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v3"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def cloudformation_responses() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local stand-in for the pre-signed S3 response URL: yields the URL and the bodies PUT to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            assert self.headers.get("Content-Type", "") == ""
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cfn-response?X-Amz-Signature=abc", received
    finally:
        server.shutdown()
        server.server_close()
