"""Plan → definition JSON of the check steps and of the register step's quality documents (native engine).

Shapes follow sagemaker 3.27.0: ``QualityCheckStep.to_request`` and its ``_build_check_job_request``
(mlops/workflow/quality_check_step.py, _check_job_request.py), ``ModelMetrics._to_request_dict`` and
``DriftCheckBaselines._to_request_dict``; tests/test_engines_agree.py compares them with the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

CHECK_INPUT_DIR = "/opt/ml/processing/input"
CHECK_OUTPUT_DIR = "/opt/ml/processing/output"
_DATASET_INPUT = "baseline_dataset_input"
_POST_SCRIPT_INPUT = "post_analytics_processor_script_input"
_RECORD_SCRIPT_INPUT = "record_preprocessor_script_input"

Expr = Callable[[ir.Expr], Any]


def _input(name: str, uri: Any) -> dict[str, Any]:
    """A check job input as the SDK's _to_processing_input_dict writes it (no distribution or compression)."""
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": f"{CHECK_INPUT_DIR}/{name}",
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
        },
    }


def _network(network: ir.Network) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EnableInterContainerTrafficEncryption": network.encrypt_inter_container_traffic,
        "EnableNetworkIsolation": network.network_isolation,
    }
    if network.has_vpc:
        out["VpcConfig"] = {"SecurityGroupIds": list(network.security_groups), "Subnets": list(network.subnets)}
    return out


def check_job(
    job: ir.CheckJob,
    inputs: list[dict[str, Any]],
    output_name: str,
    output_uri: Any,
    environment: dict[str, Any],
    role: str,
    expr: Expr,
) -> dict[str, Any]:
    """The CreateProcessingJob arguments of a check step's baselining job."""
    output_config: dict[str, Any] = {
        "Outputs": [
            {
                "OutputName": output_name,
                "S3Output": {"S3Uri": output_uri, "LocalPath": CHECK_OUTPUT_DIR, "S3UploadMode": "EndOfJob"},
            }
        ]
    }
    if job.output_kms_key:
        output_config["KmsKeyId"] = job.output_kms_key
    cluster: dict[str, Any] = {
        "InstanceCount": expr(job.compute.instance_count),
        "InstanceType": expr(job.compute.instance_type),
        "VolumeSizeInGB": job.compute.volume_size_gb,
    }
    if job.compute.volume_kms_key:
        cluster["VolumeKmsKeyId"] = job.compute.volume_kms_key
    args: dict[str, Any] = {
        "ProcessingInputs": inputs,
        "ProcessingOutputConfig": output_config,
        "ProcessingResources": {"ClusterConfig": cluster},
        "AppSpecification": {"ImageUri": job.image_uri},
        "RoleArn": role,
        "StoppingCondition": {"MaxRuntimeInSeconds": job.max_runtime_seconds},
    }
    if environment:
        args["Environment"] = environment
    if job.network.has_controls:
        args["NetworkConfig"] = _network(job.network)
    return args


def _switches(switches: ir.CheckSwitches, expr: Expr, *, statistics: bool) -> dict[str, Any]:
    def optional(value: ir.Expr | None) -> Any:
        return None if value is None else expr(value)

    out: dict[str, Any] = {
        "ModelPackageGroupName": optional(switches.model_package_group),
        "SkipCheck": expr(switches.skip_check),
        "FailOnViolation": expr(switches.fail_on_violation),
        "RegisterNewBaseline": expr(switches.register_new_baseline),
    }
    if statistics:
        out["SuppliedBaselineStatistics"] = optional(switches.supplied_baseline_statistics)
    out["SuppliedBaselineConstraints"] = optional(switches.supplied_baseline_constraints)
    return out


