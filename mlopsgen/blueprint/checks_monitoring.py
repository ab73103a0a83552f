"""BlueprintSpec → diagnostics: a stage's model monitors can run (capture, baselines, schedule, controls).

Model Monitor reads what the endpoint captured, compares it with baselines, and runs as a processing job;
each rule here is one way that would fail on AWS (or silently monitor nothing), reported at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import RegisterModelStepSpec

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_monitoring import MonitorBase, MonitoringSpec

MONITOR_KINDS = ("data_quality", "model_quality", "model_bias", "model_explainability")
"""The monitors of a stage, in the order they are emitted."""

PACKAGE_BASELINES: dict[str, tuple[str, ...]] = {
    "data_quality": ("model_data_statistics", "model_data_constraints"),
    "model_quality": ("model_constraints",),
    "model_bias": ("bias_post_training_constraints", "bias_config_file"),
    "model_explainability": ("explainability_constraints", "explainability_config_file"),
}
"""drift_check_baselines entries of the register step each monitor reads from the approved package
(DriftCheckBaselines ModelDataQuality, ModelQuality, Bias and Explainability)."""

EXPLICIT_PARTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # (allowed, required): the job definitions' baseline and app-spec members (CloudFormation schemas).
    "data_quality": (frozenset({"statistics", "constraints"}), frozenset()),
    "model_quality": (frozenset({"constraints"}), frozenset()),
    "model_bias": (frozenset({"constraints", "analysis_config"}), frozenset({"analysis_config"})),
    "model_explainability": (frozenset({"constraints", "analysis_config"}), frozenset({"analysis_config"})),
}

HOURLY_MAX_RUNTIME = 3600
"""Model Monitor: a job of an hourly schedule may run at most an hour (MaxRuntimeInSeconds)."""


def monitors(monitoring: MonitoringSpec) -> Iterator[tuple[str, MonitorBase]]:
    """(kind, spec) of each monitor the stage sets, in MONITOR_KINDS order."""
    for kind in MONITOR_KINDS:
        monitor = getattr(monitoring, kind)
        if monitor is not None:
            yield kind, monitor


def _stages(spec: BlueprintSpec) -> Iterator[tuple[PathKey, str, bool, MonitoringSpec]]:
    if spec.deploy is None:
        return
    for i, stage in enumerate(spec.deploy.stages):
        if stage.monitoring is not None:
            capture = stage.data_capture is not None and stage.data_capture.sampling_percentage > 0
            yield ("deploy", "stages", i, "monitoring"), stage.name, capture, stage.monitoring


def check_monitoring(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Each stage with monitors captures data, has monitors, baselines they can read and a schedule they fit.

    Returns:
        MLG384 (no data capture), MLG385 (package baselines the register step does not record), MLG386
        (explicit baseline parts the monitor does not take or lacks), MLG387 (hourly schedule with a longer
        runtime), MLG389 (monitoring without monitors).
    """
    registers = [step for step in spec.pipeline.steps if isinstance(step, RegisterModelStepSpec)]
    issues: list[Issue] = []
    for path, stage, capture, monitoring in _stages(spec):
        listed = list(monitors(monitoring))
        if not listed:
            issues.append(
                Issue(
                    "MLG389",
                    path,
                    f"monitoring of stage '{stage}' sets no monitor",
                    "add data_quality, model_quality, model_bias or model_explainability, or remove monitoring.",
                )
            )
        elif not capture:
            issues.append(
                Issue(
                    "MLG384",
                    path,
                    f"stage '{stage}' monitors its endpoint but does not capture its traffic, so the monitors "
                    "would have nothing to analyse",
                    "set data_capture (sampling_percentage above 0) on this stage.",
                )
            )
        for kind, monitor in listed:
            where = (*path, kind)
            schedule = monitor.schedule or monitoring.schedule
            if _hourly(schedule) and monitoring.max_runtime_seconds > HOURLY_MAX_RUNTIME:
                issues.append(
                    Issue(
                        "MLG387",
                        (*path, "max_runtime_seconds"),
                        f"the {kind} monitor of stage '{stage}' runs hourly"
                        f"{'' if schedule == 'hourly' else f' ({schedule})'} but may run "
                        f"{monitoring.max_runtime_seconds} s; Model Monitor allows at most {HOURLY_MAX_RUNTIME} s "
                        "for hourly schedules",
                        f"set max_runtime_seconds to {HOURLY_MAX_RUNTIME} or less, or schedule the monitor daily.",
                        at_value=True,
                    )
                )
            issues += _baseline_issues(where, stage, kind, monitor, registers)
    return issues


def _hourly(schedule: str) -> bool:
    # cron(0 H/1 ? * * *) also runs every hour.
    return schedule in ("hourly", "cron(0 * ? * * *)") or "/1 " in schedule


def _baseline_issues(
    where: PathKey, stage: str, kind: str, monitor: MonitorBase, registers: list[RegisterModelStepSpec]
) -> list[Issue]:
    baseline = monitor.baseline
    if baseline is not None:
        allowed, required = EXPLICIT_PARTS[kind]
        given = {name for name in ("statistics", "constraints", "analysis_config") if getattr(baseline, name)}
        issues = [
            Issue(
                "MLG386",
                (*where, "baseline", name),
                f"the {kind} monitor of stage '{stage}' takes no {name} baseline",
                f"it takes {', '.join(sorted(allowed))}.",
            )
            for name in sorted(given - allowed)
        ]
        issues += [
            Issue(
                "MLG386",
                (*where, "baseline"),
                f"the {kind} monitor of stage '{stage}' needs baseline.{name} (the Clarify analysis "
                "configuration its job runs)",
                "give the S3 URI of the analysis_config.json the clarify_check step wrote.",
            )
            for name in sorted(required - given)
        ]
        return issues
    needed = PACKAGE_BASELINES[kind]
    if not registers:
        return [
            Issue(
                "MLG385",
                where,
                f"the {kind} monitor of stage '{stage}' reads its baseline from the approved model package, but "
                "the pipeline has no register_model step",
                "give the baseline as S3 URIs (baseline: {constraints: s3://...}).",
            )
        ]
    issues = []
    for step in registers:
        recorded = step.drift_check_baselines
        missing = [name for name in needed if recorded is None or getattr(recorded, name) is None]
        if missing:
            issues.append(
                Issue(
                    "MLG385",
                    where,
                    f"the {kind} monitor of stage '{stage}' reads its baseline from the approved model package, "
                    f"but register_model step '{step.name}' does not record drift_check_baselines "
                    f"{', '.join(missing)}",
                    f"add {', '.join(missing)} to drift_check_baselines of '{step.name}' (from a check step), or "
                    "give the baseline as S3 URIs.",
                )
            )
    return issues


def check_monitoring_security(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """With ``security.required``, monitoring jobs encrypt inter-container traffic like every other job.

    VPC and KMS keys are already required of the stage's endpoint (MLG320), and the monitors take them.
    """
    if not spec.security.required or spec.security.encrypt_inter_container_traffic:
        return []
    return [
        Issue(
            "MLG388",
            path,
            f"monitoring jobs of stage '{stage}' would run without inter-container traffic encryption",
            "set security.encrypt_inter_container_traffic: true (security.required is set).",
        )
        for path, stage, _, _ in _stages(spec)
    ]


MONITORING_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_monitoring,
    check_monitoring_security,
)
