"""BlueprintSpec → diagnostics: semantic checks that need the whole blueprint (names, references, graph).

Each check is a small pure function ``check_x(spec, scope) -> list[Issue]``; ``CHECKS`` runs them all
so every problem is reported in one run.

This module keeps the step graph's rules (names, references, branches, cycles);
``checks_parameters`` holds the parameter and retry rules, ``checks_delivery`` the deploy/CI/security
rules, and ``checks_base`` the Issue record and message helpers. Names other code imports from here
are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from mlopsgen.blueprint.base import INSTANCE_PATTERN
from mlopsgen.blueprint.checks_base import Issue as Issue
from mlopsgen.blueprint.checks_base import _article as _article
from mlopsgen.blueprint.checks_base import _known as _known
from mlopsgen.blueprint.checks_base import _steps
from mlopsgen.blueprint.checks_base import _yaml as _yaml
from mlopsgen.blueprint.checks_delivery import ROLE_SUFFIX_MAX as ROLE_SUFFIX_MAX
from mlopsgen.blueprint.checks_delivery import check_backends, check_delivery, check_required_security
from mlopsgen.blueprint.checks_parameters import check_parameters, check_retry
from mlopsgen.blueprint.conditions import JsonGetOperand
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Ref, ReferenceError_, Scope, referenced_steps, split_value, walk_values
from mlopsgen.blueprint.steps import (
    ConditionStepSpec,
    CreateModelStepSpec,
    InstanceSpec,
    ProcessingStepSpec,
    RegisterModelStepSpec,
    TrainingStepSpec,
    TransformStepSpec,
    TuningStepSpec,
)


def property_file_owners(spec: BlueprintSpec) -> dict[str, str]:
    """Property file name → the processing step that declares it (first wins)."""
    owners: dict[str, str] = {}
    for _, step in _steps(spec):
        if isinstance(step, ProcessingStepSpec):
            for pf in step.property_files:
                owners.setdefault(pf.name, step.name)
    return owners


def check_unique_names(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Step names and property file names are unique."""
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    files: set[str] = set()
    for path, step in _steps(spec):
        if step.name in seen:
            issues.append(Issue("MLG301", (*path, "name"), f"duplicate step name '{step.name}'", at_value=True))
        seen.setdefault(step.name, 0)
        if isinstance(step, ProcessingStepSpec):
            for j, pf in enumerate(step.property_files):
                if pf.name in files:
                    issues.append(
                        Issue(
                            "MLG301",
                            (*path, "property_files", j, "name"),
                            f"duplicate property file name '{pf.name}'",
                            "property file names are unique across the pipeline.",
                            at_value=True,
                        )
                    )
                files.add(pf.name)
                if pf.output not in step.outputs:
                    issues.append(
                        Issue(
                            "MLG203",
                            (*path, "property_files", j, "output"),
                            f"property file '{pf.name}' reads output '{pf.output}', which step '{step.name}' "
                            "does not have",
                            _known(pf.output, step.outputs, "outputs"),
                            at_value=True,
                        )
                    )
    return issues


