"""Blueprint specs for delivery: how the approved model is deployed (stages) and how CI is wired (source).

Kept apart from ``models.py`` (the pipeline language) so each file stays one subject; ``BlueprintSpec``
combines them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from mlopsgen.blueprint.aws_shapes import AccountId, OrganizationalUnitId
from mlopsgen.blueprint.base import INSTANCE_PATTERN, Spec, flag_or_model, no_entries
from mlopsgen.blueprint.lazy import lazy

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_batch import BatchSpec
    from mlopsgen.blueprint.stage_monitoring import MonitoringSpec
    from mlopsgen.blueprint.stage_rollout import RolloutSpec
    from mlopsgen.blueprint.stage_serving import ServingSpec
else:  # a stage's optional blocks: their models load when a blueprint uses them (blueprint/lazy.py)
    BatchSpec = lazy("mlopsgen.blueprint.stage_batch", "BatchSpec")
    MonitoringSpec = lazy("mlopsgen.blueprint.stage_monitoring", "MonitoringSpec")
    RolloutSpec = lazy("mlopsgen.blueprint.stage_rollout", "RolloutSpec")
    ServingSpec = lazy("mlopsgen.blueprint.stage_serving", "ServingSpec")

HTTPS_URL_PATTERN = r"^https://[!#-&(-\[\]-~]+$"


class DataCaptureSpec(Spec):
    """Endpoint data capture (request and response payloads) into S3."""

    sampling_percentage: int = Field(default=100, ge=0, le=100)
    """Share of requests captured, 0-100."""
    destination: str | None = Field(
        default=None,
        # Key prefix: S3's safe characters without its wildcard-like '*' (the prefix reaches IAM ARNs,
        # where '*' and '?' match anything and cannot be escaped) and without '$' '{' '}' (Fn::Sub).
        pattern=r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=/\-]*)?$",
        description="S3 URI; default: s3://<artifact bucket>/datacapture-<stage>. The key prefix uses "
        "S3's safe characters (letters, digits, / ! - _ . ' ( ) =), no wildcards.",
    )


class AutoscalingSpec(Spec):
    """Application Auto Scaling of each production variant (each within these bounds) on invocations per instance."""

    min_instances: int = Field(default=1, ge=1)
    """Fewest instances."""
    max_instances: int = Field(ge=1)
    """Most instances."""
    target_invocations_per_instance: int = Field(default=70, ge=1, description="Per minute, per instance.")
    scale_in_cooldown_seconds: int = Field(default=300, ge=0)
    """Wait after scaling in before scaling again."""
    scale_out_cooldown_seconds: int = Field(default=60, ge=0)
    """Wait after scaling out before scaling again."""

    @model_validator(mode="after")
    def _ordered(self) -> AutoscalingSpec:
        if self.min_instances > self.max_instances:
            raise ValueError("min_instances must not exceed max_instances")
        return self


class StageSpec(Spec):
    """One deployment stage: an endpoint, and the gate before it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9\-]{0,19}$", description="Stage name, e.g. staging or prod.")
    approval: Literal["none", "manual"] = Field(
        default="none", description="manual: a person approves before this stage is deployed."
    )
    instance_type: str = Field(default="ml.m5.large", pattern=INSTANCE_PATTERN)
    """Endpoint instance type; one the register step lists in inference_instances."""
    instance_count: int = Field(default=1, ge=1)
    """Endpoint instances (the start when autoscaling)."""
    data_capture: Annotated[
        DataCaptureSpec | None, BeforeValidator(flag_or_model, json_schema_input_type=DataCaptureSpec | bool | None)
    ] = Field(default_factory=DataCaptureSpec, description="true/false, or the capture settings.")
    autoscaling: AutoscalingSpec | None = None
    """Scale the endpoint on invocations per instance."""
    test: bool = Field(default=True, description="Smoke-test the endpoint after deploying this stage.")
    accounts: list[AccountId] | None = Field(
        default=None,
        min_length=1,
        description="Deploy this stage into these AWS accounts through a CloudFormation stack set "
        "(self-managed permissions). Without accounts or organizational_units the stage deploys into "
        "the project account as a plain stack.",
    )
    organizational_units: list[OrganizationalUnitId] | None = Field(
        default=None,
        min_length=1,
        description="Deploy into every active account under these OUs (nested OUs included), resolved "
        "at deploy time; combined with accounts.",
    )
    rollout: RolloutSpec | None = Field(
        default=None,
        description="Blue/green (all at once, canary, linear) or rolling update of the endpoint, rolled back "
        "automatically on CloudWatch alarms. Default: SageMaker's plain blue/green swap without alarms.",
    )
    batch: BatchSpec | None = Field(
        default=None,
        description="Make this a batch stage: no endpoint; the approved model scores S3 data with a "
        "transform job, on approval and/or on a schedule.",
    )
    monitoring: MonitoringSpec | None = None
    """Model monitoring schedules on this stage's endpoint (needs data capture)."""
    serving: ServingSpec | None = Field(
        default=None,
        description="Serving mode: realtime (weighted variants, a shadow variant), serverless or asynchronous. "
        "Default: a real-time endpoint on instance_type and instance_count.",
    )


