"""Batch deploy stages (issue 16, part B): the batch pipeline's definition agrees with the SageMaker
SDK's own classes for generated settings; blueprint text is inert in the Fn::Sub definition; the CI
run script (``scripts/run_batch.py``) smoke-runs and runs the pipeline on moto, bounded, and fails
honestly when a run writes nothing or fails.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

import mlopsgen
from mlopsgen.plan import model as ir
from mlopsgen.runtime import run_batch
from mlopsgen.targets import endpoint_batch

from .conftest import ROOT

EXAMPLES = int(os.environ.get("MLOPSGEN_ENGINE_EXAMPLES", "50"))
REGION = "eu-west-1"
JSON_PATH = st.text(alphabet="$[]0123456789:,.-abc*${}", min_size=1, max_size=63)


@st.composite
def batches(draw: st.DrawFn) -> ir.BatchTransform:
    """BatchTransform values as the blueprint's shapes allow them (optional fields on and off)."""
    maybe = lambda s: draw(st.one_of(st.just(""), s))  # noqa: E731
    return ir.BatchTransform(
        pipeline_name="proj-p-abc123def456-nightly-batch",
        input=draw(st.sampled_from(["s3://acme-data/in/", "s3://acme-data/a(b)=c/x"])),
        output=draw(st.sampled_from(["s3://acme-data/out/", "s3://other.bucket/o"])),
        instance_type=draw(st.sampled_from(["ml.m5.large", "ml.c5.xlarge"])),
        instance_count=draw(st.integers(1, 20)),
        content_type=maybe(st.sampled_from(["text/csv", "application/json", "application/x-${weird}"])),
        split_type=draw(st.sampled_from(["None", "Line", "RecordIO", "TFRecord"])),
        assemble_with=draw(st.sampled_from(["None", "Line"])),
        accept=maybe(st.sampled_from(["text/csv", "application/jsonlines"])),
        max_payload_mb=draw(st.one_of(st.none(), st.integers(0, 100))),
        max_concurrent_transforms=draw(st.one_of(st.none(), st.integers(0, 64))),
        input_filter=maybe(JSON_PATH),
        output_filter=maybe(JSON_PATH),
        join_source=draw(st.sampled_from(["None", "Input"])),
        schedule="",
        schedule_name="p-abc123def456-nightly-batch",
        on_approval=True,
        timeout_minutes=60,
        smoke_uri="",
        output_kms_key=maybe(st.just("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")),
        volume_kms_key=maybe(st.just("1234abcd-12ab-34cd-56ef-1234567890ab")),
    )


