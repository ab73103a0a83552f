"""Condition expressions of a ``condition`` step: comparisons over operands, ``in``, ``not``, ``and``, ``or``.

A recursive, discriminated union of one-key models; split out of ``models.py`` because it is a small
language of its own (``checks.py`` walks its operands, ``plan/build.py`` lowers it to SageMaker conditions).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from mlopsgen.blueprint.base import Scalar, Spec


class JsonGetSpec(Spec):
    """Reads a value from a property file written by a processing step."""

    property_file: str
    """Name of a property file declared by a processing step."""
    path: str
    """JSON path of the value in the file, e.g. regression_metrics.mse.value."""


class JsonGetOperand(Spec):
    """An operand that is a json_get call."""

    json_get: JsonGetSpec
    """Read a value from a property file."""


Operand = Annotated[
    Annotated[JsonGetOperand, Tag("json_get")] | Annotated[Scalar, Tag("scalar")],
    Discriminator(lambda v: "json_get" if isinstance(v, dict | JsonGetOperand) else "scalar"),
]


def _first_key(value: Any) -> str | None:
    """Tag of a condition: its only key (mapping input) or its operator (model input)."""
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    return _OPERATOR_OF.get(type(value))


Pair = Annotated[list[Operand], Field(min_length=2, max_length=2)]


class EqualsSpec(Spec):
    """left == right."""

    eq: Pair
    """[left, right]: equal."""


class NotEqualsSpec(Spec):
    """left != right (emitted as Not(Equals))."""

    ne: Pair
    """[left, right]: not equal."""


class LessThanSpec(Spec):
    """left < right."""

    lt: Pair
    """[left, right]: left is less than right."""


class LessThanOrEqualSpec(Spec):
    """left <= right."""

    lte: Pair
    """[left, right]: left is at most right."""


class GreaterThanSpec(Spec):
    """left > right."""

    gt: Pair
    """[left, right]: left is greater than right."""


class GreaterThanOrEqualSpec(Spec):
    """left >= right."""

    gte: Pair
    """[left, right]: left is at least right."""


class InSpec(Spec):
    """[value, [choices...]]: value is one of the choices."""

    in_: tuple[Operand, list[Operand]] = Field(alias="in", strict=False)
    """[value, [choices...]]: value is one of the choices."""


class NotSpec(Spec):
    """Negates a condition."""

    not_: ConditionExpr = Field(alias="not")
    """A condition that must not hold."""


class AndSpec(Spec):
    """All conditions hold."""

    and_: list[ConditionExpr] = Field(alias="and", min_length=1)
    """Conditions that must all hold."""


class OrSpec(Spec):
    """At least one condition holds."""

    or_: list[ConditionExpr] = Field(alias="or", min_length=1)
    """Conditions of which at least one must hold."""


CONDITION_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not", "and", "or")

ConditionExpr = Annotated[
    Annotated[EqualsSpec, Tag("eq")]
    | Annotated[NotEqualsSpec, Tag("ne")]
    | Annotated[LessThanSpec, Tag("lt")]
    | Annotated[LessThanOrEqualSpec, Tag("lte")]
    | Annotated[GreaterThanSpec, Tag("gt")]
    | Annotated[GreaterThanOrEqualSpec, Tag("gte")]
    | Annotated[InSpec, Tag("in")]
    | Annotated[NotSpec, Tag("not")]
    | Annotated[AndSpec, Tag("and")]
    | Annotated[OrSpec, Tag("or")],
    Discriminator(_first_key),
]


_OPERATOR_OF: dict[type, str] = {
    EqualsSpec: "eq",
    NotEqualsSpec: "ne",
    LessThanSpec: "lt",
    LessThanOrEqualSpec: "lte",
    GreaterThanSpec: "gt",
    GreaterThanOrEqualSpec: "gte",
    InSpec: "in",
    NotSpec: "not",
    AndSpec: "and",
    OrSpec: "or",
}
