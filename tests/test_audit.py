"""The policy pack (Guard rules and Python IAM rules): every rule has a passing and a failing fixture;
the secured example passes every rule; an unsecured example fails the expected ones; hand-written
templates (tests/audit_templates/) give located findings; unreadable input is a finding, never a
skip or a crash; `mlopsgen audit` reports file:line:col, resource, rule and what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.audit import READABLE, audit_files, audit_template, load_template, rules
from mlopsgen.cli import app

from .conftest import ROOT

KEY = "arn:aws:kms:eu-west-1:111111111111:key/abc"
VPC = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
ALLOW = {"Effect": "Allow", "Resource": ["arn:aws:s3:::b/*"]}


def _role(actions: Any) -> dict[str, Any]:
    statement = {**ALLOW, "Action": actions}
    return {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": [statement]}}]}}


def _trusting(principal: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [statement]}}}


FIXTURES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "s3_bucket_kms_encrypted": (
        {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}]}}},
        {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}},
    ),
    "s3_bucket_public_access_blocked": (
        {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}}},
        {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": False, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}}},
    ),
    "sagemaker_model_in_vpc": (
        {"Type": "AWS::SageMaker::Model", "Properties": {"VpcConfig": VPC}},
        {"Type": "AWS::SageMaker::Model", "Properties": {"ExecutionRoleArn": "arn:aws:iam::1:role/r"}},
    ),
    "sagemaker_endpoint_volume_kms": (
        {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"KmsKeyId": KEY}},
        {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": []}},
    ),
    "sagemaker_data_capture_kms": (
        {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"KmsKeyId": KEY,
            "DataCaptureConfig": {"KmsKeyId": KEY}}},
        {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"KmsKeyId": KEY,
            "DataCaptureConfig": {"EnableCapture": True}}},
    ),
    "codebuild_in_vpc": (
        {"Type": "AWS::CodeBuild::Project", "Properties": {"EncryptionKey": KEY, "VpcConfig": VPC}},
        {"Type": "AWS::CodeBuild::Project", "Properties": {"EncryptionKey": KEY}},
    ),
    "codebuild_kms_encrypted": (
        {"Type": "AWS::CodeBuild::Project", "Properties": {"EncryptionKey": KEY, "VpcConfig": VPC}},
        {"Type": "AWS::CodeBuild::Project", "Properties": {"VpcConfig": VPC}},
    ),
    "codepipeline_artifacts_kms": (
        {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"ArtifactStore": {"EncryptionKey": {"Id": KEY,
            "Type": "KMS"}}}},
        {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"ArtifactStore": {"Type": "S3"}}},
    ),
    "iam_no_wildcard_actions": (_role(["s3:GetObject", "s3:PutObject"]), _role(["s3:GetObject", "s3:*"])),
    "iam_trust_not_open": (
        _trusting({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${ProjectAccountId}:root"}}),
        _trusting({"AWS": ["arn:aws:iam::111111111111:root", "*"]}),
    ),
    "iam_no_broad_managed_policies": (
        {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
            "arn:aws:iam::aws:policy/ReadOnlyAccess", {"Ref": "ProjectPolicy"}]}},
        {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}]}},
    ),
    "secrets_kms_encrypted": (
        {"Type": "AWS::SecretsManager::Secret", "Properties": {"KmsKeyId": KEY}},
        {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "x"}},
    ),
    "sns_topic_kms_encrypted": (
        {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "TopicKey"}}},
        {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}},
    ),
    "kms_key_rotation_enabled": (
        {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "KeyPolicy": {}}},
        {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}}},
    ),
}  # fmt: skip


def test_every_rule_has_fixtures() -> None:
    assert set(FIXTURES) == set(rules()) - {READABLE}


@pytest.mark.parametrize("rule", sorted(FIXTURES))
def test_rule_passes_and_fails(rule: str) -> None:
    good, bad = FIXTURES[rule]
    assert rule not in [f.rule for f in audit_template({"Resources": {"R": good}}, "good.yaml")]
    failures = audit_template({"Resources": {"R": bad}}, "bad.yaml")
    assert ("R", rule) in [(f.resource, f.rule) for f in failures]


ORG_PATHS = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}


@pytest.mark.parametrize(
    ("principal", "condition", "open_"),
    [
        ({"AWS": "*"}, ORG_PATHS, False),  # an OU's accounts, named by their org path
        ({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, False),
        ({"AWS": "*"}, None, True),
        ({"AWS": "*"}, {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": []}}, True),  # no value: no narrowing
        ({"AWS": "*"}, {"StringEquals": {"aws:SourceAccount": "111111111111"}}, True),  # not an org key
        ("*", ORG_PATHS, True),  # the bare "*" principal stays open: the AWS principal is required
    ],
)
def test_trust_open_to_an_organization_path_only_with_the_aws_principal(
    principal: Any, condition: dict[str, Any] | None, open_: bool
) -> None:
    role = _trusting(principal)
    if condition is not None:
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = condition
    rules_found = [f.rule for f in audit_template({"Resources": {"R": role}}, "x.yaml")]
    assert ("iam_trust_not_open" in rules_found) is open_


def test_wildcard_action_as_plain_text_is_caught() -> None:
    failures = audit_template({"Resources": {"Admin": _role("*")}}, "x.yaml")
    assert [f.rule for f in failures] == ["iam_no_wildcard_actions"]


def test_secured_example_passes_every_rule() -> None:
    findings, checked = audit_files([ROOT / "generated" / "fraud_secure"])
    # endpoint (stack and stack set), project, Jenkins trigger, guardrails, operations, stack set administration,
    # target account
    assert sorted(path.name for path in checked) == [
        "endpoint-config-template.yml",
        "endpoint-stackset-template.yml",
        "guardrails.yml",
        "jenkins-trigger.yml",
        "operations.yml",
        "project.yml",
        "stackset-administration.yml",
        "target-account.yml",
    ]
    assert findings == []


def test_unsecured_example_fails_the_expected_rules() -> None:
    # churn has security.required false: no VPC, no customer-managed KMS keys (its IAM is scoped, its
    # buckets block public access), so every bucket, CodeBuild project, pipeline and endpoint fails
    # the VPC/KMS rules and nothing else.
    findings, _ = audit_files([ROOT / "generated" / "churn"])
    project = ["BuildProject", "DeployBuildProject", "TestProject"]
    assert sorted((f.resource, f.rule) for f in findings) == sorted(
        [("ArtifactBucket", "s3_bucket_kms_encrypted")]
        + [(name, rule) for name in project for rule in ("codebuild_in_vpc", "codebuild_kms_encrypted")]
        + [(name, "codepipeline_artifacts_kms") for name in ("ModelBuildPipeline", "ModelDeployPipeline")]
        + [("Model", "sagemaker_model_in_vpc")]
        + [("EndpointConfig", rule) for rule in ("sagemaker_endpoint_volume_kms", "sagemaker_data_capture_kms")]
    )


def test_hand_written_template_with_short_form_tags(tmp_path: Path) -> None:
    template = tmp_path / "mine.yaml"
    template.write_text(
        "Resources:\n"
        "  Config:\n"
        "    Type: AWS::SageMaker::EndpointConfig\n"
        "    Properties:\n"
        "      KmsKeyId: !Ref Key\n"
        "      ProductionVariants:\n"
        "        - ModelName: !GetAtt Model.ModelName\n"
        "          InstanceType: !Sub '${Type}'\n"
    )
    loaded = load_template(template.read_bytes())
    variant = loaded.data["Resources"]["Config"]["Properties"]["ProductionVariants"][0]
    assert variant["ModelName"] == {"Fn::GetAtt": ["Model", "ModelName"]}
    assert loaded.locate(("Resources", "Config", "Properties", "ProductionVariants", 0, "ModelName")) == (7, 11)
    assert audit_files([template]) == ([], [template])


def test_audit_command(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(app, ["audit", str(ROOT / "generated" / "fraud_secure")])
    assert clean.exit_code == 0
    dirty = runner.invoke(app, ["audit", str(ROOT / "generated" / "churn")])
    assert dirty.exit_code == 1
    # A finding points at its resource's Properties line (two lines below the logical id).
    project = (ROOT / "generated" / "churn" / "infrastructure" / "project.yml").read_text().splitlines()
    properties = project.index("  BuildProject:") + 3
    assert (
        f"infrastructure/project.yml:{properties}:5: codebuild_in_vpc: CodeBuild project BuildProject " in dirty.stdout
    )
    github = runner.invoke(app, ["audit", str(ROOT / "generated" / "churn"), "--format", "github"])
    assert "::error file=" in github.stdout and "title=sagemaker_model_in_vpc" in github.stdout
    endpoint = (ROOT / "generated" / "churn" / "model-deploy" / "endpoint-config-template.yml").read_text().splitlines()
    assert f",line={endpoint.index('  Model:') + 3},col=5," in github.stdout
    assert mlopsgen.__version__
