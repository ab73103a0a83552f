"""Blueprint stage monitoring → Plan Monitoring: schedules, baselines (URIs or package references), images.

Imported by the delivery builder only for stages that monitor, so blueprints without monitoring do not
load it.
"""

from __future__ import annotations

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.checks_monitoring import PACKAGE_BASELINES, monitors
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.stage_monitoring import MonitorBase, MonitoringSpec
from mlopsgen.plan import model_monitoring as mon
from mlopsgen.plan.check_images import check_image_uri
from mlopsgen.plan.images import UnknownImage

SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
"""The blueprint's words for Model Monitor's two basic cron forms."""

PACKAGE_PATHS = {
    "model_data_statistics": "ModelDataQuality.Statistics",
    "model_data_constraints": "ModelDataQuality.Constraints",
    "model_constraints": "ModelQuality.Constraints",
    "bias_post_training_constraints": "Bias.PostTrainingConstraints",
    "bias_config_file": "Bias.ConfigFile",
    "explainability_constraints": "Explainability.Constraints",
    "explainability_config_file": "Explainability.ConfigFile",
}
"""drift_check_baselines entry → where DescribeModelPackage returns it under DriftCheckBaselines."""

ROLES = ("statistics", "constraints", "analysis_config")


def build_monitoring(
    spec: MonitoringSpec, bucket: str, stage: str, region: str, where: PathKey, issues: list[Issue]
) -> mon.Monitoring:
    """The Plan's monitoring of one stage.

    Args:
        spec: The stage's monitoring section.
        bucket: The project's artifact bucket (default report location).
        stage: The stage name.
        region: The project's region (monitoring images are regional).
        where: The blueprint path of the monitoring section (for diagnostics).
        issues: Collects MLG347 when an image is not published in the region.

    Returns:
        The resolved monitoring.
    """
    images: list[tuple[str, str]] = []
    for family in ("model-monitor", "clarify"):
        try:
            images.append((family, check_image_uri(family, region)))
        except UnknownImage as exc:
            issues.append(Issue("MLG347", where, f"monitoring of stage '{stage}': {exc.message}", exc.hint))
    return mon.Monitoring(
        instance_type=spec.instance_type,
        volume_size_gb=spec.volume_size_gb,
        max_runtime_seconds=spec.max_runtime_seconds,
        output=(spec.output or f"s3://{bucket}/monitoring-{stage}").rstrip("/"),
        monitors=tuple(_monitor(kind, monitor, spec.schedule) for kind, monitor in monitors(spec)),
        images=tuple(images),
    )


def _monitor(kind: str, spec: MonitorBase, default_schedule: str) -> mon.Monitor:
    schedule = spec.schedule or default_schedule
    baseline = spec.baseline
    if baseline is not None:
        uris = {role: getattr(baseline, role) or "" for role in ROLES}
    else:
        # statistics / constraints / analysis config, in PACKAGE_BASELINES order per kind.
        uris = dict.fromkeys(ROLES, "")
        for entry in PACKAGE_BASELINES[kind]:
            role = "statistics" if "statistics" in entry else "analysis_config" if "config" in entry else "constraints"
            uris[role] = mon.PACKAGE_BASELINE + PACKAGE_PATHS[entry]
    threshold = getattr(spec, "probability_threshold", None)
    return mon.Monitor(
        kind=kind,
        schedule=SCHEDULES.get(schedule, schedule),
        statistics=uris["statistics"],
        constraints=uris["constraints"],
        analysis_config=uris["analysis_config"],
        ground_truth=getattr(spec, "ground_truth", None) or "",
        problem_type=getattr(spec, "problem_type", None) or "",
        features_attribute=getattr(spec, "features_attribute", None) or "",
        inference_attribute=getattr(spec, "inference_attribute", None) or "",
        probability_attribute=getattr(spec, "probability_attribute", None) or "",
        probability_threshold="" if threshold is None else repr(float(threshold)),
        alarms=tuple(
            mon.MonitorAlarm(
                alarm.metric,
                alarm.threshold,
                "GreaterThanThreshold" if alarm.comparison == "greater" else "LessThanThreshold",
            )
            for alarm in spec.alarms
        ),
    )
