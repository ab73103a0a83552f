"""Plan → the hub's model store: its key, bucket and model package group, and who may write or read them.

Split from ``hub.py`` (which assembles the hub and spoke stacks) so the policies that grant access to
the stored models read in one place: the writers (promotion and replication roles), the readers
(model execution roles deploying from the hub) and the accounts that resolve and deploy its packages.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan.registry import HUB_ARTIFACT_PREFIX, Registry
from mlopsgen.targets.iam import allow


def org_condition(paths: tuple[str, ...], key: str = "aws:PrincipalOrgPaths") -> dict[str, Any]:
    """Principals (or resources) in the accounts under the OU paths, nested OUs included.

    ``o-x/r-y/ou-z/*`` matches ``o-x/r-y/ou-z/`` (an account directly in the OU) and every path below it.
    """
    return {"ForAnyValue:StringLike": {key: [f"{path}*" for path in paths]}}


def role(
    name: str,
    description: str,
    principal: dict[str, Any],
    statements: list[dict[str, Any]],
    org_paths: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An IAM role trusting ``principal``, and the accounts under ``org_paths``, with one inline policy.

    An OU's accounts cannot be named before they exist, so they are admitted as the ``AWS`` principal
    ``*`` narrowed by ``aws:PrincipalOrgPaths`` (the form the audit accepts as naming its principals).
    """
    trust = [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}] if any(principal.values()) else []
    if org_paths:
        trust.append(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": org_condition(org_paths),
            }
        )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "Description": description,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
            "Policies": [
                {"PolicyName": "least-privilege", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
            ],
        },
    }


def partition(registry: Registry) -> str:
    """The hub's partition (from its group ARN)."""
    return registry.hub.group_arn.split(":")[1]


def package_arns(registry: Registry) -> tuple[str, str]:
    """The hub group's ARN and its packages' (package ARNs spell the group in lower case)."""
    hub = registry.hub
    base = f"arn:{partition(registry)}:sagemaker:{hub.region}:{hub.account}"
    return hub.group_arn, f"{base}:model-package/{hub.model_package_group.lower()}/*"


def writer_statements(registry: Registry, update: bool) -> list[dict[str, Any]]:
    """What promoting needs in the hub: put objects under models/, list, read and create packages."""
    group, packages = package_arns(registry)
    actions = ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage"]
    return [
        allow(
            "WriteModelStore",
            ["s3:PutObject"],
            [f"arn:{partition(registry)}:s3:::{registry.hub.bucket}/{HUB_ARTIFACT_PREFIX}/*"],
        ),
        # ListModelPackages has no resource-level permissions.
        allow("ListModelPackages", ["sagemaker:ListModelPackages"], ["*"]),
        allow("DescribeHubGroup", ["sagemaker:DescribeModelPackageGroup"], [group]),
        allow(
            "CreateHubPackages",
            [*actions, *(["sagemaker:UpdateModelPackage"] if update else [])],
            [group, packages],
        ),
    ]


def _writer_roles(registry: Registry) -> list[Any]:
    """The hub roles that write promoted objects (for the key policy)."""
    roles: list[Any] = []
    if registry.push:
        roles.append({"Fn::GetAtt": ["PromotionRole", "Arn"]})
    if registry.pull:
        roles.append({"Fn::GetAtt": ["ReplicationRole", "Arn"]})
    return roles


def key(registry: Registry) -> dict[str, Any]:
    """The hub key: administered by the hub account, used through S3 by the writers and the readers only."""
    hub = registry.hub
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{hub.region}.amazonaws.com"}}
    admin = [
        "kms:CancelKeyDeletion", "kms:DescribeKey", "kms:DisableKeyRotation", "kms:EnableKeyRotation",
        "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
    ]  # fmt: skip
    statements = [
        {
            "Sid": "KeyAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition(registry)}:iam::{hub.account}:root"},
            "Action": admin,
            "Resource": "*",
        },
        {
            "Sid": "HubWriters",
            "Effect": "Allow",
            "Principal": {"AWS": _writer_roles(registry)},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": via_s3,
        },
    ]
    if registry.readers:
        statements.append(
            {
                "Sid": "ModelReaders",
                "Effect": "Allow",
                "Principal": {"AWS": list(registry.readers)},
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": via_s3,
            }
        )
    return {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": f"Model store key of the hub registry {hub.model_package_group} (mlopsgen)",
            "EnableKeyRotation": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": statements},
        },
    }


def bucket(registry: Registry) -> dict[str, dict[str, Any]]:
    """The model store bucket (hub key, no public access) and its policy granting the readers."""
    bucket_arn = f"arn:{partition(registry)}:s3:::{registry.hub.bucket}"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    if registry.readers:
        statements.append(
            {
                "Sid": "ModelReaders",
                "Effect": "Allow",
                "Principal": {"AWS": list(registry.readers)},
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn}/{HUB_ARTIFACT_PREFIX}/*",
            }
        )
    return {
        "ModelStore": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketName": registry.hub.bucket,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Fn::GetAtt": ["HubKey", "Arn"]},
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            },
        },
        "ModelStorePolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "ModelStore"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            },
        },
    }


def group(registry: Registry) -> dict[str, Any]:
    """The hub group, with a resource policy for the accounts that resolve or deploy its versions."""
    group_arn, packages = package_arns(registry)
    properties: dict[str, Any] = {
        "ModelPackageGroupName": registry.hub.model_package_group,
        "ModelPackageGroupDescription": "Central registry of promoted model versions (mlopsgen hub).",
    }
    statements: list[dict[str, Any]] = []
    if registry.reader_accounts:
        principals = [f"arn:{partition(registry)}:iam::{a}:root" for a in registry.reader_accounts]
        statements += [
            {
                "Sid": "ReadGroup",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Action": ["sagemaker:DescribeModelPackageGroup"],
                "Resource": group_arn,
            },
            {
                "Sid": "ReadPackages",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Action": ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
                "Resource": packages,
            },
        ]
    if registry.deploy_from_hub and registry.spoke_org_paths:
        # Spokes in OUs resolve the hub's versions too (deploy_from_hub).
        statements += [
            {
                "Sid": f"{sid}OrganizationalUnits",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": actions,
                "Resource": resource,
                "Condition": org_condition(registry.spoke_org_paths),
            }
            for sid, actions, resource in (
                ("ReadGroup", ["sagemaker:DescribeModelPackageGroup"], group_arn),
                ("ReadPackages", ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"], packages),
            )
        ]
    if registry.target_accounts:
        # The stack instances in the target accounts create their models from the hub's packages.
        statements.append(
            {
                "Sid": "TargetAccountsDeployVersions",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:{partition(registry)}:iam::{a}:root" for a in registry.target_accounts]},
                "Action": ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"],
                "Resource": packages,
            }
        )
    if statements:
        properties["ModelPackageGroupPolicy"] = {"Version": "2012-10-17", "Statement": statements}
    return {"Type": "AWS::SageMaker::ModelPackageGroup", "Properties": properties}
