"""Plan → the serving parts of the endpoint template: variants, shadow, serverless and asynchronous settings.

One template serves every stage (``endpoint.py``), so what a stage's serving mode changes is a stack
parameter and a CloudFormation condition: ``ServingMode`` picks ServerlessConfig or
AsyncInferenceConfig, extra variant slots are dropped with ``AWS::NoValue`` where a stage leaves them
empty. Only what some stage uses is added, so a blueprint without ``serving`` renders today's template.
Shapes: AWS::SageMaker::EndpointConfig (cfn-lint's resource provider schema); limits: botocore's
CreateEndpointConfig.
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html
"""

from __future__ import annotations

import copy
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.model_serving import DEFAULT_VARIANT, Variant

NO_VALUE = {"Ref": "AWS::NoValue"}
MODES = ["realtime", "serverless", "asynchronous"]
SERVERLESS_MEMORY = [str(n) for n in range(1024, 6145, 1024)]
BACKLOG_METRIC = "ApproximateBacklogSizePerInstance"
"""The per-instance queue length SageMaker publishes for asynchronous endpoints (namespace AWS/SageMaker)."""
_TUNING = (
    ("VolumeSizeInGB", "volume_size_gb", 1, 512),
    ("ModelDataDownloadTimeoutInSeconds", "model_data_download_timeout_seconds", 60, 3600),
    ("ContainerStartupHealthCheckTimeoutInSeconds", "container_startup_health_check_timeout_seconds", 60, 3600),
)
"""Per-variant settings: property (also the parameter and, prefixed with Has, the condition), plan field, AWS range."""


def uses_serving(plan: ir.Plan) -> bool:
    """Some stage declares a serving block (only then does the template change)."""
    return plan.deploy is not None and any(s.serving.declared for s in plan.deploy.stages)


def _stages(plan: ir.Plan) -> tuple[ir.Stage, ...]:
    assert plan.deploy is not None
    return plan.deploy.stages


def _extra_slots(plan: ir.Plan) -> int:
    return max(len(s.serving.variants) for s in _stages(plan)) - 1


def _has_shadow(plan: ir.Plan) -> bool:
    return any(s.serving.shadow_variants for s in _stages(plan))


def _modes(plan: ir.Plan) -> set[str]:
    return {s.serving.mode for s in _stages(plan)}


def _switches_mode(plan: ir.Plan) -> bool:
    """Some stage serves serverless or asynchronously: only then do conditions read ``ServingMode``.

    A parameter nothing reads is cfn-lint's W2001, so a realtime-only template declares none.
    """
    return bool(_modes(plan) - {"realtime"})


def _tuned(plan: ir.Plan) -> list[tuple[str, str, int, int]]:
    return [t for t in _TUNING if any(getattr(s.serving, t[1]) is not None for s in _stages(plan))]


