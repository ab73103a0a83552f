"""jenkins_trigger.py: the model-approval Lambda against a local fake Jenkins and moto's Secrets Manager."""

from __future__ import annotations

import ast
import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from mlopsgen.runtime import jenkins_trigger
from mlopsgen.runtime.jenkins_trigger import TriggerError

JOB = "sagemaker-abalone-p-123-modeldeploy"
USER = "jenkins-bot"
API_TOKEN = "api-S3CRET-11aa22bb33cc44dd"
JOB_TOKEN = "job-S3CRET+tok/en&x=1"  # needs URL-encoding in the query
SECRETS = (API_TOKEN, JOB_TOKEN, urllib.parse.quote_plus(JOB_TOKEN), urllib.parse.quote(JOB_TOKEN, safe=""))
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/abalone-p-123/4"
EVENT: dict[str, Any] = {
    "version": "0",
    "source": "aws.sagemaker",
    "detail-type": "SageMaker Model Package State Change",
    "account": "123456789012",
    "region": "eu-west-1",
    "detail": {
        "ModelPackageGroupName": "abalone-p-123",
        "ModelPackageVersion": 4,
        "ModelPackageArn": PACKAGE_ARN,
        "ModelApprovalStatus": "Approved",
    },
}
RETRY_SECONDS = 7.0


@dataclass
class Seen:
    """One request the fake Jenkins received."""

    method: str
    path: str  # raw, still percent-encoded
    query: dict[str, list[str]]
    authorization: str | None
    body: bytes


@dataclass
class FakeJenkins:
    """A local HTTP server answering scripted (status, delay seconds) pairs, then 201."""

    server: ThreadingHTTPServer
    script: list[tuple[int, float]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, *statuses: int | tuple[int, float]) -> None:
        self.script.extend(s if isinstance(s, tuple) else (s, 0.0) for s in statuses)


