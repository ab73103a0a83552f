"""BlueprintSpec → issues: limits on the shape of the pipeline that keep rendering bounded.

Kept apart from ``checks.py`` (the semantic rules) because these are not AWS rules but the
generator's own, documented limits: the pipeline definition nests a condition's branches inside
it, so a chain of conditions nests the JSON as deep as the chain is long.
"""

from __future__ import annotations

from collections.abc import Callable

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.models import BlueprintSpec, ConditionStepSpec
from mlopsgen.blueprint.resolve import Scope

MAX_CONDITION_DEPTH = 32
"""Most condition steps nested in each other's branches (real pipelines nest one or two)."""


def check_condition_depth(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Conditions nest at most ``MAX_CONDITION_DEPTH`` deep (one report, at the deepest condition).

    The depth is computed iteratively along each step's owning branch, so neither a long chain
    nor a cycle (reported by ``check_acyclic``) can exhaust the stack or loop.
    """
    owner: dict[str, str] = {}
    for step in spec.pipeline.steps:
        if isinstance(step, ConditionStepSpec):
            for name in (*step.then, *step.else_):
                owner.setdefault(name, step.name)
    index = {step.name: i for i, step in enumerate(spec.pipeline.steps)}
    for step in spec.pipeline.steps:
        if not isinstance(step, ConditionStepSpec):
            continue
        depth, name, seen = 1, step.name, {step.name}
        while name in owner and owner[name] not in seen:
            name = owner[name]
            seen.add(name)
            depth += 1
        if depth > MAX_CONDITION_DEPTH:
            return [
                Issue(
                    "MLG316",
                    ("pipeline", "steps", index[step.name], "name"),
                    f"condition '{step.name}' is nested {depth} conditions deep; the limit is {MAX_CONDITION_DEPTH}",
                    "combine the conditions with and/or instead of nesting them in branches.",
                    at_value=True,
                )
            ]
    return []


LIMIT_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (check_condition_depth,)