class DeploySpec(Spec):
    """How an approved model version reaches its endpoints."""

    stages: list[StageSpec] = Field(min_length=1)
    """Stages in deployment order, e.g. staging then prod."""
    model_execution_role: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z\-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@\-/]+$",
        description="Role the endpoint's model runs as. Default: the account's "
        "service-role/AmazonSageMakerProjectsExecutionRole.",
    )
    sample_payload: str | None = Field(
        default=None,
        description="File (relative to the blueprint) the smoke test sends to the endpoint, byte for byte "
        "(text or binary, e.g. image/jpeg or application/x-npy).",
    )
    sample_content_type: str | None = Field(
        default=None,
        pattern=r"^[\w.+\-]+/[\w.+\-]+( *;.*)?$",
        description="Content-Type the smoke test sends the payload with. Default: the register_model step's "
        "content type, when the pipeline's register steps list exactly one.",
    )


class SourceSpec(Spec):
    """The repository holding the blueprint, its code and the generated output."""

    provider: Literal["codecommit", "github", "github_enterprise", "bitbucket"]
    """Where the repository lives."""
    repository: str = Field(
        # AWS's shapes: CodeCommit names are ASCII [\w.-], 1-100; connections take owner/name. The name
        # reaches IAM ARNs ('*' would grant every repository) and Fn::Sub strings, so nothing else passes.
        pattern=r"^[A-Za-z0-9_.\-]{1,100}(/[A-Za-z0-9_.\-]{1,100})?$",
        description="CodeCommit repository name (letters, digits, . _ -; 1-100), or owner/name for a connection.",
    )
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9._/\-]{1,255}$")
    """Branch that triggers builds."""
    connection_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z\-]*:(codestar-connections|codeconnections):[a-z0-9\-]+:[0-9]{12}:connection/[A-Za-z0-9\-]+$",
        description="CodeStar / CodeConnections connection (required for GitHub, GitHub Enterprise, Bitbucket).",
    )
    deploy_repository: str | None = Field(
        default=None,
        description=(
            "Separate repository for the deploy pipeline (AWS's model-build / model-deploy layout): it holds "
            "the rendered <output_dir>/model-deploy/ tree at the same path. Default: the same repository."
        ),
    )

    @model_validator(mode="after")
    def _connection(self) -> SourceSpec:
        if self.provider == "codecommit" and "/" in self.repository:
            raise ValueError("a codecommit repository is a name (letters, digits, . _ -), not owner/name")
        if self.provider == "codecommit" and self.connection_arn is not None:
            raise ValueError("connection_arn is only for github, github_enterprise and bitbucket sources")
        if self.provider != "codecommit" and self.connection_arn is None:
            raise ValueError(f"a {self.provider} source needs connection_arn (a CodeStar connection)")
        return self


class LayoutSpec(Spec):
    """Where things live in the repository, so generated CI finds them."""

    blueprint_dir: str | None = Field(
        default=None,
        description="Folder of the blueprint from the repository root (code paths are relative to it). "
        "Default: where the blueprint file actually is, relative to the nearest folder holding .git "
        "(blueprints when rendered from text or outside a Git checkout).",
    )
    output_dir: str | None = Field(
        default=None, description="Generated output folder. Default: generated/<blueprint name>."
    )


class BuildSpec_(Spec):  # noqa: N801 - "BuildSpec" is CodeBuild's own word for its YAML file
    """CodeBuild settings."""

    image: str = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    """CodeBuild image."""
    compute_type: Literal[
        "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_2XLARGE"
    ] = "BUILD_GENERAL1_SMALL"
    """CodeBuild compute type."""
    timeout_minutes: int = Field(default=480, ge=5, le=2160)
    """CodeBuild build timeout."""
    pipeline_timeout_minutes: int = Field(
        default=240, ge=1, description="How long the build waits for the SageMaker pipeline execution."
    )
    python: str = Field(default="3.12", pattern=r"^3\.[0-9]+$")
    """Python version used in builds."""


class JenkinsSpec(Spec):
    """Jenkins settings (the Jenkins backend)."""

    url: str = Field(pattern=HTTPS_URL_PATTERN, description="Jenkins base URL the approval trigger calls.")
    polling: str = Field(
        default="H/5 * * * *",
        pattern=r"^[0-9A-Za-z*/,\-# ()]*$",
        description="pollSCM schedule for source changes; empty to disable.",
    )
    deploy_timeout_minutes: int = Field(default=30, ge=1, le=720, description="Bound for each stack deployment.")


class CiSpec(Spec):
    """How CI/CD is wired."""

    backends: list[Literal["codepipeline", "jenkins"]] = Field(default=["codepipeline"], min_length=1)
    """CI/CD systems to generate: codepipeline, jenkins or both."""
    trigger_owner: Literal["codepipeline", "jenkins"] | None = Field(
        default=None,
        description=(
            "The backend that starts runs by itself (source pushes, model approval); the other runs on demand "
            "only. Default: the only backend; required when both are listed."
        ),
    )
    jenkins: JenkinsSpec | None = None
    """Jenkins settings (with the jenkins backend)."""
    source: SourceSpec
    """The source repository."""
    layout: LayoutSpec = LayoutSpec()
    """Where the blueprint and generated files live in the repository."""
    build: BuildSpec_ = BuildSpec_()
    """The CodeBuild image, compute type, timeouts and Python version of the builds."""
    execution_parameters: dict[str, str | int | float | bool] = Field(
        default_factory=no_entries, description="Pipeline parameter values the CI build starts executions with."
    )