def _number(minimum: int, default: int, description: str, maximum: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": "Number", "MinValue": minimum, "Default": default, "Description": description}
    if maximum is not None:
        out["MaxValue"] = maximum
    return out


def _if(condition: str, value: Any) -> dict[str, Any]:
    return {"Fn::If": [condition, value, NO_VALUE]}


def _variant(plan: ir.Plan, prefix: str) -> dict[str, Any]:
    """One instance-backed variant whose fields come from the ``<prefix>*`` parameters."""
    out: dict[str, Any] = {
        "InitialInstanceCount": {"Ref": f"{prefix}InstanceCount"},
        "InitialVariantWeight": {"Ref": f"{prefix}Weight"},
        "InstanceType": {"Ref": f"{prefix}InstanceType"},
        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
        "VariantName": {"Ref": f"{prefix}Name"},
    }
    for prop, _, _, _ in _tuned(plan):
        out[prop] = _if(f"Has{prop}", {"Ref": prop})
    return out


def apply(plan: ir.Plan, template: dict[str, Any]) -> None:
    """Add the serving parameters, conditions and properties some stage needs to the endpoint template.

    Args:
        plan: The resolved blueprint (some stage declares serving: ``uses_serving``).
        template: The endpoint template built by ``endpoint.template``; changed in place.
    """
    parameters, conditions = template["Parameters"], template["Conditions"]
    resources = template["Resources"]
    config = resources["EndpointConfig"]["Properties"]
    modes = _modes(plan)
    if _switches_mode(plan):
        parameters["ServingMode"] = {
            "Type": "String",
            "AllowedValues": MODES,
            "Default": "realtime",
            "Description": "How the stage serves its model.",
        }
    parameters["VariantName"] = {"Type": "String", "Default": DEFAULT_VARIANT, "Description": "First variant."}
    parameters["VariantWeight"] = {"Type": "Number", "MinValue": 0, "Default": 1, "Description": "Its weight."}
    primary = config["ProductionVariants"][0]
    primary["VariantName"] = {"Ref": "VariantName"}
    primary["InitialVariantWeight"] = {"Ref": "VariantWeight"}
    for prop, _, low, high in _tuned(plan):
        parameters[prop] = _number(0, 0, f"{prop} of each variant ({low}-{high}); 0: SageMaker's default.", high)
        conditions[f"Has{prop}"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": prop}, 0]}]}
        primary[prop] = _if(f"Has{prop}", {"Ref": prop})
    scaling = resources["ScalableTarget"]["Properties"]
    scaling["ResourceId"] = {"Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/${VariantName}"}
    extras = []
    for slot in range(2, _extra_slots(plan) + 2):
        prefix = f"Variant{slot}"
        _slot_parameters(parameters, prefix, f"Production variant {slot}")
        filled: dict[str, Any] = {"Fn::Not": [{"Fn::Equals": [{"Ref": f"{prefix}Name"}, ""]}]}
        # Slots fill in order: a filled slot implies the earlier ones (cfn-lint then knows their names are set).
        conditions[f"Has{prefix}"] = (
            filled if slot == 2 else {"Fn::And": [{"Condition": f"HasVariant{slot - 1}"}, filled]}
        )
        extras.append(_variant(plan, prefix))
    if any(s.autoscaling and len(s.serving.variants) > 1 for s in _stages(plan)):  # each variant scales on its own
        from mlopsgen.targets.endpoint_variant_scaling import add_variant_scaling, scaled_slots

        add_variant_scaling(template, scaled_slots(plan))
    if _has_shadow(plan):
        _slot_parameters(parameters, "ShadowVariant", "Shadow variant")
        conditions["HasShadowVariant"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "ShadowVariantName"}, ""]}]}
        config["ShadowProductionVariants"] = _if("HasShadowVariant", [_variant(plan, "ShadowVariant")])
    if "serverless" in modes:
        _serverless(parameters, conditions, config, primary)
    if "asynchronous" in modes:
        _asynchronous(plan, parameters, conditions, config, resources)
    if extras:
        config["ProductionVariants"] = _variant_lists(primary, extras)


def _variant_lists(primary: dict[str, Any], extras: list[dict[str, Any]]) -> Any:
    """The production variant list of every filled slot count: the first n slots, nested Fn::If on HasVariant<n>.

    A stage fills its slots in order, so picking the whole list beats ``AWS::NoValue`` inside it,
    which CloudFormation drops but moto (the deploy tests) leaves as a null variant.
    """
    lists: Any = [copy.deepcopy(primary)]
    for n in range(2, len(extras) + 2):
        lists = {"Fn::If": [f"HasVariant{n}", copy.deepcopy([primary, *extras[: n - 1]]), lists]}
    return lists


def _slot_parameters(parameters: dict[str, Any], prefix: str, what: str) -> None:
    parameters[f"{prefix}Name"] = {"Type": "String", "Default": "", "Description": f"{what}; empty: none."}
    parameters[f"{prefix}InstanceType"] = {"Type": "String", "Default": "ml.m5.large"}
    parameters[f"{prefix}InstanceCount"] = {"Type": "Number", "MinValue": 1, "Default": 1}
    parameters[f"{prefix}Weight"] = {"Type": "Number", "MinValue": 0, "Default": 1}


def _serverless(
    parameters: dict[str, Any], conditions: dict[str, Any], config: dict[str, Any], primary: dict[str, Any]
) -> None:
    conditions["Serverless"] = {"Fn::Equals": [{"Ref": "ServingMode"}, "serverless"]}
    conditions["HasProvisionedConcurrency"] = {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ServerlessProvisionedConcurrency"}, 0]}]
    }
    parameters["ServerlessMemorySizeInMB"] = {"Type": "Number", "AllowedValues": SERVERLESS_MEMORY, "Default": "1024"}
    parameters["ServerlessMaxConcurrency"] = _number(1, 1, "Most concurrent invocations.", 200)
    parameters["ServerlessProvisionedConcurrency"] = _number(0, 0, "Invocations kept warm; 0: none.", 200)
    # A serverless variant names no instances, and a serverless endpoint captures no data.
    primary["InstanceType"] = {"Fn::If": ["Serverless", NO_VALUE, primary["InstanceType"]]}
    primary["InitialInstanceCount"] = {"Fn::If": ["Serverless", NO_VALUE, primary["InitialInstanceCount"]]}
    primary["ServerlessConfig"] = _if(
        "Serverless",
        {
            "MemorySizeInMB": {"Ref": "ServerlessMemorySizeInMB"},
            "MaxConcurrency": {"Ref": "ServerlessMaxConcurrency"},
            "ProvisionedConcurrency": _if("HasProvisionedConcurrency", {"Ref": "ServerlessProvisionedConcurrency"}),
        },
    )
    config["DataCaptureConfig"] = {"Fn::If": ["Serverless", NO_VALUE, config["DataCaptureConfig"]]}


