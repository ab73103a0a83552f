"""Old and new summaries (``views.summary``) + changed files → a pull-request review in GitHub Markdown.

The old summary comes from a manifest, possibly written by another mlopsgen version, so every
reader here tolerates missing keys and unexpected types instead of failing. Output is
deterministic: names are sorted, and deploy stages keep their deploy order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from mlopsgen.views.behaviour import behaviour_changes, behaviour_risks, execution_parameter_changes
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import plain_text as _text
from mlopsgen.views.markdown import show as _show

RISK = "⚠️ **Risk:**"
"""Prefix of each risk line in the review."""

FILE_KINDS = ("added", "changed", "removed")
"""The kinds a changed generated file may have, in the order the review counts them."""

_STEP_FIELDS = ("type", "image", "instance_type", "instance_count", "volume_size_gb", "network_isolation")
_STAGE_FIELDS = (
    "instance_type",
    "instance_count",
    "autoscaling",
    "data_capture",
    "test",
    "stack_name",
    "endpoint_name",
)
_SECURITY_FIELDS = (
    ("volume_kms_key", "Volume KMS key"),
    ("output_kms_key", "Output KMS key"),
    ("encrypt_inter_container_traffic", "Inter-container traffic encryption"),
    ("network_isolation", "Network isolation"),
)
_SECURITY_RISKS = (
    ("volume_kms_key", "volume KMS key removed: storage volumes lose customer-managed encryption"),
    ("output_kms_key", "output KMS key removed: job outputs lose customer-managed encryption"),
    ("encrypt_inter_container_traffic", "inter-container traffic encryption turned off"),
    ("network_isolation", "network isolation turned off"),
)

Summary = Mapping[str, Any]


# --- reading summaries defensively ---------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _pipeline(summary: Summary) -> dict[str, Any]:
    return _mapping(summary.get("pipeline"))


def _steps(summary: Summary) -> dict[str, dict[str, Any]]:
    return {name: _mapping(step) for name, step in _mapping(_pipeline(summary).get("steps")).items()}


def _parameters(summary: Summary) -> dict[str, dict[str, Any]]:
    return {name: _mapping(spec) for name, spec in _mapping(_pipeline(summary).get("parameters")).items()}


def _stages(summary: Summary) -> list[dict[str, Any]]:
    stages = [_mapping(stage) for stage in _items(_mapping(summary.get("deploy")).get("stages"))]
    return [stage for stage in stages if isinstance(stage.get("name"), str)]


def _security(summary: Summary) -> dict[str, Any]:
    return _mapping(summary.get("security"))


def _texts(value: Any) -> list[str]:
    return sorted(str(item) for item in _items(value))


Targets = tuple[list[str], list[str]]
"""Where a stage deploys through a stack set: its (accounts, organizational units)."""


def _targets(stage: Mapping[str, Any]) -> Targets | None:
    """A stage's target accounts and OUs; None for the project account.

    Summaries written before stages could deploy into other accounts have no ``targets`` key, and
    their stages all deployed into the project account, so a missing key reads as None.
    """
    targets = _mapping(stage.get("targets"))
    accounts, units = _texts(targets.get("accounts")), _texts(targets.get("organizational_units"))
    return (accounts, units) if accounts or units else None


def _multi_account(summary: Summary) -> bool:
    return any(_targets(stage) is not None for stage in _stages(summary))


# --- formatting ----------------------------------------------------------------------------------


def _literal(value: Any) -> str:
    """A parameter value in blueprint (YAML/JSON) spelling."""
    if value is None:
        return "no default"
    return _code(value if isinstance(value, str) else json.dumps(value))


def _autoscaling(value: Any) -> str:
    scaling = _mapping(value)
    if not scaling:
        return "off"
    low, high = scaling.get("min_instances"), scaling.get("max_instances")
    target = scaling.get("target_invocations_per_instance")
    return f"{_text(low)}–{_text(high)} instances (target {_text(target)} invocations/instance)"


def _capture(value: Any) -> str:
    return "off" if value is None else f"{_text(value)}%"


def _change(label: str, old: Any, new: Any, show: Callable[[Any], str] = _show) -> str:
    return f"{label} {show(old)} → {show(new)}"


def _label(key: str) -> str:
    return _text(key.replace("_", " "))


def _place(step: Mapping[str, Any]) -> str:
    condition = step.get("condition")
    if condition is None:
        return "the top level"
    return f"the {_code(step.get('branch'))} branch of {_code(condition)}"


def _instances(stage: Mapping[str, Any]) -> str:
    return f"{_show(stage.get('instance_type'))} × {_text(stage.get('instance_count'))}"


def _new_items(old: list[str], new: list[str]) -> list[str]:
    return [item for item in new if item not in old]


def _named(noun: str, items: list[str]) -> str:
    """``account `1``` or ``accounts `1`, `2```."""
    return f"{noun}{'' if len(items) == 1 else 's'} {_show(items)}"


def _where(targets: Targets | None) -> str:
    if targets is None:
        return "project account"
    accounts, units = targets
    parts = [_named("account", accounts)] if accounts else []
    if units:
        parts.append(_named("organizational unit", units))
    return " and ".join(parts)


def _gained(before: Targets, after: Targets) -> list[str]:
    """What ``after`` adds to ``before``: ``accounts `1`, `2```, ``organizational unit `ou-a```, ..."""
    nouns = ("account", "organizational unit")
    return [
        _named(noun, items)
        for old, new, noun in zip(before, after, nouns, strict=True)
        if (items := _new_items(old, new))
    ]


def _target_changes(before: Targets, after: Targets) -> str:
    added = [f"added {text}" for text in _gained(before, after)]
    return "; ".join(added + [f"removed {text}" for text in _gained(after, before)])


def _added_removed(old: list[str], new: list[str]) -> str:
    parts = []
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    if added:
        parts.append("added " + _show(added))
    if removed:
        parts.append("removed " + _show(removed))
    return "; ".join(parts)


# --- risks ---------------------------------------------------------------------------------------


def _stage_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    old_stages, new_stages = _stages(old), _stages(new)
    new_by_name = {stage["name"]: stage for stage in new_stages}
    for before in old_stages:
        name = _code(before["name"])
        after = new_by_name.get(before["name"])
        if after is None:
            if before.get("manual_approval"):
                found.append(f"stage {name} was removed together with its manual approval gate")
            continue
        if before.get("manual_approval") and not after.get("manual_approval"):
            found.append(f"manual approval gate removed before stage {name}")
        if before.get("test") and not after.get("test"):
            found.append(f"smoke test removed from stage {name}")
        if before.get("data_capture") is not None and after.get("data_capture") is None:
            found.append(f"data capture turned off on stage {name}")
    # The last stage stands for production: losing autoscaling there risks an outage under load.
    if old_stages and new_stages and old_stages[-1].get("autoscaling") and not new_stages[-1].get("autoscaling"):
        last = _code(new_stages[-1]["name"])
        found.append(f"the production stage {last} (the last stage) no longer autoscales")
    return found


def _target_risks(old: Summary, new: Summary) -> list[str]:
    # The last stage stands for production: new accounts or OUs there widen what a bad model reaches.
    stages = _stages(new)
    if not stages or (after := _targets(stages[-1])) is None:
        return []
    last = stages[-1]["name"]
    before = next((_targets(stage) for stage in _stages(old) if stage["name"] == last), None) or ([], [])
    gained = _gained(before, after)
    if not gained:
        return []
    return [f"the production stage {_code(last)} (the last stage) now also deploys into " + " and ".join(gained)]


def _security_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    before, after = _security(old), _security(new)
    old_subnets, new_subnets = _texts(before.get("subnets")), _texts(after.get("subnets"))
    if old_subnets and not new_subnets:
        found.append("VPC removed: jobs no longer run in the blueprint's subnets")
    else:
        lost = [subnet for subnet in old_subnets if subnet not in new_subnets]
        if lost:
            found.append(f"subnets removed from the VPC: {_show(lost)}")
        old_groups, new_groups = _texts(before.get("security_groups")), _texts(after.get("security_groups"))
        lost = [group for group in old_groups if group not in new_groups]
        if lost:
            found.append(f"security groups removed: {_show(lost)}")
    for key, risk in _SECURITY_RISKS:
        if before.get(key) and not after.get(key):
            found.append(risk)
    return found


def _endpoint_risks(old: Summary, new: Summary) -> list[str]:
    # The endpoints only matter with stages in other accounts: they scope the deny on model access.
    if not _multi_account(new):
        return []
    before, after = _texts(_security(old).get("vpc_endpoints")), _texts(_security(new).get("vpc_endpoints"))
    if before and not after:
        return [
            "VPC endpoints removed while stages deploy into other accounts: model objects and the output key "
            "no longer deny access from outside them"
        ]
    lost = _new_items(after, before)
    if lost:
        return [
            f"VPC endpoints {_show(lost)} removed while stages deploy into other accounts: model access "
            "through them is now denied, which breaks target-account endpoints that use them"
        ]
    return []


def _step_risks(old: Summary, new: Summary) -> list[str]:
    # A blueprint-wide switch-off is reported once by the security risks; this catches a job opting out.
    if not _security(new).get("network_isolation"):
        return []
    before, after = _steps(old), _steps(new)
    return [
        f"network isolation turned off for step {_code(name)}"
        for name in sorted(set(before) & set(after))
        if before[name].get("network_isolation") is True and after[name].get("network_isolation") is False
    ]


def risks(old: Summary | None, new: Summary) -> list[str]:
    """Risky changes between two summaries, one sentence each, in a stable order.

    Flags a removed manual approval gate (also with its stage), a removed smoke test, data capture
    turned off, the last (production-like) stage losing autoscaling or gaining target accounts or
    OUs, and any weakened security control: VPC, subnets or security groups removed, a KMS key
    removed, inter-container encryption or network isolation turned off (blueprint-wide, or for one
    job), and VPC endpoints removed while stages deploy into other accounts; and in what the
    pipeline decides (``views.behaviour``): models registered as Approved, a quality gate removed or
    loosened, a tuning budget raised.

    Args:
        old: The summary recorded for the previous output; None (or empty) for new output.
        new: The summary of the blueprint as it is now.

    Returns:
        Risk sentences without the ``⚠️ **Risk:**`` prefix; empty when nothing risky changed.
    """
    if not old:
        return []
    return (
        _stage_risks(old, new)
        + _target_risks(old, new)
        + _security_risks(old, new)
        + _endpoint_risks(old, new)
        + _step_risks(old, new)
        + behaviour_risks(old, new)
    )


# --- sections ------------------------------------------------------------------------------------


def _step_changes(before: Mapping[str, Any], after: Mapping[str, Any], isolation: tuple[Any, Any]) -> list[str]:
    changes = []
    for key in _STEP_FIELDS:
        old_value, new_value = before.get(key), after.get(key)
        if old_value == new_value:
            continue
        if key == "network_isolation" and (old_value, new_value) == isolation:
            continue  # the job follows the blueprint-wide switch, which the security section reports
        if key == "image":
            changes.append(f"image changed ({_show(old_value)} → {_show(new_value)})")
        elif key == "volume_size_gb":
            changes.append(f"volume size {old_value} GB → {new_value} GB")
        else:
            changes.append(_change(_label(key), old_value, new_value))
    if (before.get("condition"), before.get("branch")) != (after.get("condition"), after.get("branch")):
        changes.append(f"moved from {_place(before)} to {_place(after)}")
    known = {*_STEP_FIELDS, "condition", "branch"}
    for key in sorted((set(before) | set(after)) - known):
        if key not in before or key not in after:
            # A key one summary lacks is one an older manifest did not record (or a step type change,
            # shown above): unknown, not a change.
            continue
        if before[key] != after[key]:
            shown = behaviour_changes(key, before[key], after[key])
            changes += shown if shown is not None else [_change(_label(key), before[key], after[key])]
    return changes


def _steps_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    old_name, new_name = _pipeline(old).get("name"), _pipeline(new).get("name")
    if old_name != new_name:
        lines.append(f"Pipeline renamed {_show(old_name)} → {_show(new_name)}")
    before, after = _steps(old), _steps(new)
    isolation = (_security(old).get("network_isolation"), _security(new).get("network_isolation"))
    for name in sorted(set(after) - set(before)):
        step = after[name]
        where = f" in {_place(step)}" if step.get("condition") is not None else ""
        lines.append(f"Added {_code(name)} ({_text(step.get('type'))}){where}")
    for name in sorted(set(before) - set(after)):
        lines.append(f"Removed {_code(name)} ({_text(before[name].get('type'))})")
    for name in sorted(set(before) & set(after)):
        changes = _step_changes(before[name], after[name], isolation)
        if changes:
            lines.append(f"Changed {_code(name)}: " + "; ".join(changes))
    return lines


def _parameters_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    before, after = _parameters(old), _parameters(new)
    for name in sorted(set(after) - set(before)):
        spec = after[name]
        lines.append(f"Added {_code(name)} ({_text(spec.get('type'))}, default {_literal(spec.get('default'))})")
    for name in sorted(set(before) - set(after)):
        lines.append(f"Removed {_code(name)}")
    for name in sorted(set(before) & set(after)):
        changes = []
        if before[name].get("type") != after[name].get("type"):
            changes.append(_change("type", before[name].get("type"), after[name].get("type")))
        if before[name].get("default") != after[name].get("default"):
            changes.append(_change("default", before[name].get("default"), after[name].get("default"), _literal))
        if changes:
            lines.append(f"Changed {_code(name)}: " + "; ".join(changes))
    return lines


def _stage_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    changes = []
    for key in _STAGE_FIELDS:
        old_value, new_value = before.get(key), after.get(key)
        if old_value == new_value:
            continue
        if key == "autoscaling":
            changes.append(_change("autoscaling", old_value, new_value, _autoscaling))
        elif key == "data_capture":
            changes.append(_change("data capture", old_value, new_value, _capture))
        elif key == "test":
            changes.append(_change("smoke test", old_value, new_value))
        else:
            changes.append(_change(_label(key).replace(" name", ""), old_value, new_value))
    known = {*_STAGE_FIELDS, "name", "manual_approval", "targets"}  # targets: their own section
    for key in sorted((set(before) | set(after)) - known):
        if before.get(key) != after.get(key):
            changes.append(_change(_label(key), before.get(key), after.get(key)))
    return changes


def _order(names: list[str]) -> str:
    return " → ".join(_code(name) for name in names)


def _stages_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    before, after = _stages(old), _stages(new)
    old_names, new_names = [s["name"] for s in before], [s["name"] for s in after]
    old_by_name = {s["name"]: s for s in before}
    for stage in after:
        if stage["name"] not in old_by_name:
            lines.append(f"Added stage {_code(stage['name'])} ({_instances(stage)})")
    for name in old_names:
        if name not in new_names:
            lines.append(f"Removed stage {_code(name)}")
    if [n for n in old_names if n in new_names] != [n for n in new_names if n in old_names]:
        lines.append(f"Reordered: {_order(old_names)} is now {_order(new_names)}")
    for stage in after:
        if stage["name"] in old_by_name:
            changes = _stage_changes(old_by_name[stage["name"]], stage)
            if changes:
                lines.append(f"Changed {_code(stage['name'])}: " + "; ".join(changes))
    return lines


def _stage_targets(name: str, before: Targets | None, after: Targets | None) -> tuple[str, bool]:
    """One stage's line of the target accounts section, and whether its placement changed."""
    line = f"{_code(name)}: {_where(after)}"
    if before == after:
        return line, False
    if before is None:
        change = "moved from the project account to stack-set deployment"
    elif after is None:
        change = f"moved back from stack-set deployment; was {_where(before)}"
    else:
        change = _target_changes(before, after)
    return f"{line} ({change})", True


