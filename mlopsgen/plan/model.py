"""The Plan: a frozen, fully resolved IR of one blueprint. Every target reads this and nothing else.

Nothing here is optional in a way a target must re-default: names are final, images are URIs,
code files carry their content-addressed S3 URIs, and every value that may be computed at run
time is an ``Expr`` (a literal, or a reference the pipeline engine evaluates).
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Any

from mlopsgen.frozen import frozen
from mlopsgen.plan.model_rollout import GeneratedAlarms as GeneratedAlarms
from mlopsgen.plan.model_rollout import Rollout as Rollout
from mlopsgen.plan.model_serving import Serving as Serving  # re-exported: views read plan.model only
from mlopsgen.plan.operations import Operations as Operations
from mlopsgen.provenance import Origins

if TYPE_CHECKING:
    from mlopsgen.plan.model_monitoring import Monitoring
    from mlopsgen.plan.registry import Registry

# --- run-time expressions -------------------------------------------------------------------------


@frozen
class ParamRef:
    """The value of a pipeline parameter."""

    name: str


@frozen
class StepProp:
    """A property of another step, e.g. ``ModelArtifacts.S3ModelArtifacts``."""

    step: str
    path: str


@frozen
class ExecVar:
    """An execution variable such as ``PipelineExecutionId``."""

    name: str


@frozen
class Join:
    """Text joined from literal and run-time parts."""

    on: str
    values: tuple[Expr, ...]


@frozen
class JsonGet:
    """A value read from a property file another step wrote."""

    step: str
    property_file: str
    path: str


Expr = str | int | float | bool | ParamRef | StepProp | ExecVar | Join | JsonGet


# --- conditions ----------------------------------------------------------------------------------


@frozen
class Comparison:
    """``kind`` is the SageMaker condition type: Equals, LessThanOrEqualTo, ..."""

    kind: str
    left: Expr
    right: Expr


@frozen
class InCondition:
    """``value`` is one of ``choices``."""

    value: Expr
    choices: tuple[Expr, ...]


@frozen
class NotCondition:
    """Negation."""

    condition: Condition


@frozen
class OrCondition:
    """Disjunction."""

    conditions: tuple[Condition, ...]


Condition = Comparison | InCondition | NotCondition | OrCondition


# --- project and controls ------------------------------------------------------------------------


@frozen
class Names:
    """Every generated name, derived once by ``plan.naming`` (the naming contract)."""

    project_name_id: str
    pipeline: str
    model_package_group: str
    job_prefix: str
    build_job: str
    deploy_job: str
    build_project: str
    deploy_project: str
    test_project: str
    build_pipeline: str
    deploy_pipeline: str
    approval_rule: str
    source_rule: str
    deploy_source_rule: str
    """The CodeCommit rule of a separate deploy repository."""


@frozen
class Project:
    """The SageMaker project the output belongs to."""

    name: str
    id: str
    region: str
    account: str
    artifact_bucket: str
    pipeline_role_arn: str
    tags: tuple[tuple[str, str], ...]


@frozen
class Network:
    """Network controls of one job or model."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    encrypt_inter_container_traffic: bool
    network_isolation: bool

    @property
    def has_vpc(self) -> bool:
        """Whether the job runs in the blueprint's VPC."""
        return bool(self.subnets)

    @property
    def has_controls(self) -> bool:
        """Whether any network control is set (then the job carries a network configuration)."""
        return self.has_vpc or self.encrypt_inter_container_traffic or self.network_isolation


