"""BlueprintSpec → diagnostics: training and tuning option combinations SageMaker rejects, at their line.

Each rule quotes the API's own words (botocore's sagemaker service model, or the AWS guide linked); the
fields themselves are declared in ``steps_training.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.serving import SCRIPT_MODE_FRAMEWORKS, is_builtin_algorithm
from mlopsgen.blueprint.steps import TrainingBase, TrainingStepSpec, TuningStepSpec
from mlopsgen.blueprint.steps_training import DISTRIBUTION_HYPERPARAMETERS


def _training_steps(spec: BlueprintSpec) -> list[tuple[PathKey, TrainingBase]]:
    return [
        (("pipeline", "steps", i), step) for i, step in enumerate(spec.pipeline.steps) if isinstance(step, TrainingBase)
    ]


def check_spot(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Spot's wait covers the run, and a spot job keeps no warm pool.

    StoppingCondition.MaxWaitTimeInSeconds "must be equal to or greater than MaxRuntimeInSeconds" (botocore);
    a warm pool cannot be kept on spot capacity (ref: https://docs.aws.amazon.com/sagemaker/latest/dg/
    train-warm-pools.html#train-warm-pools-considerations), so the API refuses both together.
    """
    issues: list[Issue] = []
    for path, step in _training_steps(spec):
        if step.spot is None:
            continue
        if step.spot.max_wait_seconds < step.max_runtime_seconds:
            issues.append(
                Issue(
                    "MLG360",
                    (*path, "spot", "max_wait_seconds"),
                    f"spot.max_wait_seconds ({step.spot.max_wait_seconds}) of step '{step.name}' is shorter than "
                    f"its max_runtime_seconds ({step.max_runtime_seconds}); SageMaker requires the wait to cover "
                    "the run",
                    f"set max_wait_seconds to at least {step.max_runtime_seconds}.",
                    at_value=True,
                )
            )
        if isinstance(step, TrainingStepSpec) and step.keep_alive_seconds:
            issues.append(
                Issue(
                    "MLG361",
                    (*path, "keep_alive_seconds"),
                    f"step '{step.name}' runs on spot capacity, which cannot be kept in a warm pool",
                    "remove keep_alive_seconds, or spot.",
                    at_value=True,
                )
            )
    return issues


def check_channels(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Gzip compression and RecordIO wrapping are Pipe-mode features of a channel.

    botocore: CompressionType "is used only in Pipe input mode. In File mode, leave this field unset or set
    it to None"; RecordWrapperType: "In File mode, leave this field unset or set it to None". FastFile
    streams files as they are, so it is refused there as well.
    """
    issues: list[Issue] = []
    for path, step in _training_steps(spec):
        for name, channel in step.channels.items():
            mode = channel.input_mode or step.input_mode
            where = (*path, "channels", name)
            for key, value, off in (
                ("compression", channel.compression, "None"),
                ("record_wrapper", channel.record_wrapper, "None"),
            ):
                if value not in (None, off) and mode != "Pipe":
                    issues.append(
                        Issue(
                            "MLG362",
                            (*where, key),
                            f"{key} {value} of channel '{name}' in step '{step.name}' needs Pipe input mode, "
                            f"but the channel is read in {mode} mode",
                            "set input_mode: Pipe on the channel (or the step), or remove the key.",
                            at_value=True,
                        )
                    )
    return issues


def check_distribution(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Distribution runs on images whose launcher reads the sagemaker_* hyperparameters, with its own options.

    Built-in algorithms validate their hyperparameters and have no such launcher; the scikit-learn container
    does not train distributed. A hyperparameter the distribution writes may not also be set by hand.
    """
    issues: list[Issue] = []
    for path, step in _training_steps(spec):
        dist = step.distribution
        if dist is None:
            continue
        where = (*path, "distribution")
        if is_builtin_algorithm(step.image) or step.image.framework in SCRIPT_MODE_FRAMEWORKS:
            issues.append(
                Issue(
                    "MLG363",
                    (*where, "type"),
                    f"distribution {dist.type} of step '{step.name}' needs a framework image that launches "
                    f"distributed training; the {step.image.framework} image does not",
                    "use a framework container (image.uri of a PyTorch or TensorFlow image), or remove distribution.",
                    at_value=True,
                )
            )
        if dist.processes_per_host is not None and dist.type != "mpi":
            issues.append(
                Issue(
                    "MLG364",
                    (*where, "processes_per_host"),
                    f"processes_per_host applies to distribution type mpi, not {dist.type}",
                    "remove it, or use type: mpi.",
                )
            )
        if dist.custom_mpi_options is not None and dist.type not in ("mpi", "smdistributed_data_parallel"):
            issues.append(
                Issue(
                    "MLG364",
                    (*where, "custom_mpi_options"),
                    f"custom_mpi_options applies to distribution types mpi and smdistributed_data_parallel, "
                    f"not {dist.type}",
                    "remove it.",
                )
            )
        reserved = sorted(set(step.hyperparameters) & set(DISTRIBUTION_HYPERPARAMETERS))
        for key in reserved:
            issues.append(
                Issue(
                    "MLG364",
                    (*path, "hyperparameters", key),
                    f"hyperparameter '{key}' of step '{step.name}' is written by its distribution",
                    "remove the hyperparameter; distribution sets it.",
                )
            )
    return issues


def check_tuning_options(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Hyperband's settings go with the Hyperband strategy, which needs early stopping Off.

    botocore: "TrainingJobEarlyStoppingType must be OFF to use Hyperband"; StrategyConfig "should be provided
    only if Hyperband is selected as the strategy"; MinResource at most MaxResource.
    """
    issues: list[Issue] = []
    for path, step in _training_steps(spec):
        if not isinstance(step, TuningStepSpec):
            continue
        if step.strategy == "Hyperband" and step.early_stopping != "Off":
            issues.append(
                Issue(
                    "MLG365",
                    (*path, "strategy"),
                    f"tuning step '{step.name}' uses the Hyperband strategy, which stops jobs early itself; "
                    f"SageMaker requires early_stopping: Off with it (the step has {step.early_stopping})",
                    "add early_stopping: Off.",
                    at_value=True,
                )
            )
        band = step.hyperband
        if band is not None and step.strategy != "Hyperband":
            issues.append(
                Issue(
                    "MLG365",
                    (*path, "hyperband"),
                    f"hyperband settings of tuning step '{step.name}' need strategy: Hyperband "
                    f"(the step uses {step.strategy})",
                    "set strategy: Hyperband, or remove hyperband.",
                )
            )
        if band and band.min_resource and band.max_resource and band.min_resource > band.max_resource:
            issues.append(
                Issue(
                    "MLG365",
                    (*path, "hyperband", "min_resource"),
                    f"hyperband.min_resource ({band.min_resource}) is above max_resource ({band.max_resource})",
                    "",
                    at_value=True,
                )
            )
    return issues


TRAINING_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_spot,
    check_channels,
    check_distribution,
    check_tuning_options,
)
