"""BlueprintSpec → diagnostics: a stage's rollout is one SageMaker accepts and honours (MLG341-MLG346).

Each rule is AWS's, reported at the blueprint line that breaks it, because CloudFormation would only
fail (or SageMaker silently fall back to an all-at-once swap) when the stage deploys:
- TrafficRoutingConfig: CANARY needs CanarySize (at most 50% of the variant's instances), LINEAR
  needs LinearStepSize (10-50%), ALL_AT_ONCE takes neither; a size in instances is checked against
  each production variant's own count (a stage naming its variants has no instance_count of its own);
  ref: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html
- RollingUpdatePolicy: MaximumBatchSize 5-50% of the variant's instances; it has no termination wait;
  ref: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RollingUpdatePolicy.html
- AutoRollbackConfig: 1-10 alarms (botocore AlarmList);
- guardrails do not apply to Inf1 instances (SageMaker falls back to all at once with no baking).
  ref: https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html

- rolling updates exclude serverless and multi-variant endpoints (MLG348);

and ours: the Jenkins deploy step must wait as long as the rollout may take (MLG346); the generated
alarms watch the one variant ``AllTraffic``, so a stage with named variants lists its own (MLG349).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.delivery import StageSpec
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_rollout import RolloutSpec

GENERATED_ALARMS = 2
"""Alarms ``generated_alarms`` creates per variant: 5xx errors and model latency."""

STEP_BOUNDS = {"canary": (0, 50), "linear": (10, 50), "rolling": (5, 50)}
"""Strategy → (lowest, highest) step as a percentage of the variant's instances (0: no lower bound)."""

STEP_FIELD = {"canary": "CanarySize", "linear": "LinearStepSize", "rolling": "MaximumBatchSize"}


def _step_issues(where: PathKey, stage: StageSpec, rollout: RolloutSpec) -> list[Issue]:
    strategy = rollout.strategy
    given = [key for key in ("step_percent", "step_instances") if getattr(rollout, key) is not None]
    if strategy == "all_at_once":
        return [
            Issue(
                "MLG341",
                (*where, key),
                "an all_at_once rollout shifts all traffic in one step and takes no step size",
                "remove it, or use strategy canary or linear.",
            )
            for key in given
        ]
    if len(given) != 1:
        message = (
            f"a {strategy} rollout needs its {STEP_FIELD[strategy]}: exactly one of step_percent and step_instances"
        )
        return [
            Issue("MLG341", (*where, given[-1]) if given else (*where, "strategy"), message, "e.g. step_percent: 10.")
        ]
    low, high = STEP_BOUNDS[strategy]
    bounds = f"at most {high}%" if low == 0 else f"{low}-{high}%"
    if rollout.step_percent is not None:
        if low <= rollout.step_percent <= high:
            return []
        shown = f"{rollout.step_percent}%"
        return [_step_issue(where, stage, strategy, ("step_percent", shown, bounds), "more instances (instance_count)")]
    assert rollout.step_instances is not None
    issues: list[Issue] = []
    for name, count in _variant_counts(stage):
        share = rollout.step_instances * 100 / count
        if not low <= share <= high:
            # Each variant's fleet shifts in steps of the same size, so every variant must take it.
            of = f" of variant '{name}'" if name else ""
            shown = f"{rollout.step_instances} of {count} instance{'s' if count > 1 else ''}{of} ({share:g}%)"
            more = f"another instance_count on variant '{name}'" if name else "more instances (instance_count)"
            issues.append(_step_issue(where, stage, strategy, ("step_instances", shown, bounds), more))
    return issues


def _step_issue(where: PathKey, stage: StageSpec, strategy: str, step: tuple[str, str, str], instead: str) -> Issue:
    """MLG342 at ``step`` = (the rollout key, the step as shown, AWS's bounds)."""
    key, shown, bounds = step
    return Issue(
        "MLG342",
        (*where, key),
        f"the {strategy} step of stage '{stage.name}' is {shown}; SageMaker takes {bounds} of the variant's "
        f"instances ({STEP_FIELD[strategy]})",
        f"use step_percent within the bounds, or {instead}.",
        at_value=True,
    )


def _variant_counts(stage: StageSpec) -> list[tuple[str, int]]:
    """The instance count of each production variant the rollout shifts: the named ones, or the stage's own ("").

    A stage naming its variants has no instance_count of its own (MLG317): its default 1 is no variant's.
    """
    from mlopsgen.blueprint.stage_serving import RealtimeServingSpec  # loaded with a rollout

    serving = stage.serving
    if isinstance(serving, RealtimeServingSpec) and serving.variants:
        return [(variant.name, variant.instance_count) for variant in serving.variants]
    return [("", stage.instance_count)]


