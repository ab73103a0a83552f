"""Old and new summaries → review lines and risks for what the pipeline decides and CI passes it.

That is: quality gates, hyperparameters, the tuning budget, model approval, and the parameters CI
starts the pipeline with.

Kept apart from ``review.py`` (which lays out the sections) because these need the values behind
``${params.NAME}``: a gate's threshold or a registration's approval status is often a parameter,
and what counts is its default, or the value CI passes when it starts the pipeline.
Summaries written before these keys existed lack them; an absent key is unknown, never a change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlopsgen.views.markdown import code_span, show

Summary = Mapping[str, Any]

_PARAM = re.compile(r"^\$\{params\.([A-Za-z0-9_]+)\}$")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}
_UPPER_BOUNDS = ("<", "<=")


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _steps(summary: Summary) -> dict[str, dict[str, Any]]:
    steps = _mapping(_mapping(summary.get("pipeline")).get("steps"))
    return {name: _mapping(step) for name, step in steps.items()}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def resolve(value: Any, summary: Summary) -> Any:
    """The value a ``${params.NAME}`` stands for when CI starts the pipeline; other values unchanged.

    CI's execution parameters override the parameter's default, as the generated build passes them.
    """
    match = _PARAM.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    name = match.group(1)
    passed = _mapping(_mapping(summary.get("ci")).get("execution_parameters"))
    if name in passed:
        return passed[name]
    parameters = _mapping(_mapping(summary.get("pipeline")).get("parameters"))
    return _mapping(parameters.get(name)).get("default")


# --- change lines --------------------------------------------------------------------------------


def _condition_text(condition: Any) -> str:
    item = _mapping(condition)
    if "op" in item:
        return f"{item.get('left')} {item.get('op')} {item.get('right')}"
    return str(item.get("text", condition))


def _keyed_changes(noun: str, before: Any, after: Any) -> list[str]:
    old, new = _mapping(before), _mapping(after)
    lines = [f"{noun} {code_span(k)} added ({show(new[k])})" for k in sorted(set(new) - set(old))]
    lines += [f"{noun} {code_span(k)} removed (was {show(old[k])})" for k in sorted(set(old) - set(new))]
    lines += [
        f"{noun} {code_span(k)} {show(old[k])} → {show(new[k])}"
        for k in sorted(set(old) & set(new))
        if old[k] != new[k]
    ]
    return lines


def behaviour_changes(key: str, before: Any, after: Any) -> list[str] | None:
    """Change lines for a step key this module knows how to show; None for the others.

    Args:
        key: The step summary key (``if``, ``hyperparameters``, ``ranges``, ...).
        before: Its old value (None when absent).
        after: Its new value (None when absent).

    Returns:
        The lines, or None to let the caller show the key generically.
    """
    if key == "if":
        old = [_condition_text(c) for c in before] if isinstance(before, list) else []
        new = [_condition_text(c) for c in after] if isinstance(after, list) else []
        return [
            f"condition {' and '.join(map(code_span, old)) or 'none'} → {' and '.join(map(code_span, new)) or 'none'}"
        ]
    if key == "hyperparameters":
        return _keyed_changes("hyperparameter", before, after)
    if key == "ranges":
        return _keyed_changes("tuning range", before, after)
    return None


def execution_parameter_changes(before: Any, after: Any) -> list[str]:
    """CI section lines for the parameters CI starts the pipeline with."""
    return _keyed_changes("Execution parameter", before, after)


# --- risks ---------------------------------------------------------------------------------------


def _bounds(conditions: Any, summary: Summary) -> dict[tuple[str, str], float]:
    """(metric, direction) → threshold of each comparison of a metric against a number."""
    bounds: dict[tuple[str, str], float] = {}
    for condition in conditions if isinstance(conditions, list) else []:
        item = _mapping(condition)
        op, left, right = item.get("op"), resolve(item.get("left"), summary), resolve(item.get("right"), summary)
        if op not in _FLIP:
            continue
        if _number(left) is not None and _number(right) is None:  # 6.0 >= mse reads as mse <= 6.0
            op, left, right = _FLIP[str(op)], right, left
        threshold = _number(right)
        if threshold is None or op == "==":
            continue
        direction = "upper" if op in _UPPER_BOUNDS else "lower"
        bounds[(str(left), direction)] = threshold
    return bounds


def _gate_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    before, after = _steps(old), _steps(new)
    for name, step in before.items():
        if step.get("type") != "condition" or "if" not in step:
            continue
        if name not in after or after[name].get("type") != "condition":
            found.append(f"quality gate {code_span(name)} removed: steps it guarded now run unconditionally")
            continue
        if "if" not in after[name]:
            continue
        old_bounds, new_bounds = _bounds(step["if"], old), _bounds(after[name]["if"], new)
        for (metric, direction), threshold in sorted(old_bounds.items()):
            if (metric, direction) not in new_bounds:
                found.append(f"quality gate {code_span(name)} no longer checks {code_span(metric)}")
                continue
            loosened = new_bounds[(metric, direction)]
            if (direction == "upper" and loosened > threshold) or (direction == "lower" and loosened < threshold):
                found.append(
                    f"quality gate {code_span(name)} loosened: {code_span(metric)} threshold "
                    f"{_plain(threshold)} → {_plain(loosened)}"
                )
    return found


def _plain(value: float) -> str:
    return f"{round(value, 6):g}"


def _approval_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    before, after = _steps(old), _steps(new)
    for name, step in sorted(after.items()):
        if step.get("type") != "register_model" or "approval_status" not in step:
            continue
        if resolve(step["approval_status"], new) != "Approved":
            continue
        previous = before.get(name)
        if previous is not None and "approval_status" not in previous:
            continue  # an older summary: what it approved with is unknown
        if previous is None or resolve(previous["approval_status"], old) != "Approved":
            found.append(
                f"{code_span(name)} now registers models as {code_span('Approved')}: every model that passes "
                "the pipeline deploys without a person approving it"
            )
    return found


def _budget_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    before, after = _steps(old), _steps(new)
    for name in sorted(set(before) & set(after)):
        if after[name].get("type") != "tuning":
            continue
        raised = [
            f"{key.replace('_', ' ')} {before[name][key]} → {after[name][key]}"
            for key in ("max_jobs", "max_parallel_jobs")
            if isinstance(before[name].get(key), int) and isinstance(after[name].get(key), int)
            if after[name][key] > before[name][key]
        ]
        if raised:
            found.append(f"tuning budget of {code_span(name)} raised ({'; '.join(raised)}): more training jobs billed")
    return found


def behaviour_risks(old: Summary, new: Summary) -> list[str]:
    """Risks in what the pipeline decides: auto-approval, a removed or loosened gate, a larger tuning budget.

    Args:
        old: The previous summary (non-empty).
        new: The current summary.

    Returns:
        Risk sentences, in a stable order.
    """
    return _approval_risks(old, new) + _gate_risks(old, new) + _budget_risks(old, new)
