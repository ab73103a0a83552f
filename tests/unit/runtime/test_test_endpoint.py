"""test_endpoint.py: wait for InService, report data capture, invoke with a payload, write results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import test_endpoint  # noqa: E402

from .conftest import ROLE_ARN, StubSession, client_error  # noqa: E402

ENDPOINT = "abalone-staging"


def _endpoint(name: str = ENDPOINT, *, capture: bool = True) -> None:
    sagemaker = boto3.client("sagemaker")
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
