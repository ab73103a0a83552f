"""test_endpoint.py: wait for InService, report data capture, invoke with a payload, write results.

Multi-account tests create the endpoint through assumed-role sessions: moto keys resources by account, so
an endpoint made in 444444444444 is seen only by a session for that account, which proves the script
really looks in each target account.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import test_endpoint  # noqa: E402

from .conftest import REGION, ROLE_ARN, StubSession, client_error  # noqa: E402

ENDPOINT = "abalone-staging"
ACCOUNT_A = "444444444444"
ACCOUNT_B = "555555555555"
ROLE_NAME = "EndpointTestRole"


def _endpoint(name: str = ENDPOINT, *, capture: bool = True, session: Any | None = None) -> None:
    sagemaker = session.client("sagemaker") if session is not None else boto3.client("sagemaker")
    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"},
    )
    config: dict[str, Any] = {
        "EndpointConfigName": f"{name}-config",
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    }
    if capture:
        config["DataCaptureConfig"] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": "s3://bucket/datacapture-staging",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        }
    sagemaker.create_endpoint_config(**config)
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def _args(tmp_path: Path, *extra: str) -> list[str]:
    results = tmp_path / "results" / "test-results.json"
    return ["--endpoint-name", ENDPOINT, "--poll-seconds", "0.01", "--export-test-results", str(results), *extra]


def _results(tmp_path: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((tmp_path / "results" / "test-results.json").read_text())
    return results


def _payload(tmp_path: Path) -> Path:
    path = tmp_path / "payload.csv"
    path.write_bytes(b"0.5,0.4,0.1,0.2\n")
    return path


def _session_with(monkeypatch: pytest.MonkeyPatch, **methods: Any) -> StubSession:
    """Real moto clients with some methods replaced to reach states moto cannot produce."""
    sagemaker = boto3.client("sagemaker")
    runtime = boto3.client("sagemaker-runtime")
    for name, method in methods.items():
        target = runtime if name == "invoke_endpoint" else sagemaker
        monkeypatch.setattr(target, name, method)
    return StubSession(sagemaker=sagemaker, sagemaker_runtime=runtime)


def test_in_service_without_payload(tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    _endpoint()
    assert test_endpoint.main(_args(tmp_path)) == 0
    out = capsys.readouterr().out
    assert f"endpoint {ENDPOINT} status: InService" in out
    assert "data capture: enabled (DestinationS3Uri s3://bucket/datacapture-staging)" in out
    assert "invoked" not in out
    assert _results(tmp_path) == {
        "endpoint_name": ENDPOINT,
        "status": "InService",
        "data_capture": True,
        "mode": "realtime",
        "invoked": False,
        "response_bytes": None,
        "success": True,
        "error": None,
    }


def test_in_service_with_payload(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _endpoint(capture=False)
    args = _args(tmp_path, "--payload-file", str(_payload(tmp_path)), "--accept", "application/json")
    assert test_endpoint.main(args, session=session) == 0
    out = capsys.readouterr().out
    assert "data capture: disabled" in out
    assert f"invoked {ENDPOINT} with 16 bytes (text/csv): 4 bytes back" in out  # moto answers b"body"
    results = _results(tmp_path)
    assert (results["invoked"], results["response_bytes"], results["data_capture"]) == (True, 4, False)


def test_payload_request_is_passed_through(tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _endpoint()
    requests: list[dict[str, Any]] = []

    class _Body:
        def read(self) -> bytes:
            return b'{"predictions": [1.5]}'

    def invoke(**request: Any) -> dict[str, Any]:
        requests.append(request)
        return {"Body": _Body(), "ContentType": "application/json"}

    session = _session_with(monkeypatch, invoke_endpoint=invoke)
    args = _args(
        tmp_path,
        "--payload-file",
        str(_payload(tmp_path)),
        "--content-type",
        "text/csv",
        "--accept",
        "application/json",
    )
    assert test_endpoint.main(args, session=session) == 0
    assert requests == [
        {
            "EndpointName": ENDPOINT,
            "Body": b"0.5,0.4,0.1,0.2\n",
            "ContentType": "text/csv",
            "Accept": "application/json",
        }
    ]
    assert _results(tmp_path)["response_bytes"] == 22


def test_missing_endpoint(tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert test_endpoint.main(_args(tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: endpoint {ENDPOINT} does not exist: Could not find endpoint")
    assert err.count("\n") == 1
    results = _results(tmp_path)
    assert (results["success"], results["status"], results["invoked"]) == (False, None, False)
    assert results["error"].startswith(f"endpoint {ENDPOINT} does not exist")


def test_waits_while_creating(
    tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = iter(["Creating", "Creating", "InService"])

    def describe(**kwargs: Any) -> dict[str, Any]:
        return {"EndpointName": ENDPOINT, "EndpointStatus": next(statuses)}

    assert test_endpoint.main(_args(tmp_path), session=_session_with(monkeypatch, describe_endpoint=describe)) == 0
    out = capsys.readouterr().out
    assert out.count("status: Creating") == 2
    assert "data capture: disabled" in out


@pytest.mark.parametrize("status", ["Failed", "OutOfService"])
def test_failed_endpoint_reports_reason(
    tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], status: str
) -> None:
    def describe(**kwargs: Any) -> dict[str, Any]:
        return {"EndpointStatus": status, "FailureReason": "The primary container did not pass the\nping check."}

    assert test_endpoint.main(_args(tmp_path), session=_session_with(monkeypatch, describe_endpoint=describe)) == 1
    err = capsys.readouterr().err
    assert err == f"error: endpoint {ENDPOINT} is {status}: The primary container did not pass the ping check.\n"
    assert _results(tmp_path)["status"] == status


def test_timeout(
    tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def creating(**kwargs: Any) -> dict[str, Any]:
        return {"EndpointStatus": "Creating"}

    session = _session_with(monkeypatch, describe_endpoint=creating)
    assert test_endpoint.main(_args(tmp_path, "--timeout-minutes", "0.001"), session=session) == 1
    captured = capsys.readouterr()
    assert captured.out.count("status: Creating") >= 2
    assert captured.err.startswith("error: timed out after 0m00s waiting for endpoint")
    assert "(last status: Creating)" in captured.err


def test_invocation_error_fails(
    tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _endpoint()

    def invoke(**request: Any) -> dict[str, Any]:
        raise client_error("ModelError", "Received server error (500) from primary", "InvokeEndpoint")

    session = _session_with(monkeypatch, invoke_endpoint=invoke)
    assert test_endpoint.main(_args(tmp_path, "--payload-file", str(_payload(tmp_path))), session=session) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: invoking endpoint {ENDPOINT} failed: ClientError: An error occurred (ModelError)")
    results = _results(tmp_path)
    assert (results["status"], results["invoked"], results["success"]) == ("InService", False, False)


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read payload file"), (b"", "is empty")])
def test_bad_payload_file_fails_before_any_aws_call(
    tmp_path: Path, content: bytes | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = tmp_path / "payload.csv"
    if content is not None:
        payload.write_bytes(content)
    assert test_endpoint.main(_args(tmp_path, "--payload-file", str(payload)), session=StubSession()) == 1
    assert message in capsys.readouterr().err


def test_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert test_endpoint.main(["--endpoint-name", ENDPOINT, "--timeout-minutes", "-1"]) == 2
    assert "must be greater than 0" in capsys.readouterr().err


def _assumed(account: str) -> Any:
    """A moto session acting in another account, as the script's own would."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE_NAME}", RoleSessionName="test-setup"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def _accounts_file(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "staging-accounts-export.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