def _targets_section(old: Summary, new: Summary) -> list[str]:
    """Where every stage deploys, with what changed; empty unless some stage's placement changed.

    Listing the unchanged stages too shows the whole blast radius next to the change.
    """
    lines, changed = [], False
    old_targets = {stage["name"]: _targets(stage) for stage in _stages(old)}
    new_names = {stage["name"] for stage in _stages(new)}
    for stage in _stages(new):
        name, after = stage["name"], _targets(stage)
        if name in old_targets:
            line, moved = _stage_targets(name, old_targets[name], after)
            lines.append(line)
            changed = changed or moved
        else:
            lines.append(f"{_code(name)} (new stage): {_where(after)}")
            changed = changed or after is not None
    for name, before in old_targets.items():
        if name not in new_names and before is not None:
            lines.append(f"{_code(name)} (removed stage): was {_where(before)}")
            changed = True
    return lines if changed else []


def _approvals_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    old_by_name = {s["name"]: s for s in _stages(old)}
    new_names = {s["name"] for s in _stages(new)}
    for stage in _stages(new):
        name, gated = _code(stage["name"]), bool(stage.get("manual_approval"))
        if stage["name"] not in old_by_name:
            if gated:
                lines.append(f"Added manual approval before new stage {name}")
        elif gated != bool(old_by_name[stage["name"]].get("manual_approval")):
            lines.append(f"{'Added' if gated else 'Removed'} manual approval before {name}")
    for stage in _stages(old):
        if stage["name"] not in new_names and stage.get("manual_approval"):
            lines.append(f"Removed manual approval with stage {_code(stage['name'])}")
    return lines


