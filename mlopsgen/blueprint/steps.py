"""Pipeline step models (pydantic): the shared step pieces, one *StepSpec per step type, and ``StepSpec``.

Values that may refer to pipeline parameters or step properties are typed ``Value``: a literal, or
text with ``${...}`` references (``${params.X}``, ``${steps.S.outputs.o}``, ...), which
``resolve.py`` checks and turns into expressions. Names are checked for existence there too.
Split out of ``models.py``, which keeps the project, parameters, security and the whole blueprint; the
pieces every step shares (``Value``, image, instances, retry, cache, step bases) are in ``steps_base``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from mlopsgen.blueprint.base import INSTANCE_PATTERN, NAME_PATTERN, Scalar, Spec, no_entries, no_items
from mlopsgen.blueprint.conditions import ConditionExpr
from mlopsgen.blueprint.lazy import lazy, tagged_union

# Re-exported: the shared step pieces live in steps_base; importers read them from here too.
from mlopsgen.blueprint.steps_base import CacheSpec as CacheSpec
from mlopsgen.blueprint.steps_base import ImageSpec as ImageSpec
from mlopsgen.blueprint.steps_base import InstanceSpec as InstanceSpec
from mlopsgen.blueprint.steps_base import JobStepBase as JobStepBase
from mlopsgen.blueprint.steps_base import RetrySpec as RetrySpec
from mlopsgen.blueprint.steps_base import StepBase as StepBase
from mlopsgen.blueprint.steps_base import Value as Value
from mlopsgen.blueprint.steps_debugger import DebuggerOptions
from mlopsgen.blueprint.steps_metrics import (
    CUSTOMER_METADATA,
    DriftCheckBaselinesSpec,
    ModelMetricsSpec,
)
from mlopsgen.blueprint.steps_metrics import (
    MetricsSourceSpec as MetricsSourceSpec,  # re-exported: plan/build reads it from here
)
from mlopsgen.blueprint.steps_training import (
    ChannelOptions,
    OneObjective,
    TrainingOptions,
    TuningOptions,
    WarmPoolOption,
)


def _short_form(field: str, model: Any) -> BeforeValidator:
    """Accept ``key: text`` as shorthand for ``key: {field: text}`` (one model, no noisy union)."""
    return BeforeValidator(lambda v: {field: v} if isinstance(v, str) else v, json_schema_input_type=model | str)


InstanceType = Annotated[str, Field(pattern=INSTANCE_PATTERN)]


class ProcessingOutputSpec(Spec):
    """Where a processing job writes; uploaded to S3 at the end of the job."""

    source: str = Field(pattern=r"^/opt/ml/processing/", description="Local path in the container.")
    destination: Value | None = Field(default=None, description="S3 URI; default: generated per execution.")


class ProcessingInputSpec(Spec):
    """Data a processing job reads."""

    source: Value = Field(description="S3 URI or a reference such as ${steps.S.outputs.o}.")
    destination: str = Field(pattern=r"^/opt/ml/processing/", description="Local path in the container.")


class PropertyFileSpec(Spec):
    """A JSON file written to one of the step's outputs that conditions read with json_get."""

    name: str = Field(pattern=NAME_PATTERN)
    """Property file name that conditions read with json_get."""
    output: str
    """The step output the file is written to."""
    path: str
    """Path of the JSON file inside that output."""


class ProcessingStepSpec(JobStepBase):
    """Runs a script in a container (data preparation, evaluation)."""

    type: Literal["processing"]
    """Step type."""
    image: ImageSpec
    """Container image the script runs in."""
    instance: InstanceSpec = InstanceSpec()
    """Compute for the processing job."""
    command: list[str] | None = None
    """Command that runs the script (default [python3]); without code, the container entrypoint itself."""
    code: str | None = Field(
        default=None, description="Script path, relative to the blueprint file; omit to run the image's entrypoint."
    )
    entry_point: str | None = Field(
        default=None,
        description="Framework processor: the script at the top of source_dir the command runs (instead of code).",
    )
    source_dir: str | None = Field(
        default=None,
        description="Framework processor: folder (relative to the blueprint file) packed into sourcedir.tar.gz, "
        "unpacked in the container by a generated runproc.sh before entry_point runs.",
    )
    requirements: str | None = Field(
        default=None,
        description="Framework processor: pip requirements file inside source_dir, installed before entry_point "
        "runs; default: requirements.txt when the folder has one.",
    )
    arguments: list[Value] = Field(default_factory=no_items)
    """Command-line arguments passed to the script."""
    environment: dict[str, Value] = Field(default_factory=no_entries)
    """Environment variables of the container."""
    inputs: dict[str, ProcessingInputSpec] = Field(default_factory=no_entries)
    """Data copied into the container before the script runs, by name."""
    outputs: dict[str, Annotated[ProcessingOutputSpec, _short_form("source", ProcessingOutputSpec)]] = Field(
        default_factory=no_entries
    )
    """Container paths uploaded to S3 when the script ends, by name."""
    property_files: list[PropertyFileSpec] = Field(default_factory=no_items)
    """JSON files in the outputs that conditions can read."""
    max_runtime_seconds: int | None = Field(default=None, ge=1, le=432000)
    """Time limit of the job."""