def _handler(fake: list[FakeJenkins]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            jenkins = fake[0]
            path, _, query = self.path.partition("?")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            jenkins.seen.append(
                Seen(self.command, path, urllib.parse.parse_qs(query), self.headers.get("Authorization"), body)
            )
            status, delay = jenkins.script.pop(0) if jenkins.script else (201, 0.0)
            time.sleep(delay)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{jenkins.url}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def jenkins() -> Iterator[FakeJenkins]:
    holder: list[FakeJenkins] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder.append(FakeJenkins(server))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()


def _create_secret(value: Any, name: str = "jenkins-trigger") -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    arn: str = boto3.client("secretsmanager").create_secret(Name=name, SecretString=text)["ARN"]
    return arn


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(jenkins_trigger, "_sleep", recorded.append)
    return recorded


@pytest.fixture(autouse=True)
def no_secret_in_stdout(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    yield
    _stdout(capsys)


def _stdout(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out.out + out.err
    return out.out


@pytest.fixture
def env(aws: None, monkeypatch: pytest.MonkeyPatch, jenkins: FakeJenkins, sleeps: list[float]) -> str:
    """Environment for a working trigger against the fake Jenkins; returns the secret ARN."""
    arn = _create_secret({"user": USER, "api_token": API_TOKEN, "job_token": JOB_TOKEN})
    for name in ("MAX_ATTEMPTS", "TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JENKINS_URL", jenkins.url + "/")
    monkeypatch.setenv("JENKINS_JOB", JOB)
    monkeypatch.setenv("JENKINS_SECRET_ARN", arn)
    monkeypatch.setenv("RETRY_SECONDS", str(RETRY_SECONDS))
    monkeypatch.setenv("ALLOW_HTTP", "true")
    return arn


def _fails(match: str) -> Any:
    return pytest.raises(TriggerError, match=match)


def _assert_clean(exc: BaseException) -> None:
    for secret in (*SECRETS, USER + ":"):
        assert secret not in str(exc)


# --- success ----------------------------------------------------------------------------------------------


def test_approval_posts_build_with_parameters(env: str, jenkins: FakeJenkins, sleeps: list[float]) -> None:
    result = jenkins_trigger.lambda_handler(EVENT, None)

    assert result == {"status": 201, "job": JOB, "attempts": 1}
    assert sleeps == []
    [request] = jenkins.seen
    assert request.method == "POST"
    assert request.path == f"/job/{JOB}/buildWithParameters"
    assert request.query["token"] == [JOB_TOKEN]
    [cause] = request.query["cause"]
    assert PACKAGE_ARN in cause and "Approved" in cause
    assert request.body == b""
    assert request.authorization is not None
    scheme, _, encoded = request.authorization.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"{USER}:{API_TOKEN}"


def test_query_is_url_encoded(env: str, jenkins: FakeJenkins, monkeypatch: pytest.MonkeyPatch) -> None:
    seen_urls: list[str] = []
    real_request = urllib.request.Request

    def spy(url: str, *args: Any, **kwargs: Any) -> Any:
        seen_urls.append(url)
        return real_request(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "Request", spy)
    jenkins_trigger.lambda_handler(EVENT, None)

    [url] = seen_urls
    query = url.partition("?")[2]
    assert "token=" + urllib.parse.quote_plus(JOB_TOKEN) in query.split("&")
    assert " " not in query and "+tok/" not in query


@pytest.mark.parametrize(
    ("base", "job", "path"),
    [
        ("", "deploy job #1", "/job/deploy%20job%20%231/buildWithParameters"),
        ("/jenkins/", JOB, f"/jenkins/job/{JOB}/buildWithParameters"),
        ("", "MLOps team/abalone deploy", "/job/MLOps%20team/job/abalone%20deploy/buildWithParameters"),
    ],
)
def test_job_path_is_quoted(
    env: str, jenkins: FakeJenkins, monkeypatch: pytest.MonkeyPatch, base: str, job: str, path: str
) -> None:
    monkeypatch.setenv("JENKINS_URL", jenkins.url + base)
    monkeypatch.setenv("JENKINS_JOB", job)

    assert jenkins_trigger.lambda_handler(EVENT, None)["job"] == job
    assert [r.path for r in jenkins.seen] == [path]


def test_attempts_are_logged_without_secrets(
    env: str, jenkins: FakeJenkins, capsys: pytest.CaptureFixture[str]
) -> None:
    jenkins.answer(500)
    jenkins_trigger.lambda_handler(EVENT, None)

    out = _stdout(capsys)
    job_url = f"{jenkins.url}/job/{JOB}/buildWithParameters"
    assert f"attempt 1/3: POST {job_url} -> HTTP 500" in out
    assert f"attempt 2/3: POST {job_url} -> HTTP 201" in out
    assert PACKAGE_ARN in out and "Approved" in out
    assert "token" not in out.replace("api_token", "")


# --- retries ----------------------------------------------------------------------------------------------


def test_server_errors_are_retried_until_success(env: str, jenkins: FakeJenkins, sleeps: list[float]) -> None:
    jenkins.answer(500, 500)

    assert jenkins_trigger.lambda_handler(EVENT, None) == {"status": 201, "job": JOB, "attempts": 3}
    assert len(jenkins.seen) == 3
    assert sleeps == [RETRY_SECONDS, RETRY_SECONDS]


def test_too_many_requests_is_retried(env: str, jenkins: FakeJenkins, sleeps: list[float]) -> None:
    jenkins.answer(429)

    assert jenkins_trigger.lambda_handler(EVENT, None)["attempts"] == 2
    assert sleeps == [RETRY_SECONDS]


def test_persistent_server_error_fails_after_max_attempts(
    env: str, jenkins: FakeJenkins, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_ATTEMPTS", "4")
    jenkins.answer(503, 503, 503, 503, 503)

    with _fails("HTTP 503") as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    assert f"{jenkins.url}/job/{JOB}/buildWithParameters" in str(info.value)
    assert "4 attempt(s)" in str(info.value)
    _assert_clean(info.value)
    assert len(jenkins.seen) == 4
    assert sleeps == [RETRY_SECONDS] * 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_error_fails_at_once(env: str, jenkins: FakeJenkins, sleeps: list[float], status: int) -> None:
    jenkins.answer(status)

    with _fails(f"HTTP {status} .* after 1 attempt") as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    _assert_clean(info.value)
    assert len(jenkins.seen) == 1
    assert sleeps == []


def test_redirect_is_not_followed(env: str, jenkins: FakeJenkins, sleeps: list[float]) -> None:
    jenkins.answer(302)

    with _fails("HTTP 302"):
        jenkins_trigger.lambda_handler(EVENT, None)

    assert [r.path for r in jenkins.seen] == [f"/job/{JOB}/buildWithParameters"]  # credentials stay put
    assert sleeps == []


def test_connection_refused_is_retried_then_fails(
    env: str, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("JENKINS_URL", f"http://127.0.0.1:{port}")

    with _fails("network error: .*refused.* after 3 attempt") as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    _assert_clean(info.value)
    assert sleeps == [RETRY_SECONDS, RETRY_SECONDS]


def test_timeout_is_retried(
    env: str, jenkins: FakeJenkins, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMEOUT_SECONDS", "0.1")
    jenkins.answer((201, 0.4))

    assert jenkins_trigger.lambda_handler(EVENT, None) == {"status": 201, "job": JOB, "attempts": 2}
    assert sleeps == [RETRY_SECONDS]


def test_timeout_on_last_attempt_fails(
    env: str, jenkins: FakeJenkins, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMEOUT_SECONDS", "0.1")
    monkeypatch.setenv("MAX_ATTEMPTS", "1")
    jenkins.answer((201, 0.4))

    with _fails("network error: .*timed out"):
        jenkins_trigger.lambda_handler(EVENT, None)
    assert sleeps == []


def test_error_text_that_echoes_the_url_is_redacted(
    env: str, jenkins: FakeJenkins, monkeypatch: pytest.MonkeyPatch
) -> None:
    # http.client rejects a space in the URL and quotes the whole request target, query included.
    monkeypatch.setenv("JENKINS_URL", jenkins.url + "/bad path")
    monkeypatch.setenv("MAX_ATTEMPTS", "1")

    with _fails("network error: URL can't contain control characters") as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    assert "token=***" in str(info.value)
    _assert_clean(info.value)
    assert jenkins.seen == []


# --- configuration and secret -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "missing"),
    [
        ({"user": USER, "api_token": API_TOKEN}, "job_token"),
        ({"user": USER, "api_token": "", "job_token": JOB_TOKEN}, "api_token"),
        ({"user": "  ", "api_token": API_TOKEN, "job_token": JOB_TOKEN}, "user"),
        ({"user": USER, "api_token": 12345, "job_token": JOB_TOKEN}, "api_token"),
        ({USER: API_TOKEN}, "user, api_token, job_token"),  # the AWS sample's {user: token} format
    ],
)
def test_secret_without_a_key_is_rejected(
    env: str, jenkins: FakeJenkins, monkeypatch: pytest.MonkeyPatch, secret: dict[str, Any], missing: str
) -> None:
    monkeypatch.setenv("JENKINS_SECRET_ARN", _create_secret(secret, name="incomplete"))

    with _fails(f"key\\(s\\): {missing}$") as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    _assert_clean(info.value)
    assert jenkins.seen == []


@pytest.mark.parametrize(
    ("value", "match"),
    [(f"user={USER} token={API_TOKEN}", "is not JSON"), (json.dumps([API_TOKEN]), "must be a JSON object")],
)
def test_malformed_secret_is_rejected(env: str, monkeypatch: pytest.MonkeyPatch, value: str, match: str) -> None:
    monkeypatch.setenv("JENKINS_SECRET_ARN", _create_secret(value, name="malformed"))

    with _fails(match) as info:
        jenkins_trigger.lambda_handler(EVENT, None)

    _assert_clean(info.value)
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_unknown_secret_is_reported(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JENKINS_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope-AbCdEf")

    with _fails("cannot read secret arn:.*nope-AbCdEf: ResourceNotFoundException"):
        jenkins_trigger.lambda_handler(EVENT, None)


@pytest.mark.parametrize("allow", [None, "false", "1"])
def test_http_url_needs_allow_http(
    env: str, jenkins: FakeJenkins, monkeypatch: pytest.MonkeyPatch, allow: str | None
) -> None:
    if allow is None:
        monkeypatch.delenv("ALLOW_HTTP")
    else:
        monkeypatch.setenv("ALLOW_HTTP", allow)

    with _fails("JENKINS_URL must start with https://"):
        jenkins_trigger.lambda_handler(EVENT, None)
    assert jenkins.seen == []


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("ftp://jenkins.example.com", "must start with https://"),
        ("jenkins.example.com", "must start with https://"),
        ("https://", "must be a base URL"),
        ("https://admin:pw@jenkins.example.com", "must be a base URL"),
        ("https://jenkins.example.com/?token=x", "must be a base URL"),
    ],
)
def test_bad_jenkins_url_is_rejected(env: str, monkeypatch: pytest.MonkeyPatch, url: str, match: str) -> None:
    monkeypatch.setenv("JENKINS_URL", url)

    with _fails(match) as info:
        jenkins_trigger.lambda_handler(EVENT, None)
    assert "pw" not in str(info.value)


@pytest.mark.parametrize("name", ["JENKINS_URL", "JENKINS_JOB", "JENKINS_SECRET_ARN"])
def test_missing_environment_variable(env: str, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv(name)

    with _fails(f"environment variable {name} is not set"):
        jenkins_trigger.lambda_handler(EVENT, None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_ATTEMPTS", "0"),
        ("MAX_ATTEMPTS", "2.5"),
        ("RETRY_SECONDS", "-1"),
        ("TIMEOUT_SECONDS", "0"),
        ("TIMEOUT_SECONDS", "nan"),
    ],
)
def test_bad_number_setting(env: str, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    kind = "an integer" if name == "MAX_ATTEMPTS" else "a number"
    with _fails(f"{name} must be {kind} >= .*got '{value}'"):
        jenkins_trigger.lambda_handler(EVENT, None)


# --- packaging --------------------------------------------------------------------------------------------

SOURCE = Path(jenkins_trigger.__file__)


def test_imports_only_stdlib_and_boto3() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(SOURCE.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports in an inlined Lambda"
            imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) <= {"boto3"}


def test_loads_as_a_lone_lambda_file(tmp_path: Path) -> None:
    (tmp_path / "index.py").write_bytes(SOURCE.read_bytes())
    code = "import runpy; assert callable(runpy.run_path('index.py')['lambda_handler'])"
    proc = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
