"""Salvage the valid parts of a blueprint that failed its schema, so later checks still see them.

Without this, problems arrive in rounds: a schema error anywhere (a duplicate key, a typo in one
step) hides every reference and plan-level problem elsewhere, and three independent mistakes take
three runs. Instead, the smallest self-contained unit around each schema error is removed (a step,
a parameter, a stage, an optional key, an optional section), the rest is validated again, and the
checks run on what is left. References *to* a removed step or parameter are not reported: the
schema error already explains that part, and "unknown step" would be false.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.delivery import CiSpec, DeploySpec
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec, PipelineSpec, ProjectSpec, SecuritySpec
from mlopsgen.blueprint.paths import data_path

_SECTIONS: dict[str, type[BaseModel]] = {
    "project": ProjectSpec,
    "pipeline": PipelineSpec,
    "security": SecuritySpec,
    "deploy": DeploySpec,
    "ci": CiSpec,
}
"""Top-level sections → their models (to tell a required key from one that has a default)."""

_ITEM_UNITS = {("pipeline", "steps"), ("pipeline", "parameters"), ("deploy", "stages")}
"""Collections whose items stand alone: one broken item is removed, its siblings are kept."""

ANY = "\x00any"
"""Stands for names that could not be read: every reference of that kind is left unreported."""

_MAX_ROUNDS = 4
"""Removing a unit can empty a collection (a new error one level up); a few rounds settle it."""


class Salvaged:
    """A spec built from the valid parts, and what was left out to build it."""

    def __init__(
        self,
        spec: BlueprintSpec | None,
        steps: frozenset[str] = frozenset(),
        params: frozenset[str] = frozenset(),
        files: frozenset[str] = frozenset(),
        origins: dict[PathKey, list[int]] | None = None,
    ) -> None:
        self.spec, self.steps, self.params, self.files = spec, steps, params, files
        self.origins = origins or {}
        """List path → the original index of each item left (indices shift when items are removed)."""

    def restore(self, issue: Issue) -> Issue | None:
        """The issue located in the original data, or None when it only says a left-out part is missing."""
        for names, kind in ((self.steps, "step"), (self.params, "parameter"), (self.files, "property file")):
            # ANY: a part was removed whose names could not be read (a step without a valid name).
            if any(f"unknown {kind} '{name}'" in issue.message or name == ANY for name in names) and (
                f"unknown {kind} '" in issue.message
            ):
                return None
        if self.steps and issue.code == "MLG311":  # "deploy needs a register_model step": it may be the one left out
            return None
        path = issue.path
        origin = self.origins.get(path[:2])
        if origin is not None and len(path) > 2 and isinstance(path[2], int) and path[2] < len(origin):
            return dataclasses.replace(issue, path=(*path[:2], origin[path[2]], *path[3:]))
        return issue


def salvage(data: dict[str, Any], error_paths: Iterable[PathKey]) -> Salvaged:
    """Remove the units around ``error_paths`` from a copy of ``data`` and validate the rest.

    Args:
        data: The loaded blueprint (not modified).
        error_paths: Data paths of every schema diagnostic.

    Returns:
        The salvaged spec (``None`` when a required part such as the project identity is broken),
        the names of the steps and parameters that were removed and where the remaining items were.
    """
    pruned = copy.deepcopy(data)
    steps: set[str] = set()
    params: set[str] = set()
    files: set[str] = set()
    origins: dict[PathKey, list[int]] = {}
    for collection in _ITEM_UNITS:
        section = pruned.get(collection[0])
        items = section.get(collection[1]) if isinstance(section, dict) else None
        if isinstance(items, list):
            origins[collection] = list(range(len(items)))
    paths = list(error_paths)
    for _ in range(_MAX_ROUNDS):
        units = {_unit(pruned, path) for path in paths}
        if not units or None in units:
            return Salvaged(None)
        for unit in sorted((u for u in units if u is not None), key=_removal_order):
            _remove(pruned, unit, (steps, params, files), origins)
        try:
            spec = BlueprintSpec.model_validate(pruned)
        except ValidationError as exc:
            paths = [data_path(pruned, tuple(e["loc"])) for e in exc.errors(include_url=False)]
            continue
        return Salvaged(spec, frozenset(steps), frozenset(params), frozenset(files), origins)
    return Salvaged(None)


def _unit(data: dict[str, Any], path: PathKey) -> PathKey | None:
    """The smallest removable part holding ``path``, or None when only a required part holds it."""
    if not path:
        return None
    head = str(path[0])
    if len(path) >= 3 and (head, path[1]) in _ITEM_UNITS:
        return path[:3]
    model = _SECTIONS.get(head)
    if model is None:
        return None if head in ("project", "pipeline") else path[:1]  # an unknown top-level key, or version
    if not BlueprintSpec.model_fields[head].is_required():
        # The whole optional section: without one of its keys, checks would report that key missing.
        return path[:1]
    if len(path) >= 2 and isinstance(data.get(head), dict):
        field = next((f for n, f in model.model_fields.items() if path[1] in (n, f.alias)), None)
        if field is None or not field.is_required():
            return path[:2]  # an unknown key, or one with a default (roles, tags, experiment_tracking)
    return None


def _removal_order(unit: PathKey) -> tuple[Any, ...]:
    # List items go last-first so earlier indices stay valid; shorter (outer) units first.
    return (len(unit), tuple(-p if isinstance(p, int) else 0 for p in unit), tuple(map(str, unit)))


def _remove(
    data: dict[str, Any], unit: PathKey, removed: tuple[set[str], ...], origins: dict[PathKey, list[int]]
) -> None:
    """Remove ``unit``, noting the step, parameter and property file names that go with it."""
    steps, params, files = removed
    parent: Any = data
    for part in unit[:-1]:
        if isinstance(parent, dict) and part in parent:
            parent = parent[part]
        elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
            parent = parent[part]
        else:
            return  # already removed with an outer unit
    last = unit[-1]
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        item = parent.pop(last)
        if unit[:2] in origins and len(unit) == 3:
            origins[unit[:2]].pop(last)
        if unit[:2] == ("pipeline", "steps"):
            _step_names(item, steps, files)
    elif isinstance(parent, dict) and last in parent:
        item = parent.pop(last)
        if unit[:2] == ("pipeline", "parameters"):
            params.add(str(last) if len(unit) == 3 else ANY)
        elif unit == ("pipeline",) or unit[:2] == ("pipeline", "steps"):
            steps.add(ANY)
            files.add(ANY)


def _step_names(step: Any, steps: set[str], files: set[str]) -> None:
    name = step.get("name") if isinstance(step, dict) else None
    steps.add(name if isinstance(name, str) else ANY)
    declared = step.get("property_files", []) if isinstance(step, dict) else ANY
    for entry in declared if isinstance(declared, list) else [None]:
        file_name = entry.get("name") if isinstance(entry, dict) else None
        files.add(file_name if isinstance(file_name, str) else ANY)
