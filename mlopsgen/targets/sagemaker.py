"""Plan → SageMaker Pipelines definition JSON (CreatePipeline body) and the code upload manifest.

Native and offline: the shapes follow what sagemaker==3.27.0 emits for the same pipeline, and the
test suite proves it by building every example with the SDK engine (``sagemaker_sdk.py``) and
comparing the two as data.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.provenance import tag
from mlopsgen.targets import sagemaker_training as options
from mlopsgen.targets.base import OutputFile, dump_json

# The modules for optional constructs (framework processing, check and Clarify steps, Lambda/Callback/EMR
# steps) are imported where a plan has the construct: a render's start-up time is mostly imports.

NAME = "sagemaker"
FILES = {
    "model-build/pipeline-definition.json": "the CreatePipeline definition",
    "model-build/code-manifest.json": "code files to upload before the pipeline is created",
    "model-build/processing/": "runproc.sh and install_requirements.py of framework-processor steps",
}
DEFINITION_VERSION = "2020-12-01"
CODE_DIR = "/opt/ml/processing/input/code"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the pipeline definition and the code upload manifest.

    Args:
        plan: The resolved blueprint.

    Returns:
        The definition, the manifest, and the framework processor's helper files.
    """
    return [
        OutputFile("model-build/pipeline-definition.json", dump_json(definition(plan))),
        OutputFile("model-build/code-manifest.json", dump_json(code_manifest(plan))),
        *(OutputFile(f"model-build/{h.path}", h.content) for h in plan.helper_files),
        *config_outputs(plan),
    ]


def config_outputs(plan: ir.Plan) -> list[OutputFile]:
    """The Clarify configurations mlopsgen generates (listed in the manifest's ``helpers``)."""
    return [OutputFile(f"model-build/{f.path}", f.text) for f in _clarify_configs(plan)]


def _clarify_configs(plan: ir.Plan) -> list[Any]:
    """Clarify's configuration files (importing their module only when the pipeline has a clarify step)."""
    if not ir.steps_of(plan.pipeline.steps, ir.ClarifyCheckStep):
        return []
    from mlopsgen.targets import sagemaker_clarify as clarify

    return clarify.config_files(plan)


def code_manifest(plan: ir.Plan) -> dict[str, Any]:
    """Which repository files go to which S3 keys; CI uploads them before creating the pipeline.

    ``helpers`` lists files mlopsgen wrote itself (the framework processor's helpers, Clarify's
    configurations), relative to the manifest's folder.
    """
    helpers = [
        {"path": f.path, "sha256": f.sha256, "s3_uri": f.s3_uri} for f in (*plan.helper_files, *_clarify_configs(plan))
    ]
    return {
        "blueprint": plan.blueprint,
        "generated_by": "mlopsgen; do not edit",
        "files": [tag({"path": c.path, "sha256": c.sha256, "s3_uri": c.s3_uri}, c) for c in plan.code_files],
        **({"source_dirs": [_bundle(b) for b in plan.source_bundles]} if plan.source_bundles else {}),
        **({"helpers": helpers} if helpers else {}),
    }


def _bundle(b: ir.SourceBundle) -> dict[str, Any]:
    """A source directory CI packs (``runtime/sourcedir.py``) from exactly these files, then uploads."""
    return {
        "path": b.path,
        "sha256": b.sha256,
        "s3_uri": b.s3_uri,
        "files": [{"path": name, "sha256": sha} for name, sha in b.files],
    }


def script_hyperparameters(script: ir.ScriptMode) -> tuple[tuple[str, ir.Expr], ...]:
    """The framework containers' script-mode contract, as sagemaker 3.27.0's tuner writes it.

    ``sagemaker_program`` names the script inside the archive and ``sagemaker_submit_directory`` the
    archive the container downloads to /opt/ml/code and extracts (installing a top-level
    requirements.txt first). 3.27.0 writes these two only, unquoted (no container log level or region).
    """
    return (("sagemaker_program", script.entry_point), ("sagemaker_submit_directory", script.source.s3_uri))


