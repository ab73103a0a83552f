"""The hub-and-spoke stacks agree with each other and name every principal (generated/hub_spoke).

The spoke's read role must trust exactly the hub's replication role, the hub bus must admit exactly
the spokes' forwarding roles, the deploy build must assume exactly the hub's promotion role, and the
Lambda must run the tested runtime script: each pair lives in a different template, so a mismatch
would only show at deploy time in two accounts. cfn-lint and the Guard pack run on these templates
with every other generated template (tests/test_generated_validity.py, tests/test_audit.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from mlopsgen.runtime import promote
from tests.support.iam_policy import allowed, statements

ROOT = Path(__file__).resolve().parents[1] / "generated" / "hub_spoke"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _template(name: str) -> dict[str, Any]:
    return dict(yaml.load((ROOT / "infrastructure" / name).read_text(), Loader=_LOADER))


def _role_arn(template: dict[str, Any], logical_id: str, account: str) -> str:
    return f"arn:aws:iam::{account}:role/{template['Resources'][logical_id]['Properties']['RoleName']}"


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def _all_policies(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for logical_id, resource in template["Resources"].items():
        props = resource["Properties"]
        for key in ("AssumeRolePolicyDocument", "KeyPolicy", "PolicyDocument", "ModelPackageGroupPolicy"):
            if key in props:
                out += [(logical_id, s) for s in _statements(props[key])]
        for policy in props.get("Policies", []):
            out += [(logical_id, s) for s in _statements(policy["PolicyDocument"])]
        if "Statement" in props:
            out.append((logical_id, props["Statement"]))
    return out


HUB, SPOKE = "444444444444", "111111111111"
OU = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"  # the example's spoke OU


def _literal(value: object) -> str | None:
    return value if isinstance(value, str) else None


def test_no_wildcard_action_and_every_allow_names_its_principal() -> None:
    for name in ("hub-registry.yml", "hub-spoke.yml"):
        for logical_id, statement in _all_policies(_template(name)):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement["Effect"] == "Allow":
                assert not any(a == "*" or a.endswith(":*") for a in actions), (name, logical_id, actions)
                principal = statement.get("Principal")
                assert principal != "*", (name, logical_id)
                if principal == {"AWS": "*"}:  # only the spoke OU's accounts, named by their org path
                    condition = statement["Condition"]["ForAnyValue:StringLike"]
                    assert condition == {"aws:PrincipalOrgPaths": [f"{OU}*"]}, (name, logical_id)


def test_trusts_name_the_roles_of_the_other_side() -> None:
    hub, spoke = _template("hub-registry.yml"), _template("hub-spoke.yml")
    project = _template("project.yml")
    replication = _role_arn(hub, "ReplicationRole", HUB)
    read_trust = _statements(spoke["Resources"]["HubReadRole"]["Properties"]["AssumeRolePolicyDocument"])
    assert [s["Principal"] for s in read_trust] == [{"AWS": replication}]
    # The Lambda derives the read role from the event's group: <group><suffix> in the event's account.
    read_role = spoke["Resources"]["HubReadRole"]["Properties"]["RoleName"]
    rule = spoke["Resources"]["ForwardRule"]["Properties"]
    (group,) = rule["EventPattern"]["detail"]["ModelPackageGroupName"]
    assert read_role == f"{group}{promote.READ_ROLE_SUFFIX}"
    assert any(
        f"arn:aws:iam::{SPOKE}:role/{read_role}" in s["Resource"]
        for s in _statements(hub["Resources"]["ReplicationRole"]["Properties"]["Policies"][0]["PolicyDocument"])
        if s["Action"] == ["sts:AssumeRole"]
    )
    bus_policy = hub["Resources"]["HubBusPolicy"]["Properties"]["Statement"]
    assert bus_policy["Principal"] == {"AWS": [_role_arn(spoke, "ForwardRole", SPOKE)]}
    (target,) = rule["Targets"]
    bus_name = hub["Resources"]["HubBus"]["Properties"]["Name"]
    assert target["Arn"] == f"arn:aws:events:eu-west-1:{HUB}:event-bus/{bus_name}"
    promotion = _role_arn(hub, "PromotionRole", HUB)
    deploy_build = project["Resources"]["DeployBuildRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert [s["Resource"] for s in _statements(deploy_build) if s["Action"] == ["sts:AssumeRole"]] == [[promotion]]
    promotion_trust = _statements(hub["Resources"]["PromotionRole"]["Properties"]["AssumeRolePolicyDocument"])
    assert [s["Principal"] for s in promotion_trust] == [{"AWS": [f"arn:aws:iam::{SPOKE}:root"]}, {"AWS": "*"}]
    assert promotion_trust[1]["Condition"] == {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{OU}*"]}}


def test_spoke_ous_are_admitted_by_org_path_for_the_roles_of_their_spoke_stacks() -> None:
    """The spoke stack deployed in an OU account creates the same role names the hub admits by OU path."""
    hub, spoke = _template("hub-registry.yml"), _template("hub-spoke.yml")
    bus = hub["Resources"]["HubBusOrgPolicy"]["Properties"]["Statement"]
    forward_role = spoke["Resources"]["ForwardRole"]["Properties"]["RoleName"]
    assert bus["Principal"] == {"AWS": "*"} and bus["Action"] == "events:PutEvents"
    assert bus["Condition"] == {
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{OU}*"]},
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{forward_role}"},
    }
    replication = hub["Resources"]["ReplicationRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    reads = {s["Sid"]: s for s in _statements(replication)}["ReadSpokesInOrganizationalUnits"]
    read_role = spoke["Resources"]["HubReadRole"]["Properties"]["RoleName"]
    assert reads["Resource"] == [f"arn:aws:iam::*:role/{read_role}"]
    assert reads["Condition"] == {"ForAnyValue:StringLike": {"aws:ResourceOrgPaths": [f"{OU}*"]}}
    # The rule cannot list an OU's accounts: the bus policy admits the senders, the Lambda knows the OUs.
    rule = hub["Resources"]["ReplicationRule"]["Properties"]["EventPattern"]
    assert "account" not in rule
    function = hub["Resources"]["ReplicationFunction"]["Properties"]["Environment"]["Variables"]
    assert function["SPOKE_ORG_PATHS"] == OU and function["SPOKE_ACCOUNTS"] == SPOKE


def _target_model_roles() -> list[str]:
    """The model roles of the stack set target accounts, from target-account.yml and the stage targets."""
    role = _template("target-account.yml")["Resources"]["ModelExecutionRole"]["Properties"]["RoleName"]
    accounts = sorted(
        {a for p in (ROOT / "model-deploy").glob("*-targets.json") for a in json.loads(p.read_text())["accounts"]}
    )
    return [f"arn:aws:iam::{a}:role/{role}" for a in accounts]


def test_the_key_and_bucket_grant_exactly_the_hub_writers_and_the_model_roles() -> None:
    hub = _template("hub-registry.yml")
    key = {s["Sid"]: s for s in _statements(hub["Resources"]["HubKey"]["Properties"]["KeyPolicy"])}
    assert key["HubWriters"]["Principal"] == {
        "AWS": [{"Fn::GetAtt": ["PromotionRole", "Arn"]}, {"Fn::GetAtt": ["ReplicationRole", "Arn"]}]
    }
    # The staging stage runs as the project's model role here; prod as the target account's model role.
    model_roles = [f"arn:aws:iam::{SPOKE}:role/service-role/AmazonSageMakerProjectsExecutionRole"]
    model_roles += _target_model_roles()
    assert len(model_roles) == 2
    assert key["ModelReaders"]["Principal"] == {"AWS": model_roles}
    assert key["ModelReaders"]["Action"] == ["kms:Decrypt"]
    bucket = {s["Sid"]: s for s in _statements(hub["Resources"]["ModelStorePolicy"]["Properties"]["PolicyDocument"])}
    assert bucket["ModelReaders"]["Principal"] == {"AWS": model_roles}
    assert bucket["ModelReaders"]["Action"] == "s3:GetObject"


def test_target_accounts_deploy_the_hub_package_and_read_its_artifact_with_the_hub_key() -> None:
    """Both sides of the cross-account deploy: the target roles ask for what the hub's policies grant."""
    hub, target = _template("hub-registry.yml"), _template("target-account.yml")
    group = hub["Resources"]["HubModelPackageGroup"]["Properties"]
    grants = {s["Sid"]: s for s in group["ModelPackageGroupPolicy"]["Statement"]}
    deploys = grants["TargetAccountsDeployVersions"]
    accounts = [arn.split(":")[4] for arn in _target_model_roles()]
    assert deploys["Principal"] == {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}
    assert set(deploys["Action"]) == {"sagemaker:CreateModel", "sagemaker:DescribeModelPackage"}
    packages = f"arn:aws:sagemaker:eu-west-1:{HUB}:model-package/{group['ModelPackageGroupName'].lower()}/*"
    assert deploys["Resource"] == packages
    roles = target["Resources"]
    execution = {
        s["Sid"]: s for s in roles["StackSetExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    }
    assert execution["UseModelPackage"]["Resource"] == [packages]
    model = {
        s["Sid"]: s for s in roles["ModelExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    }
    bucket = {s["Sid"]: s for s in _statements(hub["Resources"]["ModelStorePolicy"]["Properties"]["PolicyDocument"])}
    assert model["ReadModelArtifacts"]["Resource"] == [bucket["ModelReaders"]["Resource"]]
    assert "sagemaker-project-" not in json.dumps(model["ReadModelArtifacts"])  # not the project bucket
    key = model["UseHubKey"]
    assert key["Action"] == ["kms:Decrypt"] and key["Resource"] == [f"arn:aws:kms:eu-west-1:{HUB}:key/*"]
    alias = hub["Resources"]["HubKeyAlias"]["Properties"]["AliasName"]
    assert key["Condition"]["ForAnyValue:StringEquals"] == {"kms:ResourceAliases": [alias]}
    assert key["Condition"]["StringEquals"] == {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    # A promoted version's artifact (promote.py's key layout) is readable, another bucket's is not.
    policy = statements(roles["ModelExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"], _literal)
    bucket_name = hub["Resources"]["ModelStore"]["Properties"]["BucketName"]
    artifact = f"arn:aws:s3:::{bucket_name}/models/{SPOKE}/abalone-spoke-p-hub123spoke/1/model.tar.gz"
    assert allowed(policy, "s3:GetObject", artifact)
    assert not allowed(policy, "s3:GetObject", f"arn:aws:s3:::sagemaker-project-p-hub123spoke/{SPOKE}/model.tar.gz")
    # The deploy build shares no group (deploy_config runs without --share-with-target-accounts).
    deploy_build = _template("project.yml")["Resources"]["DeployBuildRole"]["Properties"]["Policies"][0]
    assert "sagemaker:PutModelPackageGroupPolicy" not in json.dumps(deploy_build)
    # The project bucket grants the target accounts no model read: they deploy the hub's copy.
    project = json.dumps(_template("project.yml"))
    assert "TargetModelRead" not in project


def test_the_rule_retries_into_a_dead_letter_queue_and_runs_the_tested_script() -> None:
    hub = _template("hub-registry.yml")
    (target,) = hub["Resources"]["ReplicationRule"]["Properties"]["Targets"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
    code = hub["Resources"]["ReplicationFunction"]["Properties"]["Code"]["ZipFile"]
    assert code == Path(promote.__file__).read_text()