class _RecordingFactory:
    """Builds real boto3 sessions from the assumed credentials and keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return boto3.session.Session(**kwargs)


class _NoAws:
    """A session that fails the test's expectation as soon as the script reaches for AWS."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def client(self, name: str, **_: Any) -> Any:
        self.calls.append(name)
        raise AssertionError(f"unexpected AWS call: {name}")


def test_accounts_tests_each_target_account(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _endpoint(session=_assumed(ACCOUNT_A), capture=True)
    _endpoint(session=_assumed(ACCOUNT_B), capture=False)  # none in the caller's own account
    factory = _RecordingFactory()
    accounts = _accounts_file(tmp_path, [ACCOUNT_A, ACCOUNT_B])
    args = _args(
        tmp_path, "--accounts-file", str(accounts), "--role-name", ROLE_NAME, "--payload-file", str(_payload(tmp_path))
    )
    assert test_endpoint.main(args, session=session, session_factory=factory) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    assert f"account {ACCOUNT_A}: testing endpoint {ENDPOINT} as arn:aws:iam::{ACCOUNT_A}:role/{ROLE_NAME}" in out
    assert out.index(f"account {ACCOUNT_A}: endpoint {ENDPOINT} passed") < out.index(f"account {ACCOUNT_B}: testing")
    assert f"account {ACCOUNT_B}: endpoint {ENDPOINT} passed the smoke test" in out
    assert f"endpoint {ENDPOINT} passed the smoke test in 2 accounts" in out
    passed = {"endpoint_name": ENDPOINT, "status": "InService", "mode": "realtime", "invoked": True}
    passed |= {"response_bytes": 4}
    passed |= {"success": True, "error": None}
    results = _results(tmp_path)
    assert results == {
        "accounts": {ACCOUNT_A: {**passed, "data_capture": True}, ACCOUNT_B: {**passed, "data_capture": False}},
        "passed": True,
        "error": None,
    }
    # one session per account, in the caller's region, from that account's temporary credentials
    assert [call["region_name"] for call in factory.calls] == [REGION, REGION]
    for call, account in zip(factory.calls, (ACCOUNT_A, ACCOUNT_B), strict=True):
        identity = boto3.session.Session(**call).client("sts").get_caller_identity()
        assert identity["Account"] == account
        assert identity["Arn"].endswith(f":assumed-role/{ROLE_NAME}/mlopsgen-endpoint-test")
    # the temporary credentials are never shown or written
    written = (tmp_path / "results" / "test-results.json").read_text()
    for call in factory.calls:
        for key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            assert call[key] and call[key] not in out + captured.err + written


def test_accounts_one_missing_endpoint_fails_but_all_are_tested(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _endpoint(session=_assumed(ACCOUNT_A))
    accounts = _accounts_file(tmp_path, [ACCOUNT_B, ACCOUNT_A])  # the failing account comes first
    args = _args(tmp_path, "--accounts-file", str(accounts), "--role-name", ROLE_NAME)
    assert test_endpoint.main(args) == 1  # default session and session factory
    captured = capsys.readouterr()
    assert f"error: account {ACCOUNT_B}: endpoint {ENDPOINT} does not exist: Could not find endpoint" in captured.err
    assert f"account {ACCOUNT_A}: endpoint {ENDPOINT} passed the smoke test" in captured.out
    assert captured.out.index(f"account {ACCOUNT_B}: testing") < captured.out.index(f"account {ACCOUNT_A}: testing")
    assert captured.err.endswith(f"error: endpoint {ENDPOINT} failed in 1 of 2 accounts: {ACCOUNT_B}\n")
    assert captured.err.count("\n") == 2
    results = _results(tmp_path)
    assert (results["passed"], results["error"]) == (
        False,
        f"endpoint {ENDPOINT} failed in 1 of 2 accounts: {ACCOUNT_B}",
    )
    assert set(results["accounts"]) == {ACCOUNT_A, ACCOUNT_B}  # the JSON keys are sorted; stdout has file order
    missing, present = results["accounts"][ACCOUNT_B], results["accounts"][ACCOUNT_A]
    assert (missing["success"], missing["status"]) == (False, None)
    assert missing["error"].startswith(f"endpoint {ENDPOINT} does not exist")
    assert (present["success"], present["status"], present["error"]) == (True, "InService", None)


def test_accounts_role_arn_partition_and_assume_role_failure(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The partition comes from the caller's ARN; a role that cannot be assumed fails only its account."""
    _endpoint()
    requests: list[dict[str, Any]] = []

    class _Sts:
        def get_caller_identity(self) -> dict[str, Any]:
            return {"Account": "111122223333", "Arn": "arn:aws-cn:sts::111122223333:assumed-role/codebuild/build"}

        def assume_role(self, **request: Any) -> dict[str, Any]:
            requests.append(request)
            if ACCOUNT_A in request["RoleArn"]:
                raise client_error("AccessDenied", "not authorized to perform: sts:AssumeRole", "AssumeRole")
            keys = {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s3cr3t", "SessionToken": "t0ken"}
            return {"Credentials": keys}

    built: list[dict[str, Any]] = []

    def factory(**kwargs: Any) -> Any:
        built.append(kwargs)
        return StubSession(sagemaker=boto3.client("sagemaker"))

    accounts = _accounts_file(tmp_path, [ACCOUNT_A, ACCOUNT_B])
    args = _args(tmp_path, "--accounts-file", str(accounts), "--role-name", ROLE_NAME, "--region", "cn-north-1")
    assert test_endpoint.main(args, session=StubSession(sts=_Sts()), session_factory=factory) == 1
    assert requests == [
        {
            "RoleArn": f"arn:aws-cn:iam::{account}:role/{ROLE_NAME}",
            "RoleSessionName": "mlopsgen-endpoint-test",
            "DurationSeconds": 3600,
        }
        for account in (ACCOUNT_A, ACCOUNT_B)
    ]
    assert built == [
        {
            "aws_access_key_id": "ASIAEXAMPLE",
            "aws_secret_access_key": "s3cr3t",
            "aws_session_token": "t0ken",
            "region_name": "cn-north-1",
        }
    ]
    captured = capsys.readouterr()
    denied = f"cannot assume role arn:aws-cn:iam::{ACCOUNT_A}:role/{ROLE_NAME}: ClientError: An error occurred"
    assert f"error: account {ACCOUNT_A}: {denied} (AccessDenied)" in captured.err
    assert f"account {ACCOUNT_B}: endpoint {ENDPOINT} passed the smoke test" in captured.out
    results = _results(tmp_path)
    assert results["accounts"][ACCOUNT_A]["error"].startswith(denied)
    assert results["accounts"][ACCOUNT_B]["success"] is True
    written = (tmp_path / "results" / "test-results.json").read_text()
    for secret in ("ASIAEXAMPLE", "s3cr3t", "t0ken"):
        assert secret not in captured.out + captured.err + written


def test_empty_accounts_file_tests_the_current_account(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _endpoint()
    assert test_endpoint.main(_args(tmp_path, "--accounts-file", "", "--role-name", ROLE_NAME)) == 0
    assert capsys.readouterr().out.endswith(f"endpoint {ENDPOINT} passed the smoke test\n")
    results = _results(tmp_path)
    assert "accounts" not in results
    assert (results["endpoint_name"], results["success"], results["status"]) == (ENDPOINT, True, "InService")


@pytest.mark.parametrize("role", [None, ""])
def test_accounts_file_requires_role_name(tmp_path: Path, role: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--role-name", role] if role is not None else []
    accounts = _accounts_file(tmp_path, [ACCOUNT_A])
    no_aws = _NoAws()
    assert test_endpoint.main(_args(tmp_path, "--accounts-file", str(accounts), *extra), session=no_aws) == 2
    assert "--role-name is required with --accounts-file" in capsys.readouterr().err
    assert no_aws.calls == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read accounts file"),
        ("[4444", "is not valid JSON"),
        ("", "is not valid JSON"),
        ({"accounts": [ACCOUNT_A]}, "must hold a non-empty JSON array of 12-digit account ids, got a JSON dict"),
        ([], "must hold a non-empty JSON array of 12-digit account ids, got an empty array"),
        ([ACCOUNT_A, "12345"], '"12345" is not a 12-digit account id'),
        ([444444444444], '444444444444 is not a 12-digit account id (write ids as strings: "012345678901")'),
        ([ACCOUNT_A, ACCOUNT_A], f"lists account {ACCOUNT_A} twice"),
    ],
)
def test_bad_accounts_file_fails_before_any_aws_call(
    tmp_path: Path, content: Any, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "missing.json" if content is None else _accounts_file(tmp_path, content)
    no_aws = _NoAws()
    args = _args(tmp_path, "--accounts-file", str(accounts), "--role-name", ROLE_NAME)
    assert test_endpoint.main(args, session=no_aws) == 1
    assert no_aws.calls == []
    err = capsys.readouterr().err
    assert err.startswith(f"error: accounts file {accounts}" if content is not None else "error: cannot read")
    assert message in err
    assert err.count("\n") == 1
    results = _results(tmp_path)
    assert (results["accounts"], results["passed"]) == ({}, False)
    assert message in results["error"]


def test_help_describes_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    assert test_endpoint.main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--accounts-file PATH" in out
    assert "--role-name NAME" in out
    assert "an empty value means a single-account stage" in out


def test_stack_set_name_tests_every_account_holding_an_instance(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The accounts come from the stack set's instances in the region (moto), not from a file."""
    cloudformation = session.client("cloudformation")
    template = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
    cloudformation.create_stack_set(StackSetName="sagemaker-x-deploy-staging", TemplateBody=template)
    cloudformation.create_stack_instances(
        StackSetName="sagemaker-x-deploy-staging", Accounts=[ACCOUNT_B, ACCOUNT_A], Regions=[REGION]
    )
    cloudformation.create_stack_instances(
        StackSetName="sagemaker-x-deploy-staging", Accounts=["666666666666"], Regions=["us-east-1"]
    )  # another region: not this stage's endpoint
    _endpoint(session=_assumed(ACCOUNT_A))
    _endpoint(session=_assumed(ACCOUNT_B))
    args = _args(tmp_path, "--stack-set-name", "sagemaker-x-deploy-staging", "--role-name", ROLE_NAME)
    assert test_endpoint.main(args, session=session, session_factory=_RecordingFactory()) == 0
    assert sorted(_results(tmp_path)["accounts"]) == [ACCOUNT_A, ACCOUNT_B]
    assert "passed the smoke test in 2 accounts" in capsys.readouterr().out


def test_stack_set_without_instances_fails(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cloudformation = session.client("cloudformation")
    template = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
    cloudformation.create_stack_set(StackSetName="empty-set", TemplateBody=template)
    args = _args(tmp_path, "--stack-set-name", "empty-set", "--role-name", ROLE_NAME)
    assert test_endpoint.main(args, session=session) == 1
    assert "stack set 'empty-set' has no stack instance in eu-west-1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--stack-set-name", "s"], "--role-name is required with --stack-set-name"),
        (["--stack-set-name", "s", "--accounts-file", "f", "--role-name", "r"], "not both"),
    ],
)
def test_stack_set_name_usage(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert test_endpoint.main(_args(tmp_path, *extra), session=_NoAws()) == 2
    assert message in capsys.readouterr().err


def test_empty_stack_set_name_tests_the_current_account(tmp_path: Path, aws: None) -> None:
    _endpoint()
    assert test_endpoint.main(_args(tmp_path, "--stack-set-name", "", "--role-name", ROLE_NAME)) == 0
    assert _results(tmp_path)["endpoint_name"] == ENDPOINT


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"predictions": [\n  {"score": 0.25}\n]}', "application/json", 'JSON {"predictions":[{"score":0.25}]}'),
        (b"{not json", "application/json; charset=utf-8", "not valid JSON: {not json"),
        (b"4.2\n5.1\n", "text/csv", "4.2 5.1"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "image/png",
            "binary, 10 bytes, sha256 " + hashlib.sha256(b"\x89PNG\r\n\x1a\n\x00\x00").hexdigest(),
        ),
        (b"caf\xe9", "text/plain; charset=latin-1", "caf\u00e9"),
        (b"plain words", "application/octet-stream", "plain words"),
    ],
)
def test_response_is_described_for_a_person(body: bytes, content_type: str, expected: str) -> None:
    assert test_endpoint.describe_body(body, content_type) == expected


def test_long_response_preview_is_cut() -> None:
    preview = test_endpoint.describe_body(b"x" * 1000, "text/plain", limit=20)
    assert preview == "x" * 17 + "..."


def test_binary_payload_is_sent_as_bytes_and_a_json_answer_is_shown(
    tmp_path: Path, aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the response was reported by size only."""
    _endpoint()
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\r\n\xff\xd9"
    path = tmp_path / "cat.jpg"
    path.write_bytes(jpeg)
    requests: list[dict[str, Any]] = []

    class _Body:
        def read(self) -> bytes:
            return b'{"label": "cat", "score": 0.9}'

    def invoke(**request: Any) -> dict[str, Any]:
        requests.append(request)
        return {"Body": _Body(), "ContentType": "application/json"}

    session = _session_with(monkeypatch, invoke_endpoint=invoke)
    args = _args(tmp_path, "--payload-file", str(path), "--content-type", "image/jpeg")
    assert test_endpoint.main(args, session=session) == 0
    assert [(r["Body"], r["ContentType"]) for r in requests] == [(jpeg, "image/jpeg")]
    assert 'response: JSON {"label":"cat","score":0.9}' in capsys.readouterr().out
