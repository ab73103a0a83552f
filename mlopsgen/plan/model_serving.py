"""Plan IR of a stage's serving mode: the variants, serverless and asynchronous settings targets emit.

Kept beside ``model.py`` so the Stage gains one field; every value is resolved (default paths filled
in, the stage's instance type turned into its one variant), so targets decide nothing.
"""

from __future__ import annotations

from mlopsgen.frozen import frozen

DEFAULT_VARIANT = "AllTraffic"
"""The one variant of a stage that names none (the SageMaker project templates' name)."""


@frozen
class Variant:
    """A production or shadow variant: the stage's model on its own instances, with its traffic weight."""

    name: str
    instance_type: str
    instance_count: int
    weight: float


@frozen
class ServerlessConfig:
    """ProductionVariantServerlessConfig of the stage's one variant, and the smoke test's cold-start bound."""

    memory_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None
    cold_start_seconds: int


@frozen
class BacklogScaling:
    """Target tracking on ApproximateBacklogSizePerInstance; ``min_instances`` may be 0."""

    min_instances: int
    max_instances: int
    target_backlog_per_instance: float
    scale_in_cooldown_seconds: int
    scale_out_cooldown_seconds: int


@frozen
class AsyncConfig:
    """AsyncInferenceConfig: where results and failures go, who is told, how the queue scales."""

    output_path: str
    failure_path: str
    success_topic: str | None
    error_topic: str | None
    max_concurrent_invocations_per_instance: int | None
    kms_key: str
    """The security block's output key ("" without one): results are written encrypted with it."""
    scaling: BacklogScaling | None
    result_timeout_seconds: int


@frozen
class Serving:
    """How one stage serves its model."""

    mode: str
    """realtime, serverless or asynchronous."""
    declared: bool
    """The blueprint gave the stage a serving block (a stage without one is today's real-time endpoint)."""
    variants: tuple[Variant, ...]
    """Production variants; one for serverless (its instance fields unused) and asynchronous stages."""
    shadow_variants: tuple[Variant, ...]
    volume_size_gb: int | None
    model_data_download_timeout_seconds: int | None
    container_startup_health_check_timeout_seconds: int | None
    serverless: ServerlessConfig | None
    asynchronous: AsyncConfig | None
