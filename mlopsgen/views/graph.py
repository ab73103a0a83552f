"""Plan → Mermaid: the SageMaker pipeline DAG and the deploy flow, as diagrams GitHub renders in Markdown.

Edges of the pipeline graph are found by walking every step's dataclass fields generically, so a
new step field holding a reference draws its edge without a change here. Output is deterministic:
nodes follow blueprint order (branch steps right after their condition) and edges are sorted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass
from itertools import pairwise
from typing import Any

from mlopsgen.plan.model import ConditionStep, JsonGet, Plan, Rollout, Stage, Step, StepProp, Targets, TransformStep
from mlopsgen.views.summary import STEP_TYPES, step_type

_RESERVED = frozenset(
    {"call", "class", "classdef", "click", "default", "direction", "end", "flowchart", "graph", "href"}
    | {"linkstyle", "style", "subgraph"}
)
"""Mermaid keywords a node id must not be (``end`` breaks a flowchart)."""

_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "\n": " ",
    "\r": " ",
}
"""Characters a Mermaid label cannot hold literally, as Mermaid entity codes."""

# Priority when two steps are joined more than once: a branch beats data, data beats ordering only.
_ARROWS = {"true": (3, "-->|true|"), "false": (3, "-->|false|"), "data": (2, "-->"), "order": (1, "-.->")}


def escape_label(text: str) -> str:
    """Make text safe inside a quoted Mermaid label.

    Args:
        text: Any text (a step name, an instance type, a repository).

    Returns:
        The text with quotes, ``#``, ``&``, angle brackets and backticks as Mermaid entity codes and
        line breaks as spaces.
    """
    return "".join(_ESCAPES.get(char, char) for char in text)


class _Ids:
    """Unique, keyword-safe Mermaid node ids, handed out in a fixed order."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, name: str, prefix: str = "") -> str:
        base = prefix + (re.sub(r"[^A-Za-z0-9_]", "_", name) or "node")
        if base.lower() in _RESERVED or base[0].isdigit():
            base = "n_" + base
        candidate, number = base, 2
        while candidate in self._used:
            candidate, number = f"{base}_{number}", number + 1
        self._used.add(candidate)
        return candidate


def _label(*lines: str) -> str:
    return "<br/>".join(escape_label(line) for line in lines)


# --- pipeline ------------------------------------------------------------------------------------


