"""Spec values → checked references: parses ``${...}`` in text and resolves names to steps and parameters.

Reference forms (inside ``${...}``):

- ``params.NAME``                      a pipeline parameter
- ``steps.STEP.outputs.OUTPUT``        S3 URI of a processing step's output; a lambda or callback step's output
- ``steps.STEP.model_artifacts``       model artifacts of a training step (best job of a tuning step)
- ``steps.STEP.model_name``            name of the model a create_model step made
- ``steps.STEP.properties.PATH``       any other step property, as SageMaker names it
- ``execution.id|pipeline_name|pipeline_arn|execution_arn|start_time|current_time``
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.step_properties import check_property_path
from mlopsgen.errors import did_you_mean
from mlopsgen.frozen import frozen

_REF = re.compile(r"\$\{([^{}]*)\}")
_PROPERTY_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\[[^\]]+\]|\.[A-Za-z][A-Za-z0-9_]*)*$")

EXECUTION_VARIABLES = {
    "id": "PipelineExecutionId",
    "pipeline_name": "PipelineName",
    "pipeline_arn": "PipelineArn",
    "execution_arn": "PipelineExecutionArn",
    "start_time": "StartDateTime",
    "current_time": "CurrentDateTime",
}

STEP_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "outputs": ("processing", "lambda", "callback"),
    "model_artifacts": ("training", "tuning"),
    "model_name": ("create_model",),
    "properties": (),
}
"""Attributes a reference may read of a step → the step types that have it (every type: empty)."""


@frozen
class Ref:
    """A checked reference.

    ``kind`` is param, output, output_parameter (of a lambda or callback step), model_artifacts,
    model_name, property or execution.
    """

    kind: str
    target: str
    detail: str = ""


Part = str | Ref
"""A piece of a value: literal text or a reference."""


class ReferenceError_(Exception):  # noqa: N818 - internal carrier, never escapes this module's callers
    """A reference that cannot be resolved; ``code`` is its diagnostic code."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


@dataclass
class Scope:
    """Names a reference may point at."""

    params: dict[str, str]
    """Parameter name → its type (string, integer, float, boolean)."""
    steps: dict[str, Any]
    """Step name → its spec."""

    @classmethod
    def of(cls, spec: BlueprintSpec) -> Scope:
        """Collect the parameters and steps of a blueprint (first definition wins on duplicates)."""
        steps: dict[str, Any] = {}
        for step in spec.pipeline.steps:
            steps.setdefault(step.name, step)
        return cls({k: v.type for k, v in spec.pipeline.parameters.items()}, steps)


def split_value(value: Any, scope: Scope) -> list[Part]:
    """Split a value into literal parts and checked references.

    Args:
        value: A blueprint value; only text can hold references.
        scope: The parameters and steps references may name.

    Returns:
        Literal parts and ``Ref`` objects in order; empty literal pieces are dropped.

    Raises:
        ReferenceError_: For the first malformed or dangling reference.
    """
    if not isinstance(value, str):
        return [value]
    parts: list[Part] = []
    pos = 0
    for match in _REF.finditer(value):
        if match.start() > pos:
            parts.append(value[pos : match.start()])
        parts.append(parse_ref(match.group(1).strip(), scope))
        pos = match.end()
    if pos < len(value):
        parts.append(value[pos:])
    rest = "".join(p for p in parts if isinstance(p, str))
    if "${" in rest:
        raise ReferenceError_("MLG206", f"unclosed reference in '{value}'", "references look like ${params.Name}.")
    return parts


def parse_ref(text: str, scope: Scope) -> Ref:
    """Resolve the text inside ``${...}``."""
    head, _, rest = text.partition(".")
    if head == "params":
        if rest not in scope.params:
            raise ReferenceError_(
                "MLG202", f"unknown parameter '{rest}' in ${{{text}}}", _suggest(rest, scope.params, "parameters")
            )
        return Ref("param", rest)
    if head == "execution":
        if rest not in EXECUTION_VARIABLES:
            raise ReferenceError_(
                "MLG207",
                f"unknown execution variable '{rest}' in ${{{text}}}",
                _suggest(rest, EXECUTION_VARIABLES, "execution variables"),
            )
        return Ref("execution", EXECUTION_VARIABLES[rest])
    if head == "steps":
        return _step_ref(text, rest, scope)
    raise ReferenceError_(
        "MLG206",
        f"cannot read ${{{text}}}",
        "references start with params., steps. or execution. (e.g. ${params.InputDataUrl}).",
    )


