"""Check step models (pydantic): quality_check (data and model quality baselines, SageMaker QualityCheckStep).

Fields follow the SDK's ``QualityCheckStep``, ``DataQualityCheckConfig``, ``ModelQualityCheckConfig``
and ``CheckJobConfig`` in blueprint form. ``skip_check``, ``fail_on_violation`` and
``register_new_baseline`` take a literal or a boolean ``${params.X}`` (checked in ``checks_checks``).
Imported by ``steps.py`` after its shared pieces, to join the ``StepSpec`` union.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from mlopsgen.blueprint.base import Scalar, Spec, flag_or_model, no_entries
from mlopsgen.blueprint.steps_base import CacheSpec, InstanceSpec, StepBase

Value = Scalar


def _format_short(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


class DatasetFormatSpec(Spec):
    """How the baseline dataset is written (the SDK's DatasetFormat)."""

    type: Literal["csv", "json", "sagemaker_capture_json"]
    """csv, json (one record per line unless lines: false) or sagemaker_capture_json."""
    header: bool | None = None
    """csv only: the first line holds column names (default true)."""
    lines: bool | None = None
    """json only: one JSON record per line (default true)."""


class CheckStepBase(StepBase):
    """What the check steps share: the baselining job and the drift check switches."""

    instance: InstanceSpec = InstanceSpec()
    """Compute for the baselining job."""
    max_runtime_seconds: int | None = Field(default=None, ge=1, le=432000)
    """Time limit of the job (SageMaker's check steps default to 86400)."""
    environment: dict[str, Value] = Field(default_factory=no_entries)
    """Extra environment variables of the check container."""
    cache: Annotated[
        CacheSpec | None, BeforeValidator(flag_or_model, json_schema_input_type=CacheSpec | bool | None)
    ] = Field(default=None, description="true, or {expire_after: P30d}, to reuse earlier results.")
    network_isolation: bool | None = Field(
        default=None, description="Override security.network_isolation for this job."
    )
    skip_check: Value = False
    """Skip the drift check (only calculate a new baseline): true/false or a boolean ${params.X}."""
    fail_on_violation: Value = True
    """Fail the step when the check finds a violation: true/false or a boolean ${params.X}."""
    register_new_baseline: Value = False
    """Use the newly calculated baseline as the one registered: true/false or a boolean ${params.X}."""
    model_package_group: Value | None = None
    """Group whose latest approved model version supplies the baseline to check against."""
    supplied_baseline_constraints: Value | None = None
    """S3 URI of constraints to check against instead of the registered baseline."""


class QualityCheckStepSpec(CheckStepBase):
    """Calculates a data or model quality baseline and checks it against the previous one."""

    type: Literal["quality_check"]
    """Step type."""
    check: Literal["data_quality", "model_quality"]
    """data_quality (DataQualityCheckConfig) or model_quality (ModelQualityCheckConfig)."""
    baseline_dataset: Value
    """S3 URI of the dataset, or a reference such as ${steps.S.outputs.o}."""
    dataset_format: Annotated[DatasetFormatSpec, BeforeValidator(_format_short, json_schema_input_type=Any)]
    """csv, json, sagemaker_capture_json, or {type: csv, header: false}."""
    output: Value | None = None
    """S3 URI for the statistics and constraints; default: generated per execution."""
    supplied_baseline_statistics: Value | None = None
    """S3 URI of statistics to check against instead of the registered baseline."""
    record_preprocessor_script: str | None = None
    """data_quality only: script run on each record, relative to the blueprint file."""
    post_analytics_processor_script: str | None = None
    """Script run after the analysis, relative to the blueprint file."""
    problem_type: Literal["Regression", "BinaryClassification", "MulticlassClassification"] | None = None
    """model_quality only (and required there): the kind of model."""
    inference_attribute: Value | None = None
    """model_quality only: index or JSONPath of the prediction (text or a string ${params.X})."""
    probability_attribute: Value | None = None
    """model_quality only: index or JSONPath of the probability."""
    ground_truth_attribute: Value | None = None
    """model_quality only: index or JSONPath of the true label."""
    probability_threshold_attribute: Value | None = None
    """model_quality only: threshold turning probabilities into labels."""
