"""The Plan's training and tuning jobs: the job a training step runs (alone or as a tuning job's template).

Split out of ``model.py``/``model_steps.py``: script mode, spot, checkpoints, debugger and tuning
options made these the largest family of step classes. ``plan.model`` re-exports every name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.frozen import frozen

if TYPE_CHECKING:
    from mlopsgen.plan.model import Expr, Network
    from mlopsgen.plan.model_steps import Common, Compute, ScriptMode


@frozen
class Channel:
    """A training input channel."""

    name: str
    source: Expr
    content_type: str
    input_mode: str = ""
    """"" when the job's TrainingInputMode applies."""
    compression: str = ""
    record_wrapper: str = ""
    s3_data_distribution: str = "FullyReplicated"
    shuffle_seed: int | None = None

    @property
    def has_options(self) -> bool:
        """True when the channel sets more than its source and content type."""
        return bool(
            self.input_mode
            or self.compression
            or self.record_wrapper
            or self.s3_data_distribution != "FullyReplicated"
            or self.shuffle_seed is not None
        )


@frozen
class MetricDefinition:
    """A metric SageMaker reads from a training job's log."""

    name: str
    regex: str


@frozen
class TrainingOptions:
    """A training job's options; the defaults are what a job without them sends."""

    input_mode: str = "File"
    spot_max_wait_seconds: int = 0
    """0: not on spot capacity."""
    checkpoint_s3_uri: Expr = ""
    """"": no CheckpointConfig."""
    checkpoint_local_path: str = "/opt/ml/checkpoints"
    output_compression: str = "GZIP"
    max_retry_attempts: int = 0
    """0: no RetryStrategy."""
    keep_alive_seconds: int | None = None
    """None: no warm pool (0 is sent as given)."""
    debug_hook: DebugHook | None = None
    """None: no DebugHookConfig."""
    profiler: Profiler | None = None
    """None: no ProfilerConfig."""


Pairs = tuple[tuple[str, str], ...]


@frozen
class DebugHook:
    """DebugHookConfig; ``None`` members are left out, empty ones sent empty (as the blueprint gave them)."""

    s3_output_path: Expr
    local_path: str | None = None
    hook_parameters: Pairs | None = None
    collections: tuple[tuple[str | None, Pairs | None], ...] | None = None
    """CollectionConfigurations: (CollectionName, CollectionParameters) in blueprint order."""


@frozen
class Profiler:
    """ProfilerConfig; ``None`` members are left out."""

    s3_output_path: Expr | None = None
    interval_ms: int | None = None
    parameters: Pairs | None = None
    disable: bool | None = None


@frozen
class TuningOptions:
    """A tuning job's own options (HyperParameterTuningJobConfig and WarmStartConfig)."""

    early_stopping: str = "Auto"
    random_seed: int | None = None
    max_runtime_seconds: int = 0
    """0: no limit on the whole tuning job."""
    hyperband_min_resource: int | None = None
    hyperband_max_resource: int | None = None
    target_objective_value: float | None = None
    max_jobs_not_improving: int | None = None
    complete_on_convergence: bool | None = None
    warm_start_parents: tuple[str, ...] = ()
    warm_start_type: str = ""

    @property
    def has_hyperband(self) -> bool:
        """True when a HyperbandStrategyConfig is sent."""
        return self.hyperband_min_resource is not None or self.hyperband_max_resource is not None

    @property
    def has_completion(self) -> bool:
        """True when TuningJobCompletionCriteria is sent."""
        return (
            self.target_objective_value is not None
            or self.max_jobs_not_improving is not None
            or self.complete_on_convergence is not None
        )


@frozen
class TrainingJob:
    """What a training job (alone, or as a tuning job's template) runs."""

    image_uri: str
    compute: Compute
    hyperparameters: tuple[tuple[str, Expr], ...]
    channels: tuple[Channel, ...]
    output_path: Expr
    output_kms_key: str
    max_runtime_seconds: int
    environment: tuple[tuple[str, Expr], ...]
    network: Network
    metric_definitions: tuple[MetricDefinition, ...]
    """In blueprint order (AWS keeps the list as given)."""
    options: TrainingOptions = TrainingOptions()
    """Spot, checkpoints, input mode, warm pool, compression and retries."""
    script: ScriptMode | None = None
    """Script mode (entry_point + source_dir); None when the image runs its own program."""


@frozen
class TrainingStep:
    """A training job."""

    common: Common
    job: TrainingJob


@frozen
class ParameterRange:
    """A searched hyperparameter."""

    name: str
    kind: str
    """integer, continuous or categorical."""
    min_value: str
    max_value: str
    values: tuple[str, ...]
    scaling: str


@frozen
class TuningStep:
    """A hyperparameter tuning job."""

    common: Common
    job: TrainingJob
    objective_metric: str
    objective_goal: str
    ranges: tuple[ParameterRange, ...]
    max_jobs: int
    max_parallel_jobs: int
    strategy: str
    options: TuningOptions = TuningOptions()
