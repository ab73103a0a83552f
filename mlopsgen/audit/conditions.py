"""A resource with ``Fn::If`` → every concrete form it can take, one per assignment of its conditions.

Conditions depend on parameters the audit cannot know, so a rule that requires something (a KMS
key, a VPC) must hold in every form: a resource passes only when each form passes. Conditions are
assigned together, so two ``Fn::If`` on one condition never mix branches (no false positive for
``!If [UseKey, aws:kms, AES256]`` next to ``!If [UseKey, !Ref Key, !Ref AWS::NoValue]``).

A rule reads a few properties, and only the ``Fn::If`` inside or around those can change its
verdict, so ``forms`` enumerates the conditions of the paths a rule reads (``reads``), not of the
whole resource: an endpoint config whose variants combine nine serving conditions still has one or
two conditions around its KMS key, and 2**n of the whole resource does not scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import product
from typing import Any

MAX_CONDITIONS = 6
"""Distinct conditions enumerated per rule's reads of a resource (2**6 forms); beyond it the resource is a finding."""

PathKey = tuple[str | int, ...]


class TooManyConditions(Exception):  # noqa: N818 - an outcome reported as a finding
    """The resource's ``Fn::If`` use more distinct conditions than are enumerated."""

    @classmethod
    def of(cls, count: int, limit: int = MAX_CONDITIONS) -> TooManyConditions:
        """The exception for ``count`` conditions, worded for the finding."""
        return cls(f"uses {count} conditions in Fn::If; at most {limit} are evaluated")


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


def conditions(value: Any) -> set[str]:
    """The distinct conditions of every well-formed ``Fn::If`` in ``value``."""
    return _conditions(value, set())


def project(value: Any, reads: Iterable[PathKey]) -> Any:
    """``value`` cut down to the key paths in ``reads``, with every ``Fn::If`` on the way kept.

    Resolving the projection under an assignment gives the projection of the resolved value, so a
    check that reads only these paths has the same verdict on both: a condition used elsewhere in
    the resource cannot change it. Below a path's end the whole value is kept; a level that is not
    a plain mapping (a list, or an intrinsic function other than ``Fn::If``) is kept whole too.
    """
    tree: dict[str | int, Any] = {}
    for path in reads:
        if not path:
            return value
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if node is _ALL:
                break
        else:
            node[path[-1]] = _ALL
    return _project(value, tree)


_ALL: dict[str | int, Any] = {}
"""Marks a path's end in ``project``'s tree of keys: keep everything below."""


def _project(value: Any, tree: dict[str | int, Any]) -> Any:
    if tree is _ALL:
        return value
    if is_if(value):
        condition, then, otherwise = value["Fn::If"]
        return {"Fn::If": [condition, _project(then, tree), _project(otherwise, tree)]}
    if not isinstance(value, dict) or is_no_value(value) or _is_function(value):
        return value
    return {key: _project(item, tree[key]) for key, item in value.items() if key in tree}


def _is_function(value: dict[str, Any]) -> bool:
    """``{"Ref": ...}`` or ``{"Fn::...": ...}``: a value computed by CloudFormation, not a mapping of properties."""
    if len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or str(key).startswith("Fn::")


def forms(
    resource: Any, limit: int = MAX_CONDITIONS, reads: Iterable[PathKey] | None = None
) -> Iterator[tuple[dict[str, bool], Any]]:
    """Each assignment of the conditions ``reads`` depend on, with the form it gives.

    Args:
        resource: The resource (or any part of one).
        limit: Most distinct conditions enumerated (2**limit forms); the audit keeps the default, tests
            that model every request a template can make go further.
        reads: The key paths (from ``resource``) a check reads: the forms are of ``project(resource,
            reads)``, over its conditions only. ``None``: the whole resource.

    Raises:
        TooManyConditions: When more than ``limit`` distinct conditions are used.
    """
    if reads is not None:
        resource = project(resource, reads)
    names = sorted(conditions(resource))
    if len(names) > limit:
        raise TooManyConditions.of(len(names), limit)
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
