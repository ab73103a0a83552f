"""test_endpoint.py on serverless and asynchronous endpoints: mode detection, cold-start retries, async polling.

moto answers InvokeEndpointAsync without running a model, so the clients here are small stubs that
behave as AWS documents: the result object appears under OutputLocation once the request is done.
"""

from __future__ import annotations

import argparse
import io
from typing import Any

import pytest

from mlopsgen.runtime import test_endpoint
from mlopsgen.runtime.test_endpoint import ScriptError


def test_mode_is_read_from_describe_endpoint() -> None:
    assert test_endpoint.serving_mode({"AsyncInferenceConfig": {"OutputConfig": {}}}) == "asynchronous"
    serverless = {
        "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentServerlessConfig": {"MaxConcurrency": 5}}]
    }
    assert test_endpoint.serving_mode(serverless) == "serverless"
    assert test_endpoint.serving_mode({"ProductionVariants": [{"VariantName": "a", "CurrentInstanceCount": 1}]}) == (
        "realtime"
    )


def test_cold_start_failures_are_retried_within_the_bound() -> None:
    answers: list[int | Exception] = [ScriptError("ModelError"), ScriptError("ModelError"), 7]
    waits: list[float] = []

    def attempt() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert test_endpoint.retry_cold_start(attempt, bound_seconds=60, sleep=waits.append) == 7
    assert waits == [2.0, 4.0]


def test_cold_start_retries_stop_at_the_bound() -> None:
    waits: list[float] = []

    def attempt() -> int:
        raise ScriptError("still cold")

    with pytest.raises(ScriptError, match="still cold .after 4 attempt"):
        test_endpoint.retry_cold_start(attempt, bound_seconds=20, sleep=waits.append)
    assert sum(waits) <= 20 and waits == [2.0, 4.0, 8.0]


def test_realtime_endpoints_are_not_retried() -> None:
    calls = []

    def attempt() -> int:
        calls.append(1)
        raise ScriptError("boom")

    with pytest.raises(ScriptError):
        test_endpoint.retry_cold_start(attempt, bound_seconds=0, sleep=lambda _: None)
    assert len(calls) == 1


class NoSuchKeyError(Exception):
    """Stands for botocore's NoSuchKey."""


class S3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.reads = 0

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:  # noqa: N803
        self.objects[(Bucket, Key)] = Body

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        self.reads += 1
        if (Bucket, Key) not in self.objects:
            raise NoSuchKeyError("An error occurred (NoSuchKey)")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}


class Runtime:
    """Answers like InvokeEndpointAsync; the result (or failure) appears after ``delay`` polls."""

    def __init__(self, s3: S3, *, fail: bool = False, never: bool = False) -> None:
        self.s3, self.fail, self.never = s3, fail, never
        self.requests: list[dict[str, Any]] = []

    def invoke_endpoint_async(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        assert ("out", "results/smoke-test-input/" + request["InputLocation"].rsplit("/", 1)[1]) in self.s3.objects
        if not self.never:
            where = ("out", "failures/abc-error.out") if self.fail else ("out", "results/abc.out")
            self.s3.objects[where] = b"broken model" if self.fail else b'{"score": 0.9}'
        return {
            "InferenceId": "abc",
            "OutputLocation": "s3://out/results/abc.out",
            "FailureLocation": "s3://out/failures/abc-error.out",
        }


CONFIG = {"S3OutputPath": "s3://out/results", "S3FailurePath": "s3://out/failures"}


def _call(runtime: Runtime, s3: S3, timeout: float = 5) -> int:
    return test_endpoint.invoke_async(
        runtime,
        s3,
        "churn-bulk",
        b"1,2,3",
        CONFIG,
        content_type="text/csv",
        accept="application/json",
        timeout_seconds=timeout,
        poll_seconds=0.01,
    )


def test_async_uploads_the_payload_invokes_and_reads_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    s3 = S3()
    runtime = Runtime(s3)
    assert _call(runtime, s3) == len(b'{"score": 0.9}')
    (request,) = runtime.requests
    assert request["InputLocation"].startswith("s3://out/results/smoke-test-input/")
    assert (request["ContentType"], request["Accept"]) == ("text/csv", "application/json")
    assert '{"score":0.9}' in capsys.readouterr().out


def test_async_failure_object_fails_the_test() -> None:
    s3 = S3()
    with pytest.raises(ScriptError, match="broken model"):
        _call(Runtime(s3, fail=True), s3)


def test_async_polling_is_bounded() -> None:
    s3 = S3()
    with pytest.raises(ScriptError, match="no result of the asynchronous request"):
        _call(Runtime(s3, never=True), s3, timeout=0.05)
    assert s3.reads >= 2


def test_parser_takes_the_mode_bounds() -> None:
    args = test_endpoint.build_parser().parse_args(
        ["--endpoint-name", "e", "--cold-start-seconds", "90", "--async-result-seconds", "300"]
    )
    assert isinstance(args, argparse.Namespace)
    assert (args.cold_start_seconds, args.async_result_seconds) == (90.0, 300.0)
