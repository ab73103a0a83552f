"""Plan → infrastructure/operations.yml: schedules and new-data rule that start the pipeline, SNS notifications.

One template for both CI variants: the SageMaker pipeline runs in SageMaker whichever CI deploys,
so what starts it and what reports on it belongs to neither CI template. Deployed once per project,
beside ``project.yml`` (CodePipeline) or ``jenkins-trigger.yml`` (Jenkins).

- Schedules use EventBridge Scheduler's templated SageMaker target (``SageMakerPipelineParameters``
  on a target whose ARN is the pipeline's) rather than the universal ``aws-sdk`` target: the
  parameters are typed data, not a JSON request body to escape.
- New data: an EventBridge rule on S3 ``Object Created`` events of the bucket and key prefix, whose
  target is the pipeline with ``SageMakerPipelineParameters`` (the bucket must send events to
  EventBridge: its ``EventBridgeConfiguration`` notification).
- Notifications: one SNS topic; EventBridge rules on the pipeline's execution status changes and on
  the CodePipeline deploy pipeline's failed executions publish to it; the Jenkins deploy job's
  ``post { failure }`` publishes with the ``JenkinsNotifyPolicy`` this template creates. Encrypted
  topics use a key this template creates, so the key policy can let EventBridge use it without
  opening the blueprint's output key to EventBridge.
  Ref: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html (encrypted SNS targets)
"""

from __future__ import annotations

import json
import re
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.operations import Notifications, Operations
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header
from mlopsgen.targets.iam import allow, sub, sub_literal

NAME = "operations"
FILES = {"infrastructure/operations.yml": "schedules, new-data rule and SNS notifications of the pipeline"}
TEMPLATE = "infrastructure/operations.yml"