def _step_ref(text: str, rest: str, scope: Scope) -> Ref:
    step_name, _, attr_rest = rest.partition(".")
    if step_name not in scope.steps:
        raise ReferenceError_(
            "MLG201", f"unknown step '{step_name}' in ${{{text}}}", _suggest(step_name, scope.steps, "steps")
        )
    step: Any = scope.steps[step_name]
    step_type: str = step.type
    attr, _, detail = attr_rest.partition(".")
    if attr not in STEP_ATTRIBUTES:
        raise ReferenceError_(
            "MLG206",
            f"unknown step attribute '{attr}' in ${{{text}}}",
            _suggest(attr, STEP_ATTRIBUTES, "attributes") or "attributes: " + ", ".join(STEP_ATTRIBUTES) + ".",
        )
    owners = STEP_ATTRIBUTES[attr]
    if owners and step_type not in owners:
        raise ReferenceError_(
            "MLG205",
            f"${{{text}}}: step '{step_name}' is a {step_type} step, which has no {attr}",
            f"{attr} belongs to {' or '.join(owners)} steps.",
        )
    if attr == "outputs":
        if detail not in step.outputs:
            raise ReferenceError_(
                "MLG203",
                f"step '{step_name}' has no output '{detail}' in ${{{text}}}",
                _suggest(detail, step.outputs, "outputs"),
            )
        return Ref("output" if step_type == "processing" else "output_parameter", step_name, detail)
    if attr == "properties" and step_type in ("lambda", "callback"):
        raise ReferenceError_(
            "MLG262",
            f"${{{text}}}: a {step_type} step's results are its declared outputs, not properties",
            f"declare the value under outputs and read it as ${{steps.{step_name}.outputs.NAME}}.",
        )
    if attr == "properties":
        if not _PROPERTY_PATH.match(detail):
            raise ReferenceError_(
                "MLG206",
                f"'{detail}' is not a property path in ${{{text}}}",
                "for example steps.Train.properties.FinalMetricDataList['validation:rmse'].Value",
            )
        problem = check_property_path(step_type, detail)
        if problem is not None:
            message, choices, word = problem
            raise ReferenceError_("MLG209", f"${{{text}}}: {message}", _property_hint(word, choices))
        return Ref("property", step_name, detail)
    if detail:
        raise ReferenceError_("MLG206", f"unexpected '.{detail}' after {attr} in ${{{text}}}")
    return Ref(attr, step_name)


def referenced_steps(parts: list[Part]) -> list[str]:
    """Steps a value reads from (data dependencies)."""
    return [p.target for p in parts if isinstance(p, Ref) and p.kind not in ("param", "execution")]


def walk_values(spec: Any, visit: Callable[[tuple[str | int, ...], Any], None], path: tuple[str | int, ...]) -> None:
    """Call ``visit(path, value)`` for every text leaf in a spec that may hold references."""
    if isinstance(spec, str):
        if "${" in spec:
            visit(path, spec)
    elif isinstance(spec, list | tuple):
        for i, item in enumerate(spec):
            walk_values(item, visit, (*path, i))
    elif isinstance(spec, dict):
        for key, item in spec.items():
            walk_values(item, visit, (*path, key))
    elif isinstance(spec, BaseModel):
        for name, info in type(spec).model_fields.items():
            walk_values(getattr(spec, name), visit, (*path, info.alias or name))


def _suggest(word: str, choices: Any, what: str) -> str:
    names = sorted(choices)
    hint = did_you_mean(word, names).strip()
    if hint:
        return hint
    return f"known {what}: {', '.join(names)}." if names else f"no {what} are defined."


def _property_hint(word: str, choices: list[str]) -> str:
    hint = did_you_mean(word, choices).strip() if word else ""
    if hint or not choices:
        return hint
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"continue with one of: {shown} (SageMaker's response shape, as the SDK reads it)."
