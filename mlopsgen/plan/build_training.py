"""Training and tuning option specs → their Plan parts (``ir.TrainingOptions``, ``ir.TuningOptions``, channels).

Called by ``build.py`` for every training and tuning step; kept apart so that module stays about steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.steps_debugger import DebuggerSpec, ProfilerSpec
from mlopsgen.plan import model as ir
from mlopsgen.plan.distribution import distribution_hyperparameters


def channel(name: str, c: spec.ChannelSpec, expr: Callable[[Any], ir.Expr]) -> ir.Channel:
    """One input channel with its read options."""
    return ir.Channel(
        name,
        expr(c.source),
        c.content_type or "",
        input_mode=c.input_mode or "",
        compression=c.compression or "",
        record_wrapper=c.record_wrapper or "",
        s3_data_distribution=c.s3_data_distribution,
        shuffle_seed=c.shuffle_seed,
    )


def training_options(step: spec.TrainingBase, expr: Callable[[Any], ir.Expr]) -> ir.TrainingOptions:
    """The job options of a training step or a tuning step's training jobs."""
    return ir.TrainingOptions(
        input_mode=step.input_mode,
        spot_max_wait_seconds=step.spot.max_wait_seconds if step.spot else 0,
        checkpoint_s3_uri=expr(step.checkpoint.s3_uri) if step.checkpoint else "",
        checkpoint_local_path=step.checkpoint.local_path if step.checkpoint else "/opt/ml/checkpoints",
        output_compression=step.output_compression,
        max_retry_attempts=step.max_retry_attempts or 0,
        keep_alive_seconds=step.keep_alive_seconds if isinstance(step, spec.TrainingStepSpec) else None,
        debug_hook=debug_hook(step.debugger, expr) if isinstance(step, spec.TrainingStepSpec) else None,
        profiler=profiler(step.profiler, expr) if isinstance(step, spec.TrainingStepSpec) else None,
    )


def _pairs(mapping: dict[str, str] | None) -> ir.Pairs | None:
    return None if mapping is None else tuple(mapping.items())


def debug_hook(d: DebuggerSpec | None, expr: Callable[[Any], ir.Expr]) -> ir.DebugHook | None:
    """DebugHookConfig of a training step (key order kept: the API keeps maps and lists as given)."""
    if d is None:
        return None
    collections = None
    if d.collection_configurations is not None:
        collections = tuple((c.name, _pairs(c.parameters)) for c in d.collection_configurations)
    return ir.DebugHook(expr(d.s3_output_path), d.local_path, _pairs(d.hook_parameters), collections)


def profiler(p: ProfilerSpec | None, expr: Callable[[Any], ir.Expr]) -> ir.Profiler | None:
    """ProfilerConfig of a training step."""
    if p is None:
        return None
    path = None if p.s3_output_path is None else expr(p.s3_output_path)
    return ir.Profiler(path, p.profiling_interval_ms, _pairs(p.profiling_parameters), p.disable_profiler)


def with_distribution(
    hyperparameters: tuple[tuple[str, ir.Expr], ...], step: spec.TrainingBase, instance_type: ir.Expr
) -> tuple[tuple[str, ir.Expr], ...]:
    """The step's hyperparameters plus those its distribution writes, sorted by name."""
    if step.distribution is None:
        return hyperparameters
    return tuple(sorted((*hyperparameters, *distribution_hyperparameters(step.distribution, instance_type))))


def tuning_options(step: spec.TuningStepSpec) -> ir.TuningOptions:
    """The tuning job's own options."""
    band, done, warm = step.hyperband, step.completion, step.warm_start
    return ir.TuningOptions(
        early_stopping=step.early_stopping,
        random_seed=step.random_seed,
        max_runtime_seconds=step.max_tuning_runtime_seconds or 0,
        hyperband_min_resource=band.min_resource if band else None,
        hyperband_max_resource=band.max_resource if band else None,
        target_objective_value=done.target_objective_value if done else None,
        max_jobs_not_improving=done.max_jobs_not_improving if done else None,
        complete_on_convergence=done.complete_on_convergence if done else None,
        warm_start_parents=tuple(warm.parents) if warm else (),
        warm_start_type=warm.type if warm else "",
    )
