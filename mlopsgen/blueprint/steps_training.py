"""Training and tuning options (pydantic): spot, checkpoints, distribution, input modes, warm pools, tuning knobs.

Mixed into the training, tuning and channel specs of ``steps.py`` so that module stays the list of step
types. Every field maps to one member of botocore's CreateTrainingJob / CreateHyperParameterTuningJob
shapes (named in each docstring); bounds are botocore's. Combinations the API rejects (spot with a warm
pool, a wait shorter than the run, Hyperband with early stopping, ...) are checked in ``training_checks.py``
so they are reported at their line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from mlopsgen.blueprint.base import Scalar, Spec

InputMode = Literal["File", "Pipe", "FastFile"]


class SpotSpec(Spec):
    """Managed spot training: EnableManagedSpotTraining, with StoppingCondition.MaxWaitTimeInSeconds."""

    max_wait_seconds: int = Field(ge=1)
    """Time for waiting for spot capacity plus running; at least max_runtime_seconds (AWS)."""


class CheckpointSpec(Spec):
    """CheckpointConfig: where the job's checkpoints are synced, so a spot job resumes after interruption."""

    s3_uri: Scalar = Field(description="S3 URI the checkpoints are copied to, or ${params.X}.")
    local_path: str = Field(default="/opt/ml/checkpoints", min_length=1, max_length=4096)
    """Directory in the container the training code writes checkpoints to."""


DISTRIBUTION_TYPES = ("torchrun", "mpi", "parameter_server", "smdistributed_data_parallel")


class DistributionSpec(Spec):
    """Distributed training through the framework containers' hyperparameter contract (sagemaker_*_enabled)."""

    type: Literal["torchrun", "mpi", "parameter_server", "smdistributed_data_parallel"]
    """Launcher the framework container starts: torchrun, mpi, parameter_server or smdistributed_data_parallel."""
    processes_per_host: int | None = Field(default=None, ge=1)
    """MPI processes on each instance (mpi only; the container's default is one per GPU)."""
    custom_mpi_options: str | None = None
    """Extra mpirun options (mpi and smdistributed_data_parallel only), e.g. -x NCCL_DEBUG=INFO."""


class TrainingOptions(Spec):
    """Options every training job has, alone or as a tuning job's template."""

    input_mode: InputMode = "File"
    """AlgorithmSpecification.TrainingInputMode: File, Pipe or FastFile (channels may override)."""
    spot: SpotSpec | None = None
    """Run on managed spot capacity: {max_wait_seconds: N}."""
    checkpoint: CheckpointSpec | None = None
    """CheckpointConfig: {s3_uri, local_path?}."""
    output_compression: Literal["GZIP", "NONE"] = "GZIP"
    """OutputDataConfig.CompressionType of the model artifacts."""
    max_retry_attempts: int | None = Field(default=None, ge=1, le=30)
    """RetryStrategy.MaximumRetryAttempts: SageMaker restarts the job after an internal server error."""
    distribution: DistributionSpec | None = None
    """Distributed training launcher of a framework image."""


class WarmPoolOption(Spec):
    """A training step's warm pool (not a tuning job's: the SDK's tuner does not pass it on)."""

    keep_alive_seconds: int | None = Field(default=None, ge=0, le=21600)
    """ResourceConfig.KeepAlivePeriodInSeconds: keep the instances warm for the next matching job."""


class ChannelOptions(Spec):
    """How a training channel is read (Channel and S3DataSource members)."""

    input_mode: InputMode | None = None
    """Channel.InputMode; default: the job's input_mode."""
    compression: Literal["None", "Gzip"] | None = None
    """Channel.CompressionType; Gzip only in Pipe mode (AWS)."""
    record_wrapper: Literal["None", "RecordIO"] | None = None
    """Channel.RecordWrapperType; RecordIO only in Pipe mode (AWS: leave it unset in File mode)."""
    s3_data_distribution: Literal["FullyReplicated", "ShardedByS3Key"] = "FullyReplicated"
    """S3DataSource.S3DataDistributionType: every instance gets all data, or a shard of the S3 keys."""
    shuffle_seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    """ShuffleConfig.Seed: shuffle the S3 keys (every epoch in Pipe mode)."""


class HyperbandSpec(Spec):
    """HyperbandStrategyConfig: the resource (epochs) bounds of the Hyperband strategy."""

    min_resource: int | None = Field(default=None, ge=1)
    """MinResource: a job is not stopped before it used this many."""
    max_resource: int | None = Field(default=None, ge=1, le=20000)
    """MaxResource: a job is stopped once it used this many (AWS maximum 20,000 epochs)."""


class CompletionSpec(Spec):
    """TuningJobCompletionCriteria: when the tuning job stops before max_jobs."""

    target_objective_value: float | None = None
    """TargetObjectiveMetricValue: stop once a job reaches it."""
    max_jobs_not_improving: int | None = Field(default=None, ge=3)
    """BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving."""
    complete_on_convergence: bool | None = None
    """ConvergenceDetected.CompleteOnConvergence: stop when tuning detects convergence."""


class WarmStartSpec(Spec):
    """HyperParameterTuningJobWarmStartConfig: start from earlier tuning jobs' results."""

    parents: list[Annotated[str, Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")]] = Field(
        min_length=1, max_length=5
    )
    """Names of the parent tuning jobs (1 to 5)."""
    type: Literal["IdenticalDataAndAlgorithm", "TransferLearning"]
    """WarmStartType: IdenticalDataAndAlgorithm or TransferLearning."""


class TuningOptions(Spec):
    """Options of the tuning job itself (HyperParameterTuningJobConfig)."""

    early_stopping: Literal["Auto", "Off"] = "Auto"
    """TrainingJobEarlyStoppingType; must be Off with the Hyperband strategy (AWS)."""
    random_seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    """RandomSeed: the same seed gives more consistent results across runs."""
    max_tuning_runtime_seconds: int | None = Field(default=None, ge=120, le=15768000)
    """ResourceLimits.MaxRuntimeInSeconds: time limit of the whole tuning job."""
    hyperband: HyperbandSpec | None = None
    """StrategyConfig.HyperbandStrategyConfig (strategy Hyperband only)."""
    completion: CompletionSpec | None = None
    """TuningJobCompletionCriteria."""
    warm_start: WarmStartSpec | None = None
    """WarmStartConfig: parent tuning jobs and the warm start type."""


def one_objective(value: Any) -> Any:
    """Refuse a list of objectives: HyperParameterTuningJobObjective is one structure in botocore's model."""
    if isinstance(value, list):
        raise PydanticCustomError(
            "MLG120",
            "SageMaker tunes one objective metric per tuning job (HyperParameterTuningJobObjective is a single "
            "metric); give one {metric, goal} mapping",
        )
    return value


OneObjective = BeforeValidator(one_objective)


DISTRIBUTION_HYPERPARAMETERS = (
    "sagemaker_torch_distributed_enabled",
    "sagemaker_mpi_enabled",
    "sagemaker_mpi_num_of_processes_per_host",
    "sagemaker_mpi_custom_mpi_options",
    "sagemaker_parameter_server_enabled",
    "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_distributed_dataparallel_custom_mpi_options",
    "sagemaker_instance_type",
)
"""Hyperparameters a distribution writes (``plan/distribution.py``); a step may not set them by hand."""
