"""Plan training/tuning options → sagemaker 3.27.0 objects, for the SDK engine (``sagemaker_sdk.py``).

Loaded only with that engine. Each option goes through the SDK's own class (Compute, StoppingCondition,
CheckpointConfig, RetryStrategy, Channel, the tuner's config shapes), so the engines-agree test checks the
native engine's shapes against the SDK's serialisation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

Value = Callable[[ir.Expr], Any]


def trainer_kwargs(job: ir.TrainingJob, value: Value) -> dict[str, Any]:
    """ModelTrainer arguments for the job's options (compute and stopping condition are built by the caller)."""
    from sagemaker.core.training.configs import CheckpointConfig

    o = job.options
    kwargs: dict[str, Any] = {"training_input_mode": o.input_mode}
    if o.checkpoint_s3_uri != "":
        kwargs["checkpoint_config"] = CheckpointConfig(
            s3_uri=value(o.checkpoint_s3_uri), local_path=o.checkpoint_local_path
        )
    return kwargs


def compute_kwargs(job: ir.TrainingJob) -> dict[str, Any]:
    """Compute arguments: managed spot and the warm pool."""
    o = job.options
    kwargs: dict[str, Any] = {}
    if o.spot_max_wait_seconds:
        kwargs["enable_managed_spot_training"] = True
    if o.keep_alive_seconds is not None:
        kwargs["keep_alive_period_in_seconds"] = o.keep_alive_seconds
    return kwargs


def stopping_kwargs(job: ir.TrainingJob) -> dict[str, Any]:
    """StoppingCondition arguments beyond the run time: the spot wait."""
    o = job.options
    return {"max_wait_time_in_seconds": o.spot_max_wait_seconds} if o.spot_max_wait_seconds else {}


def with_retry(trainer: Any, job: ir.TrainingJob) -> None:
    """Set the trainer's RetryStrategy (the tuner copies it into its training job definition)."""
    from sagemaker.core.shapes import RetryStrategy

    if job.options.max_retry_attempts:
        trainer.with_retry_strategy(RetryStrategy(maximum_retry_attempts=job.options.max_retry_attempts))


def channel(c: ir.Channel, value: Value, *, tuning: bool) -> Any:
    """A channel with read options as the SDK's Channel shape (plain channels stay InputData, as before)."""
    from sagemaker.core.shapes import Channel, DataSource, S3DataSource, ShuffleConfig

    kwargs: dict[str, Any] = {
        "channel_name": c.name,
        "data_source": DataSource(
            s3_data_source=S3DataSource(
                s3_data_type="S3Prefix", s3_uri=value(c.source), s3_data_distribution_type=c.s3_data_distribution
            )
        ),
    }
    if c.content_type:
        kwargs["content_type"] = c.content_type
    if c.compression:
        kwargs["compression_type"] = c.compression
    if c.record_wrapper:
        kwargs["record_wrapper_type"] = c.record_wrapper
    if c.shuffle_seed is not None:
        kwargs["shuffle_config"] = ShuffleConfig(seed=c.shuffle_seed)
    if c.input_mode or not tuning:  # ModelTrainer writes File on its own channels; the tuner writes none
        kwargs["input_mode"] = c.input_mode or "File"
    return Channel(**kwargs)


def tuner_kwargs(s: ir.TuningStep) -> dict[str, Any]:
    """HyperparameterTuner arguments for the tuning job's own options."""
    from sagemaker.core.shapes import (
        BestObjectiveNotImproving,
        ConvergenceDetected,
        HyperbandStrategyConfig,
        HyperParameterTuningJobStrategyConfig,
        HyperParameterTuningJobWarmStartConfig,
        ParentHyperParameterTuningJob,
        TuningJobCompletionCriteria,
    )

    o = s.options
    kwargs: dict[str, Any] = {"early_stopping_type": o.early_stopping}
    if o.random_seed is not None:
        kwargs["random_seed"] = o.random_seed
    if o.max_runtime_seconds:
        kwargs["max_runtime_in_seconds"] = o.max_runtime_seconds
    if o.has_hyperband:
        kwargs["strategy_config"] = HyperParameterTuningJobStrategyConfig(
            hyperband_strategy_config=HyperbandStrategyConfig(
                min_resource=o.hyperband_min_resource, max_resource=o.hyperband_max_resource
            )
        )
    if o.has_completion:
        criteria: dict[str, Any] = {}
        if o.target_objective_value is not None:
            criteria["target_objective_metric_value"] = o.target_objective_value
        if o.max_jobs_not_improving is not None:
            criteria["best_objective_not_improving"] = BestObjectiveNotImproving(
                max_number_of_training_jobs_not_improving=o.max_jobs_not_improving
            )
        if o.complete_on_convergence is not None:
            criteria["convergence_detected"] = ConvergenceDetected(
                complete_on_convergence="Enabled" if o.complete_on_convergence else "Disabled"
            )
        kwargs["completion_criteria_config"] = TuningJobCompletionCriteria(**criteria)
    if o.warm_start_parents:
        kwargs["warm_start_config"] = HyperParameterTuningJobWarmStartConfig(
            warm_start_type=o.warm_start_type,
            parent_hyper_parameter_tuning_jobs=[
                ParentHyperParameterTuningJob(hyper_parameter_tuning_job_name=p) for p in o.warm_start_parents
            ],
        )
    return kwargs


def restore_zero_members(steps: list[dict[str, Any]], plan_steps: dict[str, ir.Step]) -> None:
    """Put back option members equal to 0 that sagemaker 3.27.0 drops from training and tuning requests.

    The SDK's ``_serialize_shape`` keeps a member only when its value is truthy (``if serialize_result :=
    serialize(v)``), and its tuner sets RandomSeed only ``if self.random_seed``. So a shuffle seed of 0
    (ShuffleConfig then becomes empty and goes too), a warm pool of 0 seconds, a target objective value of
    0.0 and a random seed of 0 vanish, though botocore's model accepts each (measured; the engines-agree
    generator found the shuffle seed). The blueprint asked for them, so they go back where the API takes them.
    """
    for step in steps:
        if step["Type"] == "Condition":
            restore_zero_members(step["Arguments"]["IfSteps"], plan_steps)
            restore_zero_members(step["Arguments"]["ElseSteps"], plan_steps)
        spec = plan_steps.get(step["Name"])
        if isinstance(spec, ir.TrainingStep) and step["Type"] == "Training":
            _restore_job(step["Arguments"], spec.job)
        elif isinstance(spec, ir.TuningStep) and step["Type"] == "Tuning":
            _restore_job(step["Arguments"]["TrainingJobDefinition"], spec.job)
            config = step["Arguments"]["HyperParameterTuningJobConfig"]
            if spec.options.random_seed == 0:
                config["RandomSeed"] = 0
            if spec.options.target_objective_value == 0:
                config.setdefault("TuningJobCompletionCriteria", {})["TargetObjectiveMetricValue"] = (
                    spec.options.target_objective_value
                )


def _restore_job(body: dict[str, Any], job: ir.TrainingJob) -> None:
    if job.options.keep_alive_seconds == 0:
        body["ResourceConfig"]["KeepAlivePeriodInSeconds"] = 0
    channels = {c.name: c for c in job.channels}
    for channel in body.get("InputDataConfig", []):
        spec = channels.get(channel["ChannelName"])
        if spec is not None and spec.shuffle_seed == 0:
            channel["ShuffleConfig"] = {"Seed": 0}
