"""Guardrails admit what we generate, and deny it once a control is removed.

Every SageMaker create request in every example's output (pipeline steps, CloudFormation models and
endpoint configurations; see ``support/sagemaker_requests.py``) is evaluated against every deny statement
of the example's generated guardrails (``infrastructure/guardrails.yml``) with IAM's condition semantics
(``support/iam_conditions.py``), through the condition keys the request sets:

- zero self-denials: the project's own jobs, models and endpoints are allowed;
- mutation: removing any one control from a request (an optional member that sets a condition key the
  guardrails enforce, deleted; a boolean control set to false) is denied, for every action that supports
  the key. A control the guardrails claim but a request could drop unnoticed fails here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import mlopsgen

from .conftest import BLUEPRINTS
from .support import iam_conditions as iam
from .support.sagemaker_requests import (
    CONDITION_KEYS,
    Request,
    context_of,
    guardrail_policies,
    member_shapes,
    requests_of,
    values_at,
)

REGION, ACCOUNT = "eu-central-1", "111122223333"  # the account a guardrail is deployed in and requests hit


@cache
def _rendered(blueprint: Path) -> dict[str, str]:
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


def _policies(files: dict[str, str]) -> dict[str, list[iam.Statement]]:
    return {name: iam.statements(doc, "aws", ACCOUNT) for name, doc in guardrail_policies(files).items()}


def _denials(policies: dict[str, list[iam.Statement]], request: Request, body: dict[str, Any]) -> list[str]:
    context = context_of(request.action, body)
    arn = request.arn(REGION, ACCOUNT)
    return [
        f"{name}/{sid}"
        for name, policy in policies.items()
        for sid in iam.denying(policy, request.action, arn, context)
    ]


def _delete(body: dict[str, Any], parts: list[str]) -> dict[str, Any] | None:
    mutated = copy.deepcopy(body)
    node: Any = mutated
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or parts[-1] not in node:
        return None
    del node[parts[-1]]
    return mutated


def _set_false(body: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    mutated = copy.deepcopy(body)
    node = mutated
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = False
    return mutated


def mutations(request: Request) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each way to remove one control from a request while keeping it a valid request (botocore's shape).

    For every member path that sets a condition key: delete the member or any optional member above it
    (a required one cannot be left out, so that would not be a request SageMaker accepts), and set a
    boolean member to false.
    """
    seen = set()
    for paths in CONDITION_KEYS[request.action].values():
        for path in paths:
            if "[]" in path or values_at(request.body, path) is None:
                continue
            parts = path.split(".")
            steps = member_shapes(request.action, path)
            for depth, (parent, name) in enumerate(steps):
                prefix = parts[: depth + 1]
                label = f"delete {'.'.join(prefix)}"
                if name in parent.required_members or label in seen:
                    continue
                mutated = _delete(request.body, prefix)
                if mutated is not None:
                    seen.add(label)
                    yield label, mutated
            parent, name = steps[-1]
            if parent.members[name].type_name == "boolean" and f"false {path}" not in seen:
                seen.add(f"false {path}")
                yield f"set {path} false", _set_false(request.body, parts)


