"""Controls applied everywhere: in the secured example every job and model in the pipeline definition
carries the controls the guardrails policy demands, and the guardrails stack itself deploys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

import mlopsgen

from .conftest import ROOT
from .support.cfn import lint

SECURED = ROOT / "blueprints" / "fraud_secure.yaml"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    result = mlopsgen.render(SECURED)
    assert result.ok
    return result.files


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _steps(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])


def test_every_job_and_model_carries_the_controls(files: dict[str, str]) -> None:
    definition = json.loads(files["model-build/pipeline-definition.json"])
    seen = set()
    for step in _steps(definition["Steps"]):
        args, kind = step["Arguments"], step["Type"]
        seen.add(kind)
        if kind == "Processing":
            network = args["NetworkConfig"]
            assert network["VpcConfig"]["Subnets"] and network["VpcConfig"]["SecurityGroupIds"]
            assert network["EnableInterContainerTrafficEncryption"] is True
            assert args["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"]
            # also for a job without outputs: sagemaker:OutputKmsKey comes only from this member
            assert args["ProcessingOutputConfig"]["KmsKeyId"]
        elif kind in ("Training", "Tuning"):
            job = args if kind == "Training" else args["TrainingJobDefinition"]
            assert job["VpcConfig"]["Subnets"] and job["VpcConfig"]["SecurityGroupIds"]
            assert job["EnableInterContainerTrafficEncryption"] is True
            assert job["EnableNetworkIsolation"] is True
            assert job["ResourceConfig"]["VolumeKmsKeyId"] and job["OutputDataConfig"]["KmsKeyId"]
        elif kind == "Transform":
            assert args["TransformResources"]["VolumeKmsKeyId"] and args["TransformOutput"]["KmsKeyId"]
        elif kind == "Model":
            assert args["VpcConfig"]["Subnets"] and args["EnableNetworkIsolation"] is True
    assert {"Processing", "Training", "Tuning", "Transform", "Model"} <= seen


def test_guardrails_policy_denies_each_missing_control(files: dict[str, str]) -> None:
    text = files["infrastructure/guardrails.yml"]
    assert lint(text, "eu-central-1") == []
    statements = yaml.safe_load(text)["Resources"]["RequireSecurityControls"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    conditions = {s["Sid"]: s["Condition"] for s in statements}
    assert all(s["Effect"] == "Deny" for s in statements)
    assert conditions == {
        "DenyWithoutVpcSubnets": {"Null": {"sagemaker:VpcSubnets": "true"}},
        "DenyWithoutVpcSecurityGroups": {"Null": {"sagemaker:VpcSecurityGroupIds": "true"}},
        "DenyWithoutVolumeKmsKey": {"Null": {"sagemaker:VolumeKmsKey": "true"}},
        "DenyWithoutOutputKmsKey": {"Null": {"sagemaker:OutputKmsKey": "true"}},
        "DenyWithoutInterContainerEncryption": {"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": "false"}},
    }
    vpc = next(s for s in statements if s["Sid"] == "DenyWithoutVpcSubnets")
    assert {"sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob", "sagemaker:CreateModel"} <= set(
        vpc["Action"]
    )


def test_guardrails_only_for_required_security() -> None:
    for name in ("abalone", "churn"):
        assert "infrastructure/guardrails.yml" not in mlopsgen.render(ROOT / "blueprints" / f"{name}.yaml").files


def test_guardrails_stack_deploys(files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name="eu-central-1")
        cfn.create_stack(
            StackName="guardrails",
            TemplateBody=files["infrastructure/guardrails.yml"],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        assert cfn.describe_stacks(StackName="guardrails")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        iam = boto3.client("iam", region_name="eu-central-1")
        (policy,) = [p for p in iam.list_policies(Scope="Local")["Policies"] if "require-controls" in p["PolicyName"]]
        assert policy["PolicyName"] == "sagemaker-fraud-p-secure0001-require-controls"
