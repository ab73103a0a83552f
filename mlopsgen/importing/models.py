"""Definition model steps (RegisterModel, Model, Transform) → blueprint step mappings.

The inverse of ``targets/sagemaker.py``'s ``_register``/``_create_model``/``_transform`` and of the
register step's reports in ``targets/sagemaker_checks.py``. A model whose artifacts are a training
step's and whose image is that step's becomes ``model_from``; anything else is ``image`` + ``model_data``.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.importing import checks_clarify
from mlopsgen.importing.context import Context
from mlopsgen.importing.images import image_spec
from mlopsgen.importing.values import best_model

METRICS = (
    ("ModelQuality", "Statistics", "model_statistics"),
    ("ModelQuality", "Constraints", "model_constraints"),
    ("ModelDataQuality", "Statistics", "model_data_statistics"),
    ("ModelDataQuality", "Constraints", "model_data_constraints"),
    ("Bias", "Report", "bias"),
    ("Bias", "PreTrainingReport", "bias_pre_training"),
    ("Bias", "PostTrainingReport", "bias_post_training"),
    ("Explainability", "Report", "explainability"),
)
BASELINES = (
    ("ModelQuality", "Statistics", "model_statistics"),
    ("ModelQuality", "Constraints", "model_constraints"),
    ("ModelDataQuality", "Statistics", "model_data_statistics"),
    ("ModelDataQuality", "Constraints", "model_data_constraints"),
    ("Bias", "ConfigFile", "bias_config_file"),
    ("Bias", "PreTrainingConstraints", "bias_pre_training_constraints"),
    ("Bias", "PostTrainingConstraints", "bias_post_training_constraints"),
    ("Explainability", "Constraints", "explainability_constraints"),
    ("Explainability", "ConfigFile", "explainability_config_file"),
)


def _model_source(
    container: dict[str, Any], ctx: Context, name: str, path: str, jobs: dict[str, Any]
) -> dict[str, Any]:
    """Image and artifacts: ``model_from`` when they are exactly a training step's, else explicit."""
    data = container.get("ModelDataUrl")
    image = container.get("Image")
    source = data.get("Get", "") if isinstance(data, dict) else ""
    step = source.removeprefix("Steps.").removesuffix(".ModelArtifacts.S3ModelArtifacts")
    if not (source.endswith(".ModelArtifacts.S3ModelArtifacts") and ctx.step_types.get(step) == "training"):
        step = best_model(data.get("Std:Join"), ctx.step_types) if isinstance(data, dict) else None
    if step is not None and jobs.get(step) == image:
        return {"model_from": step}
    ctx.image(image)
    return {"image": image_spec(image, ctx), "model_data": ctx.value(data, name, f"{path}.ModelDataUrl")}


