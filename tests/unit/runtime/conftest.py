"""Fixtures for the standalone runtime scripts: fake AWS credentials and moto's in-process mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

REGION = "eu-west-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/service-role/AmazonSageMakerProjectsExecutionRole"


_SHARED: dict[str, Any] = {}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and region, and every boto3 call served by moto.

    moto resets ``boto3.DEFAULT_SESSION`` on every start, so each test would reload the large service
    models (~0.2 s per client); one session is kept for the whole run instead. The scripts' own default
    (``session=None`` → a new ``boto3.session.Session``) is exercised by the tests that pass no session.
    """
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    import boto3
    from moto import mock_aws

    with mock_aws():
        if "session" not in _SHARED:
            _SHARED["session"] = boto3.session.Session(region_name=REGION)
        boto3.DEFAULT_SESSION = _SHARED["session"]  # moto puts the previous value back on exit
        yield


@pytest.fixture
def session(aws: None) -> Any:
    """The shared boto3 session, to pass to a script's ``main(..., session=...)``."""
    import boto3

    return boto3.DEFAULT_SESSION


class StubSession:
    """A session whose ``client(name)`` returns prepared client objects (real moto clients or stubs)."""

    def __init__(self, **clients: Any) -> None:
        self.clients = clients

    def client(self, name: str, **_: Any) -> Any:
        return self.clients[name.replace("-", "_")]


def client_error(code: str, message: str, operation: str) -> Exception:
    """A botocore ClientError as AWS would raise it."""
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, operation)
