"""One resource → the Guard rules it fails (cfn-guard-rs in-process), each with a message about it.

Guard does existence and value checks well (a KMS key is set, four booleans are true), so the
resource-configuration rules stay in ``policies/secure.guard``. Guard cannot say which ``Fn::If``
branch applies, so each resource is checked once per form (see ``conditions``) and fails when
any form fails; the message names the resource and, if only some forms fail, the conditions.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from mlopsgen.audit.conditions import describe, forms
from mlopsgen.audit.report import label

POLICY = "secure.guard"
_RULE_DOC = re.compile(r"^# ([a-z0-9_]+): (.+)$", re.M)

PathKey = tuple[str | int, ...]

VIOLATIONS: dict[str, tuple[PathKey, str]] = {
    "s3_bucket_kms_encrypted": (
        ("Properties", "BucketEncryption"),
        "bucket {name} is not encrypted by default with a KMS key (SSEAlgorithm aws:kms or aws:kms:dsse"
        " and a KMSMasterKeyID)",
    ),
    "s3_bucket_public_access_blocked": (
        ("Properties", "PublicAccessBlockConfiguration"),
        "bucket {name} does not block all public access (PublicAccessBlockConfiguration: BlockPublicAcls,"
        " BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets all true)",
    ),
    "sagemaker_model_in_vpc": (
        ("Properties", "VpcConfig"),
        "model {name} does not run in a VPC (VpcConfig needs Subnets and SecurityGroupIds)",
    ),
    "sagemaker_endpoint_volume_kms": (
        ("Properties",),
        "endpoint config {name} has no KmsKeyId for its storage volumes",
    ),
    "sagemaker_data_capture_kms": (
        ("Properties", "DataCaptureConfig"),
        "endpoint config {name} captures payloads without a DataCaptureConfig KmsKeyId",
    ),
    "codebuild_in_vpc": (
        ("Properties", "VpcConfig"),
        "CodeBuild project {name} does not run in the VPC (VpcConfig needs Subnets and SecurityGroupIds)",
    ),
    "codebuild_kms_encrypted": (
        ("Properties",),
        "CodeBuild project {name} has no EncryptionKey for its artifacts",
    ),
    "codepipeline_artifacts_kms": (
        ("Properties", "ArtifactStore"),
        "pipeline {name} stores artifacts without a KMS EncryptionKey (EncryptionKey.Type KMS)",
    ),
    "secrets_kms_encrypted": (
        ("Properties",),
        "secret {name} has no KmsKeyId (it would use the AWS-managed key)",
    ),
    "sns_topic_kms_encrypted": (
        ("Properties",),
        "topic {name} has no customer-managed KmsMasterKeyId (none, or the AWS-managed alias/aws/sns)",
    ),
    "kms_key_rotation_enabled": (
        ("Properties",),
        "KMS key {name} does not rotate its key material (EnableKeyRotation: true)",
    ),
}
"""Rule → (where in the resource the finding points, what is wrong with the resource)."""

_GUARDED_TYPES = {
    "AWS::S3::Bucket",
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::CodeBuild::Project",
    "AWS::CodePipeline::Pipeline",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::KMS::Key",
}


class AuditUnavailable(Exception):  # noqa: N818 - a missing optional dependency, reported to the user
    """cfn-guard-rs is not installed."""


@cache
def policy() -> str:
    """The policy pack's Guard rules."""
    return resources.files("mlopsgen.policies").joinpath(POLICY).read_text(encoding="utf-8")


def guard_rules() -> dict[str, str]:
    """Rule name → what it requires, from the policy pack's comments."""
    return dict(_RULE_DOC.findall(policy()))


def check_guard(name: str, resource: dict[str, Any]) -> list[tuple[str, PathKey, str]]:
    """The Guard rules ``resource`` fails in any of its forms: (rule, path, message).

    Raises:
        AuditUnavailable: When cfn-guard-rs is not installed.
        TooManyConditions: When the resource's forms are too many to enumerate.
    """
    if resource.get("Type") not in _GUARDED_TYPES:
        return []
    try:
        from cfn_guard_rs.cfn_guard_rs import run_checks_rs
    except ImportError as exc:
        raise AuditUnavailable("mlopsgen audit needs cfn-guard-rs: pip install 'mlopsgen[audit]'") from exc
    failing: dict[str, list[dict[str, bool]]] = {}
    total = 0
    for assignment, form in forms(resource):
        total += 1
        passed = _passed_rules(run_checks_rs(json.dumps({"Resources": {"R": form}}), policy(), False))
        for rule in guard_rules():
            if rule not in passed:
                failing.setdefault(rule, []).append(assignment)
    found = []
    for rule, assignments in failing.items():
        path, message = VIOLATIONS[rule]
        when = "" if len(assignments) == total else describe({label(k): v for k, v in assignments[0].items()})
        found.append((rule, path, message.format(name=label(name)) + when))
    return found


_TAIL = re.compile(r'"not_applicable":\s*(\[[^\]]*\]),\s*"compliant":\s*(\[[^\]]*\])\s*\}\s*$')


def _passed_rules(output: str) -> set[str]:
    """Rules that passed or did not apply, read from Guard's JSON report.

    cfn-guard-rs 0.3.3 can return a report whose beginning is cut off when it quotes large values
    (seen on CodeBuild projects), so the two lists at its end are read directly; every rule not in
    them failed.
    """
    match = _TAIL.search(output)
    if match is None:
        raise ValueError("unreadable Guard report")
    return set(json.loads(match.group(1))) | set(json.loads(match.group(2)))
