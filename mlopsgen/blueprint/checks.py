"""BlueprintSpec → diagnostics: semantic checks that need the whole blueprint (names, references, graph).

Each check is a small pure function ``check_x(spec, scope) -> list[Issue]``; ``CHECKS`` runs them all
so every problem is reported in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mlopsgen.blueprint.base import INSTANCE_PATTERN
from mlopsgen.blueprint.conditions import JsonGetOperand
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.operations import check_operations
from mlopsgen.blueprint.registry import check_registry
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
from mlopsgen.errors import did_you_mean


@dataclass(frozen=True)
class Issue:
    """A problem at a data path; the caller turns it into a positioned Diagnostic."""

    code: str
    path: PathKey
    message: str
    hint: str = ""
    at_value: bool = False


def _steps(spec: BlueprintSpec) -> Iterator[tuple[PathKey, Any]]:
    for i, step in enumerate(spec.pipeline.steps):
        yield ("pipeline", "steps", i), step


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


def check_parameters(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Parameter defaults match their type and their allowed values."""
    kinds: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "integer": (int,),
        "float": (float, int),
        "boolean": (bool,),
    }
    issues: list[Issue] = []
    for name, param in spec.pipeline.parameters.items():
        path: PathKey = ("pipeline", "parameters", name)
        wanted = kinds[param.type]
        default = param.default
        if default is not None and (
            not isinstance(default, wanted) or (param.type != "boolean" and isinstance(default, bool))
        ):
            issues.append(
                Issue(
                    "MLG304",
                    (*path, "default"),
                    f"default {_yaml(default)} of parameter '{name}' is not {_article(param.type)}",
                    _default_hint(default, param.type),
                    at_value=True,
                )
            )
        if param.allowed is not None:
            if param.type != "string":
                issues.append(
                    Issue(
                        "MLG304",
                        (*path, "allowed"),
                        f"allowed values are supported for string parameters only, not {param.type}",
                    )
                )
            elif not all(isinstance(v, str) for v in param.allowed):
                issues.append(Issue("MLG304", (*path, "allowed"), f"allowed values of '{name}' must all be text"))
            elif default is not None and default not in param.allowed:
                issues.append(
                    Issue(
                        "MLG305",
                        (*path, "default"),
                        f"default {default!r} of parameter '{name}' is not one of its allowed values",
                        did_you_mean(str(default), [str(v) for v in param.allowed]).strip()
                        or "allowed: " + ", ".join(str(v) for v in param.allowed) + ".",
                        at_value=True,
                    )
                )
    return issues