@frozen
class Security:
    """The blueprint's security controls, as every job step receives them."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    volume_kms_key: str
    output_kms_key: str
    encrypt_inter_container_traffic: bool
    network_isolation: bool
    required: bool
    vpc_endpoints: tuple[str, ...]
    """Every resource must carry the controls (checked at validation; guardrails are emitted)."""


# --- steps ---------------------------------------------------------------------------------------


@frozen
class Retry:
    """A retry policy; ``kind`` is ``job`` for SageMaker.* exceptions, ``step`` for Step.*."""

    exceptions: tuple[str, ...]
    max_attempts: int
    interval_seconds: int
    backoff_rate: float


@frozen
class Common:
    """What every step carries."""

    name: str
    display_name: str
    description: str
    depends_on: tuple[str, ...]
    retry: tuple[Retry, ...]
    cache_expire_after: str
    """ISO duration when caching is on, empty when off."""


@frozen
class CodeFile:
    """A file from the repository that a step runs, addressed in S3 by its content hash."""

    path: str
    sha256: str
    s3_uri: str

    @property
    def basename(self) -> str:
        """The file name the container sees."""
        return self.path.rsplit("/", 1)[-1]


@frozen
class SourceBundle:
    """A source directory packed into ``sourcedir.tar.gz`` (``runtime/sourcedir.py``), addressed by content.

    ``sha256`` is the digest of the normalised tar stream; CI re-packs ``files`` and checks it.
    """

    path: str
    """The folder, relative to the blueprint file."""
    sha256: str
    s3_uri: str
    files: tuple[tuple[str, str], ...]
    """(path inside the folder, sha256 of its content), sorted by path."""


@frozen
class ScriptMode:
    """A framework container running a script from a source directory (the containers' own contract)."""

    source: SourceBundle
    entry_point: str
    """The script, relative to the source directory (``sagemaker_program``)."""


@frozen
class HelperFile:
    """A file mlopsgen generates for the containers (``runproc.sh``, the requirements installer).

    Emitted under ``model-build/`` at ``path``, listed in the code manifest and uploaded by CI to
    ``s3_uri``, which is addressed by the sha256 of exactly ``content``.
    """

    path: str
    """Where it is emitted, relative to ``model-build/`` (the code manifest's folder)."""
    content: str
    sha256: str
    s3_uri: str


@frozen
class FrameworkCode:
    """A processing job in the SDK's FrameworkProcessor convention (``plan/build_frameproc.py``).

    ``runproc.sh`` unpacks the source archive, installs the requirements with ``installer`` and runs
    ``command`` on ``entry_point`` with the job's arguments.
    """

    source: SourceBundle
    entry_point: str
    """A file at the top of the source directory (the convention runs its base name)."""
    requirements: str
    """The requirements file runproc.sh installs when the archive holds it (``requirements.txt`` by default)."""
    runproc: HelperFile
    installer: HelperFile


@frozen
class Compute:
    """Instances of a job."""

    instance_type: Expr
    instance_count: Expr
    volume_size_gb: int
    volume_kms_key: str


@frozen
class ProcessingInput:
    """An S3 input of a processing job."""

    name: str
    source: Expr
    destination: str


@frozen
class ProcessingOutput:
    """An S3 output of a processing job."""

    name: str
    source: str
    destination: Expr


@frozen
class PropertyFile:
    """A JSON file in an output that conditions can read."""

    name: str
    output: str
    path: str


@frozen
class ProcessingStep:
    """A processing job."""

    common: Common
    image_uri: str
    compute: Compute
    command: tuple[str, ...]
    """ContainerEntrypoint before the script (the whole entrypoint without code; empty: the image's own)."""
    code: CodeFile | None
    """None: the image's entrypoint runs (no code input)."""
    arguments: tuple[Expr, ...]
    environment: tuple[tuple[str, Expr], ...]
    inputs: tuple[ProcessingInput, ...]
    outputs: tuple[ProcessingOutput, ...]
    output_kms_key: str
    property_files: tuple[PropertyFile, ...]
    max_runtime_seconds: int
    """0 when unset (the job default applies)."""
    network: Network
    framework: FrameworkCode | None = None
    """entry_point + source_dir: ``command`` runs in the generated runproc.sh (``code`` is None then)."""


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


@frozen
class ModelSource:
    """The container of a model: image, artifacts and environment."""

    image_uri: str
    model_data: Expr
    environment: tuple[tuple[str, Expr], ...]
    serving_script: str = ""
    """A framework inference container's script in the archive's code/ folder (its environment names it); ""
    for other images. The SDK engine asks the SDK for that environment from it."""


@frozen
class RegisterModelStep:
    """Registers a model package version."""

    common: Common
    model: ModelSource
    model_package_group: Expr
    """The project's group unless the blueprint names another (literal or ${params.X})."""
    content_types: tuple[str, ...]
    response_types: tuple[str, ...]
    inference_instances: tuple[str, ...]
    transform_instances: tuple[str, ...]
    approval_status: Expr
    metrics: ModelMetrics | None
    """None when no report is attached (the request then has no ModelMetrics)."""
    drift_check_baselines: DriftCheckBaselines | None
    """None when no baseline is attached."""
    customer_metadata: tuple[tuple[str, Expr], ...]
    """Sorted by key."""
    description: str
    """ModelPackageDescription; empty when unset."""


@frozen
class CreateModelStep:
    """Creates a SageMaker model."""

    common: Common
    model: ModelSource
    execution_role_arn: str
    network: Network


@frozen
class TransformStep:
    """A batch transform job."""

    common: Common
    model_step: str
    compute: Compute
    source: Expr
    content_type: str
    split_type: str
    output_path: Expr
    accept: str
    assemble_with: str
    output_kms_key: str


@frozen
class ConditionStep:
    """Branches; its then/else steps live only inside it."""

    common: Common
    conditions: tuple[Condition, ...]
    """All must hold."""
    if_steps: tuple[Step, ...]
    else_steps: tuple[Step, ...]


@frozen
class FailStep:
    """Ends the execution as failed."""

    common: Common
    message: Expr


@frozen
class OutputParameter:
    """A typed output of a lambda or callback step (``kind``: String, Integer, Boolean or Float)."""

    name: str
    kind: str


@frozen
class LambdaStep:
    """Invokes a Lambda function; later steps read its outputs as ``OutputParameters['name']``."""

    common: Common
    function_arn: str
    inputs: tuple[tuple[str, Expr], ...]
    outputs: tuple[OutputParameter, ...]


@frozen
class CallbackStep:
    """Sends a message to an SQS queue and waits for the callback."""

    common: Common
    queue_url: str
    inputs: tuple[tuple[str, Expr], ...]
    outputs: tuple[OutputParameter, ...]


@frozen
class EmrStep:
    """A Hadoop JAR step on an EMR cluster: a running one, or one created for the step."""

    common: Common
    cluster_id: str
    """Empty when the step creates its cluster from ``cluster_config``."""
    cluster_config: str
    """RunJobFlow configuration as canonical JSON text (sorted keys); empty with ``cluster_id``."""
    execution_role_arn: str
    """Runtime role of the step's job (with ``cluster_id`` only); empty for none."""
    jar: Expr
    args: tuple[Expr, ...]
    main_class: str
    properties: tuple[tuple[str, str], ...]
    """Java properties, in blueprint order."""


# The check steps and the register step's documents live in model_checks (model.py would pass 650 lines).
from mlopsgen.plan.model_batch import BatchTransform as BatchTransform  # noqa: E402
from mlopsgen.plan.model_checks import CheckJob as CheckJob  # noqa: E402
from mlopsgen.plan.model_checks import CheckSwitches as CheckSwitches  # noqa: E402
from mlopsgen.plan.model_checks import DriftCheckBaselines as DriftCheckBaselines  # noqa: E402
from mlopsgen.plan.model_checks import FileSource as FileSource  # noqa: E402
from mlopsgen.plan.model_checks import MetricsSource as MetricsSource  # noqa: E402
from mlopsgen.plan.model_checks import ModelMetrics as ModelMetrics  # noqa: E402
from mlopsgen.plan.model_checks import QualityCheckStep as QualityCheckStep  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyBias as ClarifyBias  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyCheckStep as ClarifyCheckStep  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyData as ClarifyData  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyModel as ClarifyModel  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyPredictedLabel as ClarifyPredictedLabel  # noqa: E402
from mlopsgen.plan.model_clarify import ClarifyShap as ClarifyShap  # noqa: E402

Step = (
    ProcessingStep
    | TrainingStep
    | TuningStep
    | RegisterModelStep
    | CreateModelStep
    | TransformStep
    | ConditionStep
    | FailStep
    | LambdaStep
    | CallbackStep
    | EmrStep
    | QualityCheckStep
    | ClarifyCheckStep
)


def steps_of(steps: tuple[Step, ...], *kinds: type) -> list[Any]:
    """The steps of the given kinds, condition branches included, in pipeline order."""
    found: list[Any] = []
    for s in steps:
        if isinstance(s, kinds):
            found.append(s)
        if isinstance(s, ConditionStep):
            found += steps_of(s.if_steps + s.else_steps, *kinds)
    return found


@frozen
class Parameter:
    """A pipeline parameter; ``kind`` is String, Integer, Float or Boolean."""

    name: str
    kind: str
    default: str | int | float | bool | None
    allowed: tuple[str | int | float | bool, ...]


@frozen
class Pipeline:
    """The model-building pipeline."""

    name: str
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    """Top-level steps in blueprint order; branch steps are nested in their condition."""
    experiment_tracking: bool
    """Record executions in SageMaker Experiments (experiment = pipeline, trial = execution)."""
    max_parallel_steps: int = 0
    """ParallelismConfiguration.MaxParallelExecutionSteps sent with CreatePipeline/UpdatePipeline; 0 for unset."""


# --- delivery ------------------------------------------------------------------------------------


@frozen
class DataCapture:
    """Endpoint data capture; ``sampling_percentage`` 0 with ``enabled`` False when off."""

    enabled: bool
    sampling_percentage: int
    destination: str


@frozen
class Autoscaling:
    """Target tracking on invocations per instance."""

    min_instances: int
    max_instances: int
    target_invocations_per_instance: int
    scale_in_cooldown_seconds: int
    scale_out_cooldown_seconds: int


@frozen
class Stage:
    """A deployment stage, in deploy order."""

    name: str
    manual_approval: bool
    """A person approves before this stage is deployed."""
    instance_type: str
    instance_count: int
    data_capture: DataCapture
    autoscaling: Autoscaling | None
    test: bool
    stack_name: str
    """Stack (single account) or stack set (target accounts) deploying this stage."""
    endpoint_name: str
    targets: Targets | None
    """Target accounts when the stage deploys through a stack set; None for the project account."""
    serving: Serving
    """Serving mode, variants and their settings (``plan/model_serving.py``)."""
    rollout: Rollout | None = None
    """Blue/green or rolling update with rollback alarms; None for SageMaker's plain blue/green swap."""
    batch: BatchTransform | None = None
    """A batch stage: no endpoint, a transform job run on approval and/or on a schedule (model_batch)."""
    monitoring: Monitoring | None = None
    """Model monitoring schedules on the stage's endpoint (plan/model_monitoring.py); None without."""


@frozen
class Targets:
    """The accounts a stage deploys into through a self-managed CloudFormation stack set."""

    accounts: tuple[str, ...]
    organizational_units: tuple[str, ...]
    """Resolved to their active accounts at deploy time (self-managed stack sets take accounts only)."""


@frozen
class MultiAccount:
    """Roles, parameters and policies shared by every stage deployed into other accounts."""

    administration_role: str
    """Role in the project account CloudFormation assumes to run the stack sets."""
    administration_role_arn: str
    execution_role: str
    """Role (same name in each target account) the administration role assumes to deploy."""
    model_role: str
    """Role (same name in each target account) the endpoint's model runs as."""
    test_role: str
    """Role (same name in each target account) the endpoint smoke test assumes."""
    parameter_prefix: str
    """SSM parameter path in each target account holding its subnets, security groups and KMS key."""
    regions: tuple[str, ...]
    vpc_endpoints: tuple[str, ...]
    model_artifact_prefixes: tuple[str, ...]
    """S3 key prefixes in the artifact bucket holding the models the stages deploy."""
    accounts: tuple[str, ...]
    """Every explicitly listed target account, sorted."""
    organizational_units: tuple[str, ...]
    """Every target OU, sorted."""


@frozen
class SamplePayload:
    """What the smoke test sends to the endpoint."""

    path: str
    content: bytes
    """The file's bytes, exactly: text or binary (image/jpeg, application/x-npy, ...)."""
    content_type: str
    """From deploy.sample_content_type, or the register steps' one content type."""
    output_path: str
    """Where the payload is written in the generated output."""


@frozen
class Deploy:
    """How the approved model version reaches its endpoints."""

    stages: tuple[Stage, ...]
    model_execution_role_arn: str
    sample_payload: SamplePayload | None
    multi_account: MultiAccount | None
    """Set when any stage deploys into other accounts."""
    capture_csv_types: tuple[str, ...]
    """The model's CSV content types (requests and responses): data capture writes them as text."""
    capture_json_types: tuple[str, ...]
    """The model's JSON content types: captured as text too; any other type is captured base64."""


@frozen
class Source:
    """The repository CI builds from."""

    provider: str
    """codecommit, github, github_enterprise or bitbucket."""
    repository: str
    branch: str
    connection_arn: str
    deploy_repository: str
    """Repository the deploy pipeline reads (the same as ``repository`` unless the blueprint separates them)."""


@frozen
class PathFilter:
    """Repository paths whose change starts a CI job (relative to the repository root, ``/``-separated).

    Each backend writes them in its own syntax (CodePipeline globs, Git plugin regions); the set of
    paths they match is the same.
    """

    directories: tuple[str, ...]
    """A change to any file below one of these folders counts."""
    files: tuple[str, ...]
    """A change to one of these files counts."""


@frozen
class Ci:
    """CI/CD settings shared by the backends."""

    backends: tuple[str, ...]
    source: Source
    blueprint_dir: str
    """Folder of the blueprint, relative to the repository root."""
    output_dir: str
    """Folder of this blueprint's generated output, relative to the repository root."""
    build_image: str
    compute_type: str
    build_timeout_minutes: int
    pipeline_timeout_minutes: int
    python_version: str
    execution_parameters: tuple[tuple[str, str], ...]
    """Pipeline parameter values for CI-started executions, as text (the API takes text)."""
    build_env: tuple[tuple[str, str], ...]
    """Environment of the model-build job (CodeBuild project or Jenkins job); buildspecs read these."""
    deploy_env: tuple[tuple[str, str], ...]
    """Environment of the deploy-build job."""
    test_env: tuple[tuple[str, str], ...]
    """Environment of the endpoint test job; each test run adds STAGE_NAME and ENDPOINT_NAME."""
    build_command: tuple[str, ...]
    """Argument list of the model-build job ($NAME items are job environment variables)."""
    deploy_commands: tuple[tuple[str, ...], ...]
    """Argument lists of the deploy-build job, run in order (empty without a deploy section)."""
    test_command: tuple[str, ...]
    """Argument list of an endpoint test (empty without a deploy section)."""
    deploy_exports: tuple[str, ...]
    """Files the deploy-build job leaves for the deploy steps."""
    stackset_commands: tuple[tuple[str, tuple[str, ...]], ...]
    """Stage name → argument list deploying its stack set, for backends without a stack set action."""
    jenkins: Jenkins | None
    """Jenkins settings when Jenkins is a backend."""
    triggers: str
    """The backend that starts runs by itself (source changes, model approval); the other runs on demand."""
    build_paths: PathFilter
    """Changes that rerun the model build: the generated model-build tree and the step code."""
    deploy_paths: PathFilter
    """Changes that rerun the deployment: the generated model-deploy tree."""
    batch_command: tuple[str, ...] = ()
    """Argument list of a batch stage's run (smoke and/or on approval); empty without batch stages."""


@frozen
class Jenkins:
    """Jenkins-specific settings."""

    url: str
    """Base URL the approval trigger calls."""
    polling: str
    """pollSCM schedule; empty for none."""
    deploy_timeout_minutes: int


@frozen
class Plan:
    """Everything targets need for one blueprint."""

    blueprint: str
    """Display name of the blueprint (for generated-file headers)."""
    project: Project
    names: Names
    security: Security
    pipeline: Pipeline
    code_files: tuple[CodeFile, ...]
    deploy: Deploy | None
    ci: Ci | None
    registry: Registry | None = None
    """Promotion into a hub registry in another account (``plan/registry.py``)."""
    source_bundles: tuple[SourceBundle, ...] = ()
    """Source directories CI packs and uploads (sorted by path), beside ``code_files``."""
    helper_files: tuple[HelperFile, ...] = ()
    """Generated files the containers run (sorted by path), emitted and uploaded beside the code."""
    operations: Operations | None = None
    """Schedules, new-data trigger and notifications (``plan/operations.py``)."""
    origins: Origins = field(default_factory=Origins, compare=False, repr=False)
    """The blueprint keys each Plan item came from (``plan/origins.py``), for ``mlopsgen explain``."""