def _serving_issues(where: PathKey, stage: StageSpec, rollout: RolloutSpec) -> list[Issue]:
    """What the stage's serving block rules out: rolling updates (AWS), generated alarms on named variants (ours)."""
    from mlopsgen.blueprint.stage_serving import RealtimeServingSpec, ServerlessServingSpec  # loaded with a rollout

    serving = stage.serving
    realtime = serving if isinstance(serving, RealtimeServingSpec) else None
    multi = realtime is not None and len(realtime.variants) + len(realtime.shadow_variants) > 1
    named = realtime is not None and any(v.name != "AllTraffic" for v in realtime.variants)
    issues: list[Issue] = []
    if rollout.strategy == "rolling" and (isinstance(serving, ServerlessServingSpec) or multi):
        kind = "a serverless endpoint" if isinstance(serving, ServerlessServingSpec) else "a multi-variant endpoint"
        issues.append(
            Issue(
                "MLG348",
                (*where, "strategy"),
                f"stage '{stage.name}' is {kind}, which SageMaker cannot update by rolling batches",
                "use a blue/green strategy (all_at_once, canary or linear).",
                at_value=True,
            )
        )
    if named and rollout.generated_alarms is not None:
        issues.append(
            Issue(
                "MLG349",
                (*where, "generated_alarms") if "generated_alarms" in rollout.model_fields_set else where,
                f"stage '{stage.name}' names its variants, and the generated rollback alarms watch the "
                "variant AllTraffic, which it does not have: they would never fire",
                "list the alarms that watch your variants in rollout.alarms, and set generated_alarms: false.",
            )
        )
    return issues


def _stage_issues(where: PathKey, stage: StageSpec, rollout: RolloutSpec) -> list[Issue]:
    from mlopsgen.blueprint.stage_rollout import MAX_ROLLBACK_ALARMS  # loaded with a rollout

    issues = _step_issues(where, stage, rollout) + _serving_issues(where, stage, rollout)
    if rollout.strategy == "rolling" and rollout.termination_wait_seconds:
        issues.append(
            Issue(
                "MLG343",
                (*where, "termination_wait_seconds"),
                "a rolling update replaces instances in place: there is no old fleet to keep "
                "(TerminationWaitInSeconds is blue/green only)",
                "remove termination_wait_seconds, or use a blue/green strategy.",
            )
        )
    count = len(rollout.alarms) + (GENERATED_ALARMS if rollout.generated_alarms is not None else 0)
    if count > MAX_ROLLBACK_ALARMS:
        issues.append(
            Issue(
                "MLG344",
                (*where, "alarms"),
                f"stage '{stage.name}' rolls back on {count} alarms (with the {GENERATED_ALARMS} generated ones); "
                f"SageMaker watches at most {MAX_ROLLBACK_ALARMS}",
                "list fewer alarms, or set generated_alarms: false.",
            )
        )
    seen: set[str] = set()
    for j, name in enumerate(rollout.alarms):
        if name in seen:
            issues.append(Issue("MLG344", (*where, "alarms", j), f"alarm '{name}' is listed twice", at_value=True))
        seen.add(name)
    if rollout.strategy != "all_at_once" and stage.instance_type.startswith("ml.inf1."):
        issues.append(
            Issue(
                "MLG345",
                (*where, "strategy"),
                f"stage '{stage.name}' runs on {stage.instance_type}: SageMaker's deployment guardrails do not "
                f"support Inf1 instances and would swap all at once without baking, not {rollout.strategy}",
                "use strategy all_at_once, or another instance type.",
                at_value=True,
            )
        )
    return issues


def baking_seconds(rollout: RolloutSpec) -> int:
    """The least time a rollout takes once the new fleet is up: each traffic step bakes, then the old fleet waits.

    Canary shifts in two steps, linear and rolling in ``ceil(100 / step)``, all at once in one; each
    step bakes ``wait_seconds``. The step count of an instance-sized step is that of its share.
    """
    if rollout.strategy == "all_at_once":
        steps = 1
    elif rollout.strategy == "canary":
        steps = 2
    else:
        step = rollout.step_percent or 100
        steps = -(-100 // step)
    return steps * rollout.wait_seconds + rollout.termination_wait_seconds


def _timeout_issues(spec: BlueprintSpec, where: PathKey, stage: StageSpec, rollout: RolloutSpec) -> list[Issue]:
    """Jenkins stops waiting for a stack after ``deploy_timeout_minutes``, failing a deployment that is still fine."""
    ci = spec.ci
    if ci is None or ci.jenkins is None or "jenkins" not in ci.backends:
        return []
    limit = ci.jenkins.deploy_timeout_minutes * 60
    bound, key, what = rollout.max_execution_timeout_seconds, "max_execution_timeout_seconds", "may run"
    if bound is None:
        bound, key, what = baking_seconds(rollout), "wait_seconds", "bakes for at least"
    if bound <= limit:
        return []
    return [
        Issue(
            "MLG346",
            (*where, key),
            f"the {rollout.strategy} rollout of stage '{stage.name}' {what} {bound} s, longer than the Jenkins "
            f"deploy step waits ({ci.jenkins.deploy_timeout_minutes} min)",
            f"raise ci.jenkins.deploy_timeout_minutes above {-(-bound // 60)}, or shorten the rollout.",
            at_value=True,
        )
    ]


def check_rollouts(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Each stage's rollout has the step size its strategy needs, within AWS's bounds, and few enough alarms."""
    if spec.deploy is None:
        return []
    issues: list[Issue] = []
    for i, stage in enumerate(spec.deploy.stages):
        if stage.rollout is not None:
            where: PathKey = ("deploy", "stages", i, "rollout")
            issues += _stage_issues(where, stage, stage.rollout) + _timeout_issues(spec, where, stage, stage.rollout)
    return issues


ROLLOUT_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (check_rollouts,)