def _security_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    before, after = _security(old), _security(new)
    for key, label in (
        ("subnets", "Subnets"),
        ("security_groups", "Security groups"),
        ("vpc_endpoints", "VPC endpoints"),
    ):
        change = _added_removed(_texts(before.get(key)), _texts(after.get(key)))
        if change:
            lines.append(f"{label}: {change}")
    for key, label in _SECURITY_FIELDS:
        if before.get(key) != after.get(key):
            lines.append(_change(label, before.get(key), after.get(key)))
    return lines


def _ci_section(old: Summary, new: Summary) -> list[str]:
    before, after = old.get("ci"), new.get("ci")
    if before == after:
        return []
    if not isinstance(after, Mapping):
        return ["CI removed"]
    old_ci = _mapping(before)
    lines = [] if old_ci else ["CI added"]
    change = _added_removed(_texts(old_ci.get("backends")), _texts(after.get("backends")))
    if change:
        lines.append(f"Backends: {change}")
    old_source, new_source = _mapping(old_ci.get("source")), _mapping(after.get("source"))
    for key in ("provider", "repository", "branch"):
        if old_source.get(key) != new_source.get(key):
            lines.append(_change(f"Source {key}", old_source.get(key), new_source.get(key)))
    if "execution_parameters" in old_ci or not old_ci:  # older summaries did not record them
        lines += execution_parameter_changes(old_ci.get("execution_parameters"), after.get("execution_parameters"))
    return lines


