"""Blueprint stage serving → the Plan's Serving: variants resolved, default S3 paths filled in.

Split out of ``build_delivery.py`` so the deploy builder gains one call per stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.blueprint.delivery import StageSpec
from mlopsgen.plan.model_serving import (
    DEFAULT_VARIANT,
    AsyncConfig,
    BacklogScaling,
    ServerlessConfig,
    Serving,
    Variant,
)

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_serving import RealtimeServingSpec, VariantSpec


def async_default_path(bucket: str, stage: str, kind: str) -> str:
    """Where an asynchronous stage writes results (``output``) or failures (``failures``) by default."""
    return f"s3://{bucket}/async-inference/{stage}/{kind}"


def build_serving(stage: StageSpec, bucket: str, output_kms_key: str) -> Serving:
    """The resolved serving of one stage.

    Args:
        stage: The blueprint stage.
        bucket: The artifact bucket (default asynchronous paths live there).
        output_kms_key: The security block's output key, "" without one.

    Returns:
        The stage's Serving; today's single AllTraffic real-time variant without a serving block.
    """
    serving = stage.serving
    single = (Variant(DEFAULT_VARIANT, stage.instance_type, stage.instance_count, 1.0),)
    if serving is None:
        return _realtime(None, single)
    from mlopsgen.blueprint.stage_serving import (  # loaded with a serving block (blueprint/lazy.py)
        AsynchronousServingSpec,
        RealtimeServingSpec,
        ServerlessServingSpec,
    )

    if isinstance(serving, ServerlessServingSpec):
        return Serving(
            mode="serverless",
            declared=True,
            variants=single,
            shadow_variants=(),
            volume_size_gb=None,
            model_data_download_timeout_seconds=None,
            container_startup_health_check_timeout_seconds=None,
            serverless=ServerlessConfig(
                serving.memory_mb,
                serving.max_concurrency,
                serving.provisioned_concurrency,
                serving.cold_start_seconds,
            ),
            asynchronous=None,
        )
    if isinstance(serving, AsynchronousServingSpec):
        scaling = serving.scaling
        return Serving(
            mode="asynchronous",
            declared=True,
            variants=single,
            shadow_variants=(),
            volume_size_gb=None,
            model_data_download_timeout_seconds=None,
            container_startup_health_check_timeout_seconds=None,
            serverless=None,
            asynchronous=AsyncConfig(
                output_path=serving.output_path or async_default_path(bucket, stage.name, "output"),
                failure_path=serving.failure_path or async_default_path(bucket, stage.name, "failures"),
                success_topic=serving.success_topic,
                error_topic=serving.error_topic,
                max_concurrent_invocations_per_instance=serving.max_concurrent_invocations_per_instance,
                kms_key=output_kms_key,
                scaling=BacklogScaling(
                    scaling.min_instances,
                    scaling.max_instances,
                    scaling.target_backlog_per_instance,
                    scaling.scale_in_cooldown_seconds,
                    scaling.scale_out_cooldown_seconds,
                )
                if scaling
                else None,
                result_timeout_seconds=serving.result_timeout_seconds,
            ),
        )
    return _realtime(serving if isinstance(serving, RealtimeServingSpec) else None, single)


def _realtime(realtime: RealtimeServingSpec | None, single: tuple[Variant, ...]) -> Serving:
    """A real-time stage's serving: its declared variants, or the single default one."""

    def variants(specs: list[VariantSpec]) -> tuple[Variant, ...]:
        return tuple(Variant(v.name, v.instance_type, v.instance_count, float(v.weight)) for v in specs)

    return Serving(
        mode="realtime",
        declared=realtime is not None,
        variants=variants(list(realtime.variants)) if realtime and realtime.variants else single,
        shadow_variants=variants(list(realtime.shadow_variants)) if realtime else (),
        volume_size_gb=realtime.volume_size_gb if realtime else None,
        model_data_download_timeout_seconds=realtime.model_data_download_timeout_seconds if realtime else None,
        container_startup_health_check_timeout_seconds=(
            realtime.container_startup_health_check_timeout_seconds if realtime else None
        ),
        serverless=None,
        asynchronous=None,
    )
