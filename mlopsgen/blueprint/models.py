"""Blueprint mapping → *Spec models (pydantic): the shape of the language, its defaults and enums.

Values that may refer to pipeline parameters or step properties are typed ``Value``: a literal, or
text with ``${...}`` references (``${params.X}``, ``${steps.S.outputs.o}``, ...), which
``resolve.py`` checks and turns into expressions. Names are checked for existence there too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    model_validator,
)

from mlopsgen.blueprint.aws_shapes import (
    MAX_USER_TAGS,
    SHAPES,
    ContainerImage,
    KmsKey,
    SecurityGroupId,
    SubnetId,
    TagKey,
    TagValue,
    VpcEndpointId,
)
from mlopsgen.blueprint.base import INSTANCE_PATTERN, NAME_PATTERN, Spec, flag_or_model
from mlopsgen.blueprint.delivery import CiSpec, DeploySpec

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool
"""A literal exactly as YAML typed it: 6.0 stays a float, "1" stays text."""
Value = Scalar
"""A literal, or text holding ``${...}`` references."""


def _short_form(field: str, model: Any) -> BeforeValidator:
    """Accept ``key: text`` as shorthand for ``key: {field: text}`` (one model, no noisy union)."""
    return BeforeValidator(lambda v: {field: v} if isinstance(v, str) else v, json_schema_input_type=model | str)


PROJECT_NAME_PATTERN = r"^[a-zA-Z](-*[a-zA-Z0-9]){0,31}$"
InstanceType = Annotated[str, Field(pattern=INSTANCE_PATTERN)]


# --- project -------------------------------------------------------------------------------------


class RolesSpec(Spec):
    """IAM roles the generated resources run as (full ARNs)."""

    pipeline: str | None = Field(
        default=None,
        pattern=SHAPES["iam_role_arn"].pattern,
        description="Role SageMaker pipeline steps run as. Default: the account's "
        "service-role/AmazonSageMakerProjectsExecutionRole, as the AWS project templates use.",
    )


class ProjectSpec(Spec):
    """Who the project is: the SageMaker project identity every generated name derives from."""

    name: str = Field(pattern=PROJECT_NAME_PATTERN, description="SageMaker project name.")
    id: str = Field(pattern=r"^p-[a-z0-9]{1,20}$", description="SageMaker project id, e.g. p-abc123def456.")
    region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", description="AWS region, e.g. eu-west-1.")
    account: str = Field(
        pattern=SHAPES["account_id"].pattern, description="AWS account id of the development account (quoted)."
    )
    artifact_bucket: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$",
        description="S3 bucket for code and artifacts. Default: sagemaker-project-<id>.",
    )
    roles: RolesSpec = RolesSpec()
    tags: dict[TagKey, TagValue] = Field(
        default_factory=dict,
        max_length=MAX_USER_TAGS,
        # The key pattern becomes patternProperties; this makes editors flag keys outside it.
        json_schema_extra={"additionalProperties": False},
        description="Tags for every taggable resource (AWS's tag characters; keys 1-128, values at most 256).",
    )


# --- pipeline parameters -------------------------------------------------------------------------


class ParameterSpec(Spec):
    """A pipeline parameter: overridable per execution."""

    type: Literal["string", "integer", "float", "boolean"]
    default: Scalar | None = None
    allowed: list[Scalar] | None = Field(default=None, description="Allowed values (string parameters).")


# --- shared step pieces ---------------------------------------------------------------------------


class ImageSpec(Spec):
    """A container image: a framework or built-in algorithm by name and version, or an explicit URI."""

    framework: str | None = Field(default=None, description="sklearn, xgboost, or a built-in algorithm name.")
    version: str | None = None
    uri: ContainerImage | None = None

    @model_validator(mode="after")
    def _one_way(self) -> ImageSpec:
        if self.uri is None and self.framework is None:
            raise ValueError("image needs either 'framework' (with 'version') or 'uri'")
        if self.uri is not None and self.framework is not None:
            raise ValueError("image takes 'framework' or 'uri', not both")
        return self


class InstanceSpec(Spec):
    """Compute for a job."""

    type: Value = Field(default="ml.m5.xlarge", description="Instance type, or ${params.X}.")
    count: Value = 1
    volume_size_gb: int = Field(default=30, ge=1, le=16384)


class RetrySpec(Spec):
    """Retry policy: SageMaker job failures or step-level exceptions."""

    exceptions: list[
        Literal[
            "SageMaker.JOB_INTERNAL_ERROR",
            "SageMaker.CAPACITY_ERROR",
            "SageMaker.RESOURCE_LIMIT",
            "Step.SERVICE_FAULT",
            "Step.THROTTLING",
        ]
    ] = Field(min_length=1)
    max_attempts: int = Field(default=3, ge=1, le=20)
    interval_seconds: int = Field(default=1, ge=1)
    backoff_rate: float = Field(default=2.0, ge=1.0)


class CacheSpec(Spec):
    """Reuse a previous successful run of the step with the same arguments."""

    expire_after: str = Field(default="P30d", pattern=r"^P([0-9]+[YMWDymwd])*(T([0-9]+[HMShms])+)?$")


class StepBase(Spec):
    """Fields every step has."""

    name: str = Field(pattern=NAME_PATTERN, description="Unique step name.")
    display_name: str | None = None
    description: str | None = None
    depends_on: list[str] = Field(default_factory=list, description="Steps that must finish first.")


class JobStepBase(StepBase):
    """Fields of steps that run a SageMaker job."""

    cache: Annotated[
        CacheSpec | None, BeforeValidator(flag_or_model, json_schema_input_type=CacheSpec | bool | None)
    ] = Field(default=None, description="true, or {expire_after: P30d}, to reuse earlier results.")
    retry: list[RetrySpec] = Field(default_factory=list)
    network_isolation: bool | None = Field(
        default=None, description="Override security.network_isolation for this job."
    )


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
    output: str
    path: str


class ProcessingStepSpec(JobStepBase):
    """Runs a script in a container (data preparation, evaluation)."""

    type: Literal["processing"]
    image: ImageSpec
    instance: InstanceSpec = InstanceSpec()
    command: list[str] = Field(default_factory=lambda: ["python3"])
    code: str = Field(description="Script path, relative to the blueprint file.")
    arguments: list[Value] = Field(default_factory=list)
    environment: dict[str, Value] = Field(default_factory=dict)
    inputs: dict[str, ProcessingInputSpec] = Field(default_factory=dict)
    outputs: dict[str, Annotated[ProcessingOutputSpec, _short_form("source", ProcessingOutputSpec)]] = Field(
        default_factory=dict
    )
    property_files: list[PropertyFileSpec] = Field(default_factory=list)
    max_runtime_seconds: int | None = Field(default=None, ge=1, le=432000)


class ChannelSpec(Spec):
    """A training input channel."""

    source: Value
    content_type: str | None = None


class MetricDefinitionSpec(Spec):
    """A metric SageMaker reads from a training job's log with a regular expression (AWS limits apply)."""

    name: str = Field(min_length=1, max_length=255, description="Metric name, e.g. validation:rmse.")
    regex: str = Field(
        min_length=1, max_length=500, description="Regular expression whose first group is the value in the log."
    )


