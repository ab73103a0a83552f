"""Definition job steps (Processing, Training, Tuning) → blueprint step mappings.

Each function reads one step's ``Arguments`` the way ``targets/sagemaker.py`` writes them and returns
the blueprint keys that render them back; values equal to the language's defaults are written anyway
and pruned afterwards (``defaults.py``), so these functions stay a plain field-for-field mapping.
Job-wide security (VPC, KMS keys, traffic encryption, isolation) is collected on the ``Context`` and
becomes the blueprint's ``security`` block.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from mlopsgen.importing.context import CODE_DIR, Context
from mlopsgen.importing.images import image_spec

FRAMEWORK_ENTRYPOINT = ["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"]
SCRIPT_KEYS = ("sagemaker_program", "sagemaker_submit_directory")


def instance(resources: dict[str, Any], ctx: Context, step: str, path: str) -> dict[str, Any]:
    """``ClusterConfig`` / ``ResourceConfig`` → ``instance`` (the volume key goes to security)."""
    out: dict[str, Any] = {
        "type": ctx.value(resources.get("InstanceType"), step, f"{path}.InstanceType"),
        "count": ctx.value(resources.get("InstanceCount"), step, f"{path}.InstanceCount"),
    }
    if "VolumeSizeInGB" in resources:
        out["volume_size_gb"] = resources["VolumeSizeInGB"]
    if resources.get("VolumeKmsKeyId"):
        ctx.security.setdefault("volume", resources["VolumeKmsKeyId"])
    return out


def _vpc(config: Any, ctx: Context) -> None:
    if isinstance(config, dict):
        ctx.security.setdefault(
            "vpc", {"subnets": config.get("Subnets", []), "security_groups": config.get("SecurityGroupIds", [])}
        )


def _network(step: dict[str, Any], ctx: Context, *, encrypt: Any, isolation: Any) -> None:
    """Traffic encryption is pipeline-wide; isolation is pipeline-wide with a per-step override."""
    if encrypt:
        ctx.security["encrypt"] = True
    ctx.security.setdefault("isolation", bool(isolation))
    if bool(isolation) != ctx.security["isolation"]:
        step["network_isolation"] = bool(isolation)


def job_network(step: dict[str, Any], ctx: Context, network: dict[str, Any]) -> None:
    """A processing job's ``NetworkConfig`` → security (and the step's isolation override)."""
    _vpc(network.get("VpcConfig"), ctx)
    _network(
        step,
        ctx,
        encrypt=network.get("EnableInterContainerTrafficEncryption"),
        isolation=network.get("EnableNetworkIsolation"),
    )


def _default_output(uri: Any, ctx: Context, step: str, name: str) -> bool:
    """Whether ``uri`` is mlopsgen's per-execution default for a processing output."""
    if not (isinstance(uri, dict) and isinstance(uri.get("Std:Join"), dict)):
        return False
    join = uri["Std:Join"]
    expected = ["s3:/", ctx.bucket, ctx.pipeline, {"Get": "Execution.PipelineExecutionId"}, step, "output", name]
    return bool(join.get("On") == "/" and join.get("Values") == expected)


