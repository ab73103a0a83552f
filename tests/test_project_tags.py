"""Tags added to the SageMaker project after rendering reach the pipeline and the deploy stacks (finding 8).

The generated CI commands are run as CI runs them (``$VARIABLES`` from the CodeBuild environment, which
the Jenkins jobs take as parameters) against moto. moto has no SageMaker projects, so the project is a
small stand-in answering ``DescribeProject`` and ``ListTags`` for its ARN through botocore's
``before-call`` hook; every other call goes to moto.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.plan import model as ir
from mlopsgen.runtime import deploy_config, run_pipeline

from .conftest import ROOT

BLUEPRINT = ROOT / "blueprints" / "abalone.yaml"
ACCOUNT = "123456789012"


class FakeProject:
    """A SageMaker project whose tags the test changes after rendering."""

    def __init__(self, name: str, region: str) -> None:
        self.name = name
        self.arn = f"arn:aws:sagemaker:{region}:{ACCOUNT}:project/{name}"
        self.tags: dict[str, str] = {}

    def answer(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        ok = SimpleNamespace(status_code=200)
        request = json.loads(params["body"] or b"{}")  # the serialized request (SageMaker speaks JSON)
        if model.name == "DescribeProject" and request["ProjectName"] == self.name:
            return ok, {"ProjectArn": self.arn, "ProjectName": self.name}
        if model.name == "ListTags" and request["ResourceArn"] == self.arn:
            return ok, {"Tags": [{"Key": k, "Value": v} for k, v in self.tags.items()]}
        return None  # moto answers


@pytest.fixture
def flow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SimpleNamespace]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    plan, _ = plan_blueprint(BLUEPRINT)
    assert plan is not None and plan.ci is not None and plan.deploy is not None
    files = mlopsgen.render(BLUEPRINT).files
    out = tmp_path / "generated"
    for rel, content in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):  # the sample payload, copied byte for byte
            (out / rel).write_bytes(content)
        else:
            (out / rel).write_text(content)
    with mock_aws():
        region = plan.project.region
        session = boto3.session.Session(region_name=region)
        project = FakeProject(plan.project.name, region)
        session.events.register("before-call.sagemaker.*", project.answer)
        yield SimpleNamespace(plan=plan, files=files, out=out, tmp=tmp_path, session=session, project=project)


def _ci_argv(command: tuple[str, ...], env: dict[str, str], flow: SimpleNamespace) -> list[str]:
    """A generated CI command's arguments (script dropped) as the CI shell expands them, paths in the temp tree."""
    ci = flow.plan.ci
    argv = [env[a[1:]] if a.startswith("$") else a for a in command[2:]]
    argv = [a.replace(ci.output_dir, str(flow.out)) for a in argv]
    return [str(ROOT / "blueprints") if a == ci.blueprint_dir else a for a in argv]


def _build(flow: SimpleNamespace) -> int:
    ci: ir.Ci = flow.plan.ci
    s3 = flow.session.client("s3")
    s3.create_bucket(
        Bucket=flow.plan.project.artifact_bucket,
        CreateBucketConfiguration={"LocationConstraint": flow.plan.project.region},
    )
    argv = _ci_argv(ci.build_command, dict(ci.build_env), flow)
    return run_pipeline.main([*argv, "--poll-seconds", "0.01"], session=flow.session)


def _deploy_config(flow: SimpleNamespace) -> int:
    ci: ir.Ci = flow.plan.ci
    sm = flow.session.client("sagemaker")
    group = flow.plan.names.model_package_group
    sm.create_model_package_group(ModelPackageGroupName=group)
    arn = sm.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{flow.plan.project.region}.amazonaws.com/model:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    argv = _ci_argv(ci.deploy_commands[0], dict(ci.deploy_env), flow)
    argv[argv.index("--output-dir") + 1] = str(flow.tmp / "exports")
    return deploy_config.main(argv, session=flow.session)


