"""Reading review summaries defensively, and the small Markdown phrases the pull-request review is built from.

The old summary comes from a manifest, possibly written by another mlopsgen version, so every reader
here tolerates missing keys and unexpected types instead of failing. Split out of ``review.py``; the
risk finder (``review_risks``) and the review sections (``review``) share these helpers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import plain_text as _text
from mlopsgen.views.markdown import show as _show

Summary = Mapping[str, Any]
"""A summary as ``views.summary`` writes it (and an older mlopsgen may have written it)."""


# --- reading summaries defensively ---------------------------------------------------------------


def mapping(value: Any) -> dict[str, Any]:
    """A mapping with text keys; anything else reads as empty."""
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    """A list or tuple as a list; anything else reads as empty."""
    return list(value) if isinstance(value, list | tuple) else []


def pipeline(summary: Summary) -> dict[str, Any]:
    """The summary's pipeline section."""
    return mapping(summary.get("pipeline"))


def steps(summary: Summary) -> dict[str, dict[str, Any]]:
    """Steps by name."""
    return {name: mapping(step) for name, step in mapping(pipeline(summary).get("steps")).items()}


def parameters(summary: Summary) -> dict[str, dict[str, Any]]:
    """Pipeline parameters by name."""
    return {name: mapping(spec) for name, spec in mapping(pipeline(summary).get("parameters")).items()}


def stages(summary: Summary) -> list[dict[str, Any]]:
    """Deploy stages in deploy order; a stage without a text name is skipped."""
    stages = [mapping(stage) for stage in items(mapping(summary.get("deploy")).get("stages"))]
    return [stage for stage in stages if isinstance(stage.get("name"), str)]


def security(summary: Summary) -> dict[str, Any]:
    """The summary's security section."""
    return mapping(summary.get("security"))


def texts(value: Any) -> list[str]:
    """A list of values as sorted text (names, IDs), so the output is deterministic."""
    return sorted(str(item) for item in items(value))


Targets = tuple[list[str], list[str]]
"""Where a stage deploys through a stack set: its (accounts, organizational units)."""


def targets(stage: Mapping[str, Any]) -> Targets | None:
    """A stage's target accounts and OUs; None for the project account.

    Summaries written before stages could deploy into other accounts have no ``targets`` key, and
    their stages all deployed into the project account, so a missing key reads as None.
    """
    targets = mapping(stage.get("targets"))
    accounts, units = texts(targets.get("accounts")), texts(targets.get("organizational_units"))
    return (accounts, units) if accounts or units else None


def multi_account(summary: Summary) -> bool:
    """Whether any stage deploys outside the project account."""
    return any(targets(stage) is not None for stage in stages(summary))


# --- formatting ----------------------------------------------------------------------------------


def literal(value: Any) -> str:
    """A parameter value in blueprint (YAML/JSON) spelling."""
    if value is None:
        return "no default"
    return _code(value if isinstance(value, str) else json.dumps(value))


def autoscaling(value: Any) -> str:
    """A stage's autoscaling as a phrase (``off`` when absent)."""
    scaling = mapping(value)
    if not scaling:
        return "off"
    low, high = scaling.get("min_instances"), scaling.get("max_instances")
    target = scaling.get("target_invocations_per_instance")
    return f"{_text(low)}–{_text(high)} instances (target {_text(target)} invocations/instance)"


def capture(value: Any) -> str:
    """A stage's data capture percentage as a phrase (``off`` when absent)."""
    return "off" if value is None else f"{_text(value)}%"


def change(label: str, old: Any, new: Any, show: Callable[[Any], str] = _show) -> str:
    """``label old → new``."""
    return f"{label} {show(old)} → {show(new)}"


def label(key: str) -> str:
    """A summary key as words (``instance_type`` → ``instance type``)."""
    return _text(key.replace("_", " "))


def place(step: Mapping[str, Any]) -> str:
    """Where a step sits: the top level or a condition's branch."""
    condition = step.get("condition")
    if condition is None:
        return "the top level"
    return f"the {_code(step.get('branch'))} branch of {_code(condition)}"


def instances(stage: Mapping[str, Any]) -> str:
    """``instance type × count`` of a stage."""
    return f"{_show(stage.get('instance_type'))} × {_text(stage.get('instance_count'))}"


def new_items(old: list[str], new: list[str]) -> list[str]:
    """Items of ``new`` that ``old`` lacks, in ``new``'s order."""
    return [item for item in new if item not in old]


def named(noun: str, items: list[str]) -> str:
    """``account `1``` or ``accounts `1`, `2```."""
    return f"{noun}{'' if len(items) == 1 else 's'} {_show(items)}"


def where(targets: Targets | None) -> str:
    """Where a stage deploys, as a phrase."""
    if targets is None:
        return "project account"
    accounts, units = targets
    parts = [named("account", accounts)] if accounts else []
    if units:
        parts.append(named("organizational unit", units))
    return " and ".join(parts)


def gained(before: Targets, after: Targets) -> list[str]:
    """What ``after`` adds to ``before``: ``accounts `1`, `2```, ``organizational unit `ou-a```, ..."""
    nouns = ("account", "organizational unit")
    return [
        named(noun, items)
        for old, new, noun in zip(before, after, nouns, strict=True)
        if (items := new_items(old, new))
    ]


def target_changes(before: Targets, after: Targets) -> str:
    """Accounts and OUs added and removed, as one phrase."""
    added = [f"added {text}" for text in gained(before, after)]
    return "; ".join(added + [f"removed {text}" for text in gained(after, before)])


def added_removed(old: list[str], new: list[str]) -> str:
    """Items added and removed, as one phrase (empty when equal)."""
    parts = []
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    if added:
        parts.append("added " + _show(added))
    if removed:
        parts.append("removed " + _show(removed))
    return "; ".join(parts)