def register(node: dict[str, Any], ctx: Context, base: str, jobs: dict[str, Any], region: str) -> dict[str, Any]:
    """A ``RegisterModel`` step → a ``register_model`` step's keys."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    spec = args.get("InferenceSpecification", {})
    containers = spec.get("Containers", [])
    if len(containers) != 1:
        ctx.lose(name, f"{path}.InferenceSpecification.Containers", "a model package with other than one container")
    container = containers[0] if containers else {}
    out = _model_source(container, ctx, name, f"{path}.InferenceSpecification.Containers[0]", jobs)
    defaults = {"SAGEMAKER_CONTAINER_LOG_LEVEL": "20", "SAGEMAKER_PROGRAM": "", "SAGEMAKER_SUBMIT_DIRECTORY": ""}
    defaults["SAGEMAKER_REGION"] = region
    env = {k: v for k, v in (container.get("Environment") or {}).items() if defaults.get(k) != v}
    out["environment"] = ctx.mapping(env, name, f"{path}.InferenceSpecification.Containers[0].Environment")
    out["content_types"] = spec.get("SupportedContentTypes")
    out["response_types"] = spec.get("SupportedResponseMIMETypes")
    out["inference_instances"] = spec.get("SupportedRealtimeInferenceInstanceTypes")
    out["transform_instances"] = spec.get("SupportedTransformInstanceTypes", [])
    out["approval_status"] = ctx.value(args.get("ModelApprovalStatus"), name, f"{path}.ModelApprovalStatus")
    group = args.get("ModelPackageGroupName")
    if group != ctx.pipeline:
        out["model_package_group"] = ctx.value(group, name, f"{path}.ModelPackageGroupName")
    if "ModelPackageDescription" in args:
        out["package_description"] = args["ModelPackageDescription"]
    if "ModelMetrics" in args:
        out["metrics"] = _reports(args["ModelMetrics"], METRICS, ctx, name, f"{path}.ModelMetrics")
    if "DriftCheckBaselines" in args:
        baselines = _reports(args["DriftCheckBaselines"], BASELINES, ctx, name, f"{path}.DriftCheckBaselines")
        out["drift_check_baselines"] = baselines
    if args.get("CustomerMetadataProperties"):
        out["customer_metadata"] = ctx.mapping(
            args["CustomerMetadataProperties"], name, f"{path}.CustomerMetadataProperties"
        )
    return out


def _reports(
    node: dict[str, Any], table: tuple[tuple[str, str, str], ...], ctx: Context, name: str, path: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, member, key in table:
        entry = node.get(group, {}).get(member)
        if entry is None:
            continue
        where = f"{path}.{group}.{member}"
        check = checks_clarify.baseline_source(key, entry.get("S3Uri"), ctx)
        if check is not None:  # the monitoring configuration a clarify_check step generates
            report: dict[str, Any] = {"clarify_check": check}
        else:
            report = {"source": ctx.value(entry.get("S3Uri"), name, f"{where}.S3Uri")}
        if "ContentType" in entry:
            report["content_type"] = entry["ContentType"]
        out[key] = report
    return out


def create_model(node: dict[str, Any], ctx: Context, base: str, jobs: dict[str, Any]) -> dict[str, Any]:
    """A ``Model`` step → a ``create_model`` step's keys (its role and VPC are the pipeline's)."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    container = args.get("PrimaryContainer", {})
    out = _model_source(container, ctx, name, f"{path}.PrimaryContainer", jobs)
    if container.get("Environment"):
        out["environment"] = ctx.mapping(container["Environment"], name, f"{path}.PrimaryContainer.Environment")
    ctx.role(args.get("ExecutionRoleArn"))
    isolation = bool(args.get("EnableNetworkIsolation"))
    ctx.security.setdefault("isolation", isolation)
    if isolation != ctx.security["isolation"]:
        out["network_isolation"] = isolation
    return out


def transform(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Transform`` step → a ``transform`` step's keys."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    model = args.get("ModelName")
    model_get = model.get("Get", "") if isinstance(model, dict) else ""
    model_step = model_get.removeprefix("Steps.").removesuffix(".ModelName")
    if not (model_get.endswith(".ModelName") and ctx.step_types.get(model_step) == "create_model"):
        ctx.lose(name, f"{path}.ModelName", "a transform step's model must be a Model step's ModelName")
    source = args.get("TransformInput", {})
    output = args.get("TransformOutput", {})
    resources = args.get("TransformResources", {})
    out: dict[str, Any] = {
        "model": model_step,
        "instance": {
            "type": ctx.value(resources.get("InstanceType"), name, f"{path}.TransformResources.InstanceType"),
            "count": ctx.value(resources.get("InstanceCount"), name, f"{path}.TransformResources.InstanceCount"),
        },
        "input": {
            "source": ctx.value(
                source.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri"),
                name,
                f"{path}.TransformInput.DataSource.S3DataSource.S3Uri",
            ),
            "content_type": source.get("ContentType"),
            "split_type": source.get("SplitType"),
        },
        "accept": output.get("Accept"),
        "assemble_with": output.get("AssembleWith"),
    }
    if resources.get("VolumeKmsKeyId"):
        ctx.security.setdefault("volume", resources["VolumeKmsKeyId"])
    if output.get("KmsKeyId"):
        ctx.security.setdefault("output", output["KmsKeyId"])
    default = {
        "Std:Join": {
            "On": "/",
            "Values": ["s3:/", ctx.bucket, ctx.pipeline, {"Get": "Execution.PipelineExecutionId"}, name],
        }
    }
    if output.get("S3OutputPath") != default:
        out["output_path"] = ctx.value(output.get("S3OutputPath"), name, f"{path}.TransformOutput.S3OutputPath")
    return out
