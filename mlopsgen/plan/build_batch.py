"""Blueprint batch stage → the Plan's BatchTransform (the transform job a batch deploy stage runs).

Imported only when a blueprint has a batch stage, so endpoint-only blueprints do not pay for it.
"""

from __future__ import annotations

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.stage_batch import BatchSpec
from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import batch_pipeline_name, batch_schedule_name, batch_smoke_uri


def default_content_type(bp: BlueprintSpec) -> str:
    """The input type when the stage names none: the sample payload's, else the one the model accepts.

    The same rule as the endpoint smoke test's Content-Type (MLG333 leaves at most one to choose).
    """
    assert bp.deploy is not None
    accepted = sorted(
        {t for s in bp.pipeline.steps if isinstance(s, spec.RegisterModelStepSpec) for t in s.content_types}
    )
    return bp.deploy.sample_content_type or (accepted[0] if len(accepted) == 1 else "")


def build_batch(
    bp: BlueprintSpec, batch: BatchSpec, stage: str, test: bool, names: ir.Names, bucket: str, security: ir.Security
) -> ir.BatchTransform:
    """Resolve one batch stage: defaults filled, the pipeline and smoke-run locations named.

    The smoke run needs a sample payload to send; without one (or with ``test: false``) there is none.
    """
    assert bp.deploy is not None
    filters = batch.filter
    return ir.BatchTransform(
        pipeline_name=batch_pipeline_name(names, stage),
        input=batch.input,
        output=batch.output,
        instance_type=batch.instance_type,
        instance_count=batch.instance_count,
        content_type=batch.content_type or default_content_type(bp),
        split_type=batch.split_type,
        assemble_with=batch.assemble_with,
        accept=batch.accept or "",
        max_payload_mb=batch.max_payload_mb,
        max_concurrent_transforms=batch.max_concurrent_transforms,
        input_filter=filters.input or "" if filters else "",
        output_filter=filters.output or "" if filters else "",
        join_source=filters.join if filters else "None",
        schedule=batch.schedule or "",
        schedule_name=batch_schedule_name(bp.project.id, stage),
        on_approval=batch.on_approval,
        timeout_minutes=batch.timeout_minutes,
        smoke_uri=batch_smoke_uri(bucket, stage) if test and bp.deploy.sample_payload else "",
        output_kms_key=security.output_kms_key,
        volume_kms_key=security.volume_kms_key,
    )