def processing(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Processing`` step's arguments → a ``processing`` step's keys."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    app = args.get("AppSpecification", {})
    ctx.image(app.get("ImageUri"))
    ctx.role(args.get("RoleArn"))
    out: dict[str, Any] = {"image": image_spec(app.get("ImageUri"), ctx)}
    cluster = args.get("ProcessingResources", {}).get("ClusterConfig", {})
    out["instance"] = instance(cluster, ctx, name, f"{path}.ProcessingResources.ClusterConfig")
    inputs = list(args.get("ProcessingInputs", []))
    entrypoint = app.get("ContainerEntrypoint")
    if entrypoint == FRAMEWORK_ENTRYPOINT:
        framework = framework_processor(inputs, ctx, name, path)
        if framework is not None:
            out.update(framework)
            inputs = [i for i in inputs if i.get("InputName") not in ("code", "aux", "entrypoint")]
    code = next((i for i in inputs if i.get("InputName") == "code" and _local(i) == CODE_DIR), None)
    if code is not None and isinstance(entrypoint, list) and entrypoint and isinstance(_uri(code), str):
        script = entrypoint[-1]
        if isinstance(script, str) and script.startswith(CODE_DIR + "/"):
            inputs.remove(code)
            out["code"] = ctx.code_file(_uri(code), name)
            if script.rsplit("/", 1)[-1] != out["code"].rsplit("/", 1)[-1]:
                out["code"] = ctx.code_file(_uri(code).rsplit("/", 1)[0] + "/" + script.rsplit("/", 1)[-1], name)
            if entrypoint[:-1] != ["python3"]:  # the language's default command for a script
                out["command"] = entrypoint[:-1]
    if "code" not in out and "entry_point" not in out and entrypoint is not None:
        out["command"] = entrypoint
    if app.get("ContainerArguments"):
        out["arguments"] = [
            ctx.value(a, name, f"{path}.AppSpecification.ContainerArguments[{i}]")
            for i, a in enumerate(app["ContainerArguments"])
        ]
    if args.get("Environment"):
        out["environment"] = ctx.mapping(args["Environment"], name, f"{path}.Environment")
    out["inputs"] = {
        i.get("InputName"): {
            "source": ctx.value(_uri(i), name, f"{path}.ProcessingInputs[{i.get('InputName')}].S3Input.S3Uri"),
            "destination": _local(i),
        }
        for i in inputs
    }
    config = args.get("ProcessingOutputConfig", {})
    if config.get("KmsKeyId"):
        ctx.security.setdefault("output", config["KmsKeyId"])
    outputs: dict[str, Any] = {}
    for o in config.get("Outputs", []):
        s3 = o.get("S3Output", {})
        oname = o.get("OutputName")
        if _default_output(s3.get("S3Uri"), ctx, name, oname):
            outputs[oname] = s3.get("LocalPath")
        else:
            where = f"{path}.ProcessingOutputConfig.Outputs[{oname}].S3Output.S3Uri"
            outputs[oname] = {"source": s3.get("LocalPath"), "destination": ctx.value(s3.get("S3Uri"), name, where)}
    out["outputs"] = outputs
    out["property_files"] = [
        {"name": p.get("PropertyFileName"), "output": p.get("OutputName"), "path": p.get("FilePath")}
        for p in node.get("PropertyFiles", [])
    ]
    job_network(out, ctx, args.get("NetworkConfig") or {})
    if "StoppingCondition" in args:
        out["max_runtime_seconds"] = args["StoppingCondition"].get("MaxRuntimeInSeconds")
    return out


RUNPROC_RUN = re.compile(r"^(?P<command>[^\n]+?) (?P<entry>\S+) \"\$@\"\s*$")
RUNPROC_REQUIREMENTS = re.compile(r"^if \[\[ -f '(?P<file>[^']+)' \]\]; then$", re.MULTILINE)


def framework_processor(inputs: list[dict[str, Any]], ctx: Context, name: str, path: str) -> dict[str, Any] | None:
    """A framework processor's keys, read from its downloaded runproc.sh; None (and MLG603) without it.

    The command, entry point and requirements file are written into runproc.sh, not into the definition;
    the source folder is the ``sourcedir.tar.gz`` in the ``code`` input's folder.
    """
    by_name = {i.get("InputName"): _uri(i) for i in inputs}
    runproc_uri, folder, aux = by_name.get("entrypoint"), by_name.get("code"), by_name.get("aux")
    script = ctx.helpers.get(runproc_uri) if isinstance(runproc_uri, str) else None
    if script is None or not isinstance(folder, str) or not isinstance(aux, str):
        where = f" (import with --download to read {runproc_uri})" if isinstance(runproc_uri, str) else ""
        ctx.lose(
            name,
            f"{path}.AppSpecification",
            "a framework processor's command, entry point and requirements are in its runproc.sh in S3, "
            f"not in the definition{where}",
            "MLG603",
        )
        return None
    text = script.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    run = RUNPROC_RUN.match(lines[-1]) if lines else None
    if run is None or not isinstance(runproc_uri, str):
        ctx.lose(name, f"{path}.ProcessingInputs[entrypoint]", "a runproc.sh mlopsgen does not write", "MLG603")
        return None
    entry = run.group("entry")
    archive = folder.rstrip("/") + "/sourcedir.tar.gz"
    out: dict[str, Any] = {
        "entry_point": entry,
        "source_dir": ctx.code_file(archive, name, folder=True, entry_point=entry),
    }
    command = run.group("command").split(" ")
    if command != ["python3"]:
        out["command"] = command
    requirements = RUNPROC_REQUIREMENTS.search(text)
    if requirements and requirements.group("file") != "requirements.txt":
        out["requirements"] = requirements.group("file")
    # Compared by content: a runproc.sh that renders differently is a difference, wherever it lives.
    ctx.aliases[runproc_uri] = f"<helper:processing/{name}/runproc.sh:{hashlib.sha256(script).hexdigest()}>"
    ctx.aliases[aux] = "<helper:processing/install_requirements.py>"
    ctx.aliases[folder] = f"<code:{out['source_dir']}>/"
    return out


def _uri(processing_input: dict[str, Any]) -> Any:
    return processing_input.get("S3Input", {}).get("S3Uri")


def _local(processing_input: dict[str, Any]) -> Any:
    return processing_input.get("S3Input", {}).get("LocalPath")


def training_job(job: dict[str, Any], ctx: Context, name: str, path: str, *, tuning: bool) -> dict[str, Any]:
    """A CreateTrainingJob body (a training step's arguments, a tuning step's job definition) → keys."""
    algorithm = job.get("AlgorithmSpecification", {})
    ctx.image(algorithm.get("TrainingImage"))
    ctx.role(job.get("RoleArn"))
    out: dict[str, Any] = {"image": image_spec(algorithm.get("TrainingImage"), ctx)}
    out["instance"] = instance(job.get("ResourceConfig", {}), ctx, name, f"{path}.ResourceConfig")
    out["input_mode"] = algorithm.get("TrainingInputMode", "File")
    if algorithm.get("MetricDefinitions"):
        out["metric_definitions"] = [{"name": m["Name"], "regex": m["Regex"]} for m in algorithm["MetricDefinitions"]]
    key = "StaticHyperParameters" if tuning else "HyperParameters"
    hyper = dict(job.get(key) or {})
    program, archive = (hyper.pop(k, None) for k in SCRIPT_KEYS)
    if isinstance(program, str) and isinstance(archive, str):
        out["source_dir"] = ctx.code_file(archive, name, folder=True, entry_point=program)
        out["entry_point"] = program
    elif program is not None or archive is not None:
        ctx.lose(name, f"{path}.{key}", "sagemaker_program and sagemaker_submit_directory come only together")
    out["hyperparameters"] = {k: _readable_number(ctx.value(v, name, f"{path}.{key}.{k}")) for k, v in hyper.items()}
    channels = {
        c.get("ChannelName"): _channel(c, ctx, name, path, tuning=tuning) for c in job.get("InputDataConfig", [])
    }
    out["channels"] = channels
    output = job.get("OutputDataConfig", {})
    default_path = f"s3://{ctx.bucket}/{ctx.pipeline}/{name}"
    if output.get("S3OutputPath") != default_path:
        out["output_path"] = ctx.value(output.get("S3OutputPath"), name, f"{path}.OutputDataConfig.S3OutputPath")
    out["output_compression"] = output.get("CompressionType", "GZIP")
    if output.get("KmsKeyId"):
        ctx.security.setdefault("output", output["KmsKeyId"])
    stopping = job.get("StoppingCondition", {})
    out["max_runtime_seconds"] = stopping.get("MaxRuntimeInSeconds")
    if job.get("EnableManagedSpotTraining"):
        out["spot"] = {"max_wait_seconds": stopping.get("MaxWaitTimeInSeconds")}
    if "CheckpointConfig" in job:
        checkpoint = job["CheckpointConfig"]
        out["checkpoint"] = {
            "s3_uri": ctx.value(checkpoint.get("S3Uri"), name, f"{path}.CheckpointConfig.S3Uri"),
            "local_path": checkpoint.get("LocalPath", "/opt/ml/checkpoints"),
        }
    if "KeepAlivePeriodInSeconds" in job.get("ResourceConfig", {}):
        out["keep_alive_seconds"] = job["ResourceConfig"]["KeepAlivePeriodInSeconds"]
    if "RetryStrategy" in job:
        out["max_retry_attempts"] = job["RetryStrategy"].get("MaximumRetryAttempts")
    if job.get("Environment"):
        out["environment"] = ctx.mapping(job["Environment"], name, f"{path}.Environment")
    if not tuning:
        from mlopsgen.importing import jobs_debugger

        out["debugger"] = jobs_debugger.debugger(job, ctx, name, path)
        out["profiler"] = jobs_debugger.profiler(job, ctx, name, path)
    _vpc(job.get("VpcConfig"), ctx)
    _network(
        out,
        ctx,
        encrypt=job.get("EnableInterContainerTrafficEncryption"),
        isolation=job.get("EnableNetworkIsolation"),
    )
    return out


def _readable_number(value: Any) -> Any:
    """A hyperparameter as a reader writes it: ``50`` and ``0.2`` rather than ``"50"`` and ``"0.2"``.

    The planner writes a number hyperparameter with ``str()``, so a text that ``str()`` of its number
    gives back renders the same; any other text (``"1.50"``, ``"007"``, ``"True"``) stays text.
    """
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9][0-9.e+-]*", value):
        return value
    for kind in (int, float):
        try:
            number = kind(value)
        except ValueError:
            continue
        if str(number) == value:
            return number
    return value


