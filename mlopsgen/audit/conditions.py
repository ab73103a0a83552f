"""A resource with ``Fn::If`` → every concrete form it can take, one per assignment of its conditions.

Conditions depend on parameters the audit cannot know, so a rule that requires something (a KMS
key, a VPC) must hold in every form: a resource passes only when each form passes. Conditions are
assigned together, so two ``Fn::If`` on one condition never mix branches (no false positive for
``!If [UseKey, aws:kms, AES256]`` next to ``!If [UseKey, !Ref Key, !Ref AWS::NoValue]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import Any

MAX_CONDITIONS = 6
"""Distinct conditions enumerated per resource (2**6 forms); beyond it the resource is a finding."""


class TooManyConditions(Exception):  # noqa: N818 - an outcome reported as a finding
    """The resource's ``Fn::If`` use more distinct conditions than are enumerated."""


_NO_VALUE = object()


def is_if(value: Any) -> bool:
    """Whether ``value`` is a well-formed ``{"Fn::If": [condition, then, else]}``."""
    if not (isinstance(value, dict) and len(value) == 1 and "Fn::If" in value):
        return False
    arguments = value["Fn::If"]
    return isinstance(arguments, list) and len(arguments) == 3


def is_no_value(value: Any) -> bool:
    """``{"Ref": "AWS::NoValue"}``: the property is removed."""
    return isinstance(value, dict) and value == {"Ref": "AWS::NoValue"}


def _conditions(value: Any, found: set[str]) -> set[str]:
    if is_if(value):
        found.add(str(value["Fn::If"][0]))
    if isinstance(value, dict):
        for item in value.values():
            _conditions(item, found)
    elif isinstance(value, list):
        for item in value:
            _conditions(item, found)
    return found


def forms(resource: Any, limit: int = MAX_CONDITIONS) -> Iterator[tuple[dict[str, bool], Any]]:
    """Each assignment of the resource's conditions with the resource it gives.

    Args:
        resource: The resource (or any part of one).
        limit: Most distinct conditions enumerated (2**limit forms); the audit keeps the default, tests
            that model every request a template can make go further.

    Raises:
        TooManyConditions: When more than ``limit`` distinct conditions are used.
    """
    names = sorted(_conditions(resource, set()))
    if len(names) > limit:
        raise TooManyConditions(f"uses {len(names)} conditions in Fn::If; at most {limit} are evaluated")
    for choice in product((True, False), repeat=len(names)):
        assignment = dict(zip(names, choice, strict=True))
        yield assignment, _resolve(resource, assignment)


def _resolve(value: Any, assignment: dict[str, bool]) -> Any:
    if is_if(value):
        condition, then, otherwise = value["Fn::If"]
        return _resolve(then if assignment[str(condition)] else otherwise, assignment)
    if is_no_value(value):
        return _NO_VALUE
    if isinstance(value, dict):
        resolved = {key: _resolve(item, assignment) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}
    if isinstance(value, list):
        items = [_resolve(item, assignment) for item in value]
        return [item for item in items if item is not _NO_VALUE]
    return value


def branches(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[Any, tuple[str | int, ...]]]:
    """Every concrete value ``value`` may take, with its path: both branches of each ``Fn::If``.

    For rules that forbid something (a ``*`` action): the finding is raised if any branch has it.
    """
    if is_if(value):
        for index in (1, 2):
            yield from branches(value["Fn::If"][index], (*path, "Fn::If", index))
    elif not is_no_value(value):
        yield value, path


def describe(assignment: dict[str, bool]) -> str:
    """`` (when UseKey is false)``: the condition values under which a form fails."""
    if not assignment:
        return ""
    parts = [f"{name} is {str(value).lower()}" for name, value in assignment.items()]
    return f" (when {' and '.join(parts)})"
