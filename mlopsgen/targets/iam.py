"""IAM statement builders shared by the targets that write roles and policies.

One place for the statement shape (sorted actions, optional condition) and for the permissions an
endpoint stack needs wherever it is deployed, so the project account's CloudFormation role and the
target accounts' stack set execution role cannot drift apart.
"""

from __future__ import annotations

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


def deploy_endpoint_stack(
    endpoints: list[Any],
    configs_and_models: list[Any],
    model_packages: Any,
    model_role: Any,
    volume_keys: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """What a role deploying the endpoint stack needs: the endpoint resources, the package, the model role.

    ``tests/test_permissions.py`` derives the list from the CloudFormation resource provider schemas
    and AWS's documentation; change both together.

    Args:
        endpoints: ARNs of the stages' endpoints.
        configs_and_models: ARN patterns of the endpoint configs and models (CloudFormation names them).
        model_packages: ARN pattern of the model package group's versions.
        model_role: The role the model runs as (passed to SageMaker only).
        volume_keys: KMS keys of the endpoint volumes, when the endpoint configs set one.
    """
    return [
        allow(
            "ManageEndpoints",
            [
                "sagemaker:AddTags",
                "sagemaker:CreateEndpoint",
                "sagemaker:CreateEndpointConfig",
                "sagemaker:CreateModel",
                "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:DeleteModel",
                "sagemaker:DeleteTags",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DescribeModel",
                "sagemaker:UpdateEndpoint",
            ],
            [*endpoints, *configs_and_models],
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
        # Target tracking alarms are named TargetTracking-<resource id>-...; AWS's own service-linked
        # role policy for SageMaker endpoints scopes them the same way (a scoped DescribeAlarms returns
        # the metric alarms in scope; only composite alarms need it on "*").
        allow(
            "AutoscalingAlarms",
            ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
            [sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:TargetTracking-*")],
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


def read_project_tags(project_arn: Any) -> dict[str, Any]:
    """Let a CI script read the SageMaker project's tags at run time (merged into pipeline and stack tags)."""
    return allow("ReadProjectTags", ["sagemaker:DescribeProject", "sagemaker:ListTags"], [project_arn])
