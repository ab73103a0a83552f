"""Plan training/tuning options → their members of the CreateTrainingJob and CreateHyperParameterTuningJob bodies.

Helpers of ``sagemaker.py`` (the native engine), kept apart so it stays about steps: channels with their read
options, spot, checkpoints, warm pools, output compression and retries of a job, and the tuning job's own
settings. Shapes are botocore's; the SDK engine builds the same with sagemaker 3.27.0's classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

Expr = Callable[[ir.Expr], Any]


def channel(c: ir.Channel, *, tuning: bool, expr: Expr) -> dict[str, Any]:
    """One InputDataConfig member.

    A training job's channel always names its InputMode (the SDK's ModelTrainer writes ``File`` for a plain
    channel); a tuning job's only when the blueprint sets one (the SDK's tuner writes none).
    """
    out: dict[str, Any] = {
        "ChannelName": c.name,
        "DataSource": {
            "S3DataSource": {
                "S3DataDistributionType": c.s3_data_distribution,
                "S3DataType": "S3Prefix",
                "S3Uri": expr(c.source),
            }
        },
    }
    if c.content_type:
        out["ContentType"] = c.content_type
    if c.compression:
        out["CompressionType"] = c.compression
    if c.record_wrapper:
        out["RecordWrapperType"] = c.record_wrapper
    if c.shuffle_seed is not None:
        out["ShuffleConfig"] = {"Seed": c.shuffle_seed}
    if c.input_mode or not tuning:
        out["InputMode"] = c.input_mode or "File"
    return out


def add_job_options(out: dict[str, Any], job: ir.TrainingJob, *, expr: Expr) -> None:
    """Spot, checkpoints, warm pool, output compression and retries, into a training job body."""
    o = job.options
    out["AlgorithmSpecification"]["TrainingInputMode"] = o.input_mode
    out["OutputDataConfig"]["CompressionType"] = o.output_compression
    if o.spot_max_wait_seconds:
        out["EnableManagedSpotTraining"] = True
        out["StoppingCondition"]["MaxWaitTimeInSeconds"] = o.spot_max_wait_seconds
    if o.checkpoint_s3_uri != "":
        out["CheckpointConfig"] = {"LocalPath": o.checkpoint_local_path, "S3Uri": expr(o.checkpoint_s3_uri)}
    if o.keep_alive_seconds is not None:
        out["ResourceConfig"]["KeepAlivePeriodInSeconds"] = o.keep_alive_seconds
    if o.max_retry_attempts:
        out["RetryStrategy"] = {"MaximumRetryAttempts": o.max_retry_attempts}
    if o.debug_hook is not None:
        out["DebugHookConfig"] = debug_hook_config(o.debug_hook, expr=expr)
    if o.profiler is not None:
        out["ProfilerConfig"] = profiler_config(o.profiler, expr=expr)


def debug_hook_config(d: ir.DebugHook, *, expr: Expr) -> dict[str, Any]:
    """DebugHookConfig, member for member; an empty map or list the blueprint gave is sent empty."""
    out: dict[str, Any] = {"S3OutputPath": expr(d.s3_output_path)}
    if d.local_path is not None:
        out["LocalPath"] = d.local_path
    if d.hook_parameters is not None:
        out["HookParameters"] = dict(d.hook_parameters)
    if d.collections is not None:
        out["CollectionConfigurations"] = [
            {
                **({"CollectionName": name} if name is not None else {}),
                **({"CollectionParameters": dict(params)} if params is not None else {}),
            }
            for name, params in d.collections
        ]
    return out


def profiler_config(p: ir.Profiler, *, expr: Expr) -> dict[str, Any]:
    """ProfilerConfig, member for member (``DisableProfiler: false`` is sent when given, as SDK v2 does)."""
    out: dict[str, Any] = {}
    if p.s3_output_path is not None:
        out["S3OutputPath"] = expr(p.s3_output_path)
    if p.interval_ms is not None:
        out["ProfilingIntervalInMilliseconds"] = p.interval_ms
    if p.parameters is not None:
        out["ProfilingParameters"] = dict(p.parameters)
    if p.disable is not None:
        out["DisableProfiler"] = p.disable
    return out


def add_tuning_options(arguments: dict[str, Any], s: ir.TuningStep) -> None:
    """Early stopping, seed, time limit, Hyperband, completion criteria and warm start of a tuning job."""
    o = s.options
    config = arguments["HyperParameterTuningJobConfig"]
    config["TrainingJobEarlyStoppingType"] = o.early_stopping
    if o.random_seed is not None:
        config["RandomSeed"] = o.random_seed
    if o.max_runtime_seconds:
        config["ResourceLimits"]["MaxRuntimeInSeconds"] = o.max_runtime_seconds
    if o.has_hyperband:
        band: dict[str, Any] = {}
        if o.hyperband_min_resource is not None:
            band["MinResource"] = o.hyperband_min_resource
        if o.hyperband_max_resource is not None:
            band["MaxResource"] = o.hyperband_max_resource
        config["StrategyConfig"] = {"HyperbandStrategyConfig": band}
    if o.has_completion:
        criteria: dict[str, Any] = {}
        if o.target_objective_value is not None:
            criteria["TargetObjectiveMetricValue"] = o.target_objective_value
        if o.max_jobs_not_improving is not None:
            criteria["BestObjectiveNotImproving"] = {"MaxNumberOfTrainingJobsNotImproving": o.max_jobs_not_improving}
        if o.complete_on_convergence is not None:
            criteria["ConvergenceDetected"] = {
                "CompleteOnConvergence": "Enabled" if o.complete_on_convergence else "Disabled"
            }
        config["TuningJobCompletionCriteria"] = criteria
    if o.warm_start_parents:
        arguments["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": p} for p in o.warm_start_parents],
            "WarmStartType": o.warm_start_type,
        }