PIPELINE_STATUS_EVENT = "SageMaker Model Building Pipeline Execution Status Change"
CODEPIPELINE_EVENT = "CodePipeline Pipeline Execution State Change"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the operations stack (only when the blueprint schedules, watches data or notifies).

    Args:
        plan: The resolved blueprint.

    Returns:
        The operations template, or nothing.
    """
    if plan.operations is None:
        return []
    header = generated_header(plan, "Schedules and notifications of the SageMaker pipeline: deploy once per project.")
    return [OutputFile(TEMPLATE, dump_yaml(template(plan, plan.operations), header))]


def _tags(plan: ir.Plan, *, non_empty: bool = False) -> list[dict[str, str]]:
    """The project's tags; ``non_empty`` leaves out empty values, for resources whose schema refuses them.

    AWS::Scheduler::ScheduleGroup's Tag.Value has minLength 1 in its resource provider schema (the
    other resources here take 0-256 characters), so a project tag written with an empty value cannot
    be carried by the schedule group: it is left off that one resource, and kept everywhere else.
    """
    tags = {**dict(plan.project.tags), "sagemaker:project-id": plan.project.id}
    tags["sagemaker:project-name"] = plan.project.name
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items()) if v or not non_empty]


def _arn(service: str, resource: str) -> dict[str, str]:
    return sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{sub_literal(resource)}")


def _trust(service: str, source_arn: Any) -> dict[str, Any]:
    # Confused-deputy guard: only this account's schedules / rule may use the role.
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            }
        ],
    }


def _start_role(ops: Operations, service: str, source_arn: Any, what: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"Lets {what} start the SageMaker pipeline {ops.pipeline} (mlopsgen).",
            "AssumeRolePolicyDocument": _trust(service, source_arn),
            "Policies": [
                {
                    "PolicyName": "start-pipeline",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            allow(
                                "StartPipeline",
                                ["sagemaker:StartPipelineExecution"],
                                [_arn("sagemaker", ops.pipeline_arn_resource)],
                            )
                        ],
                    },
                }
            ],
        },
    }


def _parameters(values: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"PipelineParameterList": [{"Name": name, "Value": _literal(value)} for name, value in values]}


def _literal(text: str) -> Any:
    """Blueprint text as a literal CloudFormation value, also when it looks like a substitution.

    CloudFormation leaves ``${AWS::AccountId}`` in a plain string alone, but cfn-lint (E1029) reads it
    as a forgotten ``Fn::Sub``, and an ``Fn::Sub`` with ``${!`` escapes and no variable is W1020. Such
    text is joined on ``$`` from pieces without one: the same characters, and no piece looks like a
    substitution.
    """
    if "${" not in text:
        return text
    return {"Fn::Join": ["$", text.split("$")]}


RULE_DESCRIPTION_MAX = 512
"""AWS::Events::Rule Description: at most 512 characters (the resource provider schema)."""


def _new_data_description(pipeline: str, bucket: str, prefix: str) -> str:
    """The new-data rule's description, naming the prefix when it fits (S3 keys may be 1024 long)."""
    text = f"Starts {pipeline} when an object is created under s3://{bucket}/{prefix} (mlopsgen)."
    if len(text) <= RULE_DESCRIPTION_MAX:
        return text
    return f"Starts {pipeline} when an object is created in s3://{bucket}/ under the prefix of its event pattern."


def _logical(name: str) -> str:
    """A CloudFormation logical id from a schedule name (alphanumerics only)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name) if part)


def template(plan: ir.Plan, ops: Operations) -> dict[str, Any]:
    """The operations stack.

    Args:
        plan: The resolved blueprint (project identity and tags).
        ops: Its operations.

    Returns:
        The CloudFormation template as data.
    """
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    pipeline_arn = _arn("sagemaker", ops.pipeline_arn_resource)
    if ops.schedules:
        resources["ScheduleGroup"] = {
            "Type": "AWS::Scheduler::ScheduleGroup",
            "Properties": {"Name": ops.schedule_group, "Tags": _tags(plan, non_empty=True)},
        }
        group_schedules = _arn("scheduler", f"schedule/{ops.schedule_group}/*")
        resources["ScheduleRole"] = _start_role(ops, "scheduler.amazonaws.com", group_schedules, "the schedules")
        for schedule in ops.schedules:
            target: dict[str, Any] = {"Arn": pipeline_arn, "RoleArn": {"Fn::GetAtt": ["ScheduleRole", "Arn"]}}
            target["SageMakerPipelineParameters"] = _parameters(schedule.parameters)
            target["RetryPolicy"] = {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
            resources[f"Schedule{_logical(schedule.name)}"] = {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "Name": schedule.name,
                    "GroupName": {"Ref": "ScheduleGroup"},
                    "Description": f"Starts {ops.pipeline} (mlopsgen).",
                    "ScheduleExpression": schedule.expression,
                    "ScheduleExpressionTimezone": schedule.timezone,
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "State": "ENABLED" if schedule.enabled else "DISABLED",
                    "Target": target,
                },
            }
    if ops.new_data is not None:
        data = ops.new_data
        rule_arn = _arn("events", f"rule/{data.rule}")
        resources["NewDataRole"] = _start_role(ops, "events.amazonaws.com", rule_arn, "the new-data rule")
        detail: dict[str, Any] = {"bucket": {"name": [data.bucket]}}
        if data.prefix:
            detail["object"] = {"key": [{"prefix": _literal(data.prefix)}]}
        resources["NewDataRule"] = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": data.rule,
                "Description": _literal(_new_data_description(ops.pipeline, data.bucket, data.prefix)),
                "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": detail},
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": "pipeline",
                        "Arn": pipeline_arn,
                        "RoleArn": {"Fn::GetAtt": ["NewDataRole", "Arn"]},
                        "SageMakerPipelineParameters": _parameters(data.parameters),
                    }
                ],
            },
        }
    if ops.notifications is not None:
        _notifications(plan, ops, ops.notifications, resources, outputs)
    body: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Schedules and notifications of the SageMaker pipeline {ops.pipeline} (generated by mlopsgen).",
        "Resources": resources,
    }
    if outputs:
        body["Outputs"] = outputs
    return body


def input_template(text: str, placeholders: tuple[str, ...]) -> str:
    """An EventBridge InputTemplate: ``text`` as one JSON string whose ``<name>`` placeholders stay live.

    The literal parts are JSON-escaped and may not hold ``<`` or ``>`` (EventBridge would read them
    as placeholders), so a name from the blueprint can neither break the JSON nor inject a field.

    Args:
        text: The message, with ``{name}`` where each placeholder goes.
        placeholders: The placeholder names ``text`` uses, in order.

    Returns:
        The template, e.g. ``"Pipeline x is <status>."``.
    """
    literal = text.replace("<", "(").replace(">", ")")
    quoted = json.dumps(literal, ensure_ascii=False)
    for name in placeholders:
        quoted = quoted.replace("{" + name + "}", f"<{name}>")
    return quoted


def _notifications(
    plan: ir.Plan, ops: Operations, notes: Notifications, resources: dict[str, Any], outputs: dict[str, Any]
) -> None:
    topic: dict[str, Any] = {"TopicName": notes.topic, "DisplayName": "mlopsgen", "Tags": _tags(plan)}
    publishers = ["events.amazonaws.com"]
    if notes.encrypted:
        resources["TopicKey"] = {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": f"Encrypts the notification topic {notes.topic} (mlopsgen).",
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministersKey",
                            "Effect": "Allow",
                            "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            # EventBridge encrypts what it publishes to the topic with this key.
                            "Sid": "EventBridgePublishes",
                            "Effect": "Allow",
                            "Principal": {"Service": publishers},
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                            "Resource": "*",
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        },
                    ],
                },
                "Tags": _tags(plan),
            },
        }
        resources["TopicKeyAlias"] = {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": f"alias/{notes.topic}", "TargetKeyId": {"Ref": "TopicKey"}},
        }
        topic["KmsMasterKeyId"] = {"Ref": "TopicKey"}
    resources["Topic"] = {"Type": "AWS::SNS::Topic", "Properties": topic}
    resources["TopicPolicy"] = {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {
            "Topics": [{"Ref": "Topic"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "EventBridgePublishes",
                        "Effect": "Allow",
                        "Principal": {"Service": publishers},
                        "Action": "sns:Publish",
                        "Resource": {"Ref": "Topic"},
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
            },
        },
    }
    outputs["TopicArn"] = {"Description": "The notification topic.", "Value": {"Ref": "Topic"}}
    for protocol, endpoints in (("email", notes.email), ("https", notes.https)):
        for j, endpoint in enumerate(endpoints):
            resources[f"Subscription{protocol.capitalize()}{j + 1}"] = {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": protocol, "Endpoint": _literal(endpoint)},
            }
    if notes.pipeline_statuses:
        resources["PipelineAlertRule"] = _rule(
            notes.pipeline_rule,
            f"Tells {notes.topic} when an execution of {ops.pipeline} ends (mlopsgen).",
            {
                "source": ["aws.sagemaker"],
                "detail-type": [PIPELINE_STATUS_EVENT],
                "detail": {
                    "currentPipelineExecutionStatus": list(notes.pipeline_statuses),
                    "pipelineArn": [_arn("sagemaker", ops.pipeline_arn_resource)],
                },
            },
            {"status": "$.detail.currentPipelineExecutionStatus", "execution": "$.detail.pipelineExecutionArn"},
            input_template(
                f"SageMaker pipeline {ops.pipeline}: execution {{execution}} {{status}}.", ("execution", "status")
            ),
        )
    if notes.deploy_rule:
        resources["DeployAlertRule"] = _rule(
            notes.deploy_rule,
            f"Tells {notes.topic} when the deploy pipeline {notes.deploy_pipeline} fails (mlopsgen).",
            {
                "source": ["aws.codepipeline"],
                "detail-type": [CODEPIPELINE_EVENT],
                "detail": {"pipeline": [notes.deploy_pipeline], "state": ["FAILED"]},
            },
            {"execution": "$.detail.execution-id"},
            input_template(
                f"Deployment failed: CodePipeline {notes.deploy_pipeline} execution {{execution}}.", ("execution",)
            ),
        )
    if notes.notify_command:
        statements = [allow("PublishNotifications", ["sns:Publish"], [{"Ref": "Topic"}])]
        if notes.encrypted:
            statements.append(
                allow(
                    "EncryptNotifications",
                    ["kms:Decrypt", "kms:GenerateDataKey*"],
                    [{"Fn::GetAtt": ["TopicKey", "Arn"]}],
                )
            )
        resources["JenkinsNotifyPolicy"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Description": "Attach to the Jenkins credential: lets the deploy job report its failures (mlopsgen).",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            },
        }
        outputs["JenkinsNotifyPolicyArn"] = {
            "Description": "Attach this policy to the Jenkins credential's IAM user or role.",
            "Value": {"Ref": "JenkinsNotifyPolicy"},
        }


def _rule(name: str, description: str, pattern: dict[str, Any], paths: dict[str, str], text: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": name,
            "Description": description,
            "EventPattern": pattern,
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": "notifications",
                    "Arn": {"Ref": "Topic"},
                    "InputTransformer": {"InputPathsMap": paths, "InputTemplate": text},
                }
            ],
        },
    }
