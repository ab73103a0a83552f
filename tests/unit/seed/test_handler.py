"""The seed Lambda's Create/Update/Delete, end to end: S3 template, CodeCommit, GitHub and S3 zip delivery."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from mlopsgen.cli import app
from mlopsgen.seed import codecommit as codecommit_module
from mlopsgen.seed.handler import MAX_RESPONSE_BYTES, handler
from mlopsgen.seed.template import seed_repository
from tests.support.codecommit_fake import FakeCodeCommit
from tests.support.github_fake import Repo, cloudformation_responses, serve
from tests.unit.seed.conftest import PROJECT, TEMPLATE_BUCKET, event, template_bundle, write_tree

CODECOMMIT = {"Type": "CodeCommit", "Repository": "churn-model", "Branch": "main"}
PARAMETERS = {"SageMakerProjectName": PROJECT["ProjectName"], "SageMakerProjectId": PROJECT["ProjectId"]}


def expected_files() -> dict[str, bytes]:
    seeded = seed_repository(template_bundle(), "abalone.yaml", PARAMETERS)
    assert seeded.ok
    return {
        p: c
        for p, c in seeded.files.items()
        if not (p.startswith("blueprints/") and p.count("/") == 1 and p != "blueprints/abalone.yaml")
    }


def test_create_seeds_codecommit_and_the_repository_passes_check(codecommit: FakeCodeCommit, tmp_path: Path) -> None:
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), None)
    assert [r["Status"] for r in responses] == ["SUCCESS"], responses
    assert responses[0]["Data"]["Changed"] == "true"
    assert responses[0]["PhysicalResourceId"] == "mlopsgen-seed:CodeCommit:churn-model"
    files = codecommit.files()
    assert files == expected_files()
    assert b'name: "churn-model"' in files["blueprints/abalone.yaml"]
    repo = write_tree(files, tmp_path / "repo")
    checked = CliRunner().invoke(app, ["check", str(repo / "blueprints"), "-o", str(repo / "generated")])
    assert checked.exit_code == 0, checked.output


def test_update_commits_only_when_something_changed(codecommit: FakeCodeCommit) -> None:
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), None)
        commits = codecommit.calls.count("CreateCommit")
        handler(event("Update", url, CODECOMMIT), None)
        assert codecommit.calls.count("CreateCommit") == commits
        handler(event("Update", url, CODECOMMIT, Parameters={}, ProjectId="p-0f0f0f0f0f0f"), None)
    assert [(r["Status"], r["Data"].get("Changed")) for r in responses] == [
        ("SUCCESS", "true"),
        ("SUCCESS", "false"),
        ("SUCCESS", "true"),
    ]
    assert responses[1]["PhysicalResourceId"] == "mlopsgen-seed:fixed"  # kept as CloudFormation sent it
    assert codecommit.calls.count("CreateCommit") == commits + 1
    assert b"p-0f0f0f0f0f0f" in codecommit.files()["blueprints/abalone.yaml"]


def test_a_retry_after_a_partial_failure_converges(codecommit: FakeCodeCommit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codecommit_module, "MAX_FILES_PER_COMMIT", 5)  # several commits, as a large project needs
    codecommit.fail_commit_number = 2
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), None)
        assert responses[-1]["Status"] == "FAILED" and "injected failure" in responses[-1]["Reason"]
        partial = codecommit.files()
        assert 0 < len(partial) < len(expected_files())
        handler(event("Create", url, CODECOMMIT), None)
    assert responses[-1]["Status"] == "SUCCESS"
    assert codecommit.files() == expected_files()


def test_delete_leaves_the_repository_in_place(codecommit: FakeCodeCommit) -> None:
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), None)
        before = codecommit.files()
        calls = len(codecommit.calls)
        handler(event("Delete", url, CODECOMMIT), None)
    assert responses[-1]["Status"] == "SUCCESS"
    assert len(codecommit.calls) == calls and codecommit.files() == before


def test_an_invalid_blueprint_fails_with_its_diagnostics(codecommit: FakeCodeCommit) -> None:
    s3 = boto3.client("s3")
    text = template_bundle()["abalone.yaml"].decode().replace("type: training", "type: trainig", 1)
    s3.put_object(Bucket=TEMPLATE_BUCKET, Key="abalone/abalone.yaml", Body=text.encode())
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT), None)
    assert responses[-1]["Status"] == "FAILED"
    assert "abalone.yaml:" in responses[-1]["Reason"] and "MLG1" in responses[-1]["Reason"]
    assert "CreateCommit" not in codecommit.calls


def test_the_reason_is_cut_to_the_response_limit(codecommit: FakeCodeCommit) -> None:
    s3 = boto3.client("s3")
    steps = "".join(f"\n    - {{name: Bad{i}, type: nonsense{i}}}" for i in range(200))
    text = template_bundle()["abalone.yaml"].decode().replace("  steps:", "  steps:" + steps, 1)
    s3.put_object(Bucket=TEMPLATE_BUCKET, Key="abalone/abalone.yaml", Body=text.encode())
    with cloudformation_responses() as (url, responses):
        sent = handler(event("Create", url, CODECOMMIT), None)
    assert responses[-1]["Status"] == "FAILED" and responses[-1]["Reason"].endswith("(truncated)")
    assert len(json.dumps(sent).encode()) <= MAX_RESPONSE_BYTES


def test_github_create_update_retry_and_the_token_stays_secret(aws: None, caplog: pytest.LogCaptureFixture) -> None:
    token = "ghp_s3cr3tTOKENvalue0123456789"
    secret = boto3.client("secretsmanager").create_secret(
        Name="github-token", SecretString=json.dumps({"token": token})
    )
    repo = Repo(token=token)
    # Everything at INFO, ours at DEBUG (botocore's own DEBUG wire log prints every response body,
    # secrets included, for any program; Lambda runs it at WARNING).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="mlopsgen")
    with serve(repo) as api_url, cloudformation_responses() as (url, responses):
        delivery = {
            "Type": "GitHub",
            "Repository": repo.name,
            "Branch": "main",
            "TokenSecretArn": secret["ARN"],
            "ApiUrl": api_url,
        }
        repo.fail_once = "PATCH /git/refs/heads/main"  # the empty repository's first commit exists, the rest fails
        handler(event("Create", url, delivery), None)
        assert responses[-1]["Status"] == "FAILED" and "HTTP 502" in responses[-1]["Reason"]
        handler(event("Create", url, delivery), None)
        assert responses[-1]["Status"] == "SUCCESS", responses[-1]
        assert repo.files() == expected_files()
        posts = sum(1 for r in repo.requests if r.startswith("POST"))
        handler(event("Update", url, delivery), None)
        assert responses[-1]["Data"]["Changed"] == "false"
        assert sum(1 for r in repo.requests if r.startswith("POST")) == posts
    assert token not in caplog.text and all(token not in json.dumps(r) for r in responses)


def test_a_wrong_token_fails_without_showing_it(aws: None) -> None:
    secret = boto3.client("secretsmanager").create_secret(Name="github-token", SecretString="ghp_wrongWRONGwrong")
    repo = Repo(token="ghp_right")
    with serve(repo) as api_url, cloudformation_responses() as (url, responses):
        delivery = {"Type": "GitHub", "Repository": repo.name, "TokenSecretArn": secret["ARN"], "ApiUrl": api_url}
        handler(event("Create", url, delivery), None)
    assert responses[-1]["Status"] == "FAILED" and "401" in responses[-1]["Reason"]
    assert "ghp_wrong" not in json.dumps(responses)


def test_s3_zip_is_written_once_and_deterministic(aws: None) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="seeds", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    delivery = {"Type": "S3", "Bucket": "seeds", "Key": "churn-model/seed.zip"}
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, delivery), None)
        first = s3.get_object(Bucket="seeds", Key="churn-model/seed.zip")["Body"].read()
        handler(event("Update", url, delivery), None)
    assert [r["Data"]["Changed"] for r in responses] == ["true", "false"]
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.filename: archive.read(i) for i in archive.infolist()} == expected_files()
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_shipped_template(codecommit: FakeCodeCommit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path, content in template_bundle().items():
        (tmp_path / "abalone" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "abalone" / path).write_bytes(content)
    monkeypatch.setenv("MLOPSGEN_SEED_TEMPLATES", str(tmp_path))
    with cloudformation_responses() as (url, responses):
        handler(event("Create", url, CODECOMMIT, Template={"Shipped": "abalone"}), None)
        handler(event("Create", url, CODECOMMIT, Template={"Shipped": "../etc"}), None)
    assert responses[0]["Status"] == "SUCCESS" and codecommit.files() == expected_files()
    assert responses[1]["Status"] == "FAILED" and "no shipped template" in responses[1]["Reason"]
