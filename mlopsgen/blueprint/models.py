"""Blueprint mapping → *Spec models (pydantic): the shape of the language, its defaults and enums.

This module holds the project, pipeline parameters, security and the whole blueprint; the steps
are in ``steps.py`` (values there may hold ``${...}`` references), condition expressions in
``conditions.py``, the deploy and ci sections in ``delivery.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from mlopsgen.blueprint.aws_shapes import (
    MAX_USER_TAGS,
    SHAPES,
    KmsKey,
    SecurityGroupId,
    SubnetId,
    TagKey,
    TagValue,
    VpcEndpointId,
)
from mlopsgen.blueprint.base import Scalar, Spec, no_entries, no_items
from mlopsgen.blueprint.delivery import CiSpec, DeploySpec
from mlopsgen.blueprint.lazy import lazy
from mlopsgen.blueprint.steps import StepSpec

if TYPE_CHECKING:
    from mlopsgen.blueprint.operations import NewDataSpec, NotificationsSpec, ScheduleSpec
    from mlopsgen.blueprint.registry import RegistrySpec
else:  # optional sections: their models load when a blueprint uses them (blueprint/lazy.py)
    NewDataSpec = lazy("mlopsgen.blueprint.operations", "NewDataSpec")
    NotificationsSpec = lazy("mlopsgen.blueprint.operations", "NotificationsSpec")
    ScheduleSpec = lazy("mlopsgen.blueprint.operations", "ScheduleSpec")
    RegistrySpec = lazy("mlopsgen.blueprint.registry", "RegistrySpec")

PROJECT_NAME_PATTERN = r"^[a-zA-Z](-*[a-zA-Z0-9]){0,31}$"


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
    """IAM roles the generated resources run as."""
    tags: dict[TagKey, TagValue] = Field(
        default_factory=no_entries,
        max_length=MAX_USER_TAGS,
        # The key pattern becomes patternProperties; this makes editors flag keys outside it.
        json_schema_extra={"additionalProperties": False},
        description="Tags for every taggable resource (AWS's tag characters; keys 1-128, values at most 256).",
    )


# --- pipeline parameters -------------------------------------------------------------------------


class ParameterSpec(Spec):
    """A pipeline parameter: overridable per execution."""

    type: Literal["string", "integer", "float", "boolean"]
    """Parameter type: string, integer, float or boolean."""
    default: Scalar | None = None
    """Value used when an execution does not set the parameter."""
    allowed: list[Scalar] | None = Field(default=None, description="Allowed values (string parameters).")


class PipelineSpec(Spec):
    """The SageMaker model-building pipeline."""

    parameters: dict[str, ParameterSpec] = Field(default_factory=no_entries)
    """Pipeline parameters by name, overridable per execution."""
    steps: list[StepSpec] = Field(min_length=1)
    """The steps; each one's type key picks its kind."""
    experiment_tracking: bool = Field(
        default=True, description="Record executions in SageMaker Experiments (pipeline = experiment)."
    )
    parallelism: int | None = Field(
        default=None,
        ge=1,
        description="At most this many steps run at the same time (the pipeline's ParallelismConfiguration, "
        "sent with CreatePipeline/UpdatePipeline). Default: SageMaker's limit.",
    )
    schedules: list[ScheduleSpec] = Field(
        default_factory=no_items,
        max_length=20,
        description="Schedules that start the pipeline (EventBridge Scheduler).",
    )
    on_new_data: NewDataSpec | None = Field(
        default=None, description="Start the pipeline when an object is created under an S3 prefix."
    )


# --- security ------------------------------------------------------------------------------------


class VpcSpec(Spec):
    """Private subnets and security groups every job and model runs in."""

    subnets: list[SubnetId] = Field(min_length=1)
    """Private subnet ids."""
    security_groups: list[SecurityGroupId] = Field(min_length=1)
    """Security group ids."""


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
    """VPC every job, model and endpoint runs in."""
    kms: KmsSpec = KmsSpec()
    """Customer-managed KMS keys."""
    encrypt_inter_container_traffic: bool = False
    """Encrypt traffic between the instances of a job."""
    network_isolation: bool = False
    """Run job containers without network access."""
    vpc_endpoints: list[VpcEndpointId] | None = Field(
        default=None,
        min_length=1,
        description="The designated S3 and KMS VPC endpoints (of the project and the target accounts). "
        "With stages in other accounts, the artifact bucket's model objects and the output key deny any "
        "access that does not come through them.",
    )


class BlueprintSpec(Spec):
    """A whole blueprint."""

    version: Literal[2] = Field(
        description="Blueprint language version: 2. A blueprint without it is read as version 1 "
        "(deprecated; `mlopsgen migrate` rewrites it)."
    )
    project: ProjectSpec
    """Who the project is: its SageMaker project name and id, region and account."""
    pipeline: PipelineSpec
    """The SageMaker model-building pipeline: parameters and steps."""
    security: SecuritySpec = SecuritySpec()
    """VPC, KMS and isolation controls applied to every job, model and endpoint."""
    deploy: DeploySpec | None = Field(default=None, description="Deployment stages of the approved model.")
    ci: CiSpec | None = Field(default=None, description="CI/CD wiring (source repository, backends).")
    registry: RegistrySpec | None = Field(
        default=None, description="Promote approved versions into a central hub registry in another account."
    )
    notifications: NotificationsSpec | None = Field(
        default=None, description="SNS notifications of failed (or succeeded) pipeline executions and deployments."
    )
