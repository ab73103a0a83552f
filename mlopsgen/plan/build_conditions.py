"""Blueprint conditions → Plan conditions (a mixin of the plan builder, like build_checks).

Split out of ``build.py`` (the step builders and the Plan's assembly): turning the blueprint's
operators into the four SageMaker condition kinds is its own small translation, with one rewrite
SageMaker needs (``and`` inside ``or``/``not`` has no condition type of its own).
"""

from __future__ import annotations

from typing import Any

from mlopsgen.blueprint import conditions as cond
from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import property_file_owners
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_base import BuilderBase

_COMPARISONS = {
    "eq": "Equals",
    "lt": "LessThan",
    "lte": "LessThanOrEqualTo",
    "gt": "GreaterThan",
    "gte": "GreaterThanOrEqualTo",
}


class ConditionsBuilder(BuilderBase):
    """Builds the conditions of condition steps."""

    def condition(self, node: Any) -> ir.Condition:
        """One blueprint condition (any operator) as a SageMaker condition."""
        if isinstance(node, cond.NotSpec):
            return ir.NotCondition(self.condition(node.not_))
        if isinstance(node, cond.OrSpec):
            return ir.OrCondition(tuple(self.condition(c) for c in node.or_))
        if isinstance(node, cond.AndSpec):
            # SageMaker has no And inside Or/Not: and(a, b) == not(or(not a, not b)).
            return ir.NotCondition(ir.OrCondition(tuple(ir.NotCondition(self.condition(c)) for c in node.and_)))
        if isinstance(node, cond.InSpec):
            value, choices = node.in_
            return ir.InCondition(self.operand(value), tuple(self.operand(c) for c in choices))
        if isinstance(node, cond.NotEqualsSpec):
            left, right = node.ne
            return ir.NotCondition(ir.Comparison("Equals", self.operand(left), self.operand(right)))
        for key, kind in _COMPARISONS.items():
            pair = getattr(node, key, None)
            if pair is not None:
                return ir.Comparison(kind, self.operand(pair[0]), self.operand(pair[1]))
        raise AssertionError(f"unhandled condition {node!r}")

    def operand(self, value: Any) -> ir.Expr:
        """A comparison's side: ``json_get`` reads the owning step's property file, anything else is a value."""
        if isinstance(value, cond.JsonGetOperand):
            owner = property_file_owners(self.bp)[value.json_get.property_file]
            return ir.JsonGet(owner, value.json_get.property_file, value.json_get.path)
        return self.expr(value)

    def conditions(self, step: spec.ConditionStepSpec) -> tuple[ir.Condition, ...]:
        """Top-level ``and`` becomes the list SageMaker already ANDs."""
        if isinstance(step.if_, cond.AndSpec):
            return tuple(self.condition(c) for c in step.if_.and_)
        return (self.condition(step.if_),)
