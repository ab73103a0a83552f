"""Plan → the safe-rollout part of the endpoint stack: DeploymentConfig, rollback alarms, stage parameters.

One endpoint template serves every stage, so what a stage's rollout says is passed as stack
parameters (``<stage>-config.json``) and the template picks the matching form with conditions: a
blue/green update (all at once, canary or linear traffic shifting), a rolling update, or neither.
CloudFormation passes DeploymentConfig to UpdateEndpoint; when an alarm fires while traffic shifts,
SageMaker rolls the endpoint back and the stack update fails, which fails the CI deploy step.
Shapes and bounds: AWS::SageMaker::Endpoint DeploymentConfig (cfn-lint's provider schema) and
botocore's UpdateEndpoint DeploymentConfig.
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir

ENDPOINT_VARIANT = "AllTraffic"
"""The one production variant of the endpoint template (``targets.endpoint.VARIANT``)."""


NO_VALUE = {"Ref": "AWS::NoValue"}
ENDPOINT_NAME = {"Fn::Sub": "${SageMakerProjectName}-${StageName}"}
"""The endpoint's name as the template gives it (the alarms watch it before the endpoint exists)."""
ALARMS = {"ErrorsAlarm": "5xx-errors", "LatencyAlarm": "model-latency"}
"""Logical id of each generated alarm → the end of its name (``<endpoint>-<variant>-<end>``)."""


def _equals(name: str, value: str) -> dict[str, Any]:
    return {"Fn::Equals": [{"Ref": name}, value]}


def _if(condition: str, value: Any) -> dict[str, Any]:
    return {"Fn::If": [condition, value, NO_VALUE]}


def alarm_slots(plan: ir.Plan) -> int:
    """How many named-alarm parameters the template needs: the most any stage lists."""
    assert plan.deploy is not None
    return max((len(s.rollout.alarms) for s in plan.deploy.stages if s.rollout is not None), default=0)


def has_rollouts(plan: ir.Plan) -> bool:
    """True when a stage declares a rollout (the template then carries the rollout parameters)."""
    return plan.deploy is not None and any(s.rollout is not None for s in plan.deploy.stages)


def stage_parameters(plan: ir.Plan, stage: ir.Stage) -> dict[str, str]:
    """The rollout parameters of one stage's stack, all text; empty when no stage has a rollout."""
    if not has_rollouts(plan):
        return {}
    rollout = stage.rollout
    alarms = rollout.generated_alarms if rollout else None
    named = rollout.alarms if rollout else ()
    return {
        "RolloutTraffic": rollout.traffic if rollout else "NONE",
        "RolloutStepType": (rollout.step_type if rollout else "") or "CAPACITY_PERCENT",
        "RolloutStepSize": str((rollout.step_size if rollout else 0) or 1),
        "RolloutWaitSeconds": str(rollout.wait_seconds if rollout else 0),
        "RolloutTerminationWaitSeconds": str(rollout.termination_wait_seconds if rollout else 0),
        "RolloutTimeoutSeconds": str(rollout.max_execution_timeout_seconds if rollout else 0),
        "GenerateRollbackAlarms": str(alarms is not None).lower(),
        "RollbackErrorThreshold": str(alarms.errors_5xx if alarms else 1),
        "RollbackLatencyThreshold": str(alarms.latency_microseconds if alarms else 1_000_000),
        "RollbackEvaluationPeriods": str(alarms.evaluation_periods if alarms else 2),
        **{f"RollbackAlarm{i + 1}": named[i] if i < len(named) else "" for i in range(alarm_slots(plan))},
    }


def _parameters(slots: int) -> dict[str, Any]:
    text, number = {"Type": "String"}, {"Type": "Number"}
    return {
        "RolloutTraffic": {
            **text,
            "AllowedValues": ["NONE", "ALL_AT_ONCE", "CANARY", "LINEAR", "ROLLING"],
            "Default": "NONE",
            "Description": "Blue/green traffic shifting, a rolling update, or NONE (SageMaker's plain swap).",
        },
        "RolloutStepType": {
            **text,
            "AllowedValues": ["CAPACITY_PERCENT", "INSTANCE_COUNT"],
            "Default": "CAPACITY_PERCENT",
        },
        "RolloutStepSize": {
            **number,
            "MinValue": 1,
            "Default": 1,
            "Description": "Canary size, linear step or rolling batch.",
        },
        "RolloutWaitSeconds": {**number, "MinValue": 0, "MaxValue": 3600, "Default": 0},
        "RolloutTerminationWaitSeconds": {**number, "MinValue": 0, "MaxValue": 3600, "Default": 0},
        "RolloutTimeoutSeconds": {
            **number,
            "MinValue": 0,
            "MaxValue": 28800,
            "Default": 0,
            "Description": "Bound for the whole update (600-28800 s); 0 keeps SageMaker's default.",
        },
        "GenerateRollbackAlarms": {**text, "AllowedValues": ["true", "false"], "Default": "false"},
        "RollbackErrorThreshold": {**number, "MinValue": 1, "Default": 1, "Description": "5xx errors per minute."},
        "RollbackLatencyThreshold": {
            **number,
            "MinValue": 1,
            "Default": 1000000,
            "Description": "Average model latency per minute, in microseconds (CloudWatch's unit for ModelLatency).",
        },
        "RollbackEvaluationPeriods": {**number, "MinValue": 1, "MaxValue": 60, "Default": 2},
        **{
            f"RollbackAlarm{i + 1}": {**text, "Default": "", "Description": "An existing alarm that rolls back."}
            for i in range(slots)
        },
    }