def _removed_controls(action: str, before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    old, new = context_of(action, before), context_of(action, after)
    return {k for k, v in old.items() if k not in new or (v == "true" and new[k] == "false")}


def _enforced_keys(policies: dict[str, list[iam.Statement]]) -> set[str]:
    """The condition keys the guardrails claim to enforce: every key a deny statement tests."""
    return {key for policy in policies.values() for s in policy for entries in s.condition.values() for key in entries}


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_guardrails_admit_every_request_we_generate(blueprint: Path) -> None:
    files = _rendered(blueprint)
    policies = _policies(files)
    denied = [
        f"{r.example}: {r.origin}: {r.action} denied by {', '.join(sids)}"
        for r in requests_of(blueprint.stem, files)
        if (sids := _denials(policies, r, r.body))
    ]
    assert not denied, "\n".join(denied)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_removing_any_control_from_a_request_is_denied(blueprint: Path) -> None:
    files = _rendered(blueprint)
    policies = _policies(files)
    enforced = _enforced_keys(policies)
    admitted = []
    for request in requests_of(blueprint.stem, files):
        for label, mutated in mutations(request):
            removed = _removed_controls(request.action, request.body, mutated) & enforced
            if removed and not _denials(policies, request, mutated):
                admitted.append(
                    f"{request.example}: {request.origin}: {request.action} with {label} "
                    f"(drops {', '.join(sorted(removed))}) is allowed"
                )
    assert not admitted, "\n".join(admitted)


def test_the_secured_example_exercises_every_guardrail_statement() -> None:
    """Not vacuous: a secured example has guardrails, and each deny statement denies some mutated request."""
    secured = [b for b in BLUEPRINTS if guardrail_policies(_rendered(b))]
    assert secured, "no example renders guardrails"
    for blueprint in secured:
        files = _rendered(blueprint)
        policies = _policies(files)
        used: set[str] = set()
        for request in requests_of(blueprint.stem, files):
            for _, mutated in mutations(request):
                used.update(_denials(policies, request, mutated))
        declared = {f"{name}/{s.sid}" for name, policy in policies.items() for s in policy}
        assert declared - used == set(), f"{blueprint.stem}: statements that deny nothing we generate"


def test_condition_key_table_follows_botocore_and_covers_the_guardrails() -> None:
    """Every member path of the table exists in botocore's request shape; every guarded action is modelled."""
    for action, keys in CONDITION_KEYS.items():
        for paths in keys.values():
            for path in paths:
                member_shapes(action, path)  # raises KeyError for a member the API does not have
    for blueprint in BLUEPRINTS:
        for policy in _policies(_rendered(blueprint)).values():
            for statement in policy:
                assert set(statement.actions) <= set(CONDITION_KEYS), statement.sid
                for entries in statement.condition.values():
                    for key in entries:
                        assert any(key in CONDITION_KEYS[a] for a in statement.actions), (statement.sid, key)


@pytest.mark.parametrize(
    ("operator", "value", "context", "holds"),
    [
        # A missing key: Null "true" matches, a plain operator does not, unless negated or ...IfExists.
        ("Null", "true", {}, True),
        ("Null", "true", {"k": "v"}, False),
        ("Null", "false", {"k": "v"}, True),
        ("Bool", "false", {}, False),
        ("BoolIfExists", "false", {}, True),
        ("BoolIfExists", "false", {"k": "true"}, False),
        ("Bool", "false", {"k": "False"}, True),
        ("StringEquals", "v", {}, False),
        ("StringNotEquals", "v", {}, True),
        ("StringNotEquals", ["a", "v"], {"k": "v"}, False),
        ("StringNotEqualsIfExists", "v", {}, True),
        ("StringLike", "arn:*:key/*", {"k": "arn:aws:kms:eu-west-1:1:key/x"}, True),
        ("StringNotLike", "arn:*", {}, True),
        ("ArnLike", "arn:aws:kms:*:111122223333:key/*", {"k": "arn:aws:kms:eu-west-1:111122223333:key/x"}, True),
        ("ArnLike", "arn:aws:sagemaker:*:1*:*", {"k": "arn:aws:sagemaker:eu-west-1:111122223333:model/m"}, True),
        ("ArnNotLike", "arn:aws:kms:*:111122223333:*", {"k": "arn:aws:kms:eu-west-1:999999999999:key/x"}, True),
        ("NumericLessThanEquals", "3600", {"k": "7200"}, False),
        # Set operators: a missing (empty) set satisfies ForAllValues and fails ForAnyValue.
        ("ForAllValues:StringEquals", ["subnet-1", "subnet-2"], {}, True),
        ("ForAllValues:StringEquals", ["subnet-1", "subnet-2"], {"k": ["subnet-1", "subnet-3"]}, False),
        ("ForAnyValue:StringEquals", ["subnet-1"], {}, False),
        ("ForAnyValue:StringLike", ["subnet-*"], {"k": ["sg-1", "subnet-3"]}, True),
        ("ForAllValues:StringNotEquals", ["subnet-9"], {"k": ["subnet-1", "subnet-3"]}, True),
    ],
)
def test_condition_semantics_follow_iam(operator: str, value: Any, context: dict[str, Any], holds: bool) -> None:
    assert iam.condition_matches(operator, "k", value, context) is holds


def test_plain_operator_on_a_multivalued_key_is_refused() -> None:
    with pytest.raises(ValueError, match="multivalued"):
        iam.condition_matches("StringEquals", "k", "a", {"k": ["a"]})
