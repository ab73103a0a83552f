"""Plan → the hub-and-spoke registry stacks: the hub's (once per hub) and the spoke's (this project).

``infrastructure/hub-registry.yml`` is deployed in the hub account: the KMS key and alias, the model
store bucket, the model package group with a resource policy for the reading accounts, the
promotion role (push) and, for pull, the event bus with a policy for the spokes' forwarding roles,
the rule, the replication Lambda (``mlopsgen/runtime/promote.py`` inlined) with retries and a
dead-letter queue. ``infrastructure/hub-spoke.yml`` is deployed in the project (spoke) account for
pull: the forwarding rule and its role, and the read role the hub's Lambda assumes. Every trust and
resource policy names its principals exactly, from the one Registry in the Plan.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.registry import Registry
from mlopsgen.targets import hub_store as store
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header
from mlopsgen.targets.iam import allow

NAME = "hub"
FILES = {
    "infrastructure/hub-registry.yml": "hub account: key, bucket, group, promotion role, bus, replication Lambda",
    "infrastructure/hub-spoke.yml": "project account (pull): forwarding rule and role, the hub's read role",
}
HUB_TEMPLATE = "infrastructure/hub-registry.yml"
SPOKE_TEMPLATE = "infrastructure/hub-spoke.yml"
STATE_CHANGE = "SageMaker Model Package State Change"
RETRY_ATTEMPTS = 8
"""EventBridge retries of the Lambda target before the event goes to the dead-letter queue."""
MAX_EVENT_AGE_SECONDS = 3600


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the hub stack, and the spoke stack when the hub pulls (nothing without a registry).

    Args:
        plan: The resolved blueprint.

    Returns:
        The registry templates.
    """
    registry = plan.registry
    if registry is None:
        return []
    what = f"Hub registry {registry.hub.model_package_group} in {registry.hub.account}: deploy once per hub."
    files = [OutputFile(HUB_TEMPLATE, dump_yaml(hub_template(plan, registry), generated_header(plan, what)))]
    if registry.pull:
        header = generated_header(plan, f"Spoke side of the hub registry: deploy in {plan.project.account}.")
        files.append(OutputFile(SPOKE_TEMPLATE, dump_yaml(spoke_template(plan, registry), header)))
    return files


def lambda_source() -> str:
    """The replication handler's source, exactly as tested in ``mlopsgen/runtime``."""
    return resources.files("mlopsgen.runtime").joinpath("promote.py").read_text(encoding="utf-8")


def _pull_resources(registry: Registry) -> dict[str, Any]:
    """Event bus and its policy, rule, replication Lambda and role, dead-letter queue."""
    hub = registry.hub
    partition = store.partition(registry)
    forwarders = [f"arn:{partition}:iam::{a}:role/{registry.forward_role}" for a in registry.spokes]
    read_roles = [f"arn:{partition}:iam::{a}:role/{registry.read_role}" for a in registry.spokes]
    rule_arn = f"arn:{partition}:events:{hub.region}:{hub.account}:rule/{registry.bus_name}/{registry.hub_rule}"
    log_group = f"/aws/lambda/{registry.function_name}"
    return {
        "HubBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": registry.bus_name}},
        **_bus_policies(registry, forwarders),
        "ReplicationRole": store.role(
            registry.replication_role,
            "Replicates forwarded model versions from the spokes into the hub registry.",
            {"Service": "lambda.amazonaws.com"},
            [
                allow(
                    "Logs",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [{"Fn::GetAtt": ["ReplicationLogGroup", "Arn"]}],
                ),
                *([allow("ReadSpokes", ["sts:AssumeRole"], read_roles)] if read_roles else []),
                *(
                    [
                        allow(
                            "ReadSpokesInOrganizationalUnits",
                            ["sts:AssumeRole"],
                            [f"arn:{partition}:iam::*:role/{registry.read_role}"],
                            store.org_condition(registry.spoke_org_paths, "aws:ResourceOrgPaths"),
                        )
                    ]
                    if registry.spoke_org_paths
                    else []
                ),
                *store.writer_statements(registry, update=True),
            ],
        ),
        "ReplicationLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": log_group, "RetentionInDays": 365},
        },
        "ReplicationFunction": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": registry.function_name,
                "Description": f"Copies approved spoke model versions into {hub.model_package_group}.",
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["ReplicationRole", "Arn"]},
                "Timeout": 900,
                "MemorySize": 512,
                # Inline: CloudFormation lifted the old 4096-character ZipFile limit (aws/aws-cdk#20624).
                "Code": {"ZipFile": lambda_source()},
                "Environment": {
                    "Variables": {
                        "SPOKE_ACCOUNTS": ",".join(registry.spokes),
                        **({"SPOKE_ORG_PATHS": ",".join(registry.spoke_org_paths)} if registry.spoke_org_paths else {}),
                        "HUB_GROUP": hub.model_package_group,
                        "HUB_BUCKET": hub.bucket,
                        "HUB_KMS_KEY": hub.kms_alias_arn,
                    }
                },
            },
            "DependsOn": ["ReplicationLogGroup"],
        },
        "DeadLetterQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": registry.dead_letter_queue,
                "SqsManagedSseEnabled": True,
                "MessageRetentionPeriod": 1209600,
            },
        },
        "DeadLetterQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "DeadLetterQueue"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReplicationRuleDeadLetters",
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                        }
                    ],
                },
            },
        },
        "ReplicationRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": registry.hub_rule,
                "EventBusName": {"Ref": "HubBus"},
                "Description": "Model package state changes forwarded by the spokes.",
                "EventPattern": {
                    "source": ["aws.sagemaker"],
                    "detail-type": [STATE_CHANGE],
                    # With OU spokes the bus policy admits the senders (their accounts are unknown here).
                    **({"account": list(registry.spokes)} if not registry.spoke_org_paths else {}),
                    "detail": {"ModelApprovalStatus": list(registry.statuses)},
                },
                "Targets": [
                    {
                        "Arn": {"Fn::GetAtt": ["ReplicationFunction", "Arn"]},
                        "Id": "Replicate",
                        "RetryPolicy": {
                            "MaximumRetryAttempts": RETRY_ATTEMPTS,
                            "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS,
                        },
                        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}},
                    }
                ],
            },
        },
        "ReplicationPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": "ReplicationFunction"},
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["ReplicationRule", "Arn"]},
            },
        },
    }


