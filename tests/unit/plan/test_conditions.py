"""Condition lowering keeps meaning: and/ne become Not/Or forms SageMaker has; checked on truth tables."""

from __future__ import annotations

import operator
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsgen.api import plan_blueprint
from mlopsgen.plan import model as ir

_OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_KINDS = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
}

leaves = st.one_of(
    st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 3), st.integers(0, 3)).map(lambda t: {t[0]: [t[1], t[2]]}),
    st.tuples(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=1, max_size=3)).map(
        lambda t: {"in": [t[0], t[1]]}
    ),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        inner.map(lambda c: {"not": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"and": cs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda cs: {"or": cs}),
    ),
    max_leaves=8,
)


def truth(spec: dict[str, Any]) -> bool:
    ((op, arg),) = spec.items()
    if op in _OPS:
        return bool(_OPS[op](arg[0], arg[1]))
    if op == "in":
        return arg[0] in arg[1]
    if op == "not":
        return not truth(arg)
    if op == "and":
        return all(truth(c) for c in arg)
    return any(truth(c) for c in arg)


def evaluate(cond: ir.Condition) -> bool:
    if isinstance(cond, ir.Comparison):
        return bool(_KINDS[cond.kind](cond.left, cond.right))
    if isinstance(cond, ir.InCondition):
        return cond.value in cond.choices
    if isinstance(cond, ir.NotCondition):
        return not evaluate(cond.condition)
    return any(evaluate(c) for c in cond.conditions)


def _plan_condition(condition: dict[str, Any]) -> tuple[ir.Condition, ...]:
    blueprint = {
        "project": {"name": "t", "id": "p-1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "steps": [
                {"name": "Gate", "type": "condition", "if": condition, "then": ["Stop"]},
                {"name": "Stop", "type": "fail", "message": "stop"},
            ]
        },
    }
    plan, diagnostics = plan_blueprint(yaml.safe_dump(blueprint))
    assert plan is not None, [d.format() for d in diagnostics]
    step = plan.pipeline.steps[0]
    assert isinstance(step, ir.ConditionStep)
    return step.conditions


@settings(max_examples=200, deadline=None)
@given(conditions)
def test_lowered_conditions_have_the_same_truth_value(condition: dict[str, Any]) -> None:
    lowered = _plan_condition(condition)
    assert all(evaluate(c) for c in lowered) == truth(condition)


def test_nested_and_becomes_not_or_not() -> None:
    (lowered,) = _plan_condition({"or": [{"and": [{"eq": [1, 1]}, {"lt": [1, 2]}]}, {"gt": [0, 1]}]})
    assert isinstance(lowered, ir.OrCondition)
    inner = lowered.conditions[0]
    assert isinstance(inner, ir.NotCondition) and isinstance(inner.condition, ir.OrCondition)
    assert all(isinstance(c, ir.NotCondition) for c in inner.condition.conditions)
