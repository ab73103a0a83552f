"""A stage's blueprint ``rollout`` → the Plan's ``Rollout`` (the endpoint's DeploymentConfig, resolved).

Imported by ``build_delivery`` only for stages that declare a rollout, so other blueprints do not
pay for it.
"""

from __future__ import annotations

from mlopsgen.blueprint.stage_rollout import RolloutSpec
from mlopsgen.plan.model_rollout import GeneratedAlarms, Rollout


def plan_rollout(spec: RolloutSpec) -> Rollout:
    """The resolved rollout of one stage.

    Args:
        spec: The stage's ``rollout`` section (checked by ``blueprint.checks_rollout``).

    Returns:
        The rollout with AWS's enum spellings and every default filled in.
    """
    alarms = spec.generated_alarms
    if spec.strategy == "all_at_once":
        step_type, step_size = "", 0
    elif spec.step_instances is not None:
        step_type, step_size = "INSTANCE_COUNT", spec.step_instances
    else:
        # MLG341 leaves exactly one of the two set for the stepped strategies.
        step_type, step_size = "CAPACITY_PERCENT", spec.step_percent or 0
    return Rollout(
        traffic=spec.strategy.upper(),
        step_type=step_type,
        step_size=step_size,
        wait_seconds=spec.wait_seconds,
        termination_wait_seconds=0 if spec.strategy == "rolling" else spec.termination_wait_seconds,
        max_execution_timeout_seconds=spec.max_execution_timeout_seconds or 0,
        alarms=tuple(spec.alarms),
        generated_alarms=GeneratedAlarms(alarms.errors_5xx, alarms.latency_ms * 1000, alarms.evaluation_minutes)
        if alarms is not None
        else None,
    )
