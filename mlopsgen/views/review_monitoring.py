"""Monitoring risks between two review summaries: a stage's monitors switched off, or some of them removed.

Kept beside ``review_risks`` so the deploy stage's risk policy grows by one call; a monitor that stops
running raises no error anywhere, so the review is where a reviewer can notice it.
"""

from __future__ import annotations

import mlopsgen.views.review_read as read
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import plain_text as _text
from mlopsgen.views.review_read import Summary

MONITOR_LABELS = {
    "data_quality": "data quality",
    "model_quality": "model quality",
    "model_bias": "bias",
    "model_explainability": "explainability",
}
"""How reviews and the deploy graph name each monitor kind."""


def _monitors(stage: dict[str, object]) -> list[str]:
    value = stage.get("monitoring")
    return [kind for kind in value if isinstance(kind, str)] if isinstance(value, dict) else []


def show_monitors(value: object) -> str:
    """A stage's monitors as a phrase: ``data quality (cron(0 0 ? * * *)), bias (...)``, or ``none``."""
    if not isinstance(value, dict) or not value:
        return "none"
    return ", ".join(f"{_text(MONITOR_LABELS.get(str(k), str(k)))} ({_code(str(v))})" for k, v in value.items())


def monitoring_risks(old: Summary, new: Summary) -> list[str]:
    """One sentence per stage whose monitoring was switched off, or lost some of its monitors.

    A removed stage is reported by the stage risks, not here.

    Args:
        old: The previous summary.
        new: The current summary.

    Returns:
        Risk sentences, in deploy order.
    """
    new_by_name = {stage["name"]: stage for stage in read.stages(new)}
    found = []
    for before in read.stages(old):
        after = new_by_name.get(before["name"])
        was = _monitors(before)
        if after is None or not was:
            continue
        now = _monitors(after)
        name = _code(before["name"])
        if not now:
            found.append(f"monitoring switched off on stage {name} (no model monitor runs there any more)")
            continue
        lost = [MONITOR_LABELS.get(kind, kind) for kind in was if kind not in now]
        if lost:
            found.append(f"{' and '.join(lost)} monitoring removed from stage {name}")
    return found