def check_references(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Every ``${...}`` reference and every step name a key refers to exists and has the right kind."""
    issues: list[Issue] = []

    def visit(path: PathKey, value: Any) -> None:
        try:
            split_value(value, scope)
        except ReferenceError_ as exc:
            issues.append(Issue(exc.code, path, exc.message, exc.hint, at_value=True))

    owners = property_file_owners(spec)
    for path, step in _steps(spec):
        walk_values(step, visit, path)
        for j, dep in enumerate(step.depends_on):
            issues += _step_name(scope, dep, (*path, "depends_on", j), "depends_on")
        if isinstance(step, RegisterModelStepSpec | CreateModelStepSpec):
            issues += _model_source(scope, step, path)
        if isinstance(step, TransformStepSpec):
            found = _step_name(scope, step.model, (*path, "model"), "model")
            if not found and not isinstance(scope.steps[step.model], CreateModelStepSpec):
                found.append(
                    Issue(
                        "MLG205",
                        (*path, "model"),
                        f"transform step '{step.name}' needs a create_model step, but '{step.model}' is a "
                        f"{scope.steps[step.model].type} step",
                        at_value=True,
                    )
                )
            issues += found
        if isinstance(step, ConditionStepSpec):
            for key, names in (("then", step.then), ("else", step.else_)):
                for j, name in enumerate(names):
                    issues += _step_name(scope, name, (*path, key, j), key)
            for operand_path, operand in _operands(step.if_, (*path, "if")):
                if isinstance(operand, JsonGetOperand) and operand.json_get.property_file not in owners:
                    issues.append(
                        Issue(
                            "MLG204",
                            (*operand_path, "json_get", "property_file"),
                            f"unknown property file '{operand.json_get.property_file}'",
                            _known(operand.json_get.property_file, owners, "property files"),
                            at_value=True,
                        )
                    )
    return issues


def check_typed_references(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Instance counts read integer parameters and instance types read string parameters."""
    issues: list[Issue] = []
    for path, step in _steps(spec):
        instance = getattr(step, "instance", None)
        if not isinstance(instance, InstanceSpec):
            continue
        for key, wanted, literal in (("count", "integer", int), ("type", "string", str)):
            value = getattr(instance, key)
            where = (*path, "instance", key)
            if isinstance(value, bool) or not isinstance(value, literal | str):
                issues.append(Issue("MLG112", where, f"instance {key} must be {wanted}, not {value!r}", at_value=True))
                continue
            if not isinstance(value, str) or "${" not in value:
                if key == "count" and isinstance(value, int) and value < 1:
                    issues.append(
                        Issue("MLG114", where, f"instance count must be at least 1, not {value}", at_value=True)
                    )
                if key == "type" and isinstance(value, str) and not re.match(INSTANCE_PATTERN, value):
                    issues.append(
                        Issue(
                            "MLG114",
                            where,
                            f"'{value}' is not a SageMaker instance type",
                            "instance types look like ml.m5.xlarge.",
                            at_value=True,
                        )
                    )
                if key == "count" and isinstance(value, str):
                    issues.append(
                        Issue(
                            "MLG112",
                            where,
                            f"instance count must be an integer or ${{params.X}}, not '{value}'",
                            at_value=True,
                        )
                    )
                continue
            try:
                parts = split_value(value, scope)
            except ReferenceError_:
                continue
            if len(parts) != 1 or not isinstance(parts[0], Ref) or parts[0].kind != "param":
                issues.append(
                    Issue("MLG208", where, f"instance {key} must be a literal or one ${{params.X}}", at_value=True)
                )
            elif scope.params[parts[0].target] != wanted:
                issues.append(
                    Issue(
                        "MLG208",
                        where,
                        f"instance {key} reads parameter '{parts[0].target}' of type "
                        f"{scope.params[parts[0].target]}, but needs {wanted}",
                        at_value=True,
                    )
                )
    return issues


def check_branches(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """A step belongs to at most one condition branch."""
    issues: list[Issue] = []
    owner: dict[str, str] = {}
    for path, step in _steps(spec):
        if not isinstance(step, ConditionStepSpec):
            continue
        for key, names in (("then", step.then), ("else", step.else_)):
            for j, name in enumerate(names):
                if name in owner:
                    issues.append(
                        Issue(
                            "MLG303",
                            (*path, key, j),
                            f"step '{name}' is already a branch of condition '{owner[name]}'",
                            "a step runs in one branch only; copy it under another name if needed.",
                            at_value=True,
                        )
                    )
                owner.setdefault(name, f"{step.name}.{key}")
    return issues


def check_acyclic(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Dependencies (explicit, data, model and branch edges) form no cycle."""
    graph = dependency_graph(spec, scope)
    index = {step.name: i for i, step in enumerate(spec.pipeline.steps)}
    state: dict[str, int] = {}
    issues: list[Issue] = []
    reported: set[str] = set()

    def visit(start: str) -> None:
        # Depth-first with an explicit stack: a chain of a thousand depends_on would overflow
        # Python's recursion limit. ``trail`` is the current path, ``pending`` its unvisited edges.
        state[start] = 1
        trail = [start]
        pending = [iter(graph.get(start, ()))]
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                state[trail.pop()] = 2
                pending.pop()
            elif state.get(dep) == 1:
                cycle = trail[trail.index(dep) :] + [dep]
                if not reported & set(cycle):  # one report per knot of steps
                    reported.update(cycle)
                    first = min(cycle[:-1], key=lambda n: index[n])
                    issues.append(
                        Issue(
                            "MLG302",
                            ("pipeline", "steps", index[first], "name"),
                            "steps depend on each other in a cycle: " + " → ".join(reversed(cycle)),
                            "remove one of these dependencies (depends_on, a ${steps...} reference, "
                            "model_from, or a condition branch).",
                            at_value=True,
                        )
                    )
            elif dep in graph and state.get(dep) is None:
                state[dep] = 1
                trail.append(dep)
                pending.append(iter(graph.get(dep, ())))

    for step in spec.pipeline.steps:
        if state.get(step.name) is None:
            visit(step.name)
    return issues


def dependency_graph(spec: BlueprintSpec, scope: Scope) -> dict[str, list[str]]:
    """Step name → steps it must come after. Dangling names are left out (reported elsewhere)."""
    owners = property_file_owners(spec)
    graph: dict[str, list[str]] = {}
    for _, step in _steps(spec):
        deps: list[str] = list(step.depends_on)

        def visit(_: PathKey, value: Any, deps: list[str] = deps) -> None:
            try:
                deps.extend(referenced_steps(split_value(value, scope)))
            except ReferenceError_:
                pass

        walk_values(step, visit, ())
        if isinstance(step, RegisterModelStepSpec | CreateModelStepSpec) and step.model_from:
            deps.append(step.model_from)
        if isinstance(step, TransformStepSpec):
            deps.append(step.model)
        if isinstance(step, ConditionStepSpec):
            for _, operand in _operands(step.if_, ()):
                if isinstance(operand, JsonGetOperand) and operand.json_get.property_file in owners:
                    deps.append(owners[operand.json_get.property_file])
        graph.setdefault(step.name, [])
        graph[step.name] += [d for d in deps if d in scope.steps]
    for _, step in _steps(spec):
        if isinstance(step, ConditionStepSpec):
            for name in (*step.then, *step.else_):
                if name in graph:
                    graph[name].append(step.name)
    return graph


def _operands(condition: Any, path: PathKey) -> Iterator[tuple[PathKey, Any]]:
    """Every operand of a condition tree, with its data path."""
    for name, info in type(condition).model_fields.items():
        key = info.alias or name
        value = getattr(condition, name)
        if key in ("not",):
            yield from _operands(value, (*path, key))
        elif key in ("and", "or"):
            for i, item in enumerate(value):
                yield from _operands(item, (*path, key, i))
        elif key == "in":
            yield (*path, key, 0), value[0]
            for i, item in enumerate(value[1]):
                yield (*path, key, 1, i), item
        else:
            for i, item in enumerate(value):
                yield (*path, key, i), item


def _step_name(scope: Scope, name: str, path: PathKey, key: str) -> list[Issue]:
    if name in scope.steps:
        return []
    return [Issue("MLG201", path, f"unknown step '{name}' in {key}", _known(name, scope.steps, "steps"), at_value=True)]


def _model_source(scope: Scope, step: Any, path: PathKey) -> list[Issue]:
    if step.model_from is None:
        if step.image is None or step.model_data is None:
            return [
                Issue(
                    "MLG307",
                    (*path, "name"),
                    f"step '{step.name}' needs model_from (a training or tuning step) or both image and model_data",
                )
            ]
        return []
    if step.image is not None or step.model_data is not None:
        return [
            Issue(
                "MLG307",
                (*path, "model_from"),
                "model_from takes the image and model_data from that step; remove image/model_data or model_from",
            )
        ]
    issues = _step_name(scope, step.model_from, (*path, "model_from"), "model_from")
    if not issues and not isinstance(scope.steps[step.model_from], TrainingStepSpec | TuningStepSpec):
        issues.append(
            Issue(
                "MLG205",
                (*path, "model_from"),
                f"model_from must name a training or tuning step; '{step.model_from}' is a "
                f"{scope.steps[step.model_from].type} step",
                at_value=True,
            )
        )
    return issues


def check_registry(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """The registry section's checks (``blueprint/registry.py``), loaded only for a blueprint that has one."""
    if spec.registry is None:
        return []
    from mlopsgen.blueprint import registry

    return registry.check_registry(spec, scope)


def check_operations(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Schedules, new-data trigger and notifications (``blueprint/operations.py``), loaded only when used."""
    if not (spec.pipeline.schedules or spec.pipeline.on_new_data or spec.notifications):
        return []
    from mlopsgen.blueprint import operations

    return operations.check_operations(spec, scope)


CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_unique_names,
    check_parameters,
    check_references,
    check_typed_references,
    check_branches,
    check_acyclic,
    check_retry,
    check_delivery,
    check_backends,
    check_required_security,
    check_registry,
    check_operations,
)
