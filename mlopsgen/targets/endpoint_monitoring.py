"""Plan monitoring → the monitoring part of the endpoint stack: job definitions, schedules, alarms, parameters.

The endpoint template serves every stage, so each monitor kind any stage uses gets its resources once,
switched on per stage by a ``<Kind>Monitor`` parameter; what differs per stage (schedule, baselines,
ground truth, attributes, alarm thresholds) is a parameter too, set in ``<stage>-config.json``. Baselines
read from the approved model package are written there as ``model-package:<path>`` references that the
deploy step (``deploy_config.py``) replaces with the package's DriftCheckBaselines URIs.

Shapes: the resource provider schemas of AWS::SageMaker::{DataQuality,ModelQuality,ModelBias,
ModelExplainability}JobDefinition and ::MonitoringSchedule (cfn-lint ships them; tests lint the output).
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.model_monitoring import KINDS, Monitor, Monitoring
from mlopsgen.targets.iam import PROJECT_TAG

NO_VALUE = {"Ref": "AWS::NoValue"}
SUFFIXES = {"data_quality": "dq", "model_quality": "mq", "model_bias": "bias", "model_explainability": "expl"}
"""Schedule name suffixes: <project (32)>-<stage (20)>-<suffix> stays within the 63 characters AWS allows."""
# Which per-stage values each kind takes (CloudFormation schema members of its job definition).
FIELDS: dict[str, tuple[str, ...]] = {
    "data_quality": ("statistics", "constraints"),
    "model_quality": ("constraints", "ground_truth", "inference_attribute", "probability_attribute", "threshold"),
    "model_bias": (
        "constraints",
        "analysis_config",
        "ground_truth",
        "features_attribute",
        "inference_attribute",
        "probability_attribute",
        "threshold",
    ),
    "model_explainability": (
        "constraints",
        "analysis_config",
        "features_attribute",
        "inference_attribute",
        "probability_attribute",
    ),
}
PARAMETER_NAMES = {
    "statistics": "StatisticsUri",
    "constraints": "ConstraintsUri",
    "analysis_config": "AnalysisConfigUri",
    "ground_truth": "GroundTruthUri",
    "features_attribute": "FeaturesAttribute",
    "inference_attribute": "InferenceAttribute",
    "probability_attribute": "ProbabilityAttribute",
    "threshold": "ProbabilityThreshold",
}
REQUIRED = frozenset({"ground_truth", "analysis_config"})
"""Values a monitor cannot run without (the blueprint and its checks guarantee them when it is on)."""
UNSET_URI = "s3://unset-monitoring-value"
"""Default of a required URI parameter: never used (the resource exists only when its monitor is on, and the
stage then sets it), but a valid S3 URI so the template's defaults pass the schemas' patterns."""
LOCAL_INPUT = "/opt/ml/processing/input/endpoint"
LOCAL_OUTPUT = "/opt/ml/processing/output"
# The SDK's default (enable_cloudwatch_metrics=True): the monitor publishes the metrics alarms watch.
ENVIRONMENT = {"publish_cloudwatch_metrics": "Enabled"}


def _stages(plan: ir.Plan) -> list[tuple[ir.Stage, Monitoring]]:
    assert plan.deploy is not None
    return [(s, s.monitoring) for s in plan.deploy.stages if s.monitoring is not None]


def used_kinds(plan: ir.Plan) -> list[str]:
    """The monitor kinds any stage uses, in KINDS order (empty: the template has no monitoring)."""
    kinds = {m.kind for _, monitoring in _stages(plan) for m in monitoring.monitors}
    return [kind for kind in KINDS if kind in kinds]


def alarms(plan: ir.Plan, kind: str) -> list[tuple[str, str]]:
    """The distinct (metric, comparison) alarms of a kind across stages; the n-th is ``<Kind>Alarm<n>``."""
    seen: list[tuple[str, str]] = []
    for _, monitoring in _stages(plan):
        for monitor in monitoring.monitors:
            for alarm in monitor.alarms if monitor.kind == kind else ():
                if (alarm.metric, alarm.comparison) not in seen:
                    seen.append((alarm.metric, alarm.comparison))
    return seen


def _value(monitor: Monitor, field: str) -> str:
    return monitor.probability_threshold if field == "threshold" else str(getattr(monitor, field))


def stage_parameters(plan: ir.Plan, stage: ir.Stage) -> dict[str, str]:
    """Every monitoring parameter of the template for one stage (text values); empty when no stage monitors.

    A stage lists them all, its own values or the template's defaults (monitors off), so its
    configuration file says the whole stage.
    """
    out = {name: str(spec["Default"]) for name, spec in parameters(plan).items()}
    monitoring = stage.monitoring
    by_kind = {m.kind: m for m in (monitoring.monitors if monitoring else ())}
    out |= {f"{KINDS[kind][0]}Monitor": "true" for kind in by_kind}
    if monitoring is None:
        return out
    out |= {
        "MonitoringInstanceType": monitoring.instance_type,
        "MonitoringVolumeSizeInGB": str(monitoring.volume_size_gb),
        "MonitoringMaxRuntimeInSeconds": str(monitoring.max_runtime_seconds),
        "MonitoringOutputUri": monitoring.output,
    }
    for kind, monitor in by_kind.items():
        part = KINDS[kind][0]
        out[f"{part}ScheduleExpression"] = monitor.schedule
        if monitor.problem_type:
            out[f"{part}ProblemType"] = monitor.problem_type
        for field in FIELDS[kind]:
            if _value(monitor, field):
                out[f"{part}{PARAMETER_NAMES[field]}"] = _value(monitor, field)
        thresholds = {(a.metric, a.comparison): a.threshold for a in monitor.alarms}
        for n, key in enumerate(alarms(plan, kind), start=1):
            if key in thresholds:
                out[f"{part}Alarm{n}Threshold"] = repr(float(thresholds[key]))
    return out


def parameters(plan: ir.Plan) -> dict[str, Any]:
    """Template parameters of the monitors any stage uses (each with a default, so other stages omit them)."""
    kinds = used_kinds(plan)
    if not kinds:
        return {}
    text = {"Type": "String", "Default": ""}
    out: dict[str, Any] = {
        "MonitoringInstanceType": {"Type": "String", "Default": "ml.m5.xlarge"},
        "MonitoringVolumeSizeInGB": {"Type": "Number", "MinValue": 1, "MaxValue": 16384, "Default": 20},
        "MonitoringMaxRuntimeInSeconds": {"Type": "Number", "MinValue": 1, "MaxValue": 86400, "Default": 3600},
        "MonitoringOutputUri": {
            **text,
            "Default": UNSET_URI,
            "Description": "S3 prefix of the monitoring reports (required when a monitor is on).",
        },
    }
    for kind in kinds:
        part = KINDS[kind][0]
        out[f"{part}Monitor"] = {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}
        out[f"{part}ScheduleExpression"] = {"Type": "String", "Default": "cron(0 0 ? * * *)"}
        for field in FIELDS[kind]:
            required = {"Default": UNSET_URI, "Description": f"Required when {part}Monitor is true."}
            out[f"{part}{PARAMETER_NAMES[field]}"] = {**text, **required} if field in REQUIRED else dict(text)
        if kind == "model_quality":
            out["ModelQualityProblemType"] = {
                "Type": "String",
                "AllowedValues": ["BinaryClassification", "MulticlassClassification", "Regression"],
                "Default": "BinaryClassification",
            }
        for n, _ in enumerate(alarms(plan, kind), start=1):
            out[f"{part}Alarm{n}Threshold"] = {**text, "Description": "Alarm threshold; empty: no alarm."}
    return out


def conditions(plan: ir.Plan) -> dict[str, Any]:
    """One condition per monitor switch, optional value and alarm."""
    out: dict[str, Any] = {}
    for kind in used_kinds(plan):
        part = KINDS[kind][0]
        out[f"{part}Monitor"] = {"Fn::Equals": [{"Ref": f"{part}Monitor"}, "true"]}
        for field in FIELDS[kind]:
            if field in REQUIRED:
                continue
            name = f"{part}{PARAMETER_NAMES[field]}"
            out[f"Has{name}"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]}
        if kind == "data_quality":
            out["HasDataQualityBaseline"] = {
                "Fn::Or": [{"Condition": "HasDataQualityStatisticsUri"}, {"Condition": "HasDataQualityConstraintsUri"}]
            }
        for n, _ in enumerate(alarms(plan, kind), start=1):
            threshold = {"Fn::Not": [{"Fn::Equals": [{"Ref": f"{part}Alarm{n}Threshold"}, ""]}]}
            out[f"{part}Alarm{n}"] = {"Fn::And": [{"Condition": f"{part}Monitor"}, threshold]}
    return out


def _optional(name: str, value: Any) -> dict[str, Any]:
    return {"Fn::If": [f"Has{name}", value, NO_VALUE]}


def _uri(name: str) -> dict[str, Any]:
    return _optional(name, {"S3Uri": {"Ref": name}})


def resources(plan: ir.Plan) -> dict[str, Any]:
    """Job definition, schedule and alarms of each monitor kind any stage uses."""
    out: dict[str, Any] = {}
    first = _stages(plan)[0][1] if _stages(plan) else None
    images = dict(first.images) if first else {}
    for kind in used_kinds(plan):
        part, monitoring_type, image, namespace = KINDS[kind]
        out[f"{part}JobDefinition"] = {
            "Type": f"AWS::SageMaker::{part}JobDefinition",
            "Condition": f"{part}Monitor",
            "Properties": _job_definition(plan, kind, images.get(image, "")),
        }
        schedule = f"{part}MonitoringSchedule"
        out[schedule] = {
            "Type": "AWS::SageMaker::MonitoringSchedule",
            "Condition": f"{part}Monitor",
            "Properties": {
                "MonitoringScheduleName": {"Fn::Sub": f"${{SageMakerProjectName}}-${{StageName}}-{SUFFIXES[kind]}"},
                "EndpointName": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
                "MonitoringScheduleConfig": {
                    # CloudFormation names the job definition (replaced with each new baseline); its
                    # ARN ends in /<name>.
                    "MonitoringJobDefinitionName": {
                        "Fn::Select": [1, {"Fn::Split": ["/", {"Ref": f"{part}JobDefinition"}]}]
                    },
                    "MonitoringType": monitoring_type,
                    "ScheduleConfig": {"ScheduleExpression": {"Ref": f"{part}ScheduleExpression"}},
                },
                "Tags": [{"Key": PROJECT_TAG, "Value": plan.project.id}],
            },
        }
        for n, (metric, comparison) in enumerate(alarms(plan, kind), start=1):
            out[f"{part}Alarm{n}"] = {
                "Type": "AWS::CloudWatch::Alarm",
                "Condition": f"{part}Alarm{n}",
                "Properties": {
                    "AlarmDescription": {
                        "Fn::Sub": f"{metric} of the {kind} monitor of ${{SageMakerProjectName}}-"
                        "${StageName} crossed its threshold (mlopsgen)."
                    },
                    "Namespace": namespace,
                    "MetricName": metric,
                    "Dimensions": [
                        {"Name": "Endpoint", "Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}},
                        {"Name": "MonitoringSchedule", "Value": {"Fn::GetAtt": [schedule, "MonitoringScheduleName"]}},
                    ],
                    "Statistic": "Maximum",
                    "Period": 3600,
                    "EvaluationPeriods": 1,
                    "Threshold": {"Ref": f"{part}Alarm{n}Threshold"},
                    "ComparisonOperator": comparison,
                    # A monitor publishes once per run: the hours between runs are not breaches.
                    "TreatMissingData": "notBreaching",
                },
            }
    return out


def _job_definition(plan: ir.Plan, kind: str, image: str) -> dict[str, Any]:
    part = KINDS[kind][0]
    security = plan.security
    endpoint = {"Fn::GetAtt": ["Endpoint", "EndpointName"]}
    endpoint_input: dict[str, Any] = {
        "EndpointName": endpoint,
        "LocalPath": LOCAL_INPUT,
        "S3DataDistributionType": "FullyReplicated",
        "S3InputMode": "File",
    }
    names = {field: f"{part}{PARAMETER_NAMES[field]}" for field in FIELDS[kind]}
    for field, member in (
        ("features_attribute", "FeaturesAttribute"),
        ("inference_attribute", "InferenceAttribute"),
        ("probability_attribute", "ProbabilityAttribute"),
    ):
        if field in names:
            endpoint_input[member] = _optional(names[field], {"Ref": names[field]})
    if "threshold" in names:
        endpoint_input["ProbabilityThresholdAttribute"] = _optional(names["threshold"], {"Ref": names["threshold"]})
    app: dict[str, Any] = {"ImageUri": image, "Environment": dict(ENVIRONMENT)}
    if kind == "model_quality":
        app["ProblemType"] = {"Ref": "ModelQualityProblemType"}
    if "analysis_config" in names:
        app["ConfigUri"] = {"Ref": names["analysis_config"]}
    job_input: dict[str, Any] = {"EndpointInput": endpoint_input}
    if "ground_truth" in names:
        job_input["GroundTruthS3Input"] = {"S3Uri": {"Ref": names["ground_truth"]}}
    output: dict[str, Any] = {
        "MonitoringOutputs": [
            {
                "S3Output": {
                    "LocalPath": LOCAL_OUTPUT,
                    "S3Uri": {"Fn::Sub": f"${{MonitoringOutputUri}}/{kind.replace('_', '-')}"},
                    "S3UploadMode": "Continuous",
                }
            }
        ]
    }
    if security.output_kms_key:
        output["KmsKeyId"] = security.output_kms_key
    cluster: dict[str, Any] = {
        "InstanceCount": 1,
        "InstanceType": {"Ref": "MonitoringInstanceType"},
        "VolumeSizeInGB": {"Ref": "MonitoringVolumeSizeInGB"},
    }
    if security.volume_kms_key:
        cluster["VolumeKmsKeyId"] = security.volume_kms_key
    network: dict[str, Any] = {
        "EnableInterContainerTrafficEncryption": security.encrypt_inter_container_traffic,
        "EnableNetworkIsolation": security.network_isolation,
    }
    if security.subnets:
        network["VpcConfig"] = {"SecurityGroupIds": list(security.security_groups), "Subnets": list(security.subnets)}
    if kind == "data_quality":
        baseline: Any = {
            "Fn::If": [
                "HasDataQualityBaseline",
                {"ConstraintsResource": _uri(names["constraints"]), "StatisticsResource": _uri(names["statistics"])},
                NO_VALUE,
            ]
        }
    else:
        baseline = _optional(names["constraints"], {"ConstraintsResource": {"S3Uri": {"Ref": names["constraints"]}}})
    return {
        f"{part}AppSpecification": app,
        f"{part}BaselineConfig": baseline,
        f"{part}JobInput": job_input,
        f"{part}JobOutputConfig": output,
        "JobResources": {"ClusterConfig": cluster},
        "NetworkConfig": network,
        "RoleArn": {"Ref": "ModelExecutionRoleArn"},
        "StoppingCondition": {"MaxRuntimeInSeconds": {"Ref": "MonitoringMaxRuntimeInSeconds"}},
        "EndpointName": endpoint,
        # The deploying roles reach the job definitions (named by CloudFormation) through this tag only.
        "Tags": [{"Key": PROJECT_TAG, "Value": plan.project.id}],
    }


def adapt_for_target_accounts(out: dict[str, Any], role_arn: Any, vpc: Any, volume_key: Any) -> None:
    """In a stack set, the monitoring jobs take the account-local role, subnets and volume key like the model.

    Args:
        out: The stack set template (changed in place).
        role_arn: The target account's model role ARN.
        vpc: The account-local VpcConfig, or None.
        volume_key: The account-local volume key reference, or None.
    """
    for resource in out["Resources"].values():
        if not resource["Type"].endswith("JobDefinition"):
            continue
        props = resource["Properties"]
        props["RoleArn"] = role_arn
        if vpc is not None:
            props["NetworkConfig"]["VpcConfig"] = vpc
        if volume_key is not None:
            props["JobResources"]["ClusterConfig"]["VolumeKmsKeyId"] = volume_key
