"""IAM resources → findings for broad permissions, checked in Python rather than Guard.

Why not Guard: policy documents sit in six resource types (role, user and group inline policies,
``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``, ``AWS::IAM::*Policy``), may be JSON strings,
and a finding must name the policy and the action at its line; IAM action names are
case-insensitive (``S3:*`` is ``s3:*``); an action hidden in either branch of ``Fn::If`` must be
caught; and AWS-managed policy ARNs are often built with ``!Sub`` or ``!Join``. Guard's report
gives none of the positions, and its regexes over every shape grow unreadable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mlopsgen.audit.conditions import branches
from mlopsgen.audit.report import label

PathKey = tuple[str | int, ...]
Violation = tuple[str, PathKey, str]
"""(rule, path inside the resource, message)."""

RULES = {
    "iam_no_wildcard_actions": (
        'IAM policies never allow every action ("*", "service:*" in any case, or Allow with NotAction).'
    ),
    "iam_trust_not_open": (
        'role trust policies name who may assume the role (never the "*" principal; AWS "*" only narrowed to '
        "an organization or OU path by aws:PrincipalOrgID / aws:PrincipalOrgPaths)."
    ),
    "iam_no_broad_managed_policies": (
        "roles, users and groups attach no broad AWS-managed policy (AdministratorAccess, AmazonS3FullAccess, ...)."
    ),
}

BROAD_MANAGED_POLICIES = frozenset(
    {
        # Full control of the account or of IAM (privilege escalation).
        "AdministratorAccess",
        "PowerUserAccess",
        "IAMFullAccess",
        # Every bucket, key, secret, model or pipeline of the account, not the project's own.
        "AmazonS3FullAccess",
        "AmazonSageMakerFullAccess",
        "AWSKeyManagementServicePowerUser",
        "SecretsManagerReadWrite",
        "AmazonEC2FullAccess",
        "AmazonEC2ContainerRegistryFullAccess",
        "AWSLambda_FullAccess",
        "AWSLambdaFullAccess",
        "AWSCloudFormationFullAccess",
        "AWSCodePipeline_FullAccess",
        "AWSCodeBuildAdminAccess",
        "AmazonSSMFullAccess",
    }
)
"""AWS-managed policies that grant account-wide write access; scope a customer policy instead."""

_WILDCARD = re.compile(r"^(?:\*|[a-z0-9-]+:\*+)$")
_AWS_MANAGED = re.compile(r":iam::aws:policy/(?:[^/]*/)*([^/]+)$")
_INLINE_OWNERS = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_STANDALONE = {
    "AWS::IAM::Policy": "policy",
    "AWS::IAM::ManagedPolicy": "managed policy",
    "AWS::IAM::RolePolicy": "role policy",
    "AWS::IAM::UserPolicy": "user policy",
    "AWS::IAM::GroupPolicy": "group policy",
}


def check_iam(name: str, resource: dict[str, Any]) -> list[Violation]:
    """The IAM violations of one resource (none for other types)."""
    kind = resource.get("Type")
    properties = resource.get("Properties")
    if not isinstance(properties, dict) or not isinstance(kind, str):
        return []
    who = f"{_INLINE_OWNERS.get(kind) or _STANDALONE.get(kind, 'resource')} {label(name)}"
    found: list[Violation] = []
    if kind in _STANDALONE:
        found += _document(properties.get("PolicyDocument"), ("Properties", "PolicyDocument"), who, "")
    if kind in _INLINE_OWNERS:
        for policy, path in _items(properties.get("Policies"), ("Properties", "Policies")):
            if isinstance(policy, dict):
                policy_name = policy.get("PolicyName")
                named = label(policy_name) if isinstance(policy_name, str) else f"#{path[-1]}"
                found += _document(policy.get("PolicyDocument"), (*path, "PolicyDocument"), who, f" in policy {named}")
        for arn, path in _items(properties.get("ManagedPolicyArns"), ("Properties", "ManagedPolicyArns")):
            broad = _broad_managed(arn)
            if broad:
                found.append(("iam_no_broad_managed_policies", path, f"{who} attaches the AWS-managed policy {broad}"))
    if kind == "AWS::IAM::Role":
        found += _trust(properties.get("AssumeRolePolicyDocument"), who)
    return found


def _items(value: Any, path: PathKey) -> Iterator[tuple[Any, PathKey]]:
    """Concrete items of a list property, through ``Fn::If`` on the list or on its items."""
    for concrete, where in branches(value, path):
        if isinstance(concrete, list):
            for index, item in enumerate(concrete):
                yield from branches(item, (*where, index))


def _statements(document: Any, path: PathKey) -> Iterator[tuple[dict[str, Any], PathKey]]:
    for concrete, where in branches(document, path):
        if isinstance(concrete, str):  # a policy document may be given as JSON text
            try:
                concrete = json.loads(concrete)
            except ValueError:
                continue
        if not isinstance(concrete, dict):
            continue
        for statements, at in branches(concrete.get("Statement"), (*where, "Statement")):
            items = enumerate(statements) if isinstance(statements, list) else [(None, statements)]
            for index, statement in items:
                for item, item_path in branches(statement, at if index is None else (*at, index)):
                    if isinstance(item, dict) and str(item.get("Effect", "")).lower() == "allow":
                        yield item, item_path


def _strings(value: Any, path: PathKey) -> Iterator[tuple[str, PathKey]]:
    for concrete, where in branches(value, path):
        if isinstance(concrete, str):
            yield concrete, where
        elif isinstance(concrete, list):
            for index, item in enumerate(concrete):
                yield from _strings(item, (*where, index))


def _document(document: Any, path: PathKey, who: str, in_policy: str) -> list[Violation]:
    found: list[Violation] = []
    for statement, where in _statements(document, path):
        for action, at in _strings(statement.get("Action"), (*where, "Action")):
            if _WILDCARD.match(action.strip().lower()):
                found.append(("iam_no_wildcard_actions", at, f"{who} allows action {_quoted(action)}{in_policy}"))
        if "NotAction" in statement:
            message = f"{who} allows every action except its NotAction list{in_policy}"
            found.append(("iam_no_wildcard_actions", (*where, "NotAction"), message))
    return found


def _quoted(text: str) -> str:
    shown = label(text)
    return f"'{shown}'" if shown == text else shown


def _trust(document: Any, who: str) -> list[Violation]:
    found: list[Violation] = []
    for statement, where in _statements(document, ("Properties", "AssumeRolePolicyDocument")):
        principal = statement.get("Principal")
        for value, at in _strings(principal, (*where, "Principal")):
            if value.strip() == "*":
                found.append(("iam_trust_not_open", at, f"{who} may be assumed by anyone (principal '*')"))
        if isinstance(principal, dict) and not _in_organization(statement):
            for value, at in _strings(principal.get("AWS"), (*where, "Principal", "AWS")):
                if value.strip() == "*":
                    found.append(("iam_trust_not_open", at, f"{who} may be assumed by any AWS account (AWS '*')"))
    return found


ORG_KEYS = frozenset({"aws:principalorgpaths", "aws:principalorgid"})


def _in_organization(statement: dict[str, Any]) -> bool:
    """Whether an Allow names its principals by organization (or OU path) in a condition.

    Accounts of an OU cannot be listed before they join it; ``{"AWS": "*"}`` narrowed by
    ``aws:PrincipalOrgPaths`` or ``aws:PrincipalOrgID`` (with a value) is IAM's documented way to trust them.
    """
    condition = statement.get("Condition")
    if statement.get("Effect") != "Allow" or not isinstance(condition, dict):
        return False
    return any(
        isinstance(block, dict) and any(key.lower() in ORG_KEYS and values for key, values in block.items())
        for block in condition.values()
    )


def _broad_managed(arn: Any) -> str | None:
    """The policy name when ``arn`` (text, ``!Sub`` or ``!Join``) is a broad AWS-managed policy."""
    text = _text(arn)
    match = _AWS_MANAGED.search(text) if text else None
    if match and match.group(1) in BROAD_MANAGED_POLICIES:
        return match.group(1)
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::Sub":
            return _text(argument[0] if isinstance(argument, list) and argument else argument)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            if isinstance(separator, str) and isinstance(parts, list):
                return separator.join(_text(part) or "${}" for part in parts)
    return None