class TrainingBase(JobStepBase):
    """What a training job and a tuning job's training jobs share."""

    image: ImageSpec
    instance: InstanceSpec = InstanceSpec()
    hyperparameters: dict[str, Value] = Field(default_factory=dict)
    channels: dict[str, Annotated[ChannelSpec, _short_form("source", ChannelSpec)]] = Field(default_factory=dict)
    output_path: Value | None = Field(default=None, description="S3 prefix for model artifacts.")
    max_runtime_seconds: int = Field(default=3600, ge=1, le=2419200)
    environment: dict[str, Value] = Field(default_factory=dict)
    metric_definitions: list[MetricDefinitionSpec] = Field(
        default_factory=list,
        max_length=40,
        description="Metrics read from the job's log. Built-in algorithms publish their own; a custom image "
        "(image.uri, or a framework such as sklearn) needs them to be tuned on its objective metric.",
    )


class TrainingStepSpec(TrainingBase):
    """Trains a model."""

    type: Literal["training"]


class RangeSpec(Spec):
    """A hyperparameter range searched by a tuning job."""

    type: Literal["integer", "continuous", "categorical"]
    min: float | None = None
    max: float | None = None
    values: list[Scalar] | None = None
    scaling: Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"] = "Auto"


class ObjectiveSpec(Spec):
    """The metric a tuning job optimises."""

    metric: str
    goal: Literal["Minimize", "Maximize"] = "Minimize"