def _conditions(slots: int) -> dict[str, Any]:
    named = [f"RollbackAlarm{i + 1}" for i in range(slots)]
    rollback = ["GenerateAlarms", *(f"Has{name}" for name in named)]
    return {
        "Rollout": {"Fn::Not": [_equals("RolloutTraffic", "NONE")]},
        "BlueGreenRollout": {"Fn::Or": [_equals("RolloutTraffic", v) for v in ("ALL_AT_ONCE", "CANARY", "LINEAR")]},
        "CanaryRollout": _equals("RolloutTraffic", "CANARY"),
        "LinearRollout": _equals("RolloutTraffic", "LINEAR"),
        "RollingRollout": _equals("RolloutTraffic", "ROLLING"),
        "RolloutTimeout": {"Fn::Not": [_equals("RolloutTimeoutSeconds", "0")]},
        "GenerateAlarms": {"Fn::And": [{"Condition": "Rollout"}, _equals("GenerateRollbackAlarms", "true")]},
        **{f"Has{name}": {"Fn::Not": [_equals(name, "")]} for name in named},
        # With no named alarms the generated ones decide alone (GenerateAlarms; Fn::Or takes 2-10).
        **({"AutoRollback": {"Fn::Or": [{"Condition": c} for c in rollback]}} if slots else {}),
    }


def _alarm(metric: str, statistic: str, threshold: str, end: str, what: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Condition": "GenerateAlarms",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"${{SageMakerProjectName}}-${{StageName}}-{ENDPOINT_VARIANT}-{end}"},
            "AlarmDescription": f"Rolls back an endpoint update when {what} (mlopsgen).",
            "Namespace": "AWS/SageMaker",
            "MetricName": metric,
            "Dimensions": [
                {"Name": "EndpointName", "Value": ENDPOINT_NAME},
                {"Name": "VariantName", "Value": ENDPOINT_VARIANT},
            ],
            "Statistic": statistic,
            "Period": 60,
            "EvaluationPeriods": {"Ref": "RollbackEvaluationPeriods"},
            "Threshold": {"Ref": threshold},
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            # No requests, no data points: an idle endpoint is healthy, not failing.
            "TreatMissingData": "notBreaching",
        },
    }


def _deployment_config(slots: int) -> dict[str, Any]:
    step = {"Type": {"Ref": "RolloutStepType"}, "Value": {"Ref": "RolloutStepSize"}}
    timeout = _if("RolloutTimeout", {"Ref": "RolloutTimeoutSeconds"})
    generated = [{"AlarmName": {"Ref": logical_id}} for logical_id in ALARMS]
    alarms = [
        *(generated if not slots else (_if("GenerateAlarms", alarm) for alarm in generated)),
        *(_if(f"HasRollbackAlarm{i + 1}", {"AlarmName": {"Ref": f"RollbackAlarm{i + 1}"}}) for i in range(slots)),
    ]
    return {
        "BlueGreenUpdatePolicy": _if(
            "BlueGreenRollout",
            {
                "TrafficRoutingConfiguration": {
                    "Type": {
                        "Fn::If": ["CanaryRollout", "CANARY", {"Fn::If": ["LinearRollout", "LINEAR", "ALL_AT_ONCE"]}]
                    },
                    "WaitIntervalInSeconds": {"Ref": "RolloutWaitSeconds"},
                    "CanarySize": _if("CanaryRollout", step),
                    "LinearStepSize": _if("LinearRollout", step),
                },
                "TerminationWaitInSeconds": {"Ref": "RolloutTerminationWaitSeconds"},
                "MaximumExecutionTimeoutInSeconds": timeout,
            },
        ),
        "RollingUpdatePolicy": _if(
            "RollingRollout",
            {
                "MaximumBatchSize": step,
                "WaitIntervalInSeconds": {"Ref": "RolloutWaitSeconds"},
                "MaximumExecutionTimeoutInSeconds": timeout,
            },
        ),
        "AutoRollbackConfiguration": _if("AutoRollback" if slots else "GenerateAlarms", {"Alarms": alarms}),
    }


def add_rollout(plan: ir.Plan, template: dict[str, Any]) -> None:
    """Add the rollout parameters, conditions, alarms and DeploymentConfig to an endpoint template.

    Nothing changes when no stage declares a rollout, so such projects keep their template as it was.

    Args:
        plan: The resolved blueprint.
        template: The endpoint template (``targets.endpoint.template``), changed in place.
    """
    if not has_rollouts(plan):
        return
    slots = alarm_slots(plan)
    template["Parameters"].update(_parameters(slots))
    template["Conditions"].update(_conditions(slots))
    resources = template["Resources"]
    resources["ErrorsAlarm"] = _alarm(
        "Invocation5XXErrors", "Sum", "RollbackErrorThreshold", ALARMS["ErrorsAlarm"], "the model returns 5xx errors"
    )
    resources["LatencyAlarm"] = _alarm(
        "ModelLatency", "Average", "RollbackLatencyThreshold", ALARMS["LatencyAlarm"], "model latency is too high"
    )
    resources["Endpoint"]["Properties"]["DeploymentConfig"] = _if("Rollout", _deployment_config(slots))


def alarm_ids(template: dict[str, Any]) -> list[str]:
    """Logical ids of the generated alarms in ``template`` (tagged like the endpoint in stack sets)."""
    return [logical_id for logical_id in ALARMS if logical_id in template["Resources"]]
