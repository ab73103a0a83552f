"""Blueprint specs and checks for batch deploy stages: a stage that scores S3 data with a transform job.

A stage with ``batch:`` deploys no endpoint: its stack holds the approved model and a one-step
SageMaker pipeline (a TransformStep), started by the deploy pipeline on approval and/or by an
EventBridge Scheduler schedule. Kept out of ``delivery.py`` so the endpoint stage stays readable and
the rules that forbid endpoint settings on a batch stage live beside the batch settings they guard.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mlopsgen.blueprint.base import INSTANCE_PATTERN, Spec

S3_PREFIX_PATTERN = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=/\-]*)?$"
"""A bucket and key prefix in S3's safe characters: no wildcards (the prefix reaches IAM ARNs, where
'*' and '?' match anything) and no '$' '{' '}' (the pipeline definition is an Fn::Sub string)."""

SCHEDULE_PATTERN = (
    r"^(cron\([0-9A-Za-z*?/,#\- ]{9,256}\)|rate\([1-9][0-9]{0,5} (minute|minutes|hour|hours|day|days)\))$"
)
"""EventBridge Scheduler's recurring forms: ``cron(min hour day month weekday year)`` and ``rate(n unit)``."""

JSON_PATH_MAX = 63
"""CreateTransformJob DataProcessing.InputFilter / OutputFilter: at most 63 characters (botocore model)."""


class BatchFilterSpec(Spec):
    """Which part of each record the model sees, and what the output keeps (DataProcessing)."""

    input: str | None = Field(
        default=None, max_length=JSON_PATH_MAX, description="JSONPath selecting the model's input, e.g. $[1:]."
    )
    output: str | None = Field(
        default=None, max_length=JSON_PATH_MAX, description="JSONPath selecting what is written, e.g. $[0,-1]."
    )
    join: Literal["None", "Input"] = Field(
        default="None", description="Input: write each input record joined with its prediction."
    )


class BatchSpec(Spec):
    """Batch transform settings of a batch stage (CreateTransformJob)."""

    input: str = Field(pattern=S3_PREFIX_PATTERN, description="S3 prefix the transform job reads.")
    output: str = Field(pattern=S3_PREFIX_PATTERN, description="S3 prefix the transform job writes results to.")
    instance_type: str = Field(default="ml.m5.large", pattern=INSTANCE_PATTERN)
    """Transform instance type; one the register step lists in transform_instances."""
    instance_count: int = Field(default=1, ge=1)
    """Transform instances."""
    content_type: str | None = Field(default=None, max_length=256)
    """MIME type of the input data (default: the sample payload's content type)."""
    split_type: Literal["None", "Line", "RecordIO", "TFRecord"] = "None"
    """How input files are split into records."""
    assemble_with: Literal["None", "Line"] = "None"
    """How results are joined in the output files."""
    accept: str | None = Field(default=None, max_length=256)
    """MIME type of the results."""
    max_payload_mb: int | None = Field(default=None, ge=0, le=100)
    """Largest request the job sends the model, in MB (AWS: 0-100, default 6)."""
    max_concurrent_transforms: int | None = Field(default=None, ge=0)
    """Parallel requests per instance."""
    filter: BatchFilterSpec | None = None
    """Input/output JSONPath filters and joining the input to the output."""
    schedule: str | None = Field(
        default=None,
        pattern=SCHEDULE_PATTERN,
        description="EventBridge Scheduler expression, e.g. cron(0 2 * * ? *) (UTC) or rate(1 day): "
        "the stage's batch pipeline runs on it.",
    )
    on_approval: bool = Field(
        default=True, description="Run the transform when the deploy pipeline deploys this stage."
    )
    timeout_minutes: int = Field(
        default=60, ge=1, le=2880, description="How long CI waits for a batch run before it fails the stage."
    )

    @model_validator(mode="after")
    def _sensible(self) -> BatchSpec:
        if self.input.rstrip("/") == self.output.rstrip("/"):
            raise ValueError("output must differ from input (the results would be read as input next run)")
        return self
