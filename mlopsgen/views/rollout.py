"""A stage's rollout in the review summary, and the risky rollout changes between two summaries.

Kept beside ``review_risks`` so the rollout feature stays one module: ``summary`` records what a
stage's update does (strategy, step, alarms), and the review flags what weakens it: automatic
rollback removed, traffic shifting changed to all at once, rollback alarms removed.
"""

from __future__ import annotations

from typing import Any

import mlopsgen.views.review_read as read
from mlopsgen.plan.model import Rollout
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import show as _show
from mlopsgen.views.review_read import Summary

STEPPED = ("canary", "linear", "rolling")
"""Strategies that expose only part of the traffic (or fleet) to the new model at first."""


def summarize_rollout(rollout: Rollout | None) -> dict[str, Any] | None:
    """A stage's rollout as summary data; None for SageMaker's plain swap (no rollout declared)."""
    if rollout is None:
        return None
    generated = rollout.generated_alarms
    step = None
    if rollout.step_type == "CAPACITY_PERCENT":
        step = f"{rollout.step_size}%"
    elif rollout.step_type == "INSTANCE_COUNT":
        step = f"{rollout.step_size} instance(s)"
    return {
        "strategy": rollout.traffic.lower(),
        "step": step,
        "wait_seconds": rollout.wait_seconds,
        "alarms": list(rollout.alarms),
        "generated_alarms": {
            "errors_5xx": generated.errors_5xx,
            "latency_ms": generated.latency_microseconds // 1000,
            "evaluation_minutes": generated.evaluation_periods,
        }
        if generated
        else None,
    }


def _rolls_back(rollout: dict[str, Any]) -> bool:
    return bool(read.texts(rollout.get("alarms"))) or bool(rollout.get("generated_alarms"))


def rollout_risks(old: Summary, new: Summary) -> list[str]:
    """Risk sentences for each stage (present before and after) whose rollout got weaker.

    Args:
        old: The summary of the previous output.
        new: The summary of the blueprint as it is now.

    Returns:
        One sentence per weakening, in stage order.
    """
    found = []
    after_by_name = {stage["name"]: stage for stage in read.stages(new)}
    for stage in read.stages(old):
        after_stage = after_by_name.get(stage["name"])
        before = read.mapping(stage.get("rollout"))
        if after_stage is None or not before:
            continue
        after = read.mapping(after_stage.get("rollout"))
        name = _code(stage["name"])
        strategy = str(before.get("strategy"))
        if strategy in STEPPED and after.get("strategy") in (None, "all_at_once"):
            found.append(
                f"stage {name} now shifts all traffic to a new model at once (was {_code(strategy)}): "
                "a bad model reaches every request before an alarm can fire"
            )
        if _rolls_back(before) and not _rolls_back(after):
            found.append(f"automatic rollback removed from stage {name}: no alarm rolls a bad update back any more")
            continue
        lost = read.new_items(read.texts(after.get("alarms")), read.texts(before.get("alarms")))
        if lost:
            found.append(f"rollback alarms removed from stage {name}: {_show(lost)}")
        if before.get("generated_alarms") and not after.get("generated_alarms"):
            found.append(f"the generated 5xx-error and latency rollback alarms of stage {name} were turned off")
    return found
