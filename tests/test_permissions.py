"""Permission sufficiency, from AWS's own data: the roles we generate can do what we ask of them.

Validators prove the output parses; these tests prove the roles hold the permissions AWS needs:

- every template a pipeline deploys: each permission the resource provider schemas (shipped by
  cfn-lint) list for the create, update and delete handlers of each resource, plus what AWS documents
  outside them (``tests/support/cfn_permissions.py``), is allowed to the role that deploys it, on the
  resource's ARN where the template and the stage's parameters give it;
- every runtime script: each AWS API call it makes (``ast`` + botocore's service models,
  ``tests/support/boto_calls.py``) is allowed to the role that runs it.

Who deploys and runs what is read from the generated tree (``tests/support/deployments.py``).
Conditions are not evaluated here (the guardrail tests do that); ARNs are checked where derivable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.support.boto_calls import NO_PERMISSION, calls
from tests.support.cfn_permissions import needs
from tests.support.deployments import JENKINS, Principal, Run, Tree
from tests.support.iam_policy import action_matches, allowed, statements

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "generated").iterdir() if p.is_dir())


@cache
def _tree(root: Path) -> Tree:
    return Tree(root)


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.name)
def tree(request: pytest.FixtureRequest) -> Tree:
    return _tree(request.param)


def test_deploying_roles_hold_what_the_resource_providers_need(tree: Tree) -> None:
    assert tree.deployments, f"{tree.root.name}: no pipeline deploys a template (derivation broke?)"
    missing = set()
    for deployment in tree.deployments:
        role = tree.principals[deployment.principal]
        template = tree.templates[deployment.template]
        for need in needs(template, deployment.parameters, tree.region):
            if not allowed(role.policy, need.action, need.resource):
                on = f" on {need.resource}" if need.resource else ""
                missing.add(
                    f"{role.name} lacks {need.action}{on}: {deployment.template} resource {need.logical_id} "
                    f"(stage {deployment.stage}; {need.source})"
                )
    assert not missing, f"{len(missing)} missing permission(s):\n" + "\n".join(sorted(missing))


# Granted to deploying roles though no create/update/delete handler lists them; each with its reason.
KEPT = {
    "sagemaker:DescribeModel": "the Model read handler (drift detection, resource import)",
    "sagemaker:DescribeEndpointConfig": "the EndpointConfig read handler (drift detection, resource import)",
    "sagemaker:DescribeModelPackage": "CreateModel reads the model package it deploys",
    **{
        f"cloudformation:{verb}": "a stack set execution role manages its stack instances (stack set prerequisites)"
        for verb in (
            "CreateStack",
            "DeleteStack",
            "DescribeStackEvents",
            "DescribeStacks",
            "GetTemplate",
            "GetTemplateSummary",
            "UpdateStack",
        )
    },
}


def test_deploying_roles_are_granted_nothing_no_check_needs(tree: Tree) -> None:
    """Least privilege: an action a deploying role may call is needed by its templates, or in KEPT."""
    needed: dict[str, set[str]] = {}
    for deployment in tree.deployments:
        template = tree.templates[deployment.template]
        needed.setdefault(deployment.principal, set()).update(
            n.action.lower() for n in needs(template, deployment.parameters, tree.region)
        )
    unneeded = {
        f"{role} is granted {action}, which no template it deploys needs"
        for role, actions in needed.items()
        for statement in tree.principals[role].policy
        if statement.effect == "Allow"
        for action in statement.actions
        if action not in KEPT and not any(action_matches(action, needed_action) for needed_action in actions)
    }
    assert not unneeded, "\n".join(sorted(unneeded))


def _flag(name: str) -> Callable[[Run, Tree], bool]:
    return lambda run, tree: name in run.command


def _targets_ous(run: Run, tree: Tree) -> bool:
    files = [run.command[i + 1] for i, word in enumerate(run.command[:-1]) if word == "--stage-targets"]
    return any(json.loads(tree.text(tree.find(f))).get("organizational_units") for f in files)


# Calls a script makes only when its command line asks for them (read from the scripts' own code):
# a single-account project is not granted what only multi-account deployments do.
ONLY_WHEN: dict[tuple[str, str], Callable[[Run, Tree], bool]] = {
    ("deploy_config.py", "sagemaker:DescribeModelPackageGroup"): _flag("--share-with-target-accounts"),
    ("deploy_config.py", "sagemaker:PutModelPackageGroupPolicy"): _flag("--share-with-target-accounts"),
    ("deploy_config.py", "organizations:ListAccountsForParent"): _targets_ous,
    ("deploy_config.py", "organizations:ListOrganizationalUnitsForParent"): _targets_ous,
    ("test_endpoint.py", "cloudformation:ListStackInstances"): _flag("--stack-set-name"),
    ("test_endpoint.py", "sts:AssumeRole"): _flag("--role-name"),
    ("test_endpoint.py", "sagemaker:InvokeEndpointAsync"): _flag("--async-result-seconds"),
    ("test_endpoint.py", "s3:PutObject"): _flag("--async-result-seconds"),
    ("test_endpoint.py", "s3:GetObject"): _flag("--async-result-seconds"),
}


# promote.py (registry push in CI, the hub's replication Lambda inlined) works with two sets of
# credentials: the runner's own and the role it assumes (tests/test_hub_registry.py runs both on
# moto). Per way of running: (actions of the runner, actions of the assumed role, that role).
_GROUP_READS = {"sagemaker:ListModelPackages", "sagemaker:DescribeModelPackage"}
PROMOTE_SIDES = {
    "push": (
        {"sts:AssumeRole", "s3:GetObject", *_GROUP_READS},
        {"s3:PutObject", "sagemaker:CreateModelPackage", *_GROUP_READS},
        "infrastructure/hub-registry.yml#PromotionRole",
    ),
    "pull": (
        {
            "sts:AssumeRole",
            "s3:PutObject",
            "sagemaker:CreateModelPackage",
            "sagemaker:UpdateModelPackage",
            *_GROUP_READS,
        },
        {"s3:GetObject", "sagemaker:DescribeModelPackage"},
        "infrastructure/hub-spoke.yml#HubReadRole",
    ),
}


def _promote_side(run: Run) -> str | None:
    if run.script.endswith("promote.py"):
        return "push"
    return "pull" if "def handler(" in run.source and "HUB_KMS_KEY" in run.source else None


def test_script_roles_allow_every_api_call(tree: Tree) -> None:
    assert tree.runs, f"{tree.root.name}: no CodeBuild project, Lambda or Jenkinsfile runs a script"
    missing = set()
    for run in tree.runs:
        principal = _principal(tree, run.principal)
        side = _promote_side(run)
        for call in calls(run.source):
            gate = ONLY_WHEN.get((run.script.rsplit("/", 1)[-1], call.action))
            if call.action in NO_PERMISSION or (gate and not gate(run, tree)):
                continue
            if side and call.action not in PROMOTE_SIDES[side][0]:
                continue  # made through the assumed role: test_promotion_roles_allow_their_calls
            if not allowed(principal.policy, call.action):
                missing.add(f"{principal.name} lacks {call.action}: {run.script} line {call.line}")
    assert not missing, f"{len(missing)} missing permission(s):\n" + "\n".join(sorted(missing))


def test_promotion_roles_allow_their_calls(tree: Tree) -> None:
    """The role promote.py assumes holds the calls made through it; the two sides cover every call."""
    missing = set()
    for run in tree.runs:
        side = _promote_side(run)
        if side is None:
            continue
        runner, assumed, role = PROMOTE_SIDES[side]
        made = {c.action for c in calls(run.source)} - NO_PERMISSION
        everything = set().union(*(r | a for r, a, _ in PROMOTE_SIDES.values()))
        assert made <= everything, f"{run.script}: calls on no side: {sorted(made - everything)}"
        assert assumed <= made and runner <= made, f"{run.script}: a side lists a call the script never makes"
        principal = tree.principals[role]
        missing |= {f"{role} lacks {action} ({side})" for action in assumed if not allowed(principal.policy, action)}
    assert not missing, "\n".join(sorted(missing))


def test_only_when_names_calls_the_scripts_make() -> None:
    """A stale entry would silently exempt a call that a renamed script makes."""
    made = {
        (run.script.rsplit("/", 1)[-1], call.action)
        for example in EXAMPLES
        for run in _tree(example).runs
        for call in calls(run.source)
    }
    assert set(ONLY_WHEN) <= made


def test_every_codebuild_script_and_deploy_template_is_traced() -> None:
    """The derivation must see what the trees hold, or the checks above would pass vacuously."""
    for example in EXAMPLES:
        tree = _tree(example)
        scripts = {f for f in tree.files if f.endswith(".py") and "/scripts/" in f}
        run = {r.script for r in tree.runs}
        # A module beside the scripts that no CI step runs must be imported by one that runs (and is then
        # traced with it): run_pipeline.py imports sourcedir.py, the source-directory packer.
        imported = {
            f
            for f in scripts - run
            if any(re.search(rf"^\s*import {Path(f).stem}\b", tree.text(r), re.M) for r in run if r in scripts)
        }
        assert scripts - imported <= run, example.name
        deployed = {d.template for d in tree.deployments}
        assert {f for f in tree.templates if f.startswith("model-deploy/")} <= deployed, example.name


def _principal(tree: Tree, name: str) -> Principal:
    if name == JENKINS:
        credential = tree.jenkins_credential
        assert credential is not None, f"{tree.root.name}: Jenkins runs scripts but no policy is documented"
        return credential
    return tree.principals[name]


# The evaluator itself: each rule the checks above rely on, on a policy small enough to read.
POLICY = statements(
    {
        "Statement": [
            {"Effect": "Allow", "Action": ["sagemaker:Describe*", "s3:getobject"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "sagemaker:UpdateEndpoint",
                "Resource": ["arn:aws:sagemaker:*:1:endpoint/a-?"],
            },
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:logs:*"},
            {"Effect": "Deny", "Action": "sagemaker:DescribeModel", "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Ref": "Key"}},
            {
                "Effect": "Allow",
                "Action": ["iam:CreateUser", "iam:DeleteUser"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/sagemaker:project-id": "p-1"}},
            },
            {
                "Effect": "Allow",
                "Action": ["kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    },
    lambda value: value if isinstance(value, str) else None,
)


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("sagemaker:DescribeEndpoint", None, True),  # action wildcard
        ("SageMaker:describeendpoint", "arn:x", True),  # actions are case-insensitive
        ("s3:GetObject", None, True),
        ("sagemaker:UpdateEndpoint", "arn:aws:sagemaker:eu-west-1:1:endpoint/a-b", True),  # `*` and `?`
        ("sagemaker:UpdateEndpoint", "arn:aws:sagemaker:eu-west-1:1:endpoint/a-bc", False),
        ("sagemaker:UpdateEndpoint", None, True),  # action-level: some resource is allowed
        ("logs:PutLogEvents", "arn:aws:logs:eu-west-1:1:log-group:x", True),  # NotAction
        ("iam:PassRole", "arn:aws:logs:eu-west-1:1:log-group:x", False),
        ("sagemaker:DescribeModel", None, False),  # an explicit deny wins
        ("kms:Decrypt", None, True),  # an unresolved resource still grants the action...
        ("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k", False),  # ...but matches no concrete ARN
        ("iam:CreateRole", None, False),  # nothing allows it
        ("iam:CreateUser", None, True),  # a create request carries its tags...
        ("iam:DeleteUser", None, False),  # ...a delete request has no request tags
        (
            "kms:CreateGrant",
            "arn:aws:kms:eu-west-1:1:key/k",
            True,
        ),  # a grant request carries kms:GrantIsForAWSResource...
        (
            "kms:DescribeKey",
            "arn:aws:kms:eu-west-1:1:key/k",
            False,
        ),  # ...a DescribeKey request does not, so the condition fails
    ],
)
def test_the_evaluator(action: str, resource: str | None, expected: bool) -> None:
    assert allowed(POLICY, action, resource) is expected


def test_api_calls_are_read_from_every_call_form() -> None:
    source = """