class TuningStepSpec(TrainingBase):
    """Searches hyperparameters with many training jobs."""

    type: Literal["tuning"]
    objective: ObjectiveSpec
    ranges: dict[str, RangeSpec] = Field(min_length=1)
    max_jobs: int = Field(default=10, ge=1)
    max_parallel_jobs: int = Field(default=1, ge=1)
    strategy: Literal["Bayesian", "Random", "Hyperband", "Grid"] = "Bayesian"


class ModelSourceMixin(Spec):
    """Where a model's image and artifacts come from: a training/tuning step, or explicit values."""

    model_from: str | None = Field(default=None, description="Training or tuning step providing image and artifacts.")
    image: ImageSpec | None = None
    model_data: Value | None = None
    environment: dict[str, Value] = Field(default_factory=dict)


class MetricsSourceSpec(Spec):
    """A model metrics document in S3."""

    source: Value
    content_type: str = "application/json"


class ModelMetricsSpec(Spec):
    """Model quality reports attached to a registered model version."""

    model_statistics: MetricsSourceSpec | None = None
    model_constraints: MetricsSourceSpec | None = None


class RegisterModelStepSpec(StepBase, ModelSourceMixin):
    """Registers a model version in the model package group."""

    type: Literal["register_model"]
    content_types: list[str] = Field(min_length=1)
    response_types: list[str] = Field(min_length=1)
    inference_instances: list[InstanceType] = Field(min_length=1)
    transform_instances: list[InstanceType] = Field(default_factory=list)
    approval_status: Value = "PendingManualApproval"
    metrics: ModelMetricsSpec | None = None
    retry: list[RetrySpec] = Field(default_factory=list)


class CreateModelStepSpec(StepBase, ModelSourceMixin):
    """Creates a SageMaker model (for batch transform)."""

    type: Literal["create_model"]
    network_isolation: bool | None = None
    retry: list[RetrySpec] = Field(default_factory=list)


class TransformInputSpec(Spec):
    """What a batch transform job reads."""

    source: Value
    content_type: str | None = None
    split_type: Literal["None", "Line", "RecordIO", "TFRecord"] | None = None


class TransformStepSpec(JobStepBase):
    """Runs batch inference with a created model."""

    type: Literal["transform"]
    model: str = Field(description="The create_model step whose model is used.")
    instance: InstanceSpec = InstanceSpec(type="ml.m5.large")
    input: TransformInputSpec
    output_path: Value | None = None
    accept: str | None = None
    assemble_with: Literal["None", "Line"] | None = None


class JsonGetSpec(Spec):
    """Reads a value from a property file written by a processing step."""

    property_file: str
    path: str


class JsonGetOperand(Spec):
    """An operand that is a json_get call."""

    json_get: JsonGetSpec


Operand = Annotated[
    Annotated[JsonGetOperand, Tag("json_get")] | Annotated[Scalar, Tag("scalar")],
    Discriminator(lambda v: "json_get" if isinstance(v, dict | JsonGetOperand) else "scalar"),
]


def _first_key(value: Any) -> str | None:
    """Tag of a condition: its only key (mapping input) or its operator (model input)."""
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    return _OPERATOR_OF.get(type(value))


Pair = Annotated[list[Operand], Field(min_length=2, max_length=2)]


class EqualsSpec(Spec):
    """left == right."""

    eq: Pair


class NotEqualsSpec(Spec):
    """left != right (emitted as Not(Equals))."""

    ne: Pair


class LessThanSpec(Spec):
    """left < right."""

    lt: Pair


class LessThanOrEqualSpec(Spec):
    """left <= right."""

    lte: Pair


class GreaterThanSpec(Spec):
    """left > right."""

    gt: Pair


class GreaterThanOrEqualSpec(Spec):
    """left >= right."""

    gte: Pair


class InSpec(Spec):
    """[value, [choices...]]: value is one of the choices."""

    in_: tuple[Operand, list[Operand]] = Field(alias="in", strict=False)


class NotSpec(Spec):
    """Negates a condition."""

    not_: ConditionExpr = Field(alias="not")


class AndSpec(Spec):
    """All conditions hold."""

    and_: list[ConditionExpr] = Field(alias="and", min_length=1)


class OrSpec(Spec):
    """At least one condition holds."""

    or_: list[ConditionExpr] = Field(alias="or", min_length=1)


CONDITION_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not", "and", "or")

