"""Blueprint specs for a stage's serving mode: real-time (variants, shadows), serverless or asynchronous.

Kept apart from ``delivery.py`` so the stage model gains one field (``serving``) and the serving
language lives in one file. Limits are AWS's own (botocore's sagemaker model, CreateEndpointConfig):
ProductionVariantServerlessConfig (memory 1024-6144, concurrency 1-200), AsyncInferenceClientConfig
(1-1000 invocations per instance), ProductionVariant (volume 1-512 GB, timeouts 60-3600 s).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mlopsgen.blueprint.base import INSTANCE_PATTERN, Spec, no_items

VARIANT_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
"""CreateEndpointConfig's VariantName shape."""
S3_PREFIX_PATTERN = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=/\-]*)?$"
"""An S3 URI whose key uses S3's safe characters: no wildcards (it reaches IAM ARNs), no ``${`` (Fn::Sub)."""
SNS_TOPIC_PATTERN = r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]+:[0-9]{12}:[a-zA-Z0-9_.\-]{1,256}$"
"""AsyncInferenceNotificationConfig's SnsTopicArn shape (with the region and account required)."""


class VariantSpec(Spec):
    """One production or shadow variant of a real-time endpoint: the stage's model on its own instances."""

    name: str = Field(pattern=VARIANT_NAME_PATTERN, max_length=63)
    """Variant name (letters, digits, hyphens), unique in the stage."""
    instance_type: str = Field(pattern=INSTANCE_PATTERN)
    """Instance type; one the register step lists in inference_instances."""
    instance_count: int = Field(default=1, ge=1)
    """Instances of this variant."""
    weight: float = Field(
        default=1.0,
        ge=0,
        description="Share of the traffic: this weight over the sum of the production variants' weights. "
        "For a shadow variant, the share of requests copied to it, relative to the production variant.",
    )


class RealtimeServingSpec(Spec):
    """A real-time endpoint: one or more weighted production variants, optionally a shadow variant."""

    mode: Literal["realtime"]
    """Real-time endpoint on instances."""
    variants: list[VariantSpec] = Field(
        default_factory=no_items,
        max_length=10,
        description="Production variants, each serving the stage's model on its own instance type and count. "
        "Default: one variant AllTraffic on the stage's instance_type and instance_count.",
    )
    shadow_variants: list[VariantSpec] = Field(
        default_factory=no_items,
        max_length=1,
        description="A shadow variant receiving a copy of the production traffic (responses discarded); "
        "AWS allows one, beside exactly one production variant.",
    )
    volume_size_gb: int | None = Field(default=None, ge=1, le=512)
    """ML storage volume of each instance, GB (1-512)."""
    model_data_download_timeout_seconds: int | None = Field(default=None, ge=60, le=3600)
    """Time allowed to download the model onto each instance (60-3600)."""
    container_startup_health_check_timeout_seconds: int | None = Field(default=None, ge=60, le=3600)
    """Time allowed for the container to pass its first health check (60-3600)."""


class ServerlessServingSpec(Spec):
    """A serverless endpoint: AWS provisions compute per request; no instances, autoscaling or data capture."""

    mode: Literal["serverless"]
    """Serverless endpoint: compute per request."""
    memory_mb: int = Field(ge=1024, le=6144, multiple_of=1024)
    """Memory of each invocation: 1024, 2048, 3072, 4096, 5120 or 6144 MB."""
    max_concurrency: int = Field(ge=1, le=200)
    """Most concurrent invocations (1-200)."""
    provisioned_concurrency: int | None = Field(
        default=None, ge=1, le=200, description="Invocations kept warm (no cold start); at most max_concurrency."
    )
    cold_start_seconds: int = Field(
        default=120,
        ge=0,
        le=900,
        description="How long the smoke test keeps retrying an invocation that fails while the endpoint "
        "starts cold (with backoff), before the failure counts.",
    )


class BacklogScalingSpec(Spec):
    """Application Auto Scaling of an asynchronous endpoint on its queue: ApproximateBacklogSizePerInstance."""

    min_instances: int = Field(default=0, ge=0)
    """Fewest instances; 0 lets an idle endpoint scale in to nothing (it scales out on a new backlog)."""
    max_instances: int = Field(ge=1)
    """Most instances."""
    target_backlog_per_instance: float = Field(default=5.0, gt=0)
    """Queued requests per instance the policy keeps."""
    scale_in_cooldown_seconds: int = Field(default=600, ge=0)
    """Wait after scaling in before scaling again."""
    scale_out_cooldown_seconds: int = Field(default=300, ge=0)
    """Wait after scaling out before scaling again."""


class AsynchronousServingSpec(Spec):
    """An asynchronous endpoint: requests queue, results land in S3, SNS tells success and failure."""

    mode: Literal["asynchronous"]
    """Asynchronous endpoint: queued requests, results in S3."""
    output_path: str | None = Field(
        default=None,
        pattern=S3_PREFIX_PATTERN,
        description="S3 URI receiving the results. Default: s3://<artifact bucket>/async-inference/<stage>/output. "
        "The model's execution role must be allowed to write there.",
    )
    failure_path: str | None = Field(
        default=None,
        pattern=S3_PREFIX_PATTERN,
        description="S3 URI receiving the errors of failed requests. "
        "Default: s3://<artifact bucket>/async-inference/<stage>/failures.",
    )
    success_topic: str | None = Field(default=None, pattern=SNS_TOPIC_PATTERN)
    """SNS topic ARN told of each success."""
    error_topic: str | None = Field(default=None, pattern=SNS_TOPIC_PATTERN)
    """SNS topic ARN told of each failure."""
    max_concurrent_invocations_per_instance: int | None = Field(default=None, ge=1, le=1000)
    """Requests each instance takes at once (1-1000); default: SageMaker chooses."""
    scaling: BacklogScalingSpec | None = None
    """Scale on the queue's backlog per instance (min 0 allowed)."""
    result_timeout_seconds: int = Field(
        default=600, ge=10, le=3600, description="How long the smoke test polls for the result of its request."
    )


ServingSpec = Annotated[
    RealtimeServingSpec | ServerlessServingSpec | AsynchronousServingSpec, Field(discriminator="mode")
]
"""How a stage serves its model; a stage without ``serving`` is a real-time endpoint as before."""