import boto3
sm, cfn = boto3.client("sagemaker"), boto3.session.Session().client("cloudformation")
sm.describe_endpoint(EndpointName="x")
pages(sm.list_model_packages, "ModelPackageSummaryList")
getattr(cfn, "update_stack_set")(StackSetName="s")
cfn.get_waiter("stack_create_complete").wait(StackName="s")
sm.get_paginator("list_endpoints")
[].append(1)
"""
    assert {c.action for c in calls(source)} == {
        "sagemaker:DescribeEndpoint",
        "sagemaker:ListModelPackages",
        "cloudformation:UpdateStackSet",
        "cloudformation:DescribeStacks",  # the waiter's operation
        "sagemaker:ListEndpoints",
    }


def test_schema_permissions_depend_only_on_the_properties_used() -> None:
    """A scalable target of a SageMaker variant needs no Lambda permissions, but the documented extras."""
    template = {
        "Resources": {
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/e/variant/AllTraffic"},
            }
        }
    }
    found = {(n.action, n.resource) for n in needs(template, {}, "eu-west-1")}
    assert ("application-autoscaling:RegisterScalableTarget", None) in found
    assert (
        "sagemaker:UpdateEndpointWeightsAndCapacities",
        "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/e",
    ) in found
    assert not {a for a, _ in found if a.startswith("lambda:") or a == "iam:PassRole"}