@pytest.fixture(scope="module")
def offline() -> Iterator[None]:
    """The SDK builds with every outbound connection refused (it must not need AWS)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access attempted while building offline")

    saved = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = saved  # type: ignore[method-assign]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches())
def test_batch_definition_equals_the_sdk_build(offline: None, batch: ir.BatchTransform) -> None:
    from mlopsgen.targets.sagemaker_sdk_batch import build_batch_definition

    sdk = build_batch_definition(batch, REGION, "sagemaker-project-p-abc123def456")
    assert endpoint_batch.definition(batch) == sdk


def _credit_batch_template(replace: tuple[str, str] | None = None) -> dict[str, Any]:
    root = ROOT / "blueprints"
    text = (root / "credit.yaml").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    code = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = mlopsgen.render(text, code=code, name="credit.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    return dict(yaml.safe_load(result.files["model-deploy/batch-nightly-template.yml"]))


def test_blueprint_text_is_inert_in_the_fn_sub_definition() -> None:
    """A value holding ${...} reaches the definition as that text, never as a CloudFormation reference."""
    hostile = "text/csv; x=${AWS::AccountId}${Model.ModelName}"
    template = _credit_batch_template(("accept: text/csv", f"accept: {json.dumps(hostile)}"))
    body = template["Resources"]["BatchPipeline"]["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
    text = body["Fn::Sub"]
    # What CloudFormation substitutes: ${Model.ModelName} once (our placeholder); ${!...} becomes literal ${...}.
    assert text.count("${Model.ModelName}") == 1
    resolved = json.loads(text.replace("${Model.ModelName}", "model-x").replace("${!", "${"))
    (step,) = resolved["Steps"]
    assert step["Arguments"]["TransformOutput"]["Accept"] == hostile
    assert resolved["Parameters"][0] == {"DefaultValue": "model-x", "Name": "ModelName", "Type": "String"}


def test_schedule_role_may_start_only_its_pipeline() -> None:
    template = _credit_batch_template()
    resources = template["Resources"]
    schedule = resources["BatchSchedule"]["Properties"]
    (statement,) = resources["SchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sagemaker:StartPipelineExecution"
    assert statement["Resource"] == schedule["Target"]["Arn"]
    assert schedule["Target"]["Arn"]["Fn::Sub"].endswith(":pipeline/credit-p-c7ed1t4r1sk0-nightly-batch")
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    trust = resources["SchedulerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]


def test_security_controls_reach_the_batch_stack() -> None:
    """Under security.required: VPC and isolation on the model (the transform job runs in it), KMS on the
    job's output and volume (what the guardrails demand of CreateTransformJob), and the Guard pack passes."""
    from mlopsgen.audit.guard import check_guard

    security = (
        "\nsecurity:\n  required: true\n"
        "  vpc: {subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0]}\n"
        "  kms:\n    volume: arn:aws:kms:eu-west-1:111111111111:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b\n"
        "    output: arn:aws:kms:eu-west-1:111111111111:key/9a8b7c6d-5e4f-4321-9876-543210fedcba\n"
        "  encrypt_inter_container_traffic: true\n  network_isolation: true\n"
    )
    template = _credit_batch_template(("\nci:\n", security + "\nci:\n"))
    model = template["Resources"]["Model"]["Properties"]
    assert model["VpcConfig"]["Subnets"] == ["subnet-0123456789abcdef0"]
    assert model["EnableNetworkIsolation"] is True
    body = template["Resources"]["BatchPipeline"]["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
    (step,) = json.loads(body["Fn::Sub"].replace("${Model.ModelName}", "m").replace("${!", "${"))["Steps"]
    assert step["Arguments"]["TransformOutput"]["KmsKeyId"].endswith("key/9a8b7c6d-5e4f-4321-9876-543210fedcba")
    assert step["Arguments"]["TransformResources"]["VolumeKmsKeyId"].endswith(
        "key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b"
    )
    assert [v for name, r in template["Resources"].items() for v in check_guard(name, r)] == []


def test_a_project_whose_only_stage_is_batch_grants_no_empty_statement() -> None:
    """Without endpoint stages the endpoint rights have no resource: IAM rejects such a statement."""
    from .support.cfn import lint

    root = ROOT / "blueprints"
    text = (root / "credit.yaml").read_text()
    text = text[: text.index("    - name: staging")] + text[text.index("    # Nightly scoring") :]
    code = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = mlopsgen.render(text, code=code, name="credit.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    project = result.files["infrastructure/project.yml"]
    assert lint(project, REGION) == []
    for name, resource in yaml.safe_load(project)["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for statement in resource["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
                assert statement["Resource"], f"{name} {statement['Sid']} names no resource"


# --- scripts/run_batch.py on moto -------------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


class _TransformingSession:
    """A boto3 session whose SageMaker client also plays the transform job: moto runs no containers, so
    each started execution writes one result object under its OutputDataUri (when ``writes``)."""

    def __init__(self, writes: bool, stuck: bool = False) -> None:
        self.session = boto3.Session(region_name=REGION)
        self.writes = writes
        self.stuck = stuck  # executions never end (moto's end at once)
        self.started: list[dict[str, Any]] = []

    def client(self, name: str) -> Any:
        client = self.session.client(name)
        if name != "sagemaker":
            return client
        outer = self

        class Proxy:
            def __getattr__(self, attr: str) -> Any:
                return getattr(client, attr)

            def start_pipeline_execution(self, **request: Any) -> Any:
                outer.started.append(request)
                response = client.start_pipeline_execution(**request)
                parameters = {p["Name"]: p["Value"] for p in request.get("PipelineParameters", [])}
                if outer.writes and "OutputDataUri" in parameters:
                    bucket, key = run_batch.split_s3(parameters["OutputDataUri"])
                    outer.session.client("s3").put_object(Bucket=bucket, Key=key + "sample.csv.out", Body=b"0.1\n")
                return response

            def describe_pipeline_execution(self, **request: Any) -> Any:
                if outer.stuck:
                    return {"PipelineExecutionStatus": "Executing"}
                return client.describe_pipeline_execution(**request)

        return Proxy()


def _batch_pipeline(tmp_path: Path) -> tuple[str, Path]:
    """Create credit's batch pipeline on moto from the generated definition; returns its name and the payload."""
    template = _credit_batch_template()
    body = template["Resources"]["BatchPipeline"]["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
    definition = body["Fn::Sub"].replace("${Model.ModelName}", "credit-model").replace("${!", "${")
    name = template["Resources"]["BatchPipeline"]["Properties"]["PipelineName"]
    boto3.client("sagemaker", region_name=REGION).create_pipeline(
        PipelineName=name,
        PipelineDefinition=definition,
        RoleArn="arn:aws:iam::123456789012:role/service-role/AmazonSageMakerProjectsExecutionRole",
    )
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="artifacts-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    payload = tmp_path / "sample-payload.csv"
    payload.write_bytes((ROOT / "blueprints" / "tests" / "credit-sample.csv").read_bytes())
    return name, payload


def _argv(name: str, payload: Path, results: Path, *, smoke: bool = True, run: bool = True) -> list[str]:
    return [
        "--pipeline-name", name, "--region", REGION, "--timeout-minutes", "1", "--poll-seconds", "0",
        "--run-on-approval", "true" if run else "false",
        "--smoke-uri", "s3://artifacts-bucket/batch-smoke/nightly" if smoke else "",
        "--payload-file", str(payload), "--export-test-results", str(results),
    ]  # fmt: skip


def test_run_batch_smoke_runs_the_sample_then_runs_on_approval(aws: None, tmp_path: Path) -> None:
    name, payload = _batch_pipeline(tmp_path)
    session = _TransformingSession(writes=True)
    results = tmp_path / "results.json"
    assert run_batch.main(_argv(name, payload, results), session=session) == 0
    summary = json.loads(results.read_text())
    assert summary["success"] is True and summary["error"] is None
    assert summary["smoke"]["status"] == "Succeeded" and summary["smoke"]["output_objects"] == 1
    assert summary["run"]["status"] == "Succeeded"
    smoke, real = session.started
    smoke_params = {p["Name"]: p["Value"] for p in smoke["PipelineParameters"]}
    # The sample went to S3 under the smoke run's own input prefix, byte for byte.
    bucket, key = run_batch.split_s3(smoke_params["InputDataUri"] + payload.name)
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == payload.read_bytes()
    assert smoke_params["OutputDataUri"].startswith("s3://artifacts-bucket/batch-smoke/nightly/")
    assert "PipelineParameters" not in real  # the blueprint's input and output: the pipeline's defaults


def test_run_batch_fails_when_the_smoke_run_writes_nothing(aws: None, tmp_path: Path) -> None:
    name, payload = _batch_pipeline(tmp_path)
    session = _TransformingSession(writes=False)
    results = tmp_path / "results.json"
    assert run_batch.main(_argv(name, payload, results), session=session) == 1
    summary = json.loads(results.read_text())
    assert summary["success"] is False and "wrote nothing" in summary["error"]
    assert len(session.started) == 1  # no real run after a failed smoke run


def test_run_batch_waits_with_a_bound(aws: None, tmp_path: Path) -> None:
    name, payload = _batch_pipeline(tmp_path)
    session = _TransformingSession(writes=True, stuck=True)
    results = tmp_path / "results.json"
    argv = _argv(name, payload, results, smoke=False) + ["--timeout-minutes", "0.0001"]
    assert run_batch.main(argv, session=session) == 1
    assert "still Executing after" in json.loads(results.read_text())["error"]