class ChannelSpec(ChannelOptions):
    """A training input channel."""

    source: Value
    """S3 URI or a reference such as ${steps.S.outputs.o}."""
    content_type: str | None = None
    """MIME type of the channel's data, e.g. text/csv."""


class MetricDefinitionSpec(Spec):
    """A metric SageMaker reads from a training job's log with a regular expression (AWS limits apply)."""

    name: str = Field(min_length=1, max_length=255, description="Metric name, e.g. validation:rmse.")
    regex: str = Field(
        min_length=1, max_length=500, description="Regular expression whose first group is the value in the log."
    )


class TrainingBase(JobStepBase, TrainingOptions):
    """What a training job and a tuning job's training jobs share."""

    image: ImageSpec
    """Training image: a framework or built-in algorithm, or a URI."""
    instance: InstanceSpec = InstanceSpec()
    """Compute for each training job."""
    hyperparameters: dict[str, Value] = Field(default_factory=no_entries)
    """Hyperparameters passed to the training job."""
    channels: dict[str, Annotated[ChannelSpec, _short_form("source", ChannelSpec)]] = Field(default_factory=no_entries)
    """Input data channels by name (e.g. train, validation)."""
    output_path: Value | None = Field(default=None, description="S3 prefix for model artifacts.")
    max_runtime_seconds: int = Field(default=3600, ge=1, le=2419200)
    """Time limit of each training job."""
    environment: dict[str, Value] = Field(default_factory=no_entries)
    """Environment variables of the training container."""
    metric_definitions: list[MetricDefinitionSpec] = Field(
        default_factory=no_items,
        max_length=40,
        description="Metrics read from the job's log. Built-in algorithms publish their own; a custom image "
        "(image.uri, or a framework such as sklearn) needs them to be tuned on its objective metric.",
    )
    entry_point: str | None = Field(
        default=None, description="Script mode: the script the framework container runs, relative to source_dir."
    )
    source_dir: str | None = Field(
        default=None,
        description="Script mode: folder (relative to the blueprint file) packed into sourcedir.tar.gz; "
        "the container installs a requirements.txt found at its top.",
    )


class TrainingStepSpec(TrainingBase, WarmPoolOption, DebuggerOptions):
    """Trains a model."""

    type: Literal["training"]
    """Step type."""


class RangeSpec(Spec):
    """A hyperparameter range searched by a tuning job."""

    type: Literal["integer", "continuous", "categorical"]
    """Range kind: integer, continuous or categorical."""
    min: float | None = None
    """Lowest value (integer and continuous ranges)."""
    max: float | None = None
    """Highest value (integer and continuous ranges)."""
    values: list[Scalar] | None = None
    """Choices (categorical ranges)."""
    scaling: Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"] = "Auto"
    """How values are sampled between min and max."""


class ObjectiveSpec(Spec):
    """The metric a tuning job optimises."""

    metric: str
    """Metric name, e.g. validation:auc."""
    goal: Literal["Minimize", "Maximize"] = "Minimize"
    """Minimize or Maximize the metric."""


class TuningStepSpec(TrainingBase, TuningOptions):
    """Searches hyperparameters with many training jobs."""

    type: Literal["tuning"]
    """Step type."""
    objective: Annotated[ObjectiveSpec, OneObjective]
    """The metric the tuning job optimises (one: SageMaker tunes one objective per job)."""
    ranges: dict[str, RangeSpec] = Field(min_length=1)
    """Hyperparameter ranges to search, by hyperparameter name."""
    max_jobs: int = Field(default=10, ge=1)
    """Training jobs the tuning job may run in total."""
    max_parallel_jobs: int = Field(default=1, ge=1)
    """Training jobs run at the same time."""
    strategy: Literal["Bayesian", "Random", "Hyperband", "Grid"] = "Bayesian"
    """Search strategy."""


class ModelSourceMixin(Spec):
    """Where a model's image and artifacts come from: a training/tuning step, or explicit values."""

    model_from: str | None = Field(default=None, description="Training or tuning step providing image and artifacts.")
    image: ImageSpec | None = None
    """Inference image (with model_data, instead of model_from)."""
    model_data: Value | None = None
    """S3 URI of the model artifacts (with image, instead of model_from)."""
    environment: dict[str, Value] = Field(default_factory=no_entries)
    """Environment variables of the inference container."""


