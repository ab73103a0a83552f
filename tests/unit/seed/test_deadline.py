"""The handler answers FAILED before the Lambda's time runs out, and publishes the CI/CD stack template."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from mlopsgen.seed import codecommit as codecommit_module
from mlopsgen.seed import deadline
from mlopsgen.seed.handler import handler
from tests.support.codecommit_fake import FakeCodeCommit
from tests.support.github_fake import cloudformation_responses
from tests.unit.seed.conftest import event

CODECOMMIT = {"Type": "CodeCommit", "Repository": "churn-model", "Branch": "main"}


class FakeContext:
    """A Lambda context whose clock runs: ``ms`` left when created."""

    log_stream_name = "2026/11/29/[$LATEST]abc"

    def __init__(self, ms: int) -> None:
        self._end = time.monotonic() + ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self._end - time.monotonic()) * 1000)


def test_a_slow_delivery_fails_before_the_lambda_times_out(
    codecommit: FakeCodeCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = codecommit_module.deliver

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(5)  # stands for a delivery that hangs
        return real(*args, **kwargs)

    monkeypatch.setattr(codecommit_module, "deliver", slow)
    context = FakeContext(deadline.RESERVE_MS + 1500)
    started = time.monotonic()
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), context)
    assert time.monotonic() - started < 4, "the guard did not stop the work"
    assert [r["Status"] for r in responses] == ["FAILED"]
    assert responses[0]["Reason"].startswith("timed out: the seeding did not finish within")
    assert context.get_remaining_time_in_millis() > deadline.RESERVE_MS - 2000  # time left to answer
    assert "main" not in codecommit.branches  # stopped before committing: no late commit after FAILED


def test_no_time_left_fails_at_once_and_a_normal_run_is_untouched(codecommit: FakeCodeCommit) -> None:
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), FakeContext(deadline.RESERVE_MS - 100))
        handler(event("Create", url, CODECOMMIT), FakeContext(300_000))
    assert [r["Status"] for r in responses] == ["FAILED", "SUCCESS"], responses
    assert "timed out" in responses[0]["Reason"]
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the timer is cleared after the work


def test_the_ci_stack_template_is_published_content_addressed(codecommit: FakeCodeCommit) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="stack-templates", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    infra = {"Bucket": "stack-templates", "Path": "generated/abalone/infrastructure/project.yml"}
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT, Infrastructure=infra), None)
        rendered = codecommit.files()["generated/abalone/infrastructure/project.yml"]
        handler(event("Update", url, CODECOMMIT, Infrastructure=infra), None)
        handler(event("Update", url, CODECOMMIT, Infrastructure=infra, ProjectId="p-0f0f0f0f0f0f"), None)
        handler(event("Create", url, CODECOMMIT, Infrastructure={**infra, "Path": "generated/x.yml"}), None)
    assert [r["Status"] for r in responses] == ["SUCCESS"] * 3 + ["FAILED"]
    urls = [r["Data"]["InfrastructureTemplateUrl"] for r in responses[:3]]
    assert urls[0] == urls[1] != urls[2]  # same render, same URL: the nested stack is left alone
    prefix = "https://stack-templates.s3.eu-west-1.amazonaws.com/"
    assert urls[0].startswith(prefix + "ci-stack/") and urls[0].endswith("/project.yml")
    body = s3.get_object(Bucket="stack-templates", Key=urls[0][len(prefix) :])["Body"].read()
    assert body == rendered and b"sagemaker-project-p-1a2b3c4d5e6f" in body
    assert "generated/x.yml" in responses[3]["Reason"]