def definition(plan: ir.Plan) -> dict[str, Any]:
    """The pipeline definition as data."""
    return {
        "Version": DEFINITION_VERSION,
        "Metadata": {},
        "MlflowConfig": None,
        "Parameters": [tag(_parameter(p), p) for p in plan.pipeline.parameters],
        "PipelineExperimentConfig": {
            "ExperimentName": expr(ir.ExecVar("PipelineName")),
            "TrialName": expr(ir.ExecVar("PipelineExecutionId")),
        }
        if plan.pipeline.experiment_tracking
        else None,
        "Steps": [tag(step(s, plan), s) for s in plan.pipeline.steps],
    }


def expr(value: ir.Expr) -> Any:
    """An expression as the pipeline definition language writes it."""
    if isinstance(value, ir.ParamRef):
        return {"Get": f"Parameters.{value.name}"}
    if isinstance(value, ir.StepProp):
        return {"Get": f"Steps.{value.step}.{value.path}"}
    if isinstance(value, ir.ExecVar):
        return {"Get": f"Execution.{value.name}"}
    if isinstance(value, ir.Join):
        return {"Std:Join": {"On": value.on, "Values": [expr(v) for v in value.values]}}
    if isinstance(value, ir.JsonGet):
        return {
            "Std:JsonGet": {
                "PropertyFile": {"Get": f"Steps.{value.step}.PropertyFiles.{value.property_file}"},
                "Path": value.path,
            }
        }
    return value


