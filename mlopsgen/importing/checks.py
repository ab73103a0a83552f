"""Definition ``QualityCheck`` steps → ``quality_check`` blueprint steps (and the job keys every check shares).

The inverse of ``targets/sagemaker_checks.py``'s ``quality_check``: the baselining job's environment holds
the check's settings (dataset format, model quality attributes, script paths) beside variables mlopsgen
derives itself, which are dropped; the switches sit beside ``Arguments`` on the step. ``job_keys`` (the
check job's output, compute and network) is shared with ``checks_clarify.py``, which reads Clarify checks.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.importing.context import Context

DERIVED = {"output_path", "publish_cloudwatch_metrics", "dataset_format", "dataset_source", "analysis_type"}
"""Environment variables the planner writes for every quality check (not user settings)."""
MODEL_QUALITY = (
    "problem_type",
    "inference_attribute",
    "probability_attribute",
    "ground_truth_attribute",
    "probability_threshold_attribute",
)
SCRIPTS = {
    "post_analytics_processor_script_input": "post_analytics_processor_script",
    "record_preprocessor_script_input": "record_preprocessor_script",
}
FORMATS = {"csv": "csv", "json": "json", "sagemakerCaptureJson": "sagemaker_capture_json"}


def switches(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """The check switches and baselines beside the step's ``Arguments``."""
    name = node["Name"]
    out: dict[str, Any] = {}
    for key, field in (
        ("SkipCheck", "skip_check"),
        ("FailOnViolation", "fail_on_violation"),
        ("RegisterNewBaseline", "register_new_baseline"),
        ("ModelPackageGroupName", "model_package_group"),
        ("SuppliedBaselineStatistics", "supplied_baseline_statistics"),
        ("SuppliedBaselineConstraints", "supplied_baseline_constraints"),
    ):
        if node.get(key) is not None:
            out[field] = ctx.value(node[key], name, f"{base}.{key}")
    return out


def quality_check(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``QualityCheck`` step → a ``quality_check`` step's keys."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    ctx.role(args.get("RoleArn"))
    check = {"DATA_QUALITY": "data_quality", "MODEL_QUALITY": "model_quality"}.get(str(node.get("CheckType")))
    if check is None:
        ctx.lose(name, f"{base}.CheckType", f"check type {node.get('CheckType')!r} has no quality_check form")
    out: dict[str, Any] = {"check": check, **switches(node, ctx, base)}
    env = dict(args.get("Environment") or {})
    inputs = {i.get("InputName"): i.get("S3Input", {}).get("S3Uri") for i in args.get("ProcessingInputs", [])}
    out["baseline_dataset"] = ctx.value(
        inputs.pop("baseline_dataset_input", None),
        name,
        f"{path}.ProcessingInputs[baseline_dataset_input].S3Input.S3Uri",
    )
    for input_name, field in SCRIPTS.items():
        uri = inputs.pop(input_name, None)
        env.pop(field, None)
        if isinstance(uri, str):
            out[field] = ctx.code_file(uri, name)
    for input_name in inputs:
        ctx.lose(name, f"{path}.ProcessingInputs[{input_name}]", "an input a quality check does not have")
    out["dataset_format"] = _format(env.get("dataset_format"), ctx, name, f"{path}.Environment.dataset_format")
    for field in MODEL_QUALITY:
        if field in env:
            out[field] = ctx.value(env.pop(field), name, f"{path}.Environment.{field}")
    user = {k: v for k, v in env.items() if k not in DERIVED}
    out["environment"] = ctx.mapping(user, name, f"{path}.Environment")
    out.update(job_keys(args, ctx, name, path))
    return out


def job_keys(args: dict[str, Any], ctx: Context, name: str, path: str) -> dict[str, Any]:
    """A check job's output (unless the per-execution default), compute, time limit and network keys."""
    from mlopsgen.importing.jobs import instance, job_network

    out: dict[str, Any] = {}
    outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
    uri = outputs[0].get("S3Output", {}).get("S3Uri") if outputs else None
    default = {
        "Std:Join": {
            "On": "/",
            "Values": ["s3:/", ctx.bucket, ctx.pipeline, {"Get": "Execution.PipelineExecutionId"}, name, "results"],
        }
    }
    if uri != default:
        out["output"] = ctx.value(uri, name, f"{path}.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri")
    config = args.get("ProcessingOutputConfig", {})
    if config.get("KmsKeyId"):
        ctx.security.setdefault("output", config["KmsKeyId"])
    cluster = args.get("ProcessingResources", {}).get("ClusterConfig", {})
    out["instance"] = instance(cluster, ctx, name, f"{path}.ProcessingResources.ClusterConfig")
    runtime = args.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
    if runtime != 86400:  # what the SDK's check steps send without a limit
        out["max_runtime_seconds"] = runtime
    job_network(out, ctx, args.get("NetworkConfig") or {})
    return out


def _format(text: Any, ctx: Context, name: str, path: str) -> Any:
    try:
        parsed = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        parsed = None
    if not (isinstance(parsed, dict) and len(parsed) == 1 and next(iter(parsed)) in FORMATS):
        ctx.lose(name, path, "a dataset format other than csv, json or sagemaker_capture_json")
        return "csv"
    key, options = next(iter(parsed.items()))
    kind = FORMATS[key]
    if kind == "csv" and options.get("header") is False:
        return {"type": "csv", "header": False}
    if kind == "json" and options.get("lines") is False:
        return {"type": "json", "lines": False}
    return kind
