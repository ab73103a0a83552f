"""One resource → the Guard rules it fails (cfn-guard-rs in-process), each with a message about it.

Guard does existence and value checks well (a KMS key is set, four booleans are true), so the
resource-configuration rules stay in ``policies/secure.guard``. Guard cannot say which ``Fn::If``
branch applies, so each rule is checked once per form of the properties it reads (see
``conditions``) and fails when any form fails; the message names the resource and, if only some
forms fail, the conditions (only those around what the rule reads).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from mlopsgen.audit.conditions import MAX_CONDITIONS, TooManyConditions, conditions, describe, forms, project
from mlopsgen.audit.report import READABLE, label

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
    "sagemaker_async_output_kms": (
        ("Properties", "AsyncInferenceConfig", "OutputConfig"),
        "endpoint config {name} writes asynchronous results without an OutputConfig KmsKeyId",
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
    "sagemaker_monitoring_in_vpc": (
        ("Properties",),
        "monitoring job definition {name} does not run in a VPC (NetworkConfig.VpcConfig needs Subnets and "
        "SecurityGroupIds)",
    ),
    "sagemaker_monitoring_kms": (
        ("Properties",),
        "monitoring job definition {name} lacks a KMS key for its volume (ClusterConfig.VolumeKmsKeyId) or its "
        "reports (the output config's KmsKeyId)",
    ),
    "sagemaker_monitoring_traffic_encrypted": (
        ("Properties",),
        "monitoring job definition {name} does not encrypt inter-container traffic "
        "(NetworkConfig.EnableInterContainerTrafficEncryption)",
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
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
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
    """The Guard rules ``resource`` fails in any form of what they read: (rule, path, message).

    Each rule is checked over the conditions of the properties it reads (``rule_reads``), so rules
    whose reads depend on the same conditions share their Guard runs. When one rule's reads alone
    use more than ``MAX_CONDITIONS`` conditions, the resource gets a ``template_readable`` finding
    (treated as failing) and the other rules are still checked.

    Raises:
        AuditUnavailable: When cfn-guard-rs is not installed.
    """
    if resource.get("Type") not in _GUARDED_TYPES:
        return []
    try:
        from cfn_guard_rs.cfn_guard_rs import run_checks_rs
    except ImportError as exc:
        raise AuditUnavailable("mlopsgen audit needs cfn-guard-rs: pip install 'mlopsgen[audit]'") from exc
    groups: dict[tuple[str, ...], list[tuple[str, list[PathKey] | None]]] = {}
    for rule in guard_rules():
        reads = _paths(resource, rule_reads().get(rule))
        used = conditions(resource if reads is None else project(resource, reads))
        groups.setdefault(tuple(sorted(used)), []).append((rule, reads))
    found: list[tuple[str, PathKey, str]] = []
    most = 0
    for names, group in groups.items():
        if len(names) > MAX_CONDITIONS:
            most = max(most, len(names))
            continue
        union = None if any(reads is None for _, reads in group) else [p for _, reads in group for p in reads or ()]
        failing: dict[str, list[dict[str, bool]]] = {}
        total = 0
        for assignment, form in forms(resource, reads=union):
            total += 1
            passed = _run(run_checks_rs, json.dumps({"Resources": {"R": form}}))
            for rule, _ in group:
                if rule not in passed:
                    failing.setdefault(rule, []).append(assignment)
        for rule, assignments in failing.items():
            path, message = VIOLATIONS[rule]
            found.append((rule, path, message.format(name=label(name)) + _when(assignments, total)))
    if most:
        found.append((READABLE, (), f"resource {label(name)} {TooManyConditions.of(most)}: treated as failing"))
    return found


def _when(failing: list[dict[str, bool]], total: int) -> str:
    """Under which conditions the rule fails, for the message.

    Nothing when it fails in every form; the conditions every failing form shares when those alone
    say which forms fail (other conditions of the rule's reads do not matter then); else the first
    failing form's whole assignment, one example.
    """
    if len(failing) == total:
        return ""
    shared = {k: v for k, v in failing[0].items() if all(form[k] == v for form in failing)}
    shown = shared if len(failing) * 2 ** len(shared) == total else failing[0]
    return describe({label(k): v for k, v in shown.items()})


def _run(run_checks_rs: Any, data: str) -> set[str]:
    """The pack's rules that ``data`` passes (or that do not apply to it)."""
    try:
        return _passed_rules(run_checks_rs(data, policy(), False))
    except ValueError:
        # The report lost even its closing lists (seen with two production variants): one rule at a
        # time, whose reports are short.
        return {rule for rule, text in _rule_policies() if rule in _passed_rules(run_checks_rs(data, text, False))}


def _paths(resource: dict[str, Any], properties: frozenset[str] | None) -> list[PathKey] | None:
    """The key paths a rule reading ``properties`` sees: them and every resource attribute.

    Attributes (Type, Condition, Metadata, ...) are kept whole; ``None`` (the whole resource) when
    what the rule reads is unknown.
    """
    if properties is None:
        return None
    attributes: list[PathKey] = [(key,) for key in resource if key != "Properties"]
    return attributes + [("Properties", name) for name in sorted(properties)]


_PROPERTY = re.compile(r"\bProperties\b(?:\.(\w+))?")


@cache
def rule_reads() -> dict[str, frozenset[str] | None]:
    """Rule → the top-level properties it reads, from its Guard text and the pack's ``let`` lines.

    Read from the pack itself so a new or changed rule cannot be checked against stale paths:
    every ``Properties.<Name>`` it mentions counts, and a rule that reaches ``Properties`` any other
    way (``Properties.*``, ``Properties { ... }``, a quoted key), or whose block is not whole, reads
    the whole resource (``None``).
    """
    reads: dict[str, frozenset[str] | None] = {}
    for rule, text in _rule_policies():
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        names = [match[1] for match in _PROPERTY.finditer(code)]
        whole = code.count("{") == code.count("}")  # a block cut at a blank line inside the rule: unknown
        reads[rule] = frozenset(names) if whole and None not in names else None
    return reads


@cache
def _rule_policies() -> tuple[tuple[str, str], ...]:
    """(rule, a policy of the pack's ``let`` lines and that rule alone), for every rule of the pack.

    The pack's blocks are separated by blank lines (its layout, kept by ``tests/test_audit.py``).
    """
    blocks = policy().split("\n\n")
    lets = "\n".join(b for b in blocks if b.lstrip().startswith("let "))
    rules = []
    for block in blocks:
        found = re.search(r"^rule (\w+)", block, re.MULTILINE)
        if found:
            rules.append((found[1], f"{lets}\n\n{block}\n"))
    return tuple(rules)


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