def quality_check(s: ir.QualityCheckStep, role: str, expr: Expr) -> tuple[dict[str, Any], dict[str, Any]]:
    """A quality check step: its Arguments (the baselining job) and its top-level keys (check type, switches)."""
    inputs = [_input(_DATASET_INPUT, expr(s.baseline_dataset))]
    env: dict[str, Any] = {k: expr(v) for k, v in s.job.environment}
    env["output_path"] = CHECK_OUTPUT_DIR
    env["publish_cloudwatch_metrics"] = "Disabled"  # only monitoring schedules publish metrics
    env["dataset_format"] = json.dumps({key: dict(options) for key, options in s.dataset_format})
    for name, script, variable in (
        (_POST_SCRIPT_INPUT, s.post_analytics_processor_script, "post_analytics_processor_script"),
        (_RECORD_SCRIPT_INPUT, s.record_preprocessor_script, "record_preprocessor_script"),
    ):
        if script is not None:
            inputs.append(_input(name, script.s3_uri))
            env[variable] = f"{CHECK_INPUT_DIR}/{name}/{script.basename}"
    env["dataset_source"] = f"{CHECK_INPUT_DIR}/{_DATASET_INPUT}"
    if s.check == "MODEL_QUALITY":
        env["analysis_type"] = "MODEL_QUALITY"
        env.update({k: expr(v) for k, v in s.model_quality})
    args = check_job(s.job, inputs, "quality_check_output", expr(s.output), env, role, expr)
    top = {"CheckType": s.check, **_switches(s.switches, expr, statistics=True)}
    return args, top


def _group(pairs: list[tuple[str, ir.MetricsSource | ir.FileSource | None]], expr: Expr) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, source in pairs:
        if isinstance(source, ir.FileSource):
            entry: dict[str, Any] = {"S3Uri": expr(source.s3_uri)}
            if source.content_type:
                entry["ContentType"] = source.content_type
            out[key] = entry
        elif source is not None:
            out[key] = {"ContentType": source.content_type, "S3Uri": expr(source.s3_uri)}
    return out


def model_metrics(m: ir.ModelMetrics, expr: Expr) -> dict[str, Any]:
    """ModelMetrics as the SDK writes it: Bias and Explainability always present, the quality groups when set."""
    out: dict[str, Any] = {}
    for key, group in (
        ("ModelQuality", [("Statistics", m.model_statistics), ("Constraints", m.model_constraints)]),
        ("ModelDataQuality", [("Statistics", m.model_data_statistics), ("Constraints", m.model_data_constraints)]),
    ):
        if built := _group(list(group), expr):
            out[key] = built
    out["Bias"] = _group(
        [("Report", m.bias), ("PreTrainingReport", m.bias_pre_training), ("PostTrainingReport", m.bias_post_training)],
        expr,
    )
    out["Explainability"] = _group([("Report", m.explainability)], expr)
    return out


def drift_check_baselines(d: ir.DriftCheckBaselines, expr: Expr) -> dict[str, Any]:
    """DriftCheckBaselines as the SDK writes it: only the groups that hold a baseline."""
    groups: list[tuple[str, list[tuple[str, ir.MetricsSource | ir.FileSource | None]]]] = [
        ("ModelQuality", [("Statistics", d.model_statistics), ("Constraints", d.model_constraints)]),
        ("ModelDataQuality", [("Statistics", d.model_data_statistics), ("Constraints", d.model_data_constraints)]),
        (
            "Bias",
            [
                ("ConfigFile", d.bias_config_file),
                ("PreTrainingConstraints", d.bias_pre_training_constraints),
                ("PostTrainingConstraints", d.bias_post_training_constraints),
            ],
        ),
        (
            "Explainability",
            [("Constraints", d.explainability_constraints), ("ConfigFile", d.explainability_config_file)],
        ),
    ]
    return {key: built for key, group in groups if (built := _group(group, expr))}


def register_extras(s: ir.RegisterModelStep, expr: Expr) -> dict[str, Any]:
    """The register step's optional arguments: description, metrics, baselines, customer metadata."""
    out: dict[str, Any] = {}
    if s.description:
        out["ModelPackageDescription"] = s.description
    if s.metrics is not None:
        out["ModelMetrics"] = model_metrics(s.metrics, expr)
    if s.drift_check_baselines is not None:
        out["DriftCheckBaselines"] = drift_check_baselines(s.drift_check_baselines, expr)
    if s.customer_metadata:
        out["CustomerMetadataProperties"] = {k: expr(v) for k, v in s.customer_metadata}
    return out
