"""IAM scoped to the project: every wildcard resource a generated role is allowed has a reason to exist.

Walks every Allow statement of every role and policy in every generated template. A resource is
project-scoped when it is a concrete ARN, or when the text before its first wildcard names the
project (its id, one of its endpoints, or a resource of the template itself). Any other wildcard
(``*``, ``model/*``, ``arn:aws:ecr:*:*:repository/*``) must either be narrowed by a condition on one
of ``SCOPING_KEYS`` with this project's values, or be on an action in ``NO_RESOURCE_LEVEL``: actions
for which the Service Authorization Reference lists no resource type, so IAM only accepts ``*``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "generated").iterdir() if p.is_dir())
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAR = "Service Authorization Reference, {}: the action lists no resource type, so only '*' is accepted"
NO_RESOURCE_LEVEL = {
    **{
        f"application-autoscaling:{verb}": _SAR.format("Application Auto Scaling")
        for verb in (
            "DeleteScalingPolicy",
            "DeregisterScalableTarget",
            "DescribeScalableTargets",
            "DescribeScalingPolicies",
            "DescribeScheduledActions",
            "ListTagsForResource",
            "PutScalingPolicy",
            "RegisterScalableTarget",
        )
    },
    "cloudwatch:GetMetricData": _SAR.format("Amazon CloudWatch"),
    "cloudwatch:PutMetricData": _SAR.format("Amazon CloudWatch") + " (narrowed by cloudwatch:namespace)",
    "ecr:GetAuthorizationToken": _SAR.format("Amazon ECR"),
    **{
        f"ec2:{verb}": _SAR.format("Amazon EC2") + " (SageMaker's documented VPC permissions)"
        for verb in (
            "DescribeDhcpOptions",
            "DescribeNetworkInterfaces",
            "DescribeSecurityGroups",
            "DescribeSubnets",
            "DescribeVpcs",
        )
    },
    "sagemaker:ListModelPackages": _SAR.format("Amazon SageMaker"),
    "organizations:ListAccountsForParent": _SAR.format("AWS Organizations") + " for an OU given by id at deploy time",
    "organizations:ListOrganizationalUnitsForParent": _SAR.format("AWS Organizations")
    + " for an OU given by id at deploy time",
}

# Condition keys that narrow a wildcard resource to the project's own resources, when their values do.
SCOPING_KEYS = {"aws:requesttag/sagemaker:project-id", "aws:resourcetag/sagemaker:project-id", "ec2:subnet"}


@cache
def _templates(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in (".yml", ".yaml", ".json") and path.is_file():
            data = yaml.load(path.read_text(), Loader=_LOADER)
            if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
                out[path.relative_to(root).as_posix()] = data
    return out


def _project(root: Path) -> tuple[str, set[str]]:
    """The project id and endpoint names, read from the stage configurations."""
    ids, endpoints = set(), set()
    for path in root.glob("model-deploy/*-config.json"):
        config = json.loads(path.read_text())
        ids.add(config["Tags"]["sagemaker:project-id"])
        parameters = config["Parameters"]
        endpoints.add(f"{parameters['SageMakerProjectName']}-{parameters['StageName']}")
    (project_id,) = ids
    return project_id, endpoints


def _statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents.append(props["PolicyDocument"])
        for document in documents:
            found = document["Statement"]
            for statement in found if isinstance(found, list) else [found]:
                if statement["Effect"] == "Allow":
                    yield logical_id, statement


def _texts(value: Any) -> list[str]:
    """The literal texts of a resource value (``Fn::Sub`` strings, or each piece of a list value)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict) and len(value) == 1:
        ((kind, arg),) = value.items()
        if kind == "Fn::Sub":
            return _texts(arg[0] if isinstance(arg, list) else arg)
        if kind in ("Fn::Split", "Fn::Join"):
            return _texts(arg[1])
        if kind == "Ref":
            return ["${" + arg + "}"]
    return [json.dumps(value)]


