"""Plan IR of model monitoring: a stage's monitors, fully resolved (schedules, baselines, images).

Kept apart from ``plan/model.py`` so the deploy stage grows by one field; targets read these to emit
the job definitions, schedules and alarms of the stage's endpoint stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mlopsgen.frozen import frozen

PACKAGE_BASELINE = "model-package:"
"""Prefix of a stage parameter value the deploy step replaces with a URI from the approved model package:
``model-package:<DriftCheckBaselines group>.<member>`` (e.g. ``model-package:ModelDataQuality.Statistics``).
runtime/deploy_config.py resolves it; a test pins both spellings together."""

KINDS = {
    # kind: (CloudFormation name part, MonitoringType, image, namespace of the metrics it publishes)
    "data_quality": ("DataQuality", "DataQuality", "model-monitor", "aws/sagemaker/Endpoints/data-metrics"),
    "model_quality": ("ModelQuality", "ModelQuality", "model-monitor", "aws/sagemaker/Endpoints/model-metrics"),
    "model_bias": ("ModelBias", "ModelBias", "clarify", "aws/sagemaker/Endpoints/bias-metrics"),
    "model_explainability": (
        "ModelExplainability",
        "ModelExplainability",
        "clarify",
        "aws/sagemaker/Endpoints/explainability-metrics",
    ),
}
"""Per monitor kind: resource name part, MonitoringType, image family and CloudWatch namespace.
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-cloudwatch.html"""


class HasMonitoring(Protocol):
    """A Plan stage, as far as monitoring goes (plan/model.py imports this module's types)."""

    @property
    def monitoring(self) -> Monitoring | None:
        """The stage's monitoring."""


@frozen
class MonitorAlarm:
    """A CloudWatch alarm on a metric a monitor publishes."""

    metric: str
    threshold: float
    comparison: str
    """CloudWatch ComparisonOperator: GreaterThanThreshold or LessThanThreshold."""


@frozen
class Monitor:
    """One monitor of a stage; empty text means "not set"."""

    kind: str
    """data_quality, model_quality, model_bias or model_explainability (a KINDS key)."""
    schedule: str
    """A cron expression Model Monitor accepts."""
    statistics: str
    """S3 URI, a PACKAGE_BASELINE reference, or empty."""
    constraints: str
    analysis_config: str
    ground_truth: str
    problem_type: str
    features_attribute: str
    inference_attribute: str
    probability_attribute: str
    probability_threshold: str
    """Decimal text, or empty."""
    alarms: tuple[MonitorAlarm, ...]


@frozen
class Monitoring:
    """The monitoring jobs of one stage."""

    instance_type: str
    volume_size_gb: int
    max_runtime_seconds: int
    output: str
    """S3 prefix of the monitoring reports (one folder per monitor under it)."""
    monitors: tuple[Monitor, ...]
    images: tuple[tuple[str, str], ...]
    """(image family, URI) for model-monitor and clarify in the project's region."""


def monitor_kinds(stages: Iterable[HasMonitoring]) -> list[str]:
    """The monitor kinds any of the stages uses, in KINDS order."""
    used = {m.kind for stage in stages if stage.monitoring for m in stage.monitoring.monitors}
    return [kind for kind in KINDS if kind in used]


def monitor_alarms(stage: HasMonitoring) -> bool:
    """True when a monitor of the stage declares an alarm."""
    return stage.monitoring is not None and any(m.alarms for m in stage.monitoring.monitors)