def test_project_tags_added_after_render_reach_the_pipeline_and_the_stacks(
    flow: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Added to the project after the output was rendered: a new tag, one the blueprint also sets
    # (the project wins, as in AWS's seed code) and AWS's own, which no other resource may carry.
    flow.project.tags = {
        "cost-center": "cc-42",
        "team": "from-project",
        "aws:servicecatalog:productArn": "arn:aws:catalog:::product/p-1",
    }
    assert dict(flow.plan.project.tags)["team"] == "ml-platform"
    assert _build(flow) == 0, capsys.readouterr().err
    sm = flow.session.client("sagemaker")
    pipeline = sm.describe_pipeline(PipelineName=flow.plan.names.pipeline)["PipelineArn"]
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=pipeline)["Tags"]}
    assert tags["cost-center"] == "cc-42"
    assert tags["team"] == "from-project"
    assert tags["sagemaker:project-name"] == flow.plan.project.name
    assert not any(key.startswith("aws:") for key in tags)

    assert _deploy_config(flow) == 0, capsys.readouterr().err
    cfn = flow.session.client("cloudformation")
    template = flow.files["model-deploy/endpoint-config-template.yml"]
    for stage in flow.plan.deploy.stages:
        export = json.loads((flow.tmp / "exports" / f"{stage.name}-config-export.json").read_text())
        tags_file = json.loads((flow.tmp / "exports" / f"{stage.name}-tags-export.json").read_text())
        assert {"Key": "cost-center", "Value": "cc-42"} in tags_file  # Jenkins' cfnUpdate and stack sets
        cfn.create_stack(  # as CodePipeline's TemplateConfiguration applies the export
            StackName=stage.stack_name,
            TemplateBody=template,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in export["Parameters"].items()],
            Tags=[{"Key": k, "Value": v} for k, v in export["Tags"].items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        stack = cfn.describe_stacks(StackName=stage.stack_name)["Stacks"][0]
        stack_tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
        assert stack_tags["cost-center"] == "cc-42"
        assert stack_tags["team"] == "from-project"
        assert stack_tags["sagemaker:deployment-stage"] == stage.name
        assert not any(key.startswith("aws:") for key in stack_tags)


def test_too_many_tags_fail_clearly_before_anything_is_changed(
    flow: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    flow.project.tags = {f"tag{i}": "x" for i in range(49)}
    assert _build(flow) == 1
    err = capsys.readouterr().err
    assert "at most 50" in err and "from the SageMaker project" in err, err
    assert not flow.session.client("sagemaker").list_pipelines()["PipelineSummaries"]
    assert _deploy_config(flow) == 1
    assert "at most 50" in capsys.readouterr().err
    assert not (flow.tmp / "exports").exists()


@pytest.mark.parametrize(
    ("key", "value", "build_ok"),
    [
        ("k" * 129, "v", False),  # keys: 1-128 characters (SageMaker and CloudFormation)
        ("long", "v" * 257, False),  # values: at most 256
        ("empty", "", True),  # SageMaker takes an empty value, a CloudFormation stack tag does not
    ],
)
def test_tag_length_limits(
    flow: SimpleNamespace, capsys: pytest.CaptureFixture[str], key: str, value: str, build_ok: bool
) -> None:
    flow.project.tags = {key: value}
    assert (_build(flow) == 0) is build_ok
    err = capsys.readouterr().err
    if not build_ok:
        assert "from the SageMaker project must be" in err, err
    assert _deploy_config(flow) == 1
    assert "from the SageMaker project must be" in capsys.readouterr().err


def test_project_that_does_not_exist_adds_no_tags(flow: SimpleNamespace, capsys: pytest.CaptureFixture[str]) -> None:
    """Output used without a SageMaker project still builds (as AWS's seed code, which swallows the error).

    SageMaker documents no error for DescribeProject; this assumes its usual ValidationException
    "... does not exist" for a missing resource (not checked against AWS).
    """

    def missing(model: Any, **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if model.name != "DescribeProject":
            return None
        error = {"Code": "ValidationException", "Message": f"Project {flow.project.name} does not exist."}
        return SimpleNamespace(status_code=400), {"Error": error, "ResponseMetadata": {}}

    flow.session.events.unregister("before-call.sagemaker.*", flow.project.answer)
    flow.session.events.register("before-call.sagemaker.*", missing)
    assert _build(flow) == 0, capsys.readouterr().err
    assert "not found: no project tags" in capsys.readouterr().out


def test_ci_roles_may_read_the_project_tags() -> None:
    resources = yaml.safe_load(mlopsgen.render(BLUEPRINT).files["infrastructure/project.yml"])["Resources"]
    for role in ("BuildRole", "DeployBuildRole"):
        statements = [s for p in resources[role]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        (statement,) = [s for s in statements if "sagemaker:ListTags" in s["Action"]]
        assert statement["Action"] == ["sagemaker:DescribeProject", "sagemaker:ListTags"]
        assert statement["Resource"] == [
            {"Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:project/abalone"}
        ]
