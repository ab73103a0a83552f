"""The pieces every pipeline step shares (pydantic): ``Value``, image, instances, retry, cache and the step bases.

Split out of ``steps.py`` (one *StepSpec per step kind, and the ``StepSpec`` union) so the step kinds
few blueprints use (``steps_external``, ``steps_checks``) build on these without the core kinds, and
both modules stay readable. ``steps.py`` re-exports every name.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from mlopsgen.blueprint.aws_shapes import ContainerImage
from mlopsgen.blueprint.base import NAME_PATTERN, Scalar, Spec, flag_or_model, no_items

Value = Scalar
"""A literal, or text holding ``${...}`` references."""


class ImageSpec(Spec):
    """A container image: a framework or built-in algorithm by name and version, or an explicit URI."""

    framework: str | None = Field(
        default=None, description="sklearn, xgboost, pytorch, tensorflow, huggingface, or a built-in algorithm name."
    )
    version: str | None = None
    """Framework or algorithm version, e.g. 1.7-1 (quoted)."""
    uri: ContainerImage | None = Field(default=None, description="Explicit ECR image URI.")
    py_version: str | None = None
    """Python version of a pytorch, tensorflow or huggingface image, e.g. py310 (needed when it has several)."""
    processor: Literal["cpu", "gpu"] | None = None
    """cpu or gpu image; default: from the instance type as the SDK derives it (g* and p* families are gpu)."""
    base_framework: str | None = None
    """Hugging Face only: the framework under transformers, e.g. pytorch2.1.0."""

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
    """Number of instances, or ${params.X}."""
    volume_size_gb: int = Field(default=30, ge=1, le=16384)
    """Storage volume attached to each instance, in GB."""


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
    """Failures that trigger a retry (SageMaker job or step-level errors)."""
    max_attempts: int = Field(default=3, ge=1, le=20)
    """Attempts before the step fails."""
    interval_seconds: int = Field(default=1, ge=1)
    """Wait before the first retry."""
    backoff_rate: float = Field(default=2.0, ge=1.0)
    """Factor the wait grows by after each retry."""


class CacheSpec(Spec):
    """Reuse a previous successful run of the step with the same arguments."""

    expire_after: str = Field(default="P30d", pattern=r"^P([0-9]+[YMWDymwd])*(T([0-9]+[HMShms])+)?$")
    """How long an earlier result may be reused (ISO 8601 duration, e.g. P30d)."""


class StepBase(Spec):
    """Fields every step has."""

    name: str = Field(pattern=NAME_PATTERN, description="Unique step name.")
    display_name: str | None = None
    """Name shown in SageMaker Studio."""
    description: str | None = None
    """Free text describing the step."""
    depends_on: list[str] = Field(default_factory=no_items, description="Steps that must finish first.")


class JobStepBase(StepBase):
    """Fields of steps that run a SageMaker job."""

    cache: Annotated[
        CacheSpec | None, BeforeValidator(flag_or_model, json_schema_input_type=CacheSpec | bool | None)
    ] = Field(default=None, description="true, or {expire_after: P30d}, to reuse earlier results.")
    retry: list[RetrySpec] = Field(default_factory=no_items)
    """Retry policies for failures of the step's job."""
    network_isolation: bool | None = Field(
        default=None, description="Override security.network_isolation for this job."
    )
