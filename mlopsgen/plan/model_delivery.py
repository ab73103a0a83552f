"""The Plan's delivery half: deploy stages, target accounts, the smoke-test payload, and CI/CD settings.

Split out of ``model.py`` (the pipeline half and the Plan's root): the deploy and CI targets read
these, the pipeline targets do not. ``plan.model`` re-exports every name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.frozen import frozen

if TYPE_CHECKING:
    from mlopsgen.plan.model_batch import BatchTransform
    from mlopsgen.plan.model_monitoring import Monitoring
    from mlopsgen.plan.model_rollout import Rollout
    from mlopsgen.plan.model_serving import Serving


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