def _parameter(param: ir.Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": param.name, "Type": param.kind}
    if param.default is not None:
        out["DefaultValue"] = param.default
    if param.allowed:
        out["EnumValues"] = list(param.allowed)
    return out


def _condition(cond: ir.Condition) -> dict[str, Any]:
    if isinstance(cond, ir.Comparison):
        return {"Type": cond.kind, "LeftValue": expr(cond.left), "RightValue": expr(cond.right)}
    if isinstance(cond, ir.InCondition):
        return {"Type": "In", "QueryValue": expr(cond.value), "Values": [expr(c) for c in cond.choices]}
    if isinstance(cond, ir.NotCondition):
        return {"Type": "Not", "Condition": _condition(cond.condition)}
    return {"Type": "Or", "Conditions": [_condition(c) for c in cond.conditions]}


def _envelope(common: ir.Common, kind: str, arguments: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": common.name, "Type": kind, "Arguments": arguments}
    if common.display_name:
        out["DisplayName"] = common.display_name
    if common.description:
        out["Description"] = common.description
    if common.depends_on:
        out["DependsOn"] = list(common.depends_on)
    if common.cache_expire_after:
        out["CacheConfig"] = {"Enabled": True, "ExpireAfter": common.cache_expire_after}
    if common.retry:
        out["RetryPolicies"] = [
            {
                "ExceptionType": list(r.exceptions),
                "IntervalSeconds": r.interval_seconds,
                "BackoffRate": r.backoff_rate,
                "MaxAttempts": r.max_attempts,
            }
            for r in common.retry
        ]
    return out


def _env(pairs: tuple[tuple[str, ir.Expr], ...]) -> dict[str, Any]:
    return {k: expr(v) for k, v in pairs}


def _vpc(network: ir.Network) -> dict[str, Any]:
    return {"SecurityGroupIds": list(network.security_groups), "Subnets": list(network.subnets)}


def _s3_input(uri: ir.Expr, local_path: str) -> dict[str, Any]:
    return {
        "LocalPath": local_path,
        "S3CompressionType": "None",
        "S3DataDistributionType": "FullyReplicated",
        "S3DataType": "S3Prefix",
        "S3InputMode": "File",
        "S3Uri": expr(uri),
    }


def _resources(compute: ir.Compute) -> dict[str, Any]:
    """Instance count, type, volume size and volume key: the same shape for processing and training."""
    out: dict[str, Any] = {
        "InstanceCount": expr(compute.instance_count),
        "InstanceType": expr(compute.instance_type),
        "VolumeSizeInGB": compute.volume_size_gb,
    }
    if compute.volume_kms_key:
        out["VolumeKmsKeyId"] = compute.volume_kms_key
    return out


def _processing(s: ir.ProcessingStep, role: str) -> dict[str, Any]:
    app: dict[str, Any] = {"ImageUri": s.image_uri}
    # Without code the image's own entrypoint runs, unless a command replaces it (the SDK's Processor).
    entrypoint = [*s.command, *((f"{CODE_DIR}/{s.code.basename}",) if s.code else ())]
    if s.framework:  # the command runs inside runproc.sh
        from mlopsgen.targets import sagemaker_frameproc as frameproc

        entrypoint = list(frameproc.ENTRYPOINT)
    if entrypoint:
        app["ContainerEntrypoint"] = entrypoint
    if s.arguments:
        app["ContainerArguments"] = [expr(a) for a in s.arguments]
    cluster = _resources(s.compute)
    inputs = [{"InputName": i.name, "S3Input": _s3_input(i.source, i.destination)} for i in s.inputs]
    if s.code:
        inputs.append({"InputName": "code", "S3Input": _s3_input(s.code.s3_uri, CODE_DIR)})
    if s.framework:
        from mlopsgen.targets import sagemaker_frameproc as frameproc

        inputs += [
            {"InputName": n, "S3Input": _s3_input(uri, local)}
            for n, uri, local in frameproc.framework_inputs(s.framework)
        ]
    args: dict[str, Any] = {"AppSpecification": app}
    if inputs:
        args["ProcessingInputs"] = inputs
    args.update({"ProcessingResources": {"ClusterConfig": cluster}, "RoleArn": role})
    if s.environment:
        args["Environment"] = _env(s.environment)
    if s.outputs or s.output_kms_key:
        args["ProcessingOutputConfig"] = processing_output_config(s)
    network = _processing_network(s.network)
    if network:
        args["NetworkConfig"] = network
    if s.max_runtime_seconds:
        args["StoppingCondition"] = {"MaxRuntimeInSeconds": s.max_runtime_seconds}
    return args


def processing_output_config(s: ir.ProcessingStep) -> dict[str, Any]:
    """A processing job's ProcessingOutputConfig, sent with the output key even when there are no outputs.

    The guardrails deny CreateProcessingJob when ``sagemaker:OutputKmsKey`` is missing, and that key comes
    only from ``ProcessingOutputConfig.KmsKeyId``; IAM has no key telling whether a job writes outputs, so a
    guardrail that exempted jobs without outputs would exempt every job that simply leaves the key out.
    The API accepts the config with an empty list (``Outputs`` is required, with 0 to 10 members, in
    botocore's model and the API reference), so a job without outputs carries ``Outputs: []`` and the key.
    The SageMaker SDK drops the config when the list is empty; its engine restores it the same way.
    """
    config: dict[str, Any] = {
        "Outputs": [
            {
                "OutputName": o.name,
                "S3Output": {"LocalPath": o.source, "S3UploadMode": "EndOfJob", "S3Uri": expr(o.destination)},
            }
            for o in s.outputs
        ]
    }
    if s.output_kms_key:
        config["KmsKeyId"] = s.output_kms_key
    return config


def _processing_network(network: ir.Network) -> dict[str, Any]:
    if not network.has_controls:
        return {}
    out: dict[str, Any] = {
        "EnableInterContainerTrafficEncryption": network.encrypt_inter_container_traffic,
        "EnableNetworkIsolation": network.network_isolation,
    }
    if network.has_vpc:
        out["VpcConfig"] = _vpc(network)
    return out


def _training_job(job: ir.TrainingJob, role: str, *, tuning: bool) -> dict[str, Any]:
    resources = _resources(job.compute)
    output: dict[str, Any] = {"CompressionType": "GZIP", "S3OutputPath": expr(job.output_path)}
    if job.output_kms_key:
        output["KmsKeyId"] = job.output_kms_key
    algorithm: dict[str, Any] = {"TrainingImage": job.image_uri, "TrainingInputMode": "File"}
    if job.metric_definitions:
        algorithm["MetricDefinitions"] = [{"Name": m.name, "Regex": m.regex} for m in job.metric_definitions]
    out: dict[str, Any] = {
        "AlgorithmSpecification": algorithm,
        "OutputDataConfig": output,
        "ResourceConfig": resources,
        "RoleArn": role,
        "StoppingCondition": {"MaxRuntimeInSeconds": job.max_runtime_seconds},
    }
    if job.channels:
        out["InputDataConfig"] = [options.channel(c, tuning=tuning, expr=expr) for c in job.channels]
    hyperparameters = job.hyperparameters + (script_hyperparameters(job.script) if job.script else ())
    if tuning:
        if hyperparameters:
            out["StaticHyperParameters"] = _env(hyperparameters)
    else:  # the SDK's ModelTrainer always sends the map, empty when there are no hyperparameters
        out["HyperParameters"] = _env(hyperparameters)
    if job.environment:
        out["Environment"] = _env(job.environment)
    if job.network.encrypt_inter_container_traffic:
        out["EnableInterContainerTrafficEncryption"] = True
    if job.network.network_isolation:
        out["EnableNetworkIsolation"] = True
    if job.network.has_vpc:
        out["VpcConfig"] = _vpc(job.network)
    options.add_job_options(out, job, expr=expr)
    return out


def _static_hyperparameters(job: ir.TrainingJob, kinds: dict[str, str]) -> ir.TrainingJob:
    """A tuning job's static hyperparameters with every non-text parameter made text, as the SDK does.

    StaticHyperParameters is a map of strings, so the SDK's tuner wraps an Integer, Float or Boolean
    parameter in ``Std:Join`` (its ``to_string``); a bare ``Get`` would give the job a number.
    """
    pairs = tuple(
        (k, ir.Join("", (v,)) if isinstance(v, ir.ParamRef) and kinds.get(v.name) != "String" else v)
        for k, v in job.hyperparameters
    )
    return replace(job, hyperparameters=pairs)


def _tuning(s: ir.TuningStep, role: str, kinds: dict[str, str]) -> dict[str, Any]:
    ranges: dict[str, list[dict[str, Any]]] = {}
    for r in s.ranges:
        if r.kind == "categorical":
            ranges.setdefault("CategoricalParameterRanges", []).append({"Name": r.name, "Values": list(r.values)})
        else:
            key = "IntegerParameterRanges" if r.kind == "integer" else "ContinuousParameterRanges"
            ranges.setdefault(key, []).append(
                {"Name": r.name, "MinValue": r.min_value, "MaxValue": r.max_value, "ScalingType": r.scaling}
            )
    arguments = {
        "HyperParameterTuningJobConfig": {
            "HyperParameterTuningJobObjective": {"MetricName": s.objective_metric, "Type": s.objective_goal},
            "ParameterRanges": ranges,
            "ResourceLimits": {"MaxNumberOfTrainingJobs": s.max_jobs, "MaxParallelTrainingJobs": s.max_parallel_jobs},
            "Strategy": s.strategy,
            "TrainingJobEarlyStoppingType": "Auto",
        },
        "TrainingJobDefinition": _training_job(_static_hyperparameters(s.job, kinds), role, tuning=True),
    }
    options.add_tuning_options(arguments, s)
    return arguments


def _register(s: ir.RegisterModelStep) -> dict[str, Any]:
    container: dict[str, Any] = {
        "Image": s.model.image_uri,
        "ModelDataUrl": expr(s.model.model_data),
        "Environment": _env(s.model.environment),
    }
    spec: dict[str, Any] = {
        "Containers": [container],
        "SupportedContentTypes": list(s.content_types),
        "SupportedResponseMIMETypes": list(s.response_types),
        "SupportedRealtimeInferenceInstanceTypes": list(s.inference_instances),
    }
    if s.transform_instances:
        spec["SupportedTransformInstanceTypes"] = list(s.transform_instances)
    args: dict[str, Any] = {
        "InferenceSpecification": spec,
        "ModelApprovalStatus": expr(s.approval_status),
        "ModelPackageGroupName": expr(s.model_package_group),
        "SkipModelValidation": "None",
    }
    from mlopsgen.targets import sagemaker_checks as checks

    args.update(checks.register_extras(s, expr))
    return args


def _create_model(s: ir.CreateModelStep) -> dict[str, Any]:
    container: dict[str, Any] = {
        "Image": s.model.image_uri,
        "ModelDataUrl": expr(s.model.model_data),
        "Environment": _env(s.model.environment),
    }
    args: dict[str, Any] = {"ExecutionRoleArn": s.execution_role_arn, "PrimaryContainer": container}
    if s.network.network_isolation:
        args["EnableNetworkIsolation"] = True
    if s.network.has_vpc:
        args["VpcConfig"] = _vpc(s.network)
    return args


def _transform(s: ir.TransformStep) -> dict[str, Any]:
    source: dict[str, Any] = {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": expr(s.source)}}}
    if s.content_type:
        source["ContentType"] = s.content_type
    if s.split_type:
        source["SplitType"] = s.split_type
    output: dict[str, Any] = {"S3OutputPath": expr(s.output_path)}
    if s.accept:
        output["Accept"] = s.accept
    if s.assemble_with:
        output["AssembleWith"] = s.assemble_with
    if s.output_kms_key:
        output["KmsKeyId"] = s.output_kms_key
    resources: dict[str, Any] = {
        "InstanceCount": expr(s.compute.instance_count),
        "InstanceType": expr(s.compute.instance_type),
    }
    if s.compute.volume_kms_key:
        resources["VolumeKmsKeyId"] = s.compute.volume_kms_key
    return {
        "ModelName": expr(ir.StepProp(s.model_step, "ModelName")),
        "TransformInput": source,
        "TransformOutput": output,
        "TransformResources": resources,
    }


def step(s: ir.Step, plan: ir.Plan) -> dict[str, Any]:
    """One step (and, for a condition, its branches) as the definition writes it."""
    role = plan.project.pipeline_role_arn
    if isinstance(s, ir.ProcessingStep):
        out = _envelope(s.common, "Processing", _processing(s, role))
        if s.property_files:
            out["PropertyFiles"] = [
                {"PropertyFileName": p.name, "OutputName": p.output, "FilePath": p.path} for p in s.property_files
            ]
        return out
    if isinstance(s, ir.TrainingStep):
        return _envelope(s.common, "Training", _training_job(s.job, role, tuning=False))
    if isinstance(s, ir.TuningStep):
        kinds = {p.name: p.kind for p in plan.pipeline.parameters}
        return _envelope(s.common, "Tuning", _tuning(s, role, kinds))
    if isinstance(s, ir.RegisterModelStep):
        if s.drift_check_baselines is not None:
            from mlopsgen.targets import sagemaker_clarify as clarify

            s = clarify.with_config_uris(s, plan)
        return _envelope(s.common, "RegisterModel", _register(s))
    if isinstance(s, ir.CreateModelStep):
        return _envelope(s.common, "Model", _create_model(s))
    if isinstance(s, ir.TransformStep):
        return _envelope(s.common, "Transform", _transform(s))
    if isinstance(s, ir.QualityCheckStep):
        from mlopsgen.targets import sagemaker_checks as checks

        arguments, top = checks.quality_check(s, role, expr)
        return {**_envelope(s.common, "QualityCheck", arguments), **top}
    if isinstance(s, ir.ClarifyCheckStep):
        from mlopsgen.targets import sagemaker_clarify as clarify

        arguments, top = clarify.clarify_check(s, role, expr)
        return {**_envelope(s.common, "ClarifyCheck", arguments), **top}
    if isinstance(s, ir.FailStep):
        return _envelope(s.common, "Fail", {"ErrorMessage": expr(s.message)})
    if isinstance(s, ir.LambdaStep | ir.CallbackStep | ir.EmrStep):
        from mlopsgen.targets.sagemaker_external import external_step

        return external_step(s, _envelope, expr)
    return _envelope(
        s.common,
        "Condition",
        {
            "Conditions": [_condition(c) for c in s.conditions],
            "IfSteps": [tag(step(b, plan), b) for b in s.if_steps],
            "ElseSteps": [tag(step(b, plan), b) for b in s.else_steps],
        },
    )