def _scoped(text: str, project_id: str, endpoints: set[str], resources: set[str]) -> bool:
    """Whether a resource text names the project before its first wildcard."""
    if "*" not in text:
        return True
    fields = re.sub(r"\$\{AWS::(\w+)\}", r"\1", text).split(":", 5)  # pseudo parameters hold "::"
    if text.startswith("arn:") and len(fields) == 6:
        text = fields[5]  # partition, service, region and account may be wildcards: the name scopes
        if "*" not in text:
            return True
        if fields[2] == "cloudformation" and fields[4] == "" and re.fullmatch(r"type/resource/AWS-\w+-\*", text):
            return True  # AWS's public resource types of one service (no account): not another project's
    prefix = text.split("*", 1)[0]
    references = {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", prefix)}
    return project_id in prefix or any(e in prefix for e in endpoints) or bool(references & resources)


def _names_subnets(texts: list[str]) -> bool:
    """Subnet ARNs by id: literal ARNs, or ARNs built from the template's list of subnet ids."""
    pieces = [t for t in texts if not re.fullmatch(r"\$\{\w+\}", t)]
    return bool(texts) and all(re.search(r"subnet/(subnet-[0-9a-f]+)?$", t) for t in pieces)


def _condition_scopes(statement: dict[str, Any], project_id: str, aliases: set[str]) -> bool:
    for block in statement.get("Condition", {}).values():
        for key, values in block.items():
            texts = _texts(values)
            if key.lower() == "kms:resourcealiases" and texts and set(texts) <= aliases:
                return True  # keys narrowed to the alias the hub template creates (deploying from the hub)
            if key.lower() not in SCOPING_KEYS:
                continue
            if key.lower() == "ec2:subnet" and _names_subnets(texts):
                return True
            if texts == [project_id]:
                return True
    return False


def _hub_names(root: Path) -> set[str]:
    """The hub registry's group and bucket as ARN prefixes: the blueprint names them (registry.hub)."""
    hub = _templates(root).get("infrastructure/hub-registry.yml")
    if hub is None:
        return set()
    found = {r["Type"]: r["Properties"] for r in hub["Resources"].values()}
    group = found["AWS::SageMaker::ModelPackageGroup"]["ModelPackageGroupName"]
    return {f"model-package/{group.lower()}/", f"{found['AWS::S3::Bucket']['BucketName']}/"}


def _hub_aliases(root: Path) -> set[str]:
    """The hub key's alias, which a kms:ResourceAliases condition may name to scope ``key/*``."""
    hub = _templates(root).get("infrastructure/hub-registry.yml")
    if hub is None:
        return set()
    return {r["Properties"]["AliasName"] for r in hub["Resources"].values() if r["Type"] == "AWS::KMS::Alias"}


REASONED = {
    (
        "MonitoringJobLogs",
        "/aws/sagemaker/ProcessingJobs:*",
    ): "Model Monitor names the processing job of each monitoring execution itself "
    "(model-monitoring-<yyyymmddhhmm>-<hash>): its log streams carry no project name, and the log group is "
    "SageMaker's own for every processing job (the target account's model role runs the monitors, MonitoringJobLogs)",
}
"""(statement Sid, end of the wildcard resource) that cannot be scoped, each with why."""


def wildcards(root: Path) -> list[str]:
    """Every wildcard resource of every Allow statement neither scoped nor in NO_RESOURCE_LEVEL."""
    project_id, endpoints = _project(root)
    endpoints = endpoints | _hub_names(root)
    out = []
    for path, template in _templates(root).items():
        resources = set(template["Resources"])
        for logical_id, statement in _statements(template):
            values = statement.get("Resource", [])
            loose = [
                t
                for t in _texts(values if isinstance(values, list) else [values])
                if not _scoped(t, project_id, endpoints, resources)
                and not any(statement.get("Sid") == sid and t.endswith(end) for sid, end in REASONED)
            ]
            if not loose or _condition_scopes(statement, project_id, _hub_aliases(root)):
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for action in actions:
                if action not in NO_RESOURCE_LEVEL:
                    out.append(f"{path} {logical_id} {statement.get('Sid')} {action}: {', '.join(loose)}")
    return out


@pytest.mark.parametrize("root", EXAMPLES, ids=lambda p: p.name)
def test_every_wildcard_resource_has_a_reason(root: Path) -> None:
    found = wildcards(root)
    assert not found, f"{len(found)} unscoped wildcard resource(s):\n" + "\n".join(found)


def test_no_resource_level_table_names_granted_actions() -> None:
    """A stale entry would silently exempt a wildcard on an action that gained resource types."""
    granted = {
        action
        for root in EXAMPLES
        for template in _templates(root).values()
        for _, statement in _statements(template)
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert set(NO_RESOURCE_LEVEL) <= granted, sorted(set(NO_RESOURCE_LEVEL) - granted)


def test_tag_scoped_resources_carry_the_project_tag() -> None:
    """A tag condition only works if the deployed models and configs carry the tag it compares."""
    for root in EXAMPLES:
        project_id, _ = _project(root)
        for path, template in _templates(root).items():
            for logical_id, resource in template["Resources"].items():
                if resource["Type"] in ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig"):
                    tags = {t["Key"]: t["Value"] for t in resource["Properties"].get("Tags", [])}
                    assert tags.get("sagemaker:project-id") == project_id, f"{root.name}/{path} {logical_id}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", False),
        ("arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model/*", False),
        ("arn:aws:ecr:*:*:repository/*", False),
        ("arn:aws:ecr:eu-west-1:1:repository/sagemaker-xgboost", True),
        ("arn:aws:sagemaker:r:1:model-package/abalone-p-1/*", True),
        ("arn:aws:iam::*:role/abalone-p-1-stackset-exec", True),
        ("${ArtifactBucket.Arn}/*", True),
        ("arn:aws:logs:r:1:log-group:/aws/sagemaker/Endpoints/*", False),
        ("arn:aws:logs:r:1:log-group:/aws/sagemaker/Endpoints/abalone-staging:*", True),
    ],
)
def test_scoped(text: str, expected: bool) -> None:
    assert _scoped(text, "p-1", {"abalone-staging"}, {"ArtifactBucket"}) is expected
