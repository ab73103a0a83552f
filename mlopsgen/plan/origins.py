"""Blueprint spec + Plan → ``Plan.origins``: the blueprint keys each Plan item was built from.

The planner builds every item from one place in the blueprint (a step from ``pipeline.steps[i]``, a
stage from ``deploy.stages[i]``); this files the finished items under those paths, by the names the
planner itself carried over from the spec, so that emitters can tag what they write with the item and
``mlopsgen explain`` can answer with a blueprint position. Derived items (the names every target
shares) are filed under every key they are derived from.
"""

from __future__ import annotations

from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.plan import model as ir
from mlopsgen.provenance import Origins, PathKey


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
    origins.add(plan.registry, "registry", ("registry",))
    for parameter in plan.pipeline.parameters:
        origins.add(parameter, f"parameter {parameter.name}", ("pipeline", "parameters", parameter.name))
    index = {step.name: i for i, step in enumerate(spec.pipeline.steps)}
    _file_steps(origins, plan.pipeline.steps, index)
    if plan.deploy is not None and spec.deploy is not None:
        origins.add(plan.deploy, "deploy", ("deploy",))
        if plan.deploy.sample_payload is not None:
            origins.add(plan.deploy.sample_payload, "sample payload", ("deploy", "sample_payload"))
        stages = {stage.name: i for i, stage in enumerate(spec.deploy.stages)}
        for stage in plan.deploy.stages:
            if stage.name in stages:
                key: PathKey = ("deploy", "stages", stages[stage.name])
                origins.add(stage, f"deploy stage {stage.name}", key)


def _file_steps(origins: Origins, steps: tuple[ir.Step, ...], index: dict[str, int]) -> None:
    for step in steps:
        name = step.common.name
        if name in index:
            origins.add(step, f"step {name}", ("pipeline", "steps", index[name]))
        if isinstance(step, ir.ConditionStep):
            _file_steps(origins, step.if_steps + step.else_steps, index)
