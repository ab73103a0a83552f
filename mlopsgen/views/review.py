"""Old and new summaries (``views.summary``) + changed files → a pull-request review in GitHub Markdown.

The old summary comes from a manifest, possibly written by another mlopsgen version, so every
reader (``review_read``) tolerates missing keys and unexpected types instead of failing. Output is
deterministic: names are sorted, and deploy stages keep their deploy order. Risks come first
(``review_risks``), then one section per part of the blueprint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mlopsgen.views.review_read as read
from mlopsgen.views.behaviour import behaviour_changes, execution_parameter_changes
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import plain_text as _text
from mlopsgen.views.markdown import show as _show
from mlopsgen.views.review_operations import operations_section
from mlopsgen.views.review_read import Summary, Targets
from mlopsgen.views.review_risks import risks

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
            changes.append(read.change(read.label(key), old_value, new_value))
    if (before.get("condition"), before.get("branch")) != (after.get("condition"), after.get("branch")):
        changes.append(f"moved from {read.place(before)} to {read.place(after)}")
    known = {*_STEP_FIELDS, "condition", "branch"}
    for key in sorted((set(before) | set(after)) - known):
        if key not in before or key not in after:
            # A key one summary lacks is one an older manifest did not record (or a step type change,
            # shown above): unknown, not a change.
            continue
        if before[key] != after[key]:
            shown = behaviour_changes(key, before[key], after[key])
            changes += shown if shown is not None else [read.change(read.label(key), before[key], after[key])]
    return changes


def _steps_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    old_name, new_name = read.pipeline(old).get("name"), read.pipeline(new).get("name")
    if old_name != new_name:
        lines.append(f"Pipeline renamed {_show(old_name)} → {_show(new_name)}")
    before, after = read.steps(old), read.steps(new)
    isolation = (read.security(old).get("network_isolation"), read.security(new).get("network_isolation"))
    for name in sorted(set(after) - set(before)):
        step = after[name]
        where = f" in {read.place(step)}" if step.get("condition") is not None else ""
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
    before, after = read.parameters(old), read.parameters(new)
    for name in sorted(set(after) - set(before)):
        spec = after[name]
        lines.append(f"Added {_code(name)} ({_text(spec.get('type'))}, default {read.literal(spec.get('default'))})")
    for name in sorted(set(before) - set(after)):
        lines.append(f"Removed {_code(name)}")
    for name in sorted(set(before) & set(after)):
        changes = []
        if before[name].get("type") != after[name].get("type"):
            changes.append(read.change("type", before[name].get("type"), after[name].get("type")))
        if before[name].get("default") != after[name].get("default"):
            changes.append(
                read.change("default", before[name].get("default"), after[name].get("default"), read.literal)
            )
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
            changes.append(read.change("autoscaling", old_value, new_value, read.autoscaling))
        elif key == "data_capture":
            changes.append(read.change("data capture", old_value, new_value, read.capture))
        elif key == "test":
            changes.append(read.change("smoke test", old_value, new_value))
        else:
            changes.append(read.change(read.label(key).replace(" name", ""), old_value, new_value))
    known = {*_STAGE_FIELDS, "name", "manual_approval", "targets"}  # targets: their own section
    for key in sorted((set(before) | set(after)) - known):
        if before.get(key) != after.get(key):
            changes.append(read.change(read.label(key), before.get(key), after.get(key)))
    return changes


def _order(names: list[str]) -> str:
    return " → ".join(_code(name) for name in names)


def _stages_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    before, after = read.stages(old), read.stages(new)
    old_names, new_names = [s["name"] for s in before], [s["name"] for s in after]
    old_by_name = {s["name"]: s for s in before}
    for stage in after:
        if stage["name"] not in old_by_name:
            lines.append(f"Added stage {_code(stage['name'])} ({read.instances(stage)})")
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
    line = f"{_code(name)}: {read.where(after)}"
    if before == after:
        return line, False
    if before is None:
        change = "moved from the project account to stack-set deployment"
    elif after is None:
        change = f"moved back from stack-set deployment; was {read.where(before)}"
    else:
        change = read.target_changes(before, after)
    return f"{line} ({change})", True


def _targets_section(old: Summary, new: Summary) -> list[str]:
    """Where every stage deploys, with what changed; empty unless some stage's placement changed.

    Listing the unchanged stages too shows the whole blast radius next to the change.
    """
    lines, changed = [], False
    old_targets = {stage["name"]: read.targets(stage) for stage in read.stages(old)}
    new_names = {stage["name"] for stage in read.stages(new)}
    for stage in read.stages(new):
        name, after = stage["name"], read.targets(stage)
        if name in old_targets:
            line, moved = _stage_targets(name, old_targets[name], after)
            lines.append(line)
            changed = changed or moved
        else:
            lines.append(f"{_code(name)} (new stage): {read.where(after)}")
            changed = changed or after is not None
    for name, before in old_targets.items():
        if name not in new_names and before is not None:
            lines.append(f"{_code(name)} (removed stage): was {read.where(before)}")
            changed = True
    return lines if changed else []


def _approvals_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    old_by_name = {s["name"]: s for s in read.stages(old)}
    new_names = {s["name"] for s in read.stages(new)}
    for stage in read.stages(new):
        name, gated = _code(stage["name"]), bool(stage.get("manual_approval"))
        if stage["name"] not in old_by_name:
            if gated:
                lines.append(f"Added manual approval before new stage {name}")
        elif gated != bool(old_by_name[stage["name"]].get("manual_approval")):
            lines.append(f"{'Added' if gated else 'Removed'} manual approval before {name}")
    for stage in read.stages(old):
        if stage["name"] not in new_names and stage.get("manual_approval"):
            lines.append(f"Removed manual approval with stage {_code(stage['name'])}")
    return lines


def _security_section(old: Summary, new: Summary) -> list[str]:
    lines = []
    before, after = read.security(old), read.security(new)
    for key, label in (
        ("subnets", "Subnets"),
        ("security_groups", "Security groups"),
        ("vpc_endpoints", "VPC endpoints"),
    ):
        change = read.added_removed(read.texts(before.get(key)), read.texts(after.get(key)))
        if change:
            lines.append(f"{label}: {change}")
    for key, label in _SECURITY_FIELDS:
        if before.get(key) != after.get(key):
            lines.append(read.change(label, before.get(key), after.get(key)))
    return lines


def _ci_section(old: Summary, new: Summary) -> list[str]:
    before, after = old.get("ci"), new.get("ci")
    if before == after:
        return []
    if not isinstance(after, Mapping):
        return ["CI removed"]
    old_ci = read.mapping(before)
    lines = [] if old_ci else ["CI added"]
    change = read.added_removed(read.texts(old_ci.get("backends")), read.texts(after.get("backends")))
    if change:
        lines.append(f"Backends: {change}")
    old_source, new_source = read.mapping(old_ci.get("source")), read.mapping(after.get("source"))
    for key in ("provider", "repository", "branch"):
        if old_source.get(key) != new_source.get(key):
            lines.append(read.change(f"Source {key}", old_source.get(key), new_source.get(key)))
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
    ("Schedules and notifications", operations_section),
)


def _overview(new: Summary) -> str:
    steps, stages = read.steps(new), read.stages(new)
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
