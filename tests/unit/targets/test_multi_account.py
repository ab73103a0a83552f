"""Stages deployed into other accounts: the plan, the stack set action, the one-time templates, the policies.

The blueprints here are fraud_secure.yaml with its deploy and CI sections changed, so each test names
the variant it needs: explicit accounts only, OUs only, a Jenkins-only project, no VPC endpoints.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

import mlopsgen
from mlopsgen.blueprint.checks import ROLE_SUFFIX_MAX
from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import default_artifact_bucket, derive_names, multi_account_roles
from tests.conftest import ROOT
from tests.test_iam_scope import NO_RESOURCE_LEVEL

FRAUD = ROOT / "blueprints" / "fraud_secure.yaml"
STAGING = ["444444444444", "555555555555"]
PROD_OUS = ["ou-fr4d-prod0001", "ou-fr4d-prodeu02"]


def _variant(tmp_path: Path, edit: Any = None) -> Path:
    """An edited copy of fraud_secure.yaml in tmp_path, with the code it runs beside it."""
    data = yaml.safe_load(FRAUD.read_text())
    if edit is not None:
        edit(data)
    shutil.copytree(ROOT / "blueprints" / "pipelines", tmp_path / "pipelines")
    path = tmp_path / "fraud_secure.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _render(blueprint: Path) -> dict[str, str]:
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


def _plan(blueprint: Path) -> ir.Plan:
    plan, diagnostics = mlopsgen.api.plan_blueprint(blueprint)
    assert plan is not None, diagnostics
    return plan


def _statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document["Statement"] if "Sid" in s}


def _role_policy(template: dict[str, Any], logical: str) -> dict[str, dict[str, Any]]:
    return _statements(template["Resources"][logical]["Properties"]["Policies"][0]["PolicyDocument"])


# --- contracts between layers ----------------------------------------------------------------------


def test_blueprint_layer_constants_match_the_naming_contract() -> None:
    """checks.py may not import plan.naming; these pin its copies to the contract."""
    names = derive_names("x", "p-1")
    assert ROLE_SUFFIX_MAX == max(len(role) - len(names.project_name_id) for role in multi_account_roles(names))
    plan = _plan(FRAUD)
    assert plan.project.artifact_bucket == default_artifact_bucket(plan.project.id)
    # the MLG313 check's bucket and the plan's agree: the default model path yields a shared prefix
    assert plan.deploy is not None and plan.deploy.multi_account is not None
    assert plan.deploy.multi_account.model_artifact_prefixes == ("fraud-p-secure0001/TrainFraudModel/",)


def test_plan_of_the_example() -> None:
    plan = _plan(FRAUD)
    assert plan.deploy is not None
    stages = {s.name: s for s in plan.deploy.stages}
    assert stages["dev"].targets is None
    assert stages["staging"].targets == ir.Targets(tuple(STAGING), ())
    assert stages["prod"].targets == ir.Targets((), tuple(PROD_OUS))
    multi = plan.deploy.multi_account
    assert multi is not None
    assert multi.administration_role_arn == "arn:aws:iam::333333333333:role/fraud-p-secure0001-stackset-admin"
    assert (multi.execution_role, multi.model_role, multi.test_role) == (
        "fraud-p-secure0001-stackset-exec",
        "fraud-p-secure0001-model-exec",
        "fraud-p-secure0001-endpoint-test",
    )
    assert multi.regions == ("eu-central-1",)
    assert multi.accounts == tuple(STAGING) and multi.organizational_units == tuple(PROD_OUS)
    assert plan.ci is not None
    assert [name for name, _ in plan.ci.stackset_commands] == ["staging", "prod"]


def test_no_targets_no_multi_account_files(tmp_path: Path) -> None:
    def single(data: dict[str, Any]) -> None:
        for stage in data["deploy"]["stages"]:
            stage.pop("accounts", None)
            stage.pop("organizational_units", None)

    files = _render(_variant(tmp_path, single))
    assert not [p for p in files if "stackset" in p or "target" in p or p.endswith("key-policy.json")]
    project = yaml.safe_load(files["infrastructure/project.yml"])
    deploy_actions = [
        a for s in project["Resources"]["ModelDeployPipeline"]["Properties"]["Stages"] for a in s["Actions"]
    ]
    assert all(a["ActionTypeId"]["Provider"] != "CloudFormationStackSet" for a in deploy_actions)
    assert "STACK_SET_NAME" not in files["model-deploy/jenkins/Jenkinsfile"]


# --- the endpoint stack set ------------------------------------------------------------------------


def test_stackset_template_reads_account_local_settings() -> None:
    files = _render(FRAUD)
    template = yaml.safe_load(files["model-deploy/endpoint-stackset-template.yml"])
    parameters = template["Parameters"]
    assert "ModelExecutionRoleArn" not in parameters
    assert parameters["SubnetIds"]["Type"] == "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>"
    assert parameters["SubnetIds"]["Default"] == "/mlopsgen/fraud-p-secure0001/subnet-ids"
    assert parameters["VolumeKmsKeyArn"]["Default"] == "/mlopsgen/fraud-p-secure0001/volume-kms-key-arn"
    resources = template["Resources"]
    model = resources["Model"]["Properties"]
    assert model["ExecutionRoleArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/fraud-p-secure0001-model-exec"
    }
    assert model["VpcConfig"] == {"SecurityGroupIds": {"Ref": "SecurityGroupIds"}, "Subnets": {"Ref": "SubnetIds"}}
    assert model["EnableNetworkIsolation"] is True
    assert resources["EndpointConfig"]["Properties"]["KmsKeyId"] == {"Ref": "VolumeKmsKeyArn"}
    # stack sets have no stack tags, so the resources carry them
    for name in ("Model", "EndpointConfig", "Endpoint"):
        tags = {t["Key"]: t["Value"] for t in resources[name]["Properties"]["Tags"]}
        assert tags["sagemaker:deployment-stage"] == {"Ref": "StageName"}
        assert tags["sagemaker:project-id"] == "p-secure0001"
    for stage in ("staging", "prod"):
        config = json.loads(files[f"model-deploy/{stage}-config.json"])
        assert "ModelExecutionRoleArn" not in config["Parameters"]
    assert json.loads(files["model-deploy/staging-targets.json"]) == {"accounts": STAGING}
    assert json.loads(files["model-deploy/prod-targets.json"]) == {"organizational_units": PROD_OUS}


def test_codepipeline_stackset_actions() -> None:
    files = _render(FRAUD)
    project = yaml.safe_load(files["infrastructure/project.yml"])
    stages = project["Resources"]["ModelDeployPipeline"]["Properties"]["Stages"]
    actions = {a["Name"]: a for s in stages for a in s["Actions"]}
    assert actions["DeployResourcesDev"]["ActionTypeId"]["Provider"] == "CloudFormation"
    staging = actions["DeployStackSetStaging"]
    assert staging["ActionTypeId"] == {
        "Category": "Deploy",
        "Owner": "AWS",
        "Provider": "CloudFormationStackSet",
        "Version": "1",
    }
    config = staging["Configuration"]
    assert config["PermissionModel"] == "SELF_MANAGED"
    assert config["DeploymentTargets"] == "BuildArtifact::staging-accounts-export.json"
    assert config["Parameters"] == "BuildArtifact::staging-params-export.json"
    assert config["TemplatePath"] == "BuildArtifact::stackset-template-export.yml"
    assert config["ExecutionRoleName"] == "fraud-p-secure0001-stackset-exec"
    assert config["Regions"] == "eu-central-1"
    # the files the actions read are the deploy build's artifacts
    buildspec = yaml.safe_load(files["model-deploy/buildspec.yml"])
    for key in ("DeploymentTargets", "Parameters", "TemplatePath"):
        assert config[key].removeprefix("BuildArtifact::") in buildspec["artifacts"]["files"]
    tests = {a["Name"]: a for a in actions.values() if a["Name"].startswith("Test")}
    env = {e["name"]: e["value"] for e in json.loads(tests["TestStaging"]["Configuration"]["EnvironmentVariables"])}
    assert env["STACK_SET_NAME"] == "sagemaker-fraud-p-secure0001-deploy-staging"
    env = {e["name"]: e["value"] for e in json.loads(tests["TestDev"]["Configuration"]["EnvironmentVariables"])}
    assert env["STACK_SET_NAME"] == ""
    pipeline_role = _role_policy(project, "CodePipelineRole")
    assert pipeline_role["PassStackSetAdministrationRole"]["Resource"] == [
        "arn:aws:iam::333333333333:role/fraud-p-secure0001-stackset-admin"
    ]
    assert all(
        "sagemaker-fraud-p-secure0001-deploy-" in json.dumps(r) or "type/resource" in json.dumps(r)
        for r in pipeline_role["DeployStackSets"]["Resource"]
    )
    test_role = _role_policy(project, "TestRole")
    assert test_role["AssumeTargetTestRoles"]["Resource"] == ["arn:aws:iam::*:role/fraud-p-secure0001-endpoint-test"]
    build_role = _role_policy(project, "DeployBuildRole")
    assert set(build_role["ResolveOrganizationalUnits"]["Action"]) == {
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    }


def test_accounts_only_scopes_roles_to_the_listed_accounts(tmp_path: Path) -> None:
    def accounts_only(data: dict[str, Any]) -> None:
        del data["deploy"]["stages"][2]["organizational_units"]
        data["deploy"]["stages"][2]["accounts"] = ["666666666666"]

    files = _render(_variant(tmp_path, accounts_only))
    project = yaml.safe_load(files["infrastructure/project.yml"])
    assert _role_policy(project, "TestRole")["AssumeTargetTestRoles"]["Resource"] == [
        f"arn:aws:iam::{a}:role/fraud-p-secure0001-endpoint-test" for a in [*STAGING, "666666666666"]
    ]
    assert "ResolveOrganizationalUnits" not in _role_policy(project, "DeployBuildRole")
    admin = yaml.safe_load(files["infrastructure/stackset-administration.yml"])
    assert _role_policy(admin, "StackSetAdministrationRole")["AssumeExecutionRoles"]["Resource"] == [
        f"arn:aws:iam::{a}:role/fraud-p-secure0001-stackset-exec" for a in [*STAGING, "666666666666"]
    ]
    policy = _statements(
        yaml.safe_load(files["infrastructure/project.yml"])["Resources"]["ArtifactBucketPolicy"]["Properties"][
            "PolicyDocument"
        ]
    )
    assert "TargetModelReadOrganizationalUnits" not in policy


# --- the one-time templates and the policies --------------------------------------------------------


def test_administration_role_trusts_cloudformation_of_this_account_only() -> None:
    admin = yaml.safe_load(_render(FRAUD)["infrastructure/stackset-administration.yml"])
    role = admin["Resources"]["StackSetAdministrationRole"]["Properties"]
    assert role["RoleName"] == "fraud-p-secure0001-stackset-admin"
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "333333333333"}}
    # with OUs the accounts are unknown until deploy time: any account, but only this project's execution role
    statement = _role_policy(admin, "StackSetAdministrationRole")["AssumeExecutionRoles"]
    assert statement["Resource"] == ["arn:aws:iam::*:role/fraud-p-secure0001-stackset-exec"]
    assert "ArtifactBucketPolicy" not in admin["Resources"]  # the project stack holds it (CodePipeline)


def test_target_account_roles() -> None:
    target = yaml.safe_load(_render(FRAUD)["infrastructure/target-account.yml"])
    resources = target["Resources"]
    execution = resources["StackSetExecutionRole"]["Properties"]
    (trust,) = execution["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${ProjectAccountId}:role/fraud-p-secure0001-stackset-admin"}
    }
    policy = _role_policy(target, "StackSetExecutionRole")
    assert policy["PassModelRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert policy["UseModelPackage"]["Resource"] == [
        "arn:aws:sagemaker:eu-central-1:333333333333:model-package/fraud-p-secure0001/*"
    ]
    endpoints = policy["ManageEndpoints"]["Resource"][:2]
    assert [e["Fn::Sub"].rsplit("/", 1)[1] for e in endpoints] == ["fraud-staging", "fraud-prod"]
    model = _role_policy(target, "ModelExecutionRole")
    assert model["ReadModelArtifacts"]["Resource"] == [
        "arn:aws:s3:::sagemaker-project-p-secure0001/fraud-p-secure0001/TrainFraudModel/*"
    ]
    assert model["UseProjectOutputKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}
    }
    test = resources["EndpointTestRole"]["Properties"]
    (trust,) = test["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"ArnLike": {"aws:PrincipalArn": {"Ref": "TestPrincipalArns"}}}
    assert set(_role_policy(target, "EndpointTestRole")["TestEndpoints"]["Action"]) == {
        "sagemaker:DescribeEndpoint",
        "sagemaker:InvokeEndpoint",
    }
    names = {r["Properties"]["Name"] for r in resources.values() if r["Type"] == "AWS::SSM::Parameter"}
    assert names == {
        "/mlopsgen/fraud-p-secure0001/subnet-ids",
        "/mlopsgen/fraud-p-secure0001/security-group-ids",
        "/mlopsgen/fraud-p-secure0001/volume-kms-key-arn",
    }


def test_no_wildcard_actions_and_wildcard_resources_only_where_aws_has_no_resource_level() -> None:
    """Least privilege: every ``Resource: *`` in the new templates is a call without resource-level permissions.

    The table and its sources are ``tests/test_iam_scope.py``'s, which also checks scoped wildcards.
    """
    files = _render(FRAUD)
    for path in (
        "infrastructure/target-account.yml",
        "infrastructure/stackset-administration.yml",
        "infrastructure/project.yml",
    ):
        template = yaml.safe_load(files[path])
        for logical, resource in template["Resources"].items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            for statement in resource["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                assert all(a != "*" and not a.endswith(":*") for a in actions), (path, logical, statement)
                if "*" in statement["Resource"]:
                    assert set(actions) <= set(NO_RESOURCE_LEVEL), (path, logical, statement["Sid"])


def test_bucket_policy_grants_targets_and_denies_outside_vpc_endpoints() -> None:
    files = _render(FRAUD)
    project = yaml.safe_load(files["infrastructure/project.yml"])
    policy = _statements(project["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"])
    models = [{"Fn::Sub": "${ArtifactBucket.Arn}/fraud-p-secure0001/TrainFraudModel/*"}]
    accounts = policy["TargetModelReadAccounts"]
    assert accounts["Principal"] == {"AWS": [f"arn:aws:iam::{a}:role/fraud-p-secure0001-model-exec" for a in STAGING]}
    assert accounts["Resource"] == models
    units = policy["TargetModelReadOrganizationalUnits"]
    assert units["Condition"]["ArnLike"] == {"aws:PrincipalArn": "arn:aws:iam::*:role/fraud-p-secure0001-model-exec"}
    assert units["Condition"]["ForAnyValue:StringLike"] == {
        "aws:PrincipalOrgPaths": [f"o-*/r-*/*{ou}/*" for ou in PROD_OUS]
    }
    deny = policy["DenyModelAccessOutsideVpcEndpoints"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Resource"] == models
    assert deny["Condition"]["StringNotEquals"]["aws:SourceVpce"][0] == "vpce-0a1b2c3d4e5f60718"
    # the data capture of the stages in other accounts lands in this bucket, per stage
    capture = policy["TargetDataCaptureAccounts"]["Resource"]
    assert capture == [
        {"Fn::Sub": "${ArtifactBucket.Arn}/datacapture-staging/*"},
        {"Fn::Sub": "${ArtifactBucket.Arn}/datacapture-prod/*"},
    ]


def test_jenkins_only_project_gets_the_bucket_policy_in_the_administration_stack(tmp_path: Path) -> None:
    def jenkins_only(data: dict[str, Any]) -> None:
        data["ci"]["backends"] = ["jenkins"]

    files = _render(_variant(tmp_path, jenkins_only))
    assert "infrastructure/project.yml" not in files
    admin = yaml.safe_load(files["infrastructure/stackset-administration.yml"])
    policy = _statements(admin["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"])
    assert admin["Resources"]["ArtifactBucketPolicy"]["Properties"]["Bucket"] == "sagemaker-project-p-secure0001"
    assert {"DenyInsecureTransport", "TargetModelReadAccounts", "DenyModelAccessOutsideVpcEndpoints"} <= set(policy)
    assert "model-deploy/scripts/deploy_stackset.py" in files


def test_output_key_policy() -> None:
    policy = json.loads(_render(FRAUD)["infrastructure/output-key-policy.json"])
    statements = _statements(policy)
    assert statements["AccountAdministersKey"]["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    for sid in ("TargetModelRolesAccounts", "TargetModelRolesOrganizationalUnits"):
        assert statements[sid]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}
        assert "kms:Encrypt" not in statements[sid]["Action"]
    deny = statements["DenyUseOutsideVpcEndpoints"]
    assert deny["Condition"]["BoolIfExists"] == {"aws:ViaAWSService": "false"}


def test_without_vpc_endpoints_no_deny(tmp_path: Path) -> None:
    def no_endpoints(data: dict[str, Any]) -> None:
        data["security"]["required"] = False
        del data["security"]["vpc_endpoints"]

    files = _render(_variant(tmp_path, no_endpoints))
    assert "DenyUseOutsideVpcEndpoints" not in files["infrastructure/output-key-policy.json"]
    assert "DenyModelAccessOutsideVpcEndpoints" not in files["infrastructure/project.yml"]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def test_policies_are_accepted_by_s3_and_kms(aws: None) -> None:
    """moto parses the bucket and key policies as AWS would store them (a smoke test, not IAM evaluation)."""
    files = _render(FRAUD)
    kms = boto3.client("kms", region_name="eu-central-1")
    key = kms.create_key(Policy=files["infrastructure/output-key-policy.json"])["KeyMetadata"]["KeyId"]
    stored = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    assert stored == json.loads(files["infrastructure/output-key-policy.json"])
    s3 = boto3.client("s3", region_name="eu-central-1")
    s3.create_bucket(
        Bucket="sagemaker-project-p-secure0001", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    project = yaml.safe_load(files["infrastructure/project.yml"])

    def resolve(node: Any) -> Any:  # the policy's intrinsics all name the bucket's ARN
        if isinstance(node, dict) and set(node) == {"Fn::Sub"}:
            return node["Fn::Sub"].replace("${ArtifactBucket.Arn}", "arn:aws:s3:::sagemaker-project-p-secure0001")
        if isinstance(node, dict) and set(node) == {"Fn::GetAtt"}:
            return "arn:aws:s3:::sagemaker-project-p-secure0001"
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    document = json.dumps(resolve(project["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]))
    s3.put_bucket_policy(Bucket="sagemaker-project-p-secure0001", Policy=document)
    assert json.loads(s3.get_bucket_policy(Bucket="sagemaker-project-p-secure0001")["Policy"])["Statement"]