def _bus_policies(registry: Registry, forwarders: list[str]) -> dict[str, Any]:
    """The bus admits the spokes' forwarding roles: by ARN in listed accounts, by OU path in OUs."""
    policies: dict[str, Any] = {}
    for logical_id, sid, principal, condition in (
        ("HubBusPolicy", "SpokeForwarders", {"AWS": forwarders}, None),
        (
            "HubBusOrgPolicy",
            "SpokeOrganizationalUnitForwarders",
            {"AWS": "*"},
            {
                **store.org_condition(registry.spoke_org_paths),
                "ArnLike": {"aws:PrincipalArn": f"arn:{store.partition(registry)}:iam::*:role/{registry.forward_role}"},
            },
        ),
    ):
        if (condition is None and not forwarders) or (condition is not None and not registry.spoke_org_paths):
            continue
        statement = {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "events:PutEvents",
            "Resource": {"Fn::GetAtt": ["HubBus", "Arn"]},
            **({"Condition": condition} if condition else {}),
        }
        policies[logical_id] = {
            "Type": "AWS::Events::EventBusPolicy",
            "Properties": {"EventBusName": {"Ref": "HubBus"}, "StatementId": sid, "Statement": statement},
        }
    return policies


def hub_template(plan: ir.Plan, registry: Registry) -> dict[str, Any]:
    """The hub account's stack."""
    hub = registry.hub
    resources_: dict[str, Any] = {
        "HubKey": store.key(registry),
        "HubKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": hub.kms_alias, "TargetKeyId": {"Ref": "HubKey"}},
        },
        **store.bucket(registry),
        "HubModelPackageGroup": store.group(registry),
    }
    outputs: dict[str, Any] = {"ModelStoreKeyArn": {"Value": {"Fn::GetAtt": ["HubKey", "Arn"]}}}
    if registry.push:
        resources_["PromotionRole"] = store.role(
            registry.promotion_role,
            "Assumed by the spokes' deploy jobs to promote approved model versions into the hub.",
            {"AWS": list(registry.promotion_principals)},
            store.writer_statements(registry, update=False),
            registry.promotion_org_paths,
        )
        outputs["PromotionRoleArn"] = {"Value": {"Fn::GetAtt": ["PromotionRole", "Arn"]}}
    if registry.pull:
        resources_.update(_pull_resources(registry))
        outputs["HubEventBusArn"] = {"Value": {"Fn::GetAtt": ["HubBus", "Arn"]}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Hub model registry {hub.model_package_group} (mlopsgen, from {plan.blueprint})",
        "Resources": resources_,
        "Outputs": outputs,
    }


def spoke_template(plan: ir.Plan, registry: Registry) -> dict[str, Any]:
    """The project (spoke) account's stack for pull: forward state changes, let the hub read."""
    partition = store.partition(registry)
    project = plan.project
    group_packages = (
        f"arn:{partition}:sagemaker:{project.region}:{project.account}:model-package/{registry.source_group.lower()}/*"
    )
    read = [
        allow("ReadPackages", ["sagemaker:DescribeModelPackage"], [group_packages]),
        allow("ReadArtifacts", ["s3:GetObject"], [f"arn:{partition}:s3:::{project.artifact_bucket}/*"]),
    ]
    key = plan.security.output_kms_key
    if key.startswith("arn:"):
        via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{project.region}.amazonaws.com"}}
        read.append(allow("DecryptArtifacts", ["kms:Decrypt"], [key], via_s3))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Spoke side of hub registry {registry.hub.model_package_group} (mlopsgen, {plan.blueprint})",
        "Resources": {
            "ForwardRole": store.role(
                registry.forward_role,
                "Lets EventBridge forward this project's model package state changes to the hub bus.",
                {"Service": "events.amazonaws.com"},
                [allow("ForwardToHub", ["events:PutEvents"], [registry.bus_arn])],
            ),
            "ForwardRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": registry.forward_rule,
                    "Description": "Forwards this project's model package state changes to the hub registry.",
                    "EventPattern": {
                        "source": ["aws.sagemaker"],
                        "detail-type": [STATE_CHANGE],
                        "detail": {
                            "ModelPackageGroupName": [registry.source_group],
                            "ModelApprovalStatus": list(registry.statuses),
                        },
                    },
                    "Targets": [
                        {"Arn": registry.bus_arn, "Id": "HubBus", "RoleArn": {"Fn::GetAtt": ["ForwardRole", "Arn"]}}
                    ],
                },
            },
            "HubReadRole": store.role(
                registry.read_role,
                "Assumed by the hub's replication Lambda to read this project's approved versions.",
                {"AWS": registry.replication_role_arn},
                read,
            ),
        },
    }