def _asynchronous(
    plan: ir.Plan,
    parameters: dict[str, Any],
    conditions: dict[str, Any],
    config: dict[str, Any],
    resources: dict[str, Any],
) -> None:
    text = {"Type": "String"}
    conditions["Asynchronous"] = {"Fn::Equals": [{"Ref": "ServingMode"}, "asynchronous"]}
    for name, what in (("SuccessTopic", "told of each success"), ("ErrorTopic", "told of each failure")):
        parameters[f"Async{name}"] = {**text, "Default": "", "Description": f"SNS topic {what}; empty: none."}
        conditions[f"HasAsync{name}"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": f"Async{name}"}, ""]}]}
    conditions["HasAsyncNotification"] = {
        "Fn::Or": [{"Condition": "HasAsyncSuccessTopic"}, {"Condition": "HasAsyncErrorTopic"}]
    }
    conditions["HasAsyncConcurrency"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "AsyncMaxConcurrentInvocations"}, 0]}]}
    # Stages in another mode pass the unused placeholder: AWS's pattern holds for every stage's value.
    unused = _unused_path(plan)
    parameters["AsyncOutputPath"] = {**text, "Default": unused, "Description": "S3 URI receiving the results."}
    parameters["AsyncFailurePath"] = {**text, "Default": unused, "Description": "S3 URI receiving the failures."}
    parameters["AsyncMaxConcurrentInvocations"] = _number(0, 0, "Per instance; 0: SageMaker chooses.", 1000)
    parameters["TargetBacklogPerInstance"] = {
        "Type": "Number",
        "MinValue": 0,
        "Default": 5,
        "Description": "Queued requests per instance the autoscaling policy of an asynchronous stage tracks.",
    }
    # Scaling in to zero instances is what an asynchronous endpoint may do.
    parameters["MinInstances"]["MinValue"] = 0
    output: dict[str, Any] = {
        "S3OutputPath": {"Ref": "AsyncOutputPath"},
        "S3FailurePath": {"Ref": "AsyncFailurePath"},
        "NotificationConfig": _if(
            "HasAsyncNotification",
            {
                "SuccessTopic": _if("HasAsyncSuccessTopic", {"Ref": "AsyncSuccessTopic"}),
                "ErrorTopic": _if("HasAsyncErrorTopic", {"Ref": "AsyncErrorTopic"}),
            },
        ),
    }
    if plan.security.output_kms_key:
        output["KmsKeyId"] = plan.security.output_kms_key
    config["AsyncInferenceConfig"] = _if(
        "Asynchronous",
        {
            "OutputConfig": output,
            "ClientConfig": _if(
                "HasAsyncConcurrency",
                {"MaxConcurrentInvocationsPerInstance": {"Ref": "AsyncMaxConcurrentInvocations"}},
            ),
        },
    )
    tracking = resources["ScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    tracking["TargetValue"] = {"Fn::If": ["Asynchronous", {"Ref": "TargetBacklogPerInstance"}, tracking["TargetValue"]]}
    tracking["PredefinedMetricSpecification"] = {
        "Fn::If": ["Asynchronous", NO_VALUE, tracking["PredefinedMetricSpecification"]]
    }
    if _scales_from_zero(plan):
        _scale_from_zero(conditions, resources)
    # ref: https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html
    tracking["CustomizedMetricSpecification"] = _if(
        "Asynchronous",
        {
            "MetricName": BACKLOG_METRIC,
            "Namespace": "AWS/SageMaker",
            "Dimensions": [{"Name": "EndpointName", "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}],
            "Statistic": "Average",
        },
    )


def _scales_from_zero(plan: ir.Plan) -> bool:
    """Some asynchronous stage may scale in to zero instances: only then is the step policy and its alarm needed.

    The CloudFormation role is granted the alarm's rights on the same predicate (``codepipeline_iam``).
    """
    return any(
        s.serving.asynchronous and s.serving.asynchronous.scaling and s.serving.asynchronous.scaling.min_instances == 0
        for s in _stages(plan)
    )


def _scale_from_zero(conditions: dict[str, Any], resources: dict[str, Any]) -> None:
    """Scale an asynchronous endpoint out of zero instances: a step policy on HasBacklogWithoutCapacity.

    Target tracking divides the backlog by the instance count, so with no instances it never acts;
    AWS's guide adds a step scaling policy that one CloudWatch alarm on HasBacklogWithoutCapacity
    (requests queued while no instance runs) triggers.
    ref: https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html
    """
    conditions["ScaleFromZero"] = {
        "Fn::And": [
            {"Condition": "AutoScaling"},
            {"Condition": "Asynchronous"},
            {"Fn::Equals": [{"Ref": "MinInstances"}, 0]},
        ]
    }
    resources["ScaleFromZeroPolicy"] = {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Condition": "ScaleFromZero",
        "Properties": {
            "PolicyName": {"Fn::Sub": "${SageMakerProjectName}-${StageName}-scale-from-zero"},
            "PolicyType": "StepScaling",
            "ScalingTargetId": {"Ref": "ScalableTarget"},
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "MetricAggregationType": "Average",
                "Cooldown": {"Ref": "ScaleOutCooldown"},
                "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
            },
        },
    }
    resources["ScaleFromZeroAlarm"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Condition": "ScaleFromZero",
        "Properties": {
            "AlarmDescription": "Requests are queued while the asynchronous endpoint runs no instance.",
            "Namespace": "AWS/SageMaker",
            "MetricName": "HasBacklogWithoutCapacity",
            "Dimensions": [{"Name": "EndpointName", "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}],
            "Statistic": "Average",
            "Period": 60,
            "EvaluationPeriods": 2,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "missing",
            "AlarmActions": [{"Ref": "ScaleFromZeroPolicy"}],
        },
    }


def drop_scale_from_zero(template: dict[str, Any]) -> None:
    """Remove the scale-from-zero policy and alarm: stack set stages are never asynchronous (MLG323).

    Args:
        template: The stack set template; changed in place.
    """
    del template["Conditions"]["ScaleFromZero"]
    for name in ("ScaleFromZeroPolicy", "ScaleFromZeroAlarm"):
        del template["Resources"][name]


def _unused_path(plan: ir.Plan) -> str:
    return f"s3://{plan.project.artifact_bucket}/async-inference"


def _variant_parameters(prefix: str, variant: Variant | None) -> dict[str, str]:
    if variant is None:  # an empty slot: the name "" drops it (the template's defaults for the rest)
        return {f"{prefix}Name": "", f"{prefix}InstanceType": "ml.m5.large", f"{prefix}InstanceCount": "1"} | {
            f"{prefix}Weight": "1"
        }
    return {
        f"{prefix}Name": variant.name,
        f"{prefix}InstanceType": variant.instance_type,
        f"{prefix}InstanceCount": str(variant.instance_count),
        f"{prefix}Weight": _weight(variant.weight),
    }


def _weight(weight: float) -> str:
    return str(int(weight)) if weight == int(weight) else repr(weight)


def stage_parameters(plan: ir.Plan, stage: ir.Stage) -> dict[str, str]:
    """The serving parameters of one stage's stack (every one the template declares, as text).

    Args:
        plan: The resolved blueprint (``uses_serving``).
        stage: The stage.

    Returns:
        Parameter name → value; the first variant's instance parameters stay in ``endpoint.py`` (from the Stage).
    """
    serving = stage.serving
    first = serving.variants[0]
    out = {"ServingMode": serving.mode} if _switches_mode(plan) else {}
    out |= {"VariantName": first.name, "VariantWeight": _weight(first.weight)}
    for prop, field, _, _ in _tuned(plan):
        out[prop] = str(getattr(serving, field) or 0)
    for slot in range(2, _extra_slots(plan) + 2):
        extra = serving.variants[slot - 1] if slot <= len(serving.variants) else None
        out |= _variant_parameters(f"Variant{slot}", extra)
    if _has_shadow(plan):
        out |= _variant_parameters("ShadowVariant", serving.shadow_variants[0] if serving.shadow_variants else None)
    modes = _modes(plan)
    if "serverless" in modes:
        less = serving.serverless
        out["ServerlessMemorySizeInMB"] = str(less.memory_mb if less else 1024)
        out["ServerlessMaxConcurrency"] = str(less.max_concurrency if less else 1)
        out["ServerlessProvisionedConcurrency"] = str(less.provisioned_concurrency or 0 if less else 0)
    if "asynchronous" in modes:
        queue = serving.asynchronous
        out["AsyncOutputPath"] = queue.output_path if queue else _unused_path(plan)
        out["AsyncFailurePath"] = queue.failure_path if queue else _unused_path(plan)
        out["AsyncSuccessTopic"] = (queue.success_topic or "") if queue else ""
        out["AsyncErrorTopic"] = (queue.error_topic or "") if queue else ""
        out["AsyncMaxConcurrentInvocations"] = str((queue.max_concurrent_invocations_per_instance or 0) if queue else 0)
        scaling = queue.scaling if queue else None
        out["TargetBacklogPerInstance"] = _weight(scaling.target_backlog_per_instance) if scaling else "5"
        if scaling is not None:
            out |= {
                "EnableAutoScaling": "true",
                "MinInstances": str(scaling.min_instances),
                "MaxInstances": str(scaling.max_instances),
                "ScaleInCooldown": str(scaling.scale_in_cooldown_seconds),
                "ScaleOutCooldown": str(scaling.scale_out_cooldown_seconds),
            }
    return out