ConditionExpr = Annotated[
    Annotated[EqualsSpec, Tag("eq")]
    | Annotated[NotEqualsSpec, Tag("ne")]
    | Annotated[LessThanSpec, Tag("lt")]
    | Annotated[LessThanOrEqualSpec, Tag("lte")]
    | Annotated[GreaterThanSpec, Tag("gt")]
    | Annotated[GreaterThanOrEqualSpec, Tag("gte")]
    | Annotated[InSpec, Tag("in")]
    | Annotated[NotSpec, Tag("not")]
    | Annotated[AndSpec, Tag("and")]
    | Annotated[OrSpec, Tag("or")],
    Discriminator(_first_key),
]


_OPERATOR_OF: dict[type, str] = {
    EqualsSpec: "eq",
    NotEqualsSpec: "ne",
    LessThanSpec: "lt",
    LessThanOrEqualSpec: "lte",
    GreaterThanSpec: "gt",
    GreaterThanOrEqualSpec: "gte",
    InSpec: "in",
    NotSpec: "not",
    AndSpec: "and",
    OrSpec: "or",
}
for _model in (NotSpec, AndSpec, OrSpec):
    _model.model_rebuild()


class ConditionStepSpec(StepBase):
    """Branches on a condition over parameters, step properties and property files."""

    type: Literal["condition"]
    if_: ConditionExpr = Field(
        alias="if",
        description="One operator: eq, ne, lt, lte, gt, gte ([left, right]), in ([value, [choices]]), "
        "not (a condition), and / or (a list of conditions).",
    )
    then: list[str] = Field(default_factory=list)
    else_: list[str] = Field(default_factory=list, alias="else")


class FailStepSpec(StepBase):
    """Stops the execution with a failure message."""

    type: Literal["fail"]
    message: Value = ""


def _step_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    return getattr(value, "type", None)


STEP_TYPES = (
    "processing",
    "training",
    "tuning",
    "register_model",
    "create_model",
    "transform",
    "condition",
    "fail",
)

StepSpec = Annotated[
    Annotated[ProcessingStepSpec, Tag("processing")]
    | Annotated[TrainingStepSpec, Tag("training")]
    | Annotated[TuningStepSpec, Tag("tuning")]
    | Annotated[RegisterModelStepSpec, Tag("register_model")]
    | Annotated[CreateModelStepSpec, Tag("create_model")]
    | Annotated[TransformStepSpec, Tag("transform")]
    | Annotated[ConditionStepSpec, Tag("condition")]
    | Annotated[FailStepSpec, Tag("fail")],
    Discriminator(_step_tag),
]


class PipelineSpec(Spec):
    """The SageMaker model-building pipeline."""

    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    steps: list[StepSpec] = Field(min_length=1)
    experiment_tracking: bool = Field(
        default=True, description="Record executions in SageMaker Experiments (pipeline = experiment)."
    )


# --- security ------------------------------------------------------------------------------------


class VpcSpec(Spec):
    """Private subnets and security groups every job and model runs in."""

    subnets: list[SubnetId] = Field(min_length=1)
    security_groups: list[SecurityGroupId] = Field(min_length=1)


class KmsSpec(Spec):
    """Customer-managed KMS keys (ARN, id or alias)."""

    volume: KmsKey | None = Field(default=None, description="Key for job and endpoint storage volumes.")
    output: KmsKey | None = Field(default=None, description="Key for job outputs in S3.")


class SecuritySpec(Spec):
    """Controls applied to every job step."""

    required: bool = Field(
        default=False,
        description="Require the controls: every job, model and endpoint must run in the VPC with KMS keys "
        "for volumes and outputs and encrypted inter-container traffic; each resource lacking one is an error.",
    )
    vpc: VpcSpec | None = None
    kms: KmsSpec = KmsSpec()
    encrypt_inter_container_traffic: bool = False
    network_isolation: bool = False
    vpc_endpoints: list[VpcEndpointId] | None = Field(
        default=None,
        min_length=1,
        description="The designated S3 and KMS VPC endpoints (of the project and the target accounts). "
        "With stages in other accounts, the artifact bucket's model objects and the output key deny any "
        "access that does not come through them.",
    )


class BlueprintSpec(Spec):
    """A whole blueprint."""

    version: Literal[1] = Field(default=1, description="Blueprint language version.")
    project: ProjectSpec
    pipeline: PipelineSpec
    security: SecuritySpec = SecuritySpec()
    deploy: DeploySpec | None = Field(default=None, description="Deployment stages of the approved model.")
    ci: CiSpec | None = Field(default=None, description="CI/CD wiring (source repository, backends).")
