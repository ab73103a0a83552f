"""IAM statement builders shared by the targets that write roles and policies.

One place for the statement shape (sorted actions, optional condition) and for the permissions an
endpoint stack needs wherever it is deployed, so the project account's CloudFormation role and the
target accounts' stack set execution role cannot drift apart.
"""

from __future__ import annotations

from typing import Any


def sub(text: str) -> dict[str, str]:
    """A CloudFormation ``Fn::Sub``."""
    return {"Fn::Sub": text}


def allow(
    sid: str, actions: list[str], resources: list[Any], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An Allow statement; actions sorted so output is stable whatever order callers list them in."""
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def endpoint_autoscaling() -> list[dict[str, Any]]:
    """What an endpoint stack's scalable target and scaling policy need from the deploying role."""
    return [
        # Application Auto Scaling has no resource-level permissions for these calls.
        allow(
            "EndpointAutoscaling",
            [
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:RegisterScalableTarget",
            ],
            ["*"],
        ),
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
