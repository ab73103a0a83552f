"""Blueprint spec + Plan → ``Plan.origins``: the blueprint keys each Plan item was built from.

The planner builds every item from one place in the blueprint (a step from ``pipeline.steps[i]``, a
stage from ``deploy.stages[i]``); this files the finished items under those paths, by the names the
planner itself carried over from the spec, so that emitters can tag what they write with the item and
``mlopsgen explain`` can answer with a blueprint position. Derived items (the names every target
shares) are filed under every key they are derived from.
"""

from __future__ import annotations

import weakref
from dataclasses import fields, is_dataclass

from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.plan import model as ir
from mlopsgen.provenance import Origins, PathKey


def defer_origins(plan: ir.Plan, spec: BlueprintSpec) -> None:
    """Have ``plan.origins`` filled on first use (only ``explain`` asks), without a reference cycle."""
    ref = weakref.ref(plan)

    def fill() -> None:
        alive = ref()
        if alive is not None:
            file_origins(alive, spec)

    plan.origins.defer(fill)


def file_origins(plan: ir.Plan, spec: BlueprintSpec) -> None:
    """Fill ``plan.origins`` for the sections, parameters, steps (branches included) and stages.

    Args:
        plan: The Plan just built from ``spec``.
        spec: The blueprint it was built from.
    """
    origins = plan.origins
    origins.add(plan.project, "project", ("project",))
    origins.add(
        plan.names, "the project's shared names (pipeline, jobs, stacks)", ("project", "name"), ("project", "id")
    )
    origins.add(plan.pipeline, "pipeline", ("pipeline",))
    origins.add(plan.security, "security", ("security",))
    origins.add(plan.ci, "ci", ("ci",))
    if plan.ci is not None:
        origins.add(plan.ci.source, "ci source repository", ("ci", "source"))
    origins.add(plan.registry, "registry", ("registry",))
    for parameter in plan.pipeline.parameters:
        origins.add(parameter, f"parameter {parameter.name}", ("pipeline", "parameters", parameter.name))
    index = {step.name: i for i, step in enumerate(spec.pipeline.steps)}
    _file_steps(origins, plan.pipeline.steps, index)
    users: dict[str, list[PathKey]] = {}
    for step in _all_steps(plan.pipeline.steps):
        for path in sorted(_code_paths(step, 3)):
            if step.common.name in index:
                users.setdefault(path, []).append(("pipeline", "steps", index[step.common.name]))
    for code in plan.code_files:
        if code.path in users:
            origins.add(code, f"code file {code.path} (of the steps that run it)", *users[code.path])
    if plan.deploy is not None and spec.deploy is not None:
        origins.add(plan.deploy, "deploy", ("deploy",))
        if plan.deploy.sample_payload is not None:
            origins.add(plan.deploy.sample_payload, "sample payload", ("deploy", "sample_payload"))
        stages = {stage.name: i for i, stage in enumerate(spec.deploy.stages)}
        for stage in plan.deploy.stages:
            if stage.name in stages:
                key: PathKey = ("deploy", "stages", stages[stage.name])
                origins.add(stage, f"deploy stage {stage.name}", key)
                project = (("project", "name"), ("project", "id"), (*key, "name"))
                origins.add(stage, f"stack name of stage {stage.name}", *project, field="stack_name")
                label = f"endpoint name of stage {stage.name}"
                origins.add(stage, label, ("project", "name"), (*key, "name"), field="endpoint_name")


def _file_steps(origins: Origins, steps: tuple[ir.Step, ...], index: dict[str, int]) -> None:
    for step in steps:
        name = step.common.name
        if name in index:
            origins.add(step, f"step {name}", ("pipeline", "steps", index[name]))
        if isinstance(step, ir.ConditionStep):
            _file_steps(origins, step.if_steps + step.else_steps, index)


def _all_steps(steps: tuple[ir.Step, ...]) -> list[ir.Step]:
    out: list[ir.Step] = []
    for step in steps:
        out.append(step)
        if isinstance(step, ir.ConditionStep):
            out += _all_steps(step.if_steps + step.else_steps)
    return out


def _code_paths(value: object, depth: int) -> set[str]:
    """Paths of the code files a step runs, wherever its kind keeps them (a few levels of its fields)."""
    if isinstance(value, ir.CodeFile):
        return {value.path}
    if depth == 0 or not is_dataclass(value) or isinstance(value, ir.ConditionStep):
        return set()
    found: set[str] = set()
    for item in fields(value):
        found |= _code_paths(getattr(value, item.name), depth - 1)
    return found
