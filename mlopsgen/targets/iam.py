"""IAM statement builders shared by the targets that write roles and policies.

One place for the statement shape (sorted actions, optional condition) and for the permissions an
endpoint stack needs wherever it is deployed, so the project account's CloudFormation role and the
target accounts' stack set execution role cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def sub(text: str) -> dict[str, str]:
    """A CloudFormation ``Fn::Sub``: ``text`` may hold intended ``${...}`` references only.

    Values that come from the blueprint go in through ``sub_literal``.
    """
    return {"Fn::Sub": text}


def sub_literal(value: str) -> str:
    """``value`` as literal text inside an ``Fn::Sub`` string: ``${`` is written ``${!``.

    Without this a blueprint value such as ``${BuildRole.Arn}`` would be resolved by CloudFormation,
    and ``x}${`` would break the template.
    Ref: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html
    """
    return value.replace("${", "${!")


def allow(
    sid: str, actions: list[str], resources: list[Any], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An Allow statement; actions sorted so output is stable whatever order callers list them in."""
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


PROJECT_TAG = "sagemaker:project-id"


def deploy_endpoint_stack(
    endpoints: list[Any],
    configs_and_models: list[Any],
    model_packages: Any,
    model_role: Any,
    project_id: str,
    volume_keys: list[Any] | None = None,
    rollback_alarms: bool = False,
) -> list[dict[str, Any]]:
    """What a role deploying the endpoint stack needs: the endpoint resources, the package, the model role.

    The endpoints have fixed names, so they are granted by ARN. CloudFormation names the models and
    endpoint configs (a fixed name would break their replacement on update), so those are granted by
    the project tag the endpoint template puts on them: ``aws:RequestTag`` when they are created,
    ``aws:ResourceTag`` afterwards (Service Authorization Reference, Amazon SageMaker: the ``model``
    and ``endpoint-config`` resource types take ``aws:ResourceTag/${TagKey}``; CreateModel,
    CreateEndpointConfig and AddTags take ``aws:RequestTag/${TagKey}``). Another project's models
    and configs are out of reach.

    ``tests/test_permissions.py`` derives the list from the CloudFormation resource provider schemas
    and AWS's documentation; change both together.

    Args:
        endpoints: ARNs of the stages' endpoints.
        configs_and_models: ARN patterns of the endpoint configs and models (CloudFormation names them).
        model_packages: ARN pattern of the model package group's versions.
        model_role: The role the model runs as (passed to SageMaker only).
        project_id: The SageMaker project id the endpoint template tags its models and configs with.
        volume_keys: KMS keys of the endpoint volumes, when the endpoint configs set one.
        rollback_alarms: The template creates rollback alarms (a stage has a rollout).
    """
    if not endpoints:
        return deploy_model_only(configs_and_models, model_packages, model_role, project_id)
    return [
        allow(
            "ManageEndpoints",
            [
                "sagemaker:AddTags",
                "sagemaker:CreateEndpoint",
                "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteTags",
                "sagemaker:DescribeEndpoint",
                "sagemaker:UpdateEndpoint",
            ],
            endpoints,
        ),
        allow(
            "CreateProjectModels",
            ["sagemaker:AddTags", "sagemaker:CreateEndpointConfig", "sagemaker:CreateModel"],
            configs_and_models,
            {"StringEquals": {f"aws:RequestTag/{PROJECT_TAG}": project_id}},
        ),
        allow(
            "ManageProjectModels",
            [
                "sagemaker:AddTags",
                "sagemaker:CreateEndpoint",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:DeleteModel",
                "sagemaker:DeleteTags",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DescribeModel",
                "sagemaker:UpdateEndpoint",
            ],
            configs_and_models,
            project_resource(project_id),
        ),
        allow("UseModelPackage", ["sagemaker:DescribeModelPackage"], [model_packages]),
        allow(
            "PassModelRole",
            ["iam:PassRole"],
            [model_role],
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
        *_volume_keys(volume_keys or []),
        *endpoint_autoscaling(endpoints),
        *(endpoint_rollback_alarms(endpoints) if rollback_alarms else []),
    ]


def deploy_model_only(models: list[Any], model_packages: Any, model_role: Any, project_id: str) -> list[dict[str, Any]]:
    """What a role deploying stacks that hold a model but no endpoint needs (a project of batch stages only).

    The AWS::SageMaker::Model handlers' permissions, on the project's tagged models: endpoint configs,
    endpoints and their autoscaling are not granted when no stage deploys an endpoint.
    """
    return [
        allow(
            "CreateProjectModels",
            ["sagemaker:AddTags", "sagemaker:CreateModel"],
            models,
            {"StringEquals": {f"aws:RequestTag/{PROJECT_TAG}": project_id}},
        ),
        allow(
            "ManageProjectModels",
            ["sagemaker:AddTags", "sagemaker:DeleteModel", "sagemaker:DeleteTags", "sagemaker:DescribeModel"],
            models,
            project_resource(project_id),
        ),
        allow("UseModelPackage", ["sagemaker:DescribeModelPackage"], [model_packages]),
        allow(
            "PassModelRole",
            ["iam:PassRole"],
            [model_role],
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
    ]


def endpoint_rollback_alarms(endpoints: list[Any]) -> list[dict[str, Any]]:
    """The AWS::CloudWatch::Alarm handlers' permissions (provider schema), on each endpoint's own alarms.

    The endpoint template names its rollback alarms ``<endpoint name>-<variant>-<metric>``, so the
    grant is scoped by that prefix; tagging is in the handlers because stack tags reach the alarms.
    """
    return [
        allow(
            "RollbackAlarms",
            [
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:ListTagsForResource",
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
            ],
            [_endpoint_alarms(endpoint, "-*") for endpoint in endpoints],
        )
    ]


def project_resource(project_id: str) -> dict[str, Any]:
    """The condition "the resource carries this project's tag" (``aws:ResourceTag``)."""
    return {"StringEquals": {f"aws:ResourceTag/{PROJECT_TAG}": project_id}}


def pull_images(image_uris: list[str]) -> list[dict[str, Any]]:
    """Pull the project's images only: one repository ARN per image URI (``<account>.dkr.ecr.<region>...``).

    ``ecr:GetAuthorizationToken`` has no resource-level permissions (Service Authorization Reference,
    Amazon ECR), so the login stays on ``*``; the layer and image reads take the ``repository`` ARN.
    """
    repositories = sorted({arn for arn in map(ecr_repository_arn, image_uris) if arn})
    if not repositories:
        return []
    return [
        allow(
            "PullImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            list(repositories),
        ),
        allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
    ]


_ECR_URI = re.compile(r"(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([^:@]+)")


def ecr_repository_arn(image_uri: str) -> str | None:
    """The ECR repository ARN of an image URI; ``None`` for an image outside ECR."""
    match = _ECR_URI.match(image_uri)
    if not match:
        return None
    account, region, china, repository = match.groups()
    return f"arn:{'aws-cn' if china else 'aws'}:ecr:{region}:{account}:repository/{repository}"


def vpc_network_interfaces(subnet_arns: Any, security_group_arns: Any) -> list[dict[str, Any]]:
    """The ENIs SageMaker makes in the model's subnets, for the role a VPC model runs as.

    Service Authorization Reference, Amazon EC2: CreateNetworkInterface is authorized on the subnet,
    the security groups and the new ``network-interface``; the ENI actions take the ``ec2:Subnet``
    condition key, so they are limited to ENIs in the project's subnets. The Describe calls that
    SageMaker's VPC documentation lists have no resource-level permissions.

    Args:
        subnet_arns: The subnets' ARNs (a list, or a CloudFormation list value).
        security_group_arns: The security groups' ARNs (likewise).
    """
    in_subnets = {"ArnLike": {"ec2:Subnet": subnet_arns}}
    return [
        allow("CreateInterfacesInProjectSubnets", ["ec2:CreateNetworkInterface"], subnet_arns),
        allow("CreateInterfacesWithProjectGroups", ["ec2:CreateNetworkInterface"], security_group_arns),
        allow(
            "ManageProjectInterfaces",
            [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            [sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*")],
            in_subnets,
        ),
        allow(
            "DescribeNetwork",
            [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            ["*"],
        ),
    ]


def _volume_keys(keys: list[Any]) -> list[dict[str, Any]]:
    """CreateEndpoint makes SageMaker create a grant on the volume key; the config handler describes the key.

    Two statements: ``kms:GrantIsForAWSResource`` is only in grant requests, so a DescribeKey under
    that condition would always be denied.
    """
    if not keys:
        return []
    return [
        allow("DescribeVolumeKey", ["kms:DescribeKey"], keys),
        allow("UseVolumeKey", ["kms:CreateGrant"], keys, {"Bool": {"kms:GrantIsForAWSResource": "true"}}),
    ]


def endpoint_autoscaling(endpoints: list[Any]) -> list[dict[str, Any]]:
    """What an endpoint stack's scalable target and scaling policy need from the deploying role.

    The provider schemas of ``AWS::ApplicationAutoScaling::ScalableTarget`` and ``ScalingPolicy`` plus,
    from the Application Auto Scaling User Guide ("Permissions required for API actions on target
    services and CloudWatch"), the SageMaker and CloudWatch calls made on the caller's behalf.
    """
    return [
        # Application Auto Scaling has no resource-level permissions for these calls.
        allow(
            "EndpointAutoscaling",
            [
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
                "application-autoscaling:DescribeScheduledActions",
                "application-autoscaling:ListTagsForResource",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:RegisterScalableTarget",
            ],
            ["*"],
        ),
        allow("AutoscaleEndpoints", ["sagemaker:UpdateEndpointWeightsAndCapacities"], endpoints),
        # Target tracking alarms are named TargetTracking-<resource id>-... (the resource id is
        # endpoint/<name>/variant/<variant>); AWS's own service-linked role policy for SageMaker
        # endpoints scopes them by that prefix (a scoped DescribeAlarms returns
        # the metric alarms in scope; only composite alarms need it on "*").
        allow(
            "AutoscalingAlarms",
            ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
            [_target_tracking_alarms(endpoint) for endpoint in endpoints],
        ),
        # GetMetricData has no resource-level permissions.
        allow("AutoscalingMetrics", ["cloudwatch:GetMetricData"], ["*"]),
        allow(
            "AutoscalingServiceRole",
            ["iam:CreateServiceLinkedRole"],
            [
                sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                    "sagemaker.application-autoscaling.amazonaws.com/"
                    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
                )
            ],
            {"StringEquals": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}},
        ),
    ]


def _target_tracking_alarms(endpoint_arn: Any) -> Any:
    """The alarm ARN pattern of one endpoint's target tracking policies, from the endpoint's ARN."""
    text = endpoint_arn["Fn::Sub"] if isinstance(endpoint_arn, dict) else endpoint_arn
    head, name = text.split(":endpoint/", 1)
    alarm = f"{head.replace(':sagemaker:', ':cloudwatch:', 1)}:alarm:TargetTracking-endpoint/{name}/variant/*"
    return sub(alarm) if isinstance(endpoint_arn, dict) else alarm


def _endpoint_alarms(endpoint_arn: Any, suffix: str) -> Any:
    """The ARN pattern of alarms named after one endpoint (``<endpoint name><suffix>``)."""
    text = endpoint_arn["Fn::Sub"] if isinstance(endpoint_arn, dict) else endpoint_arn
    head, name = text.split(":endpoint/", 1)
    alarm = f"{head.replace(':sagemaker:', ':cloudwatch:', 1)}:alarm:{name}{suffix}"
    return sub(alarm) if isinstance(endpoint_arn, dict) else alarm


def read_project_tags(project_arn: Any) -> dict[str, Any]:
    """Let a CI script read the SageMaker project's tags at run time (merged into pipeline and stack tags)."""
    return allow("ReadProjectTags", ["sagemaker:DescribeProject", "sagemaker:ListTags"], [project_arn])


MONITOR_JOB_DEFINITIONS = {
    "data_quality": ("DataQuality", "data-quality-job-definition"),
    "model_quality": ("ModelQuality", "model-quality-job-definition"),
    "model_bias": ("ModelBias", "model-bias-job-definition"),
    "model_explainability": ("ModelExplainability", "model-explainability-job-definition"),
}
"""Monitor kind → the job definition's API name part (Create<X>JobDefinition) and ARN resource type."""


def deploy_monitoring(
    arn: Callable[[str, str], Any], kinds: list[str], schedules: list[Any], alarms: list[Any], project_id: str
) -> list[dict[str, Any]]:
    """What a role deploying the endpoint stack needs for its model monitors (nothing without monitors).

    The monitoring schedules have fixed names and are granted by ARN; CloudFormation names the job
    definitions, so they are granted by the project tag (Service Authorization Reference, Amazon
    SageMaker: Create<X>JobDefinition takes ``aws:RequestTag``, the ``*-job-definition`` resources
    ``aws:ResourceTag``). ``tests/test_permissions.py`` derives the list from the resource provider schemas.

    Args:
        arn: Builds a same-account ARN from (service, resource).
        kinds: The monitor kinds the template uses.
        schedules: ARNs (or patterns) of the stages' monitoring schedules.
        alarms: ARN patterns of the alarms the stacks create (empty: the template has none).
        project_id: The SageMaker project id the job definitions are tagged with.
    """
    if not kinds:
        return []
    names = [MONITOR_JOB_DEFINITIONS[kind][0] for kind in kinds]
    definitions = [arn("sagemaker", f"{MONITOR_JOB_DEFINITIONS[kind][1]}/*") for kind in kinds]
    statements = [
        allow(
            "CreateProjectMonitorJobs",
            ["sagemaker:AddTags", *(f"sagemaker:Create{n}JobDefinition" for n in names)],
            definitions,
            {"StringEquals": {f"aws:RequestTag/{PROJECT_TAG}": project_id}},
        ),
        allow(
            "ManageProjectMonitorJobs",
            [
                "sagemaker:AddTags",
                "sagemaker:ListTags",
                *(f"sagemaker:{verb}{n}JobDefinition" for n in names for verb in ("Delete", "Describe")),
            ],
            definitions,
            project_resource(project_id),
        ),
        allow(
            "ManageMonitoringSchedules",
            [
                "sagemaker:AddTags",
                "sagemaker:CreateMonitoringSchedule",
                "sagemaker:DeleteMonitoringSchedule",
                "sagemaker:DescribeMonitoringSchedule",
                "sagemaker:ListTags",
                "sagemaker:UpdateMonitoringSchedule",
            ],
            schedules,
        ),
    ]
    if alarms:
        statements.append(
            allow(
                "ManageMonitorAlarms",
                [
                    "cloudwatch:DeleteAlarms",
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:ListTagsForResource",
                    "cloudwatch:PutMetricAlarm",
                    "cloudwatch:TagResource",
                    "cloudwatch:UntagResource",
                ],
                alarms,
            )
        )
    return statements
