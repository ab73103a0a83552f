"""BlueprintSpec → issues: what the generator can express, checked before it has to express it.

Kept apart from ``checks.py`` (the language's semantic rules): these are the generator's own,
documented limits. The pipeline definition nests a condition's branches inside it, so a chain of
conditions nests the JSON as deep as the chain is long; the artifact bucket's policy can grant
target accounts only model artifacts whose location is known when rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import ConditionStepSpec, RegisterModelStepSpec

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


_MODEL_ARTIFACTS = re.compile(r"^\$\{steps\.([A-Za-z0-9_\-]+)\.model_artifacts\}$")


def model_data_step(model_data: object) -> str | None:
    """The step named by a ``model_data: ${steps.X.model_artifacts}`` reference, else None."""
    match = _MODEL_ARTIFACTS.match(model_data) if isinstance(model_data, str) else None
    return match.group(1) if match else None


def check_model_data_location(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """An explicit ``model_data`` deployed into other accounts is a literal URI in the artifact bucket.

    Target accounts read models through the artifact bucket's policy, which can only name objects
    known when rendering: a literal ``s3://<artifact bucket>/...`` or a training step's artifacts.
    Anything else (another bucket, a parameter) would leave the policy granting nothing.
    """
    deploy = spec.deploy
    if deploy is None or not any(stage.accounts or stage.organizational_units for stage in deploy.stages):
        return []
    bucket = spec.project.artifact_bucket or f"sagemaker-project-{spec.project.id}"  # as plan.naming derives it
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        data = step.model_data if isinstance(step, RegisterModelStepSpec) and not step.model_from else None
        if data is None or model_data_step(data) is not None:
            continue
        if not (isinstance(data, str) and data.startswith(f"s3://{bucket}/") and "${" not in data):
            issues.append(
                Issue(
                    "MLG313",
                    ("pipeline", "steps", i, "model_data"),
                    f"model_data of '{step.name}' is deployed into other accounts but is not a fixed location in "
                    f"the artifact bucket {bucket}",
                    f"copy the model to s3://{bucket}/... and name it literally, or register with model_from.",
                    at_value=True,
                )
            )
    return issues


LIMIT_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_condition_depth,
    check_model_data_location,
)
