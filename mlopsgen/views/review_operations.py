"""Schedules, new-data trigger and notifications in review summaries: the summary part, section and risks.

Kept apart from ``summary.py``, ``review.py`` and ``review_risks.py`` so the feature reads in one
file. A summary holds ``operations`` only when the blueprint has any (earlier summaries stay as they
were); a reader takes an absent key as "no operations". Every reader tolerates unexpected types:
the old summary may come from another mlopsgen version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mlopsgen.views.review_read as read
from mlopsgen.plan.model import Operations
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.review_read import Summary


def summarize_operations(operations: Operations) -> dict[str, Any]:
    """The ``operations`` part of a summary (JSON-native, sorted where order carries no meaning).

    Args:
        operations: The Plan's operations.

    Returns:
        ``schedules`` (name → "expression in timezone" with ``parameters`` and ``enabled``),
        ``on_new_data`` (s3 URI and parameters, or None) and ``notifications`` (or None).
    """
    schedules = {
        s.name: {
            "when": f"{s.expression} in {s.timezone}",
            "parameters": dict(sorted(s.parameters)),
            "enabled": s.enabled,
        }
        for s in sorted(operations.schedules, key=lambda s: s.name)
    }
    data = operations.new_data
    notes = operations.notifications
    return {
        "schedules": schedules,
        "on_new_data": None
        if data is None
        else {"prefix": f"s3://{data.bucket}/{data.prefix}", "parameters": dict(sorted(data.parameters))},
        "notifications": None
        if notes is None
        else {
            "pipeline_statuses": list(notes.pipeline_statuses),
            "deploy_failed": bool(notes.deploy_rule or notes.notify_command),
            "encrypted": notes.encrypted,
            "subscriptions": sorted([*notes.email, *notes.https]),
        },
    }


def _operations(summary: Summary) -> dict[str, Any]:
    return read.mapping(summary.get("operations"))


def _schedule_text(value: Any) -> str:
    schedule = read.mapping(value)
    text = _code(schedule.get("when", "?"))
    parameters = read.mapping(schedule.get("parameters"))
    if parameters:
        text += " with " + ", ".join(f"{_code(k)}={_code(v)}" for k, v in sorted(parameters.items()))
    if schedule.get("enabled") is False:
        text += " (disabled)"
    return text


def operations_risks(old: Summary, new: Summary) -> list[str]:
    """Risk lines: schedules or the new-data trigger added, changed or removed; notifications weakened.

    Args:
        old: The previous summary (non-empty).
        new: The summary now.

    Returns:
        One sentence per risk.
    """
    found: list[str] = []
    before, after = _operations(old), _operations(new)
    old_schedules, new_schedules = read.mapping(before.get("schedules")), read.mapping(after.get("schedules"))
    for name in sorted(set(old_schedules) | set(new_schedules)):
        if name not in old_schedules:
            found.append(
                f"schedule {_code(name)} added: the pipeline now also runs {_schedule_text(new_schedules[name])}"
            )
        elif name not in new_schedules:
            found.append(
                f"schedule {_code(name)} removed: the pipeline no longer runs {_schedule_text(old_schedules[name])}"
            )
        elif old_schedules[name] != new_schedules[name]:
            found.append(
                f"schedule {_code(name)} changed from {_schedule_text(old_schedules[name])} "
                f"to {_schedule_text(new_schedules[name])}"
            )
    old_data, new_data = before.get("on_new_data"), after.get("on_new_data")
    if old_data != new_data:
        if not isinstance(new_data, Mapping):
            found.append(
                "the pipeline no longer starts on new data under " + _code(read.mapping(old_data).get("prefix"))
            )
        else:
            found.append(f"the pipeline now starts on every object created under {_code(new_data.get('prefix'))}")
    old_notes, new_notes = before.get("notifications"), after.get("notifications")
    if isinstance(old_notes, Mapping):
        if not isinstance(new_notes, Mapping):
            found.append("notifications removed: failed pipeline executions and deployments no longer notify anyone")
        else:
            if "Failed" in read.texts(old_notes.get("pipeline_statuses")) and "Failed" not in read.texts(
                new_notes.get("pipeline_statuses")
            ):
                found.append("failed pipeline executions no longer notify anyone")
            if old_notes.get("deploy_failed") and not new_notes.get("deploy_failed"):
                found.append("failed deployments no longer notify anyone")
            if old_notes.get("encrypted") and not new_notes.get("encrypted"):
                found.append("the notification topic is no longer encrypted")
    return found


def operations_section(old: Summary, new: Summary) -> list[str]:
    """The review section's lines: subscriptions added or removed (the risks cover the rest).

    Args:
        old: The previous summary (non-empty).
        new: The summary now.

    Returns:
        Lines of the "Schedules and notifications" section.
    """
    before = read.mapping(_operations(old).get("notifications"))
    after = read.mapping(_operations(new).get("notifications"))
    change = read.added_removed(read.texts(before.get("subscriptions")), read.texts(after.get("subscriptions")))
    return [f"Notification subscriptions: {change}"] if change else []
