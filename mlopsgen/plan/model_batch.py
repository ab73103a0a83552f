"""Plan IR of batch deploy stages: the transform job a batch stage runs, fully resolved.

Kept beside ``model.py`` (which holds ``Stage``) so the serving modes each stay one small module;
``Stage.batch`` is this, or None for an endpoint stage.
"""

from __future__ import annotations

from mlopsgen.frozen import frozen


@frozen
class BatchTransform:
    """What a batch stage's one-step SageMaker pipeline runs (CreateTransformJob), and when.

    Optional AWS fields are empty text or None where the job request leaves them out; the emitters
    write exactly the fields that are set, as the SDK's Transformer does.
    """

    pipeline_name: str
    """SageMaker pipeline the stage stack creates (one TransformStep)."""
    input: str
    """S3 prefix read by scheduled and on-approval runs (the pipeline's InputDataUri default)."""
    output: str
    """S3 prefix written by those runs (the pipeline's OutputDataUri default)."""
    instance_type: str
    instance_count: int
    content_type: str
    split_type: str
    """"None" (AWS's word) leaves the field out."""
    assemble_with: str
    accept: str
    max_payload_mb: int | None
    max_concurrent_transforms: int | None
    input_filter: str
    output_filter: str
    join_source: str
    schedule: str
    """EventBridge Scheduler expression; empty: no schedule."""
    schedule_name: str
    """The schedule's fixed name (so the deploying role is granted that schedule only)."""
    on_approval: bool
    """CI runs the pipeline on the blueprint's input after deploying the stage."""
    timeout_minutes: int
    """Bound of each CI wait for a run."""
    smoke_uri: str
    """S3 prefix of the CI smoke run on the sample payload (input/ and output/ below it); empty: no smoke run."""
    output_kms_key: str
    volume_kms_key: str
