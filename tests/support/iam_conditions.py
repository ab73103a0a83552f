"""IAM policy statements → which deny statements apply to one request, with IAM's condition semantics.

A small evaluator for the policies we generate (deny statements guarded by conditions), written from the
IAM user guide ("IAM JSON policy elements: Condition operators" and "Set operators for multivalued context
keys"). It exists so a test can ask AWS's question, "would this request be denied?", offline, instead of
asserting the policy's text. The part that is easy to get wrong is a key the request does not set:

- a plain operator on a missing key is false, except the negated ones (``StringNotEquals``,
  ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``, ``NumericNotEquals``), which are true;
- ``...IfExists`` on a missing key is true (the check applies only when the key is present);
- ``Null: "true"`` matches exactly when the key is missing, ``Null: "false"`` when it is present;
- ``ForAllValues:`` on a missing key is true, ``ForAnyValue:`` is false.

Several keys under one operator, and several operators, are ANDed; several values for one key are ORed
(for a negated operator: the value matches none of them). A plain operator other than ``Null`` on a
multivalued key is refused: IAM leaves it undefined, so a policy must not rely on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A request context: key → one value (single-valued key) or a list of values (multivalued key).
Context = Mapping[str, str | list[str]]

NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}
NEGATED_NUMERIC = {"NumericNotEquals"}


def _like(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters, ? one character; everything else literal, case-sensitive.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # ARN operators compare the six colon-separated parts separately (a * does not cross a colon).
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_like(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _bool(text: str) -> bool | None:
    lowered = str(text).lower()
    return {"true": True, "false": False}.get(lowered)


def _positive_match(base: str, policy_value: str, value: str) -> bool:
    """Whether one request value matches one policy value under the operator's positive form."""
    if base in ("StringEquals", "StringNotEquals"):
        return value == policy_value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return value.lower() == policy_value.lower()
    if base in ("StringLike", "StringNotLike"):
        return _like(policy_value, value)
    if base in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return _arn_like(policy_value, value)
    if base == "Bool":
        wanted, got = _bool(policy_value), _bool(value)
        return wanted is not None and wanted == got
    if base.startswith("Numeric"):
        try:
            a, b = float(value), float(policy_value)
        except ValueError:
            return False
        return {
            "NumericEquals": a == b,
            "NumericNotEquals": a == b,
            "NumericLessThan": a < b,
            "NumericLessThanEquals": a <= b,
            "NumericGreaterThan": a > b,
            "NumericGreaterThanEquals": a >= b,
        }[base]
    raise ValueError(f"condition operator {base!r} is not modelled")


def _value_matches(base: str, policy_values: Sequence[str], value: str) -> bool:
    hit = any(_positive_match(base, p, value) for p in policy_values)
    return not hit if base in NEGATED or base in NEGATED_NUMERIC else hit


def _as_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def condition_matches(operator: str, key: str, policy_value: Any, context: Context) -> bool:
    """Whether one ``operator: {key: policy_value}`` entry of a Condition block holds for a request.

    Args:
        operator: The condition operator as written, e.g. ``Null``, ``BoolIfExists``,
            ``ForAllValues:StringLike``.
        key: The condition key, e.g. ``sagemaker:VpcSubnets``.
        policy_value: The value or list of values the policy gives.
        context: The request context.

    Returns:
        True when the entry holds (for a Deny statement: contributes to denying).

    Raises:
        ValueError: For an operator that is not modelled, or a plain operator on a multivalued key.
    """
    policy_values = _as_list(policy_value)
    present = key in context
    if operator == "Null":
        wanted = _bool(policy_values[0])
        if wanted is None or len(policy_values) != 1:
            raise ValueError(f"Null takes 'true' or 'false', not {policy_value!r}")
        return (not present) if wanted else present
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise ValueError(f"unknown set operator {qualifier!r}")
    if not present:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return base in NEGATED or base in NEGATED_NUMERIC
    value = context[key]
    values = value if isinstance(value, list) else [value]
    if qualifier == "ForAllValues":
        return all(_value_matches(base, policy_values, v) for v in values)
    if qualifier == "ForAnyValue":
        return any(_value_matches(base, policy_values, v) for v in values)
    if isinstance(value, list):
        raise ValueError(f"{operator} on multivalued key {key}: use ForAllValues/ForAnyValue (undefined in IAM)")
    return _value_matches(base, policy_values, value)


def conditions_hold(condition: Mapping[str, Mapping[str, Any]], context: Context) -> bool:
    """Whether a whole Condition block holds: every operator and every key in it (AND)."""
    return all(
        condition_matches(operator, key, value, context)
        for operator, entries in condition.items()
        for key, value in entries.items()
    )


def _action_matches(patterns: Any, action: str) -> bool:
    # Action names are case-insensitive in IAM; wildcards as in StringLike.
    return any(_like(p.lower(), action.lower()) for p in _as_list(patterns))


@dataclass(frozen=True)
class Statement:
    """One policy statement with its CloudFormation ``Fn::Sub`` resources already resolved."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]]

    def applies(self, action: str, resource: str, context: Context) -> bool:
        """Whether the statement matches the request: action, resource and condition."""
        return (
            _action_matches(list(self.actions), action)
            # Resource "*" matches every request, also one on an action without resource types.
            and any(r == "*" or _arn_like(r, resource) for r in self.resources)
            and conditions_hold(self.condition, context)
        )


def resolve_sub(value: Any, partition: str, account: str) -> str:
    """A Resource entry as IAM sees it once CloudFormation has substituted the pseudo parameters."""
    if isinstance(value, str):
        return value
    text = value["Fn::Sub"]
    assert isinstance(text, str), f"only the one-argument Fn::Sub form is modelled: {value!r}"
    return text.replace("${AWS::Partition}", partition).replace("${AWS::AccountId}", account)


def statements(document: Mapping[str, Any], partition: str, account: str) -> list[Statement]:
    """The statements of a policy document, resolved for the account the policy is deployed in."""
    raw = document["Statement"]
    result = []
    for s in raw if isinstance(raw, list) else [raw]:
        assert "NotAction" not in s and "NotResource" not in s, "NotAction/NotResource are not modelled"
        result.append(
            Statement(
                sid=s.get("Sid", ""),
                effect=s["Effect"],
                actions=tuple(_as_list(s["Action"])),
                resources=tuple(resolve_sub(r, partition, account) for r in _as_list_raw(s["Resource"])),
                condition=s.get("Condition", {}),
            )
        )
    return result


def _as_list_raw(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def denying(policy: Sequence[Statement], action: str, resource: str, context: Context) -> list[str]:
    """The Sids of the Deny statements that deny the request (an explicit deny always wins)."""
    return [s.sid for s in policy if s.effect == "Deny" and s.applies(action, resource, context)]