def check_retry(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """A retry policy covers one kind of exception, and job exceptions only on steps that run jobs."""
    issues: list[Issue] = []
    job_steps = (ProcessingStepSpec, TrainingStepSpec, TuningStepSpec, TransformStepSpec)
    for path, step in _steps(spec):
        for j, retry in enumerate(getattr(step, "retry", [])):
            kinds = {e.split(".", 1)[0] for e in retry.exceptions}
            where = (*path, "retry", j, "exceptions")
            if len(kinds) > 1:
                issues.append(
                    Issue(
                        "MLG310",
                        where,
                        "a retry policy mixes Step.* and SageMaker.* exceptions",
                        "write one retry entry for Step.* and another for SageMaker.*.",
                    )
                )
            elif kinds == {"SageMaker"} and not isinstance(step, job_steps):
                issues.append(
                    Issue(
                        "MLG310",
                        where,
                        f"SageMaker.* job exceptions cannot be retried on a {step.type} step",
                        "use Step.SERVICE_FAULT or Step.THROTTLING here.",
                    )
                )
    return issues


def check_delivery(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Stage names are unique, a deployment has a model to deploy, CI parameters exist and fit."""
    issues: list[Issue] = []
    if spec.deploy is not None:
        seen: set[str] = set()
        for i, stage in enumerate(spec.deploy.stages):
            if stage.name in seen:
                issues.append(
                    Issue("MLG301", ("deploy", "stages", i, "name"), f"duplicate stage '{stage.name}'", at_value=True)
                )
            seen.add(stage.name)
            issues += _target_issues(("deploy", "stages", i), stage.accounts, stage.organizational_units)
        issues += _model_location_issues(spec)
        issues += _role_name_issues(spec)
        if not any(isinstance(s, RegisterModelStepSpec) for s in spec.pipeline.steps):
            issues.append(
                Issue(
                    "MLG311",
                    ("deploy",),
                    "deploy needs a register_model step: stages deploy the latest approved model package",
                    "add a register_model step to the pipeline.",
                )
            )
    if spec.ci is not None:
        kinds: dict[str, tuple[type, ...]] = {
            "string": (str,),
            "integer": (int,),
            "float": (int, float),
            "boolean": (bool,),
        }
        for name, value in spec.ci.execution_parameters.items():
            where = ("ci", "execution_parameters", name)
            if name not in scope.params:
                issues.append(
                    Issue(
                        "MLG202",
                        where,
                        f"unknown pipeline parameter '{name}'",
                        _known(name, scope.params, "parameters"),
                    )
                )
                continue
            kind = scope.params[name]
            if not isinstance(value, kinds[kind]) or (isinstance(value, bool) and kind != "boolean"):
                issues.append(
                    Issue(
                        "MLG304",
                        where,
                        f"value {_yaml(value)} for parameter '{name}' is not {_article(kind)}",
                        at_value=True,
                    )
                )
    return issues


def _target_issues(path: PathKey, accounts: list[str] | None, units: list[str] | None) -> list[Issue]:
    """An account or OU listed twice in a stage is a mistake (the stack set would dedupe it silently)."""
    issues: list[Issue] = []
    for key, values in (("accounts", accounts), ("organizational_units", units)):
        seen: set[str] = set()
        for j, value in enumerate(values or []):
            if value in seen:
                issues.append(Issue("MLG312", (*path, key, j), f"'{value}' is listed twice in {key}", at_value=True))
            seen.add(value)
    return issues


ROLE_SUFFIX_MAX = len("-stackset-admin")
"""Longest suffix plan.naming.multi_account_roles adds to ``<project>-<id>`` (tests pin the two together)."""


def _role_name_issues(spec: BlueprintSpec) -> list[Issue]:
    """Multi-account roles are named ``<project>-<id>-<purpose>``; IAM role names stop at 64 characters."""
    assert spec.deploy is not None
    if not any(stage.accounts or stage.organizational_units for stage in spec.deploy.stages):
        return []
    base = f"{spec.project.name}-{spec.project.id}"
    if len(base) + ROLE_SUFFIX_MAX <= 64:
        return []
    return [
        Issue(
            "MLG314",
            ("project", "name"),
            f"the stack set roles of '{base}' would have names longer than IAM's 64 characters",
            f"shorten the project name to at most {64 - ROLE_SUFFIX_MAX - len(spec.project.id) - 1} characters.",
            at_value=True,
        )
    ]


def _model_location_issues(spec: BlueprintSpec) -> list[Issue]:
    """Models deployed into other accounts must live in the artifact bucket, whose policy grants them.

    mlopsgen writes the cross-account grant (and the VPC endpoint deny) into the artifact bucket's
    policy only; a model written to another bucket would fail to load in the target accounts.
    """
    assert spec.deploy is not None
    if not any(stage.accounts or stage.organizational_units for stage in spec.deploy.stages):
        return []
    if spec.registry is not None and spec.registry.deploy_from_hub:
        return []  # the target accounts deploy the hub's copy, which the hub template shares with them
    by_name = {step.name: (path, step) for path, step in _steps(spec)}
    issues: list[Issue] = []
    for _, step in _steps(spec):
        if not isinstance(step, RegisterModelStepSpec) or step.model_from not in by_name:
            continue
        path, source = by_name[step.model_from]
        output = getattr(source, "output_path", None)
        if output is None:
            continue
        # The blueprint layer may not import plan.naming; tests/unit/blueprint pins this to its default.
        bucket = spec.project.artifact_bucket or f"sagemaker-project-{spec.project.id}"
        if not (isinstance(output, str) and output.startswith(f"s3://{bucket}/")):
            issues.append(
                Issue(
                    "MLG313",
                    (*path, "output_path"),
                    f"model of '{source.name}' is deployed into other accounts but is written outside the artifact "
                    f"bucket {bucket}",
                    f"remove output_path (the default is in the artifact bucket) or write under s3://{bucket}/.",
                    at_value=True,
                )
            )
        elif "${" not in output and not re.fullmatch(
            r"[A-Za-z0-9!_.'()=/\-]*[A-Za-z0-9!_.'()=\-][A-Za-z0-9!_.'()=/\-]*", output[len(bucket) + 6 :]
        ):
            # The prefix becomes the target accounts' grant on the bucket: '*' and '?' are IAM wildcards
            # that cannot be escaped, and an empty prefix would grant the whole bucket.
            issues.append(
                Issue(
                    "MLG313",
                    (*path, "output_path"),
                    f"model of '{source.name}' is deployed into other accounts from an output path whose key "
                    "prefix is empty or holds characters outside S3's safe set (such as the IAM wildcards * ?)",
                    "write under a plain prefix such as s3://<artifact bucket>/models/ "
                    "(letters, digits, / ! - _ . ' ( ) =).",
                    at_value=True,
                )
            )
    return issues


def check_backends(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """What the blueprint asks of CI, each selected backend can express (MLG4xx: target limits)."""
    ci = spec.ci
    if ci is None:
        return []
    issues: list[Issue] = []
    if "jenkins" in ci.backends and ci.jenkins is None:
        issues.append(
            Issue(
                "MLG401",
                ("ci", "backends"),
                "the jenkins backend needs a ci.jenkins section (at least its url)",
                "add ci.jenkins: {url: https://jenkins.example.com}.",
            )
        )
    if ci.jenkins is not None and "jenkins" not in ci.backends:
        issues.append(
            Issue(
                "MLG402",
                ("ci", "jenkins"),
                "ci.jenkins is set but jenkins is not in ci.backends",
                "add jenkins to ci.backends.",
            )
        )
    if "codepipeline" not in ci.backends:
        # Only CodeBuild runs in a chosen image and compute size; Jenkins uses its own agents.
        for key in sorted(ci.build.model_fields_set & {"image", "compute_type"}):
            issues.append(
                Issue(
                    "MLG403",
                    ("ci", "build", key),
                    f"ci.build.{key} configures CodeBuild, which none of the selected backends uses",
                    "remove it, or add codepipeline to ci.backends.",
                )
            )
    return issues + _trigger_owner_issues(ci.backends, ci.trigger_owner)


def _trigger_owner_issues(backends: Sequence[str], triggers: str | None) -> list[Issue]:
    """Exactly one backend starts runs by itself; with both listed the blueprint must say which.

    There is no warning level in the diagnostics, and guessing is worse than asking: two backends
    that both react to pushes and approvals run the SageMaker pipeline and every deployment twice,
    and a silent default would move a team's production deploys from one system to the other.
    """
    if triggers is None and len(set(backends)) > 1:
        return [
            Issue(
                "MLG404",
                ("ci", "backends"),
                "with both backends, say which one starts builds and deployments (ci.trigger_owner)",
                "add ci.trigger_owner: codepipeline (or jenkins); the other backend then runs on demand only.",
            )
        ]
    if triggers is not None and triggers not in backends:
        return [
            Issue(
                "MLG405",
                ("ci", "trigger_owner"),
                f"ci.trigger_owner is {triggers}, which is not in ci.backends",
                f"add {triggers} to ci.backends, or remove ci.trigger_owner (the only backend owns the triggers).",
                at_value=True,
            )
        ]
    return []


def check_required_security(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """With ``security.required``, every resource the blueprint creates carries every control.

    Each resource lacking a control is reported at its own blueprint line, so a reviewer sees which
    job, model or endpoint would have run unprotected.
    """
    security = spec.security
    if not security.required:
        return []
    vpc = ["VPC subnets and security groups (security.vpc)"] if security.vpc is None else []
    keys = []
    if security.kms.volume is None:
        keys.append("a KMS key for storage volumes (security.kms.volume)")
    if security.kms.output is None:
        keys.append("a KMS key for outputs (security.kms.output)")
    issues: list[Issue] = []
    resources: list[tuple[PathKey, str, list[str]]] = []
    job_kinds = (ProcessingStepSpec, TrainingStepSpec, TuningStepSpec, TransformStepSpec, CreateModelStepSpec)
    for path, step in _steps(spec):
        if isinstance(step, job_kinds):
            # A created model has no volume or output of its own; its endpoint does (below).
            applicable = vpc if isinstance(step, CreateModelStepSpec) else vpc + keys
            resources.append(((*path, "name"), f"{step.type} step '{step.name}'", applicable))
            if not security.encrypt_inter_container_traffic and not isinstance(
                step, TransformStepSpec | CreateModelStepSpec
            ):
                issues.append(
                    Issue(
                        "MLG320",
                        (*path, "name"),
                        f"{step.type} step '{step.name}' would run without inter-container traffic encryption",
                        "set security.encrypt_inter_container_traffic: true.",
                        at_value=True,
                    )
                )
    output_key = security.kms.output
    if spec.ci is not None and "codepipeline" in spec.ci.backends and output_key and not output_key.startswith("arn:"):
        # CodeBuild's EncryptionKey and the artifact store's EncryptionKey.Id are emitted for key ARNs
        # only (an alias or key id would also leave the build roles' key grant unscoped by ARN).
        issues.append(
            Issue(
                "MLG320",
                ("security", "kms", "output"),
                f"the CodeBuild projects and CodePipeline artifact stores would run without the output key "
                f"{output_key}: CI encrypts its artifacts with a key given by ARN only",
                "give security.kms.output as a key ARN (arn:aws:kms:<region>:<account>:key/<id>).",
                at_value=True,
            )
        )
    if spec.deploy is not None:
        for i, stage in enumerate(spec.deploy.stages):
            resources.append((("deploy", "stages", i, "name"), f"endpoint of stage '{stage.name}'", vpc + keys))
            if (stage.accounts or stage.organizational_units) and security.vpc_endpoints is None:
                issues.append(
                    Issue(
                        "MLG320",
                        ("deploy", "stages", i, "name"),
                        f"endpoints of stage '{stage.name}' in other accounts would read the model without a "
                        "VPC endpoint restriction (security.vpc_endpoints)",
                        "list the designated S3/KMS VPC endpoints of this and the target accounts in "
                        "security.vpc_endpoints.",
                        at_value=True,
                    )
                )
    for where, what, missing in resources:
        for control in missing:
            issues.append(
                Issue(
                    "MLG320", where, f"{what} would run without {control}", "security.required is set.", at_value=True
                )
            )
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


def _yaml(value: Any) -> str:
    """A value as the user wrote it in YAML (true, not True)."""
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _default_hint(default: Any, kind: str) -> str:
    if isinstance(default, str) and kind != "string":
        return "remove the quotes around the default."
    if isinstance(default, bool) and kind == "string":
        return "YAML reads yes/no/on/off/true/false as booleans; quote the default to keep it text."
    if kind == "string":
        return "quote the default to make it text."
    return f"give {_article(kind)} default."


def _known(word: str, names: Any, what: str) -> str:
    hint = did_you_mean(word, names).strip()
    return hint or (f"known {what}: {', '.join(sorted(names))}." if names else f"no {what} are defined.")


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
