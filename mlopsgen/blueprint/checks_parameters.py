"""Semantic checks of pipeline parameters (types, defaults, allowed values) and of step retry policies.

Split out of ``checks.py``, which keeps the rules of the step graph (names, references, branches,
cycles): these look at one declaration at a time (a parameter's default against its type and
allowed values, a retry policy against the exceptions its step can raise) and need no graph.
"""

from __future__ import annotations

from mlopsgen.blueprint.checks_base import Issue, _article, _default_hint, _steps, _yaml
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import ProcessingStepSpec, TrainingStepSpec, TransformStepSpec, TuningStepSpec
from mlopsgen.errors import did_you_mean


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