_SECTIONS: tuple[tuple[str, Callable[[Summary, Summary], list[str]]], ...] = (
    ("Pipeline steps", _steps_section),
    ("Parameters", _parameters_section),
    ("Deploy stages", _stages_section),
    ("Target accounts", _targets_section),
    ("Approval gates", _approvals_section),
    ("Security controls", _security_section),
    ("CI", _ci_section),
)


def _overview(new: Summary) -> str:
    steps, stages = _steps(new), _stages(new)
    text = f"New output: {len(steps)} pipeline step{'s' if len(steps) != 1 else ''}"
    if stages:
        text += f", deploy stages {_order([s['name'] for s in stages])}"
    return text + "."


def _files(files: list[tuple[str, str]]) -> list[str]:
    if not files:
        return []
    counts = {kind: sum(1 for _, k in files if k == kind) for kind in FILE_KINDS}
    detail = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
    others = len(files) - sum(counts.values())
    if others:
        detail += f"{', ' if detail else ''}{others} other"
    noun = "file" if len(files) == 1 else "files"
    lines = ["<details>", f"<summary>{len(files)} generated {noun} ({detail})</summary>", ""]
    lines += [f"- {_code(path)} ({kind})" for path, kind in sorted(set(files))]
    return [*lines, "", "</details>"]


