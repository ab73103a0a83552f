"""Blueprint specs for model monitoring of a deploy stage (SageMaker Model Monitor and Clarify schedules).

A stage's ``monitoring`` lists up to four monitors (data quality, model quality, model bias, model
explainability). Each becomes a job definition and a monitoring schedule in the stage's endpoint stack;
baselines come from the approved model package's DriftCheckBaselines (what the register step recorded
from the pipeline's check steps) or are given as S3 URIs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlopsgen.blueprint.base import INSTANCE_PATTERN, Spec, no_items

# Key prefixes reach IAM ARNs and Fn::Sub strings: S3's safe characters only (no '*', '?', '$', '{', '}').
S3_URI_PATTERN = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=/\-]*)?$"
# The forms CreateMonitoringSchedule accepts (ScheduleConfig.ScheduleExpression): hourly, daily at an hour,
# every N hours from an hour; the words are shorthands for the first two.
# ref: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-schedule-expression.html
SCHEDULE_PATTERN = (
    r"^(hourly|daily|cron\(0 \* \? \* \* \*\)|cron\(0 ([01]?[0-9]|2[0-3]) \? \* \* \*\)"
    r"|cron\(0 ([01]?[0-9]|2[0-3])/([1-9]|1[0-9]|2[0-4]) \? \* \* \*\))$"
)


class ExplicitBaselineSpec(Spec):
    """Baseline files given as S3 URIs (instead of the approved model package's drift baselines)."""

    statistics: str | None = Field(default=None, pattern=S3_URI_PATTERN)
    """statistics.json (data quality only)."""
    constraints: str | None = Field(default=None, pattern=S3_URI_PATTERN)
    """constraints.json (analysis.json for bias and explainability)."""
    analysis_config: str | None = Field(default=None, pattern=S3_URI_PATTERN)
    """Clarify analysis_config.json (bias and explainability only; required there)."""


class AlarmSpec(Spec):
    """A CloudWatch alarm on a metric the monitor publishes (e.g. feature_baseline_drift_<feature>)."""

    metric: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,200}$")
    """Metric name in the monitor's namespace (aws/sagemaker/Endpoints/<data|model|bias|explainability>-metrics)."""
    threshold: float
    """Alarm when the metric crosses this value."""
    comparison: Literal["greater", "less"] = "greater"
    """greater: alarm above the threshold (drift, bias); less: below it (accuracy, AUC)."""


class MonitorBase(Spec):
    """What every monitor takes."""

    schedule: str | None = Field(
        default=None,
        pattern=SCHEDULE_PATTERN,
        description="hourly, daily, or a cron form Model Monitor accepts: cron(0 * ? * * *), cron(0 H ? * * *), "
        "cron(0 H/N ? * * *). Default: monitoring.schedule.",
    )
    baseline: ExplicitBaselineSpec | None = Field(
        default=None,
        description="Baseline files as S3 URIs. Default: the approved model package's drift check baselines "
        "(recorded by the register step from the pipeline's check steps), read when the stage deploys.",
    )
    alarms: list[AlarmSpec] = Field(default_factory=no_items, max_length=10)
    """CloudWatch alarms on the metrics this monitor publishes."""


class DataQualityMonitorSpec(MonitorBase):
    """Compares captured requests with the training data's statistics and constraints."""


class ModelQualityMonitorSpec(MonitorBase):
    """Compares the endpoint's predictions with ground truth labels."""

    problem_type: Literal["BinaryClassification", "MulticlassClassification", "Regression"]
    """What the model predicts."""
    ground_truth: str = Field(pattern=S3_URI_PATTERN)
    """S3 prefix where the ground truth labels are written (merged with captured predictions by event id)."""
    inference_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index (CSV) or JSONPath of the prediction in the endpoint's response."""
    probability_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index or JSONPath of the probability (classification)."""
    probability_threshold: float | None = None
    """Probability above which a binary prediction counts as positive."""


class ModelBiasMonitorSpec(MonitorBase):
    """Post-training bias of live predictions (Clarify), against ground truth labels."""

    ground_truth: str = Field(pattern=S3_URI_PATTERN)
    """S3 prefix where the ground truth labels are written."""
    features_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """JSONPath of the features in a JSON request (CSV requests need none)."""
    inference_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index or JSONPath of the prediction in the endpoint's response."""
    probability_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index or JSONPath of the probability."""
    probability_threshold: float | None = None
    """Probability above which a prediction counts as the positive label."""


class ModelExplainabilityMonitorSpec(MonitorBase):
    """Feature attribution drift of live predictions (Clarify SHAP)."""

    features_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """JSONPath of the features in a JSON request (CSV requests need none)."""
    inference_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index or JSONPath of the prediction in the endpoint's response."""
    probability_attribute: str | None = Field(default=None, min_length=1, max_length=256)
    """Index or JSONPath of the probability."""


class MonitoringSpec(Spec):
    """Model monitoring schedules of one stage's endpoint (they read its data capture)."""

    schedule: str = Field(
        default="daily",
        pattern=SCHEDULE_PATTERN,
        description="Default schedule of the monitors: hourly, daily or cron.",
    )
    instance_type: str = Field(default="ml.m5.xlarge", pattern=INSTANCE_PATTERN)
    """Instance type of the monitoring jobs."""
    volume_size_gb: int = Field(default=20, ge=1, le=16384)
    """Storage volume of each monitoring job."""
    max_runtime_seconds: int = Field(default=3600, ge=1, le=86400)
    """Stop a monitoring job after this long (hourly schedules allow at most 3600)."""
    output: str | None = Field(
        default=None,
        pattern=S3_URI_PATTERN,
        description="S3 prefix for the monitoring reports; default: s3://<artifact bucket>/monitoring-<stage>.",
    )
    data_quality: DataQualityMonitorSpec | None = None
    """Data quality monitor."""
    model_quality: ModelQualityMonitorSpec | None = None
    """Model quality monitor."""
    model_bias: ModelBiasMonitorSpec | None = None
    """Model bias monitor."""
    model_explainability: ModelExplainabilityMonitorSpec | None = None
    """Model explainability monitor."""