def _channel(c: dict[str, Any], ctx: Context, name: str, path: str, *, tuning: bool) -> dict[str, Any]:
    s3 = c.get("DataSource", {}).get("S3DataSource", {})
    where = f"{path}.InputDataConfig[{c.get('ChannelName')}]"
    out: dict[str, Any] = {
        "source": ctx.value(s3.get("S3Uri"), name, f"{where}.DataSource.S3DataSource.S3Uri"),
        "content_type": c.get("ContentType"),
        "s3_data_distribution": s3.get("S3DataDistributionType", "FullyReplicated"),
        "compression": c.get("CompressionType"),
        "record_wrapper": c.get("RecordWrapperType"),
        "shuffle_seed": c.get("ShuffleConfig", {}).get("Seed"),
    }
    # A training job's channel always names its mode (File when none is set); a tuning job's only when set.
    if c.get("InputMode") not in (None, "File") or (tuning and "InputMode" in c):
        out["input_mode"] = c["InputMode"]
    return out


def training(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Training`` step → a ``training`` step's keys."""
    return training_job(node.get("Arguments", {}), ctx, node["Name"], f"{base}.Arguments", tuning=False)


def tuning(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Tuning`` step → a ``tuning`` step's keys (the training keys plus the tuning job's own)."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    out = training_job(args.get("TrainingJobDefinition", {}), ctx, name, f"{path}.TrainingJobDefinition", tuning=True)
    config = args.get("HyperParameterTuningJobConfig", {})
    objective = config.get("HyperParameterTuningJobObjective", {})
    out["objective"] = {"metric": objective.get("MetricName"), "goal": objective.get("Type")}
    ranges: dict[str, Any] = {}
    for key, kind in (
        ("IntegerParameterRanges", "integer"),
        ("ContinuousParameterRanges", "continuous"),
        ("CategoricalParameterRanges", "categorical"),
    ):
        for r in config.get("ParameterRanges", {}).get(key, []):
            if kind == "categorical":
                ranges[r["Name"]] = {"type": kind, "values": r.get("Values")}
            else:
                ranges[r["Name"]] = {
                    "type": kind,
                    "min": _number(r.get("MinValue")),
                    "max": _number(r.get("MaxValue")),
                    "scaling": r.get("ScalingType", "Auto"),
                }
    out["ranges"] = ranges
    limits = config.get("ResourceLimits", {})
    out["max_jobs"] = limits.get("MaxNumberOfTrainingJobs")
    out["max_parallel_jobs"] = limits.get("MaxParallelTrainingJobs")
    if "MaxRuntimeInSeconds" in limits:
        out["max_tuning_runtime_seconds"] = limits["MaxRuntimeInSeconds"]
    out["strategy"] = config.get("Strategy")
    out["early_stopping"] = config.get("TrainingJobEarlyStoppingType", "Auto")
    if "RandomSeed" in config:
        out["random_seed"] = config["RandomSeed"]
    band = config.get("StrategyConfig", {}).get("HyperbandStrategyConfig")
    if band is not None:
        out["hyperband"] = {"min_resource": band.get("MinResource"), "max_resource": band.get("MaxResource")}
    criteria = config.get("TuningJobCompletionCriteria")
    if criteria is not None:
        convergence = criteria.get("ConvergenceDetected", {}).get("CompleteOnConvergence")
        out["completion"] = {
            "target_objective_value": criteria.get("TargetObjectiveMetricValue"),
            "max_jobs_not_improving": criteria.get("BestObjectiveNotImproving", {}).get(
                "MaxNumberOfTrainingJobsNotImproving"
            ),
            "complete_on_convergence": None if convergence is None else convergence == "Enabled",
        }
    warm = args.get("WarmStartConfig")
    if warm is not None:
        out["warm_start"] = {
            "parents": [p.get("HyperParameterTuningJobName") for p in warm.get("ParentHyperParameterTuningJobs", [])],
            "type": warm.get("WarmStartType"),
        }
    return out


def _number(text: Any) -> Any:
    """Range bounds are text in the definition; the blueprint writes numbers."""
    if isinstance(text, str):
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    return text