def _flatten(steps: Iterable[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, ConditionStep):
            yield from _flatten(step.if_steps)
            yield from _flatten(step.else_steps)


def _referenced(value: Any) -> Iterator[str]:
    """Names of the steps whose properties a value reads, at any depth (not entering nested steps)."""
    if isinstance(value, StepProp | JsonGet):
        yield value.step
    elif isinstance(value, tuple):
        for item in value:
            yield from _referenced(item)
    elif is_dataclass(value) and not isinstance(value, type) and type(value) not in STEP_TYPES:
        for field in fields(value):
            yield from _referenced(getattr(value, field.name))


def _data_sources(step: Step) -> Iterator[str]:
    # The step's own fields; its branch steps are nested Steps, which _referenced does not enter.
    for field in fields(step):
        yield from _referenced(getattr(step, field.name))


def _incoming(steps: list[Step]) -> dict[str, dict[str, str]]:
    """Destination step → source step → edge kind (the strongest when there are several)."""
    edges: dict[str, dict[str, str]] = {step.common.name: {} for step in steps}

    def add(source: str, target: str, kind: str) -> None:
        if source == target or source not in edges:
            return
        current = edges[target].get(source)
        if current is None or _ARROWS[kind][0] > _ARROWS[current][0]:
            edges[target][source] = kind

    for step in steps:
        name = step.common.name
        for source in _data_sources(step):
            add(source, name, "data")
        if isinstance(step, TransformStep):
            add(step.model_step, name, "data")
        for source in step.common.depends_on:
            add(source, name, "order")
        if isinstance(step, ConditionStep):
            for branch, kind in ((step.if_steps, "true"), (step.else_steps, "false")):
                for target in branch:
                    add(name, target.common.name, kind)
    return edges


def _step_node(node_id: str, step: Step) -> str:
    label = _label(step.common.name, step_type(step))
    if isinstance(step, ConditionStep):
        return f'{node_id}{{"{label}"}}'
    return f'{node_id}["{label}"]'


def pipeline_mermaid(plan: Plan) -> str:
    """Draw the SageMaker pipeline as a Mermaid top-down flowchart.

    One node per step (branch steps included) labelled with its name and type; a condition is a
    diamond. Edges: ``-->`` for data (any step property or property-file read, and a transform's
    model), ``-.->`` for ordering by ``depends_on`` alone, ``-->|true|`` / ``-->|false|`` from a
    condition to its ``then`` / ``else`` steps.

    Args:
        plan: The Plan of one blueprint.

    Returns:
        Mermaid source starting with ``flowchart TD``, ending in a newline.
    """
    steps = list(_flatten(plan.pipeline.steps))
    ids = _Ids()
    node_ids = {step.common.name: ids.make(step.common.name) for step in steps}
    order = {step.common.name: index for index, step in enumerate(steps)}
    lines = ["flowchart TD"]
    lines += [f"    {_step_node(node_ids[step.common.name], step)}" for step in steps]
    for target, sources in _incoming(steps).items():
        for source in sorted(sources, key=order.__getitem__):
            lines.append(f"    {node_ids[source]} {_ARROWS[sources[source]][1]} {node_ids[target]}")
    return "\n".join(lines) + "\n"


# --- deploy --------------------------------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _targets_line(targets: Targets) -> str:
    # Counts, not ids: a node stays short however many accounts a stage reaches.
    parts = [_count(len(targets.accounts), "account")] if targets.accounts else []
    if targets.organizational_units:
        parts.append(_count(len(targets.organizational_units), "OU"))
    return "stack set → " + ", ".join(parts)


def rollout_line(rollout: Rollout) -> str:
    """``canary 10%, rollback on 2 alarms``: how the stage's endpoint takes a new model."""
    strategy = rollout.traffic.lower().replace("_", " ")
    step = (
        f" {rollout.step_size}{'%' if rollout.step_type == 'CAPACITY_PERCENT' else ' inst.'}"
        if rollout.step_size
        else ""
    )
    alarms = len(rollout.alarms) + (2 if rollout.generated_alarms else 0)
    rollback = f"rollback on {alarms} alarm{'s' if alarms != 1 else ''}" if alarms else "no rollback alarms"
    return f"{strategy}{step}, {rollback}"


def _stage_lines(stage: Stage) -> list[str]:
    lines = [f"Deploy {stage.name}", f"{stage.instance_type} × {stage.instance_count}"]
    if stage.autoscaling is not None:
        lines.append(f"autoscaling {stage.autoscaling.min_instances}–{stage.autoscaling.max_instances}")
    if stage.targets is not None:
        lines.append(_targets_line(stage.targets))
    if stage.rollout is not None:
        lines.append(rollout_line(stage.rollout))
    return lines


def deploy_mermaid(plan: Plan) -> str:
    """Draw the deploy flow as a Mermaid left-to-right flowchart.

    Source → Build → for each stage in order: its manual approval (when it has one) → the deploy
    (stage name, instance type and count, and for a stack-set stage how many accounts and OUs it
    targets) → its smoke test (when it has one); then Done.

    Args:
        plan: The Plan of one blueprint.

    Returns:
        Mermaid source starting with ``flowchart LR``, ending in a newline; empty when the
        blueprint has no deploy section.
    """
    if plan.deploy is None:
        return ""
    ids = _Ids()
    source_lines = ["Source"]
    if plan.ci is not None:
        source = plan.ci.source
        source_lines.append(f"{source.provider} {source.repository}@{source.branch}")
    source_id, build_id = ids.make("source"), ids.make("build")
    registry = plan.registry
    resolve = (
        "resolve the hub's approved model" if registry and registry.deploy_from_hub else "resolve the approved model"
    )
    nodes = [f'{source_id}(["{_label(*source_lines)}"])']
    chain = [source_id]
    if registry is not None and registry.push:
        # The deploy job promotes first (registry push), so deploying from the hub finds the version.
        promote_id = ids.make("promote")
        hub = registry.hub
        nodes.append(f'{promote_id}["{_label("Promote to hub", f"{hub.model_package_group} in {hub.account}")}"]')
        chain.append(promote_id)
    nodes.append(f'{build_id}["{_label("Build", resolve)}"]')
    chain.append(build_id)
    for stage in plan.deploy.stages:
        if stage.manual_approval:
            node_id = ids.make(stage.name, "approve_")
            nodes.append(f'{node_id}{{{{"{_label("Manual approval", stage.name)}"}}}}')
            chain.append(node_id)
        node_id = ids.make(stage.name, "deploy_")
        nodes.append(f'{node_id}["{_label(*_stage_lines(stage))}"]')
        chain.append(node_id)
        if stage.test:
            node_id = ids.make(stage.name, "test_")
            nodes.append(f'{node_id}["{_label(f"Test {stage.name}", "smoke test")}"]')
            chain.append(node_id)
    done = ids.make("done")
    nodes.append(f'{done}(["Done"])')
    chain.append(done)
    lines = ["flowchart LR", *(f"    {node}" for node in nodes)]
    lines += [f"    {source} --> {target}" for source, target in pairwise(chain)]
    return "\n".join(lines) + "\n"


def mermaid_markdown(plan: Plan) -> str:
    """Both diagrams as Markdown, for a pull request or a committed ``GRAPHS.md``.

    Args:
        plan: The Plan of one blueprint.

    Returns:
        Markdown with a header comment, a heading and a ``mermaid`` fenced block per diagram (the
        deploy flow only when the blueprint has a deploy section, the operations only when it has
        schedules, a new-data trigger or notifications), ending in a newline.
    """
    parts = [
        # "--" may not appear inside an HTML comment.
        f"<!-- generated by mlopsgen from {plan.blueprint.replace('--', '- -')}; do not edit -->",
        f"## Pipeline `{plan.pipeline.name}`",
        f"```mermaid\n{pipeline_mermaid(plan)}```",
    ]
    deploy = deploy_mermaid(plan)
    if deploy:
        parts += ["## Deploy flow", f"```mermaid\n{deploy}```"]
    if plan.operations is not None:
        from mlopsgen.views.graph_operations import operations_mermaid  # graph_operations imports this module

        parts += ["## Schedules and notifications", f"```mermaid\n{operations_mermaid(plan)}```"]
    return "\n\n".join(parts) + "\n"