def review_markdown(blueprint: str, old: Summary | None, new: Summary, files: list[tuple[str, str]]) -> str:
    """Summarise one blueprint's changes for a pull request, in GitHub Markdown.

    Risk lines come first, then sections (each omitted when empty) for pipeline steps, parameters,
    deploy stages, target accounts (only when some stage's accounts or OUs changed), approval
    gates, security controls and CI, then a collapsed list of the generated files.

    Args:
        blueprint: The blueprint's file name, used as the heading.
        old: The summary recorded with the previous output; None for new output.
        new: The summary of the blueprint as it is now.
        files: (path, kind) of each generated file that differs; kind is changed, added or removed.

    Returns:
        Markdown text ending in a newline.
    """
    blocks = [f"### {_code(blueprint)}"]
    blocks += [f"{RISK} {risk}" for risk in risks(old, new)]
    if old is None:
        blocks.append(_overview(new))
    elif not old:
        blocks.append("The manifest records no earlier summary, so only the generated files are listed.")
    else:
        sections = [(title, build(old, new)) for title, build in _SECTIONS]
        for title, lines in sections:
            if lines:
                blocks.append(f"#### {title}\n\n" + "\n".join(f"- {line}" for line in lines))
        if not any(lines for _, lines in sections):
            blocks.append("No blueprint-level changes; only generated files differ.")
    file_lines = _files(files)
    if file_lines:
        blocks.append("\n".join(file_lines))
    return "\n\n".join(blocks) + "\n"
