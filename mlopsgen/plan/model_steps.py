"""The Plan's pipeline steps: what each step kind runs, the pieces they share, ``Step`` and ``steps_of``.

Split out of ``model.py`` (the Plan's root, expressions and project) because the step kinds are most
of the IR; training and tuning jobs live in ``model_training``, the check steps in ``model_checks``
and ``model_clarify``. Targets keep reading every name from ``plan.model``, which re-exports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlopsgen.frozen import frozen
from mlopsgen.plan.model_checks import QualityCheckStep
from mlopsgen.plan.model_clarify import ClarifyCheckStep
from mlopsgen.plan.model_training import TrainingStep, TuningStep

if TYPE_CHECKING:
    from mlopsgen.plan.model import Condition, Expr, Network
    from mlopsgen.plan.model_checks import DriftCheckBaselines, ModelMetrics


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
