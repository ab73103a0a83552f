"""Fixtures for the seed Lambda: moto for S3 and Secrets Manager, a stateful CodeCommit stub, a response server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.conftest import ROOT
from tests.support.codecommit_fake import FakeCodeCommit

TEMPLATE_BUCKET = "platform-templates"
PROJECT = {"ProjectName": "churn-model", "ProjectId": "p-1a2b3c4d5e6f"}


def template_bundle() -> dict[str, bytes]:
    """The abalone example as a template: project name and id become placeholders."""
    folder = ROOT / "blueprints"
    bundle = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    text = bundle["abalone.yaml"].decode()
    assert "  name: abalone\n  id: p-abc123def456\n" in text
    text = text.replace(
        "  name: abalone\n  id: p-abc123def456\n", "  name: ${SageMakerProjectName}\n  id: ${SageMakerProjectId}\n"
    )
    bundle["abalone.yaml"] = text.encode()
    return bundle


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=TEMPLATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for path, content in template_bundle().items():
            s3.put_object(Bucket=TEMPLATE_BUCKET, Key=f"abalone/{path}", Body=content)
        yield


@pytest.fixture
def codecommit(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCodeCommit]:
    fake = FakeCodeCommit("churn-model")
    real = boto3.client

    def client(service: str, *args: Any, **kwargs: Any) -> Any:
        return fake.client if service == "codecommit" else real(service, *args, **kwargs)

    monkeypatch.setattr(boto3, "client", client)
    with fake:
        yield fake


def event(request: str, url: str, delivery: dict[str, str], **extra: Any) -> dict[str, Any]:
    properties = {
        "ServiceToken": "arn:aws:lambda:eu-west-1:111111111111:function:seed",
        **PROJECT,
        "Template": {"Bucket": TEMPLATE_BUCKET, "Prefix": "abalone/"},
        "Blueprint": "abalone.yaml",
        "Delivery": delivery,
        **extra,
    }
    body: dict[str, Any] = {
        "RequestType": request,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:eu-west-1:111111111111:stack/sagemaker-churn-model/abc",
        "RequestId": f"req-{request}",
        "LogicalResourceId": "SeedCode",
        "ResourceType": "Custom::SeedCode",
        "ResourceProperties": properties,
    }
    if request != "Create":
        body["PhysicalResourceId"] = "mlopsgen-seed:fixed"
    return body


def write_tree(files: dict[str, bytes], root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    return root