class RegisterModelStepSpec(StepBase, ModelSourceMixin):
    """Registers a model version in the model package group."""

    type: Literal["register_model"]
    """Step type."""
    content_types: list[str] = Field(min_length=1)
    """MIME types the model accepts, e.g. text/csv."""
    response_types: list[str] = Field(min_length=1)
    """MIME types the model returns."""
    inference_instances: list[InstanceType] = Field(min_length=1)
    """Instance types the model may be deployed on (deploy stages use one)."""
    transform_instances: list[InstanceType] = Field(default_factory=no_items)
    """Instance types for batch transform."""
    approval_status: Value = "PendingManualApproval"
    """Initial approval status: PendingManualApproval, Approved or Rejected, or ${params.X}."""
    metrics: ModelMetricsSpec | None = None
    """Quality, bias and explainability reports attached to the model version."""
    drift_check_baselines: DriftCheckBaselinesSpec | None = None
    """Baselines that later check steps of this model compare against."""
    customer_metadata: dict[str, Value] = Field(default_factory=no_entries, max_length=CUSTOMER_METADATA["max_entries"])
    """Key-value metadata of the model version (AWS: at most 50, keys 1-128, values 1-256 characters)."""
    model_package_group: Value | None = None
    """Model package group to register in; default: the project's group (which deploy stages read)."""
    package_description: str | None = Field(default=None, max_length=1024)
    """Description of the model version (ModelPackageDescription); ``description`` describes the step."""
    retry: list[RetrySpec] = Field(default_factory=no_items)
    """Retry policies for the registration."""


class CreateModelStepSpec(StepBase, ModelSourceMixin):
    """Creates a SageMaker model (for batch transform)."""

    type: Literal["create_model"]
    """Step type."""
    network_isolation: bool | None = None
    """Override security.network_isolation for this model."""
    retry: list[RetrySpec] = Field(default_factory=no_items)
    """Retry policies for the model creation."""


class TransformInputSpec(Spec):
    """What a batch transform job reads."""

    source: Value
    """S3 URI of the data, or a reference to a step output."""
    content_type: str | None = None
    """MIME type of the data."""
    split_type: Literal["None", "Line", "RecordIO", "TFRecord"] | None = None
    """How the data is split into records."""


class TransformStepSpec(JobStepBase):
    """Runs batch inference with a created model."""

    type: Literal["transform"]
    """Step type."""
    model: str = Field(description="The create_model step whose model is used.")
    instance: InstanceSpec = InstanceSpec(type="ml.m5.large")
    """Compute for the transform job."""
    input: TransformInputSpec
    """What the transform job reads."""
    output_path: Value | None = None
    """S3 prefix for the results; default: generated per execution."""
    accept: str | None = None
    """MIME type of the results."""
    assemble_with: Literal["None", "Line"] | None = None
    """How results are joined: None or Line."""


class ConditionStepSpec(StepBase):
    """Branches on a condition over parameters, step properties and property files."""

    type: Literal["condition"]
    """Step type."""
    if_: ConditionExpr = Field(
        alias="if",
        description="One operator: eq, ne, lt, lte, gt, gte ([left, right]), in ([value, [choices]]), "
        "not (a condition), and / or (a list of conditions).",
    )
    then: list[str] = Field(default_factory=no_items)
    """Steps run when the condition holds."""
    else_: list[str] = Field(default_factory=no_items, alias="else")
    """Steps run when it does not."""


class FailStepSpec(StepBase):
    """Stops the execution with a failure message."""

    type: Literal["fail"]
    """Step type."""
    message: Value = ""
    """Failure message, may hold ${...} references."""


STEP_TYPES = (
    "processing",
    "training",
    "tuning",
    "register_model",
    "create_model",
    "transform",
    "condition",
    "fail",
    "lambda",
    "emr",
    "callback",
    "quality_check",
    "clarify_check",
)

if TYPE_CHECKING:
    from mlopsgen.blueprint.steps_checks import QualityCheckStepSpec as QualityCheckStepSpec
    from mlopsgen.blueprint.steps_clarify import ClarifyCheckStepSpec as ClarifyCheckStepSpec
    from mlopsgen.blueprint.steps_external import CallbackStepSpec, EmrStepSpec, LambdaStepSpec

    StepSpec = Annotated[
        ProcessingStepSpec
        | TrainingStepSpec
        | TuningStepSpec
        | RegisterModelStepSpec
        | CreateModelStepSpec
        | TransformStepSpec
        | ConditionStepSpec
        | FailStepSpec
        | LambdaStepSpec
        | EmrStepSpec
        | CallbackStepSpec
        | QualityCheckStepSpec
        | ClarifyCheckStepSpec,
        Field(discriminator="type"),
    ]
else:  # the same union; the step kinds few blueprints use load when one does (blueprint/lazy.py)
    StepSpec = tagged_union(
        "type",
        {
            "processing": ProcessingStepSpec,
            "training": TrainingStepSpec,
            "tuning": TuningStepSpec,
            "register_model": RegisterModelStepSpec,
            "create_model": CreateModelStepSpec,
            "transform": TransformStepSpec,
            "condition": ConditionStepSpec,
            "fail": FailStepSpec,
            "lambda": lazy("mlopsgen.blueprint.steps_external", "LambdaStepSpec"),
            "emr": lazy("mlopsgen.blueprint.steps_external", "EmrStepSpec"),
            "callback": lazy("mlopsgen.blueprint.steps_external", "CallbackStepSpec"),
            "quality_check": lazy("mlopsgen.blueprint.steps_checks", "QualityCheckStepSpec"),
            "clarify_check": lazy("mlopsgen.blueprint.steps_clarify", "ClarifyCheckStepSpec"),
        },
    )
"""One step, chosen by its ``type`` key: the schema's discriminator, so an editor reports one error, not 24."""
