"""run_pipeline.py: verify + upload code, upsert the pipeline, start and wait for the execution."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import run_pipeline  # noqa: E402

from .conftest import REGION, ROLE_ARN, StubSession  # noqa: E402

BUCKET = "sagemaker-project-p-abc123def456"
PIPELINE = "abalone-p-abc123def456"
CODE = b"print('preprocess')\n"


def _repo(tmp_path: Path, code: bytes = CODE, definition: dict[str, Any] | None = None) -> dict[str, Path]:
    """A repository with one code file, its manifest and a pipeline definition."""
    (tmp_path / "pipelines").mkdir(exist_ok=True)
    (tmp_path / "pipelines" / "preprocess.py").write_bytes(code)
    digest = hashlib.sha256(code).hexdigest()
    manifest = {
        "blueprint": "abalone.yaml",
        "files": [
            {
                "path": "pipelines/preprocess.py",
                "s3_uri": f"s3://{BUCKET}/{PIPELINE}/code/{digest}/preprocess.py",
                "sha256": digest,
            }
        ],
    }
    (tmp_path / "generated").mkdir(exist_ok=True)
    manifest_path = tmp_path / "generated" / "code-manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    definition_path = tmp_path / "generated" / "pipeline-definition.json"
    definition_path.write_text(json.dumps(definition or {"Version": "2020-12-01", "Steps": []}))
    return {"root": tmp_path, "manifest": manifest_path, "definition": definition_path}


def _args(repo: dict[str, Path], *extra: str) -> list[str]:
    return [
        "--definition",
        str(repo["definition"]),
        "--manifest",
        str(repo["manifest"]),
        "--repo-root",
        str(repo["root"]),
        "--pipeline-name",
        PIPELINE,
        "--role-arn",
        ROLE_ARN,
        "--poll-seconds",
        "0.01",
        *extra,
    ]


@pytest.fixture
def bucket(aws: None) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return BUCKET


def _session_with(monkeypatch: pytest.MonkeyPatch, **methods: Any) -> StubSession:
    """Real moto clients, with some SageMaker methods replaced to reach states moto cannot produce."""
    sagemaker = boto3.client("sagemaker")
    for name, method in methods.items():
        monkeypatch.setattr(sagemaker, name, method)
    return StubSession(s3=boto3.client("s3"), sagemaker=sagemaker)


def test_uploads_creates_and_runs_with_parameters(
    tmp_path: Path, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    tags = '[{"Key": "team", "Value": "ml"}]'
    args = _args(repo, "--parameter", "InstanceCount=2", "--parameter", "Query=a=b", "--tags", tags)
    assert run_pipeline.main([*args, "--description", "first"]) == 0

    out = capsys.readouterr().out
    digest = hashlib.sha256(CODE).hexdigest()
    key = f"{PIPELINE}/code/{digest}/preprocess.py"
    assert f"uploaded pipelines/preprocess.py -> s3://{BUCKET}/{key}" in out
    assert "created pipeline" in out
    assert "pipeline execution status: Succeeded" in out
    assert boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == CODE

    sagemaker = boto3.client("sagemaker")
    described = sagemaker.describe_pipeline(PipelineName=PIPELINE)
    assert described["PipelineDefinition"] == repo["definition"].read_text()
    assert described["RoleArn"] == ROLE_ARN
    assert described["PipelineDescription"] == "first"
    assert sagemaker.list_tags(ResourceArn=described["PipelineArn"])["Tags"] == [{"Key": "team", "Value": "ml"}]
    (execution,) = sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]
    parameters = sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=execution["PipelineExecutionArn"]
    )["PipelineParameters"]
    assert parameters == [{"Name": "InstanceCount", "Value": "2"}, {"Name": "Query", "Value": "a=b"}]


def test_second_run_updates_the_pipeline(
    tmp_path: Path, bucket: str, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    assert run_pipeline.main(_args(repo), session=session) == 0
    assert "created pipeline" in capsys.readouterr().out

    repo = _repo(tmp_path, definition={"Version": "2020-12-01", "Steps": [], "Parameters": []})
    assert (
        run_pipeline.main(
            _args(repo, "--description", "second", "--tags", '[{"Key": "k", "Value": "v"}]'), session=session
        )
        == 0
    )
    assert "updated pipeline" in capsys.readouterr().out

    sagemaker = boto3.client("sagemaker")
    described = sagemaker.describe_pipeline(PipelineName=PIPELINE)
    assert json.loads(described["PipelineDefinition"])["Parameters"] == []
    assert described["PipelineDescription"] == "second"
    assert {"Key": "k", "Value": "v"} in sagemaker.list_tags(ResourceArn=described["PipelineArn"])["Tags"]
    summaries = sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]
    assert len(summaries) == 2


def test_stale_manifest_uploads_nothing(tmp_path: Path, bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "pipelines" / "preprocess.py").write_bytes(b"edited after render\n")
    assert run_pipeline.main(_args(repo)) == 1

    err = capsys.readouterr().err
    assert err.startswith("error: the generated output is stale")
    assert "pipelines/preprocess.py (sha256 differs)" in err
    assert "mlopsgen render" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert boto3.client("sagemaker").list_pipelines()["PipelineSummaries"] == []


def test_missing_code_file_is_reported(tmp_path: Path, bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "pipelines" / "preprocess.py").unlink()
    assert run_pipeline.main(_args(repo)) == 1
    assert "pipelines/preprocess.py (missing)" in capsys.readouterr().err


def test_path_outside_repository_is_refused(tmp_path: Path, bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "outside.py").write_bytes(CODE)
    repo = _repo(tmp_path / "repo")
    manifest = json.loads(repo["manifest"].read_text())
    manifest["files"][0]["path"] = "../outside.py"
    repo["manifest"].write_text(json.dumps(manifest))
    assert run_pipeline.main(_args(repo)) == 1
    assert "outside the repository root" in capsys.readouterr().err


def test_failed_execution_reports_reason_and_step_details_unavailable(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failed(**kwargs: Any) -> dict[str, Any]:
        return {"PipelineExecutionStatus": "Failed", "FailureReason": "Step Train failed.\nSee logs."}

    session = _session_with(monkeypatch, describe_pipeline_execution=failed)
    assert run_pipeline.main(_args(_repo(tmp_path)), session=session) == 1

    captured = capsys.readouterr()
    # moto does not implement ListPipelineExecutionSteps: the script says so instead of failing on it.
    assert "failed step details are unavailable: NotImplementedError" in captured.out
    assert captured.err.startswith("error: pipeline execution Failed: Step Train failed. See logs. (arn:aws:sagemaker:")
    assert captured.err.count("\n") == 1


def test_failed_execution_lists_failed_steps_across_pages(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = {
        None: {
            "PipelineExecutionSteps": [{"StepName": "Preprocess", "StepStatus": "Succeeded"}],
            "NextToken": "page2",
        },
        "page2": {
            "PipelineExecutionSteps": [
                {"StepName": "Train", "StepStatus": "Failed", "FailureReason": "ClientError: capacity"},
                {"StepName": "Evaluate", "StepStatus": "Stopped"},
            ]
        },
    }

    def steps(**kwargs: Any) -> dict[str, Any]:
        return pages[kwargs.get("NextToken")]

    def stopped(**kwargs: Any) -> dict[str, Any]:
        return {"PipelineExecutionStatus": "Stopped"}

    session = _session_with(monkeypatch, describe_pipeline_execution=stopped, list_pipeline_execution_steps=steps)
    assert run_pipeline.main(_args(_repo(tmp_path)), session=session) == 1

    captured = capsys.readouterr()
    assert "failed step Train: ClientError: capacity" in captured.out
    assert "Preprocess" not in captured.out
    assert "error: pipeline execution Stopped: no failure reason given" in captured.err


def test_waits_while_executing_then_succeeds(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = iter(["Executing", "Executing", "Succeeded"])

    def describe(**kwargs: Any) -> dict[str, Any]:
        return {"PipelineExecutionStatus": next(statuses)}

    session = _session_with(monkeypatch, describe_pipeline_execution=describe)
    assert run_pipeline.main(_args(_repo(tmp_path)), session=session) == 0
    out = capsys.readouterr().out
    assert out.count("pipeline execution status: Executing") == 2
    assert "[0m00s] pipeline execution status: Succeeded" in out


def test_timeout_reports_the_execution_arn(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def executing(**kwargs: Any) -> dict[str, Any]:
        return {"PipelineExecutionStatus": "Executing"}

    session = _session_with(monkeypatch, describe_pipeline_execution=executing)
    args = _args(_repo(tmp_path), "--timeout-minutes", "0.001")  # 60 ms, polling every 10 ms
    assert run_pipeline.main(args, session=session) == 1

    captured = capsys.readouterr()
    assert captured.out.count("pipeline execution status: Executing") >= 2
    assert captured.err.startswith("error: timed out after")
    assert "(last status: Executing); it is still running" in captured.err
    assert f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{PIPELINE}/execution/" in captured.err


def test_aws_error_is_one_line(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_pipeline.main(_args(_repo(tmp_path)), session=session) == 1  # the bucket does not exist
    err = capsys.readouterr().err
    assert err.startswith("error: NoSuchBucket: An error occurred (NoSuchBucket) when calling the PutObject operation")
    assert err.count("\n") == 1


def test_invalid_definition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    repo["definition"].write_text("{not json")
    assert run_pipeline.main(_args(repo)) == 1
    assert "is not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--parameter", "no-equals-sign"], "expected NAME=VALUE"),
        (["--parameter", "A=1", "--parameter", "A=2"], "'A' given more than once"),
        (["--tags", '{"Key": "a"}'], "JSON list"),
        (["--tags", "[{"], "not valid JSON"),
        (["--poll-seconds", "0"], "must be greater than 0"),
        (["--timeout-minutes", "soon"], "expected a number"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_pipeline.main(_args(_repo(tmp_path), *extra)) == 2
    assert message in capsys.readouterr().err
