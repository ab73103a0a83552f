"""BlueprintSpec → issues of clarify_check steps and drift baselines naming one (MLG123, MLG258-9, MLG370, MLG376-9).

What sagemaker 3.27.0's Clarify classes would refuse while building (assertions and ValueErrors
in ``DataConfig``, ``ModelConfig``, ``ClarifyCheckStep``), found at validation with a position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.checks_checks import switch_issues
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import RegisterModelStepSpec
from mlopsgen.errors import did_you_mean

if TYPE_CHECKING:
    from mlopsgen.blueprint.steps_clarify import ClarifyCheckStepSpec

# Which check kinds each optional section belongs to, and which need it.
_SECTIONS = {
    "bias": (("data_bias", "model_bias"), True),
    "methods": (("data_bias", "model_bias"), False),
    "model": (("model_bias", "model_explainability"), True),
    "predicted_label": (("model_bias",), False),
    "shap": (("model_explainability",), True),
    "model_scores": (("model_explainability",), False),
}


def _check_one(step: ClarifyCheckStepSpec, path: PathKey, scope: Scope) -> list[Issue]:
    issues = switch_issues(step, path, scope)
    for key, (kinds, required) in _SECTIONS.items():
        present = getattr(step, key) is not None
        if present and step.check not in kinds:
            issues.append(
                Issue("MLG376", (*path, key), f"{key} applies to {' and '.join(kinds)} checks only", at_value=False)
            )
        elif required and not present and step.check in kinds:
            issues.append(Issue("MLG376", (*path, "check"), f"a {step.check} check needs {key}", at_value=True))
    if step.dataset_type == "application/json" and step.features is None:
        issues.append(
            Issue(
                "MLG377",
                (*path, "dataset_type"),
                "an application/json dataset needs features (the JMESPath of the feature values)",
                at_value=True,
            )
        )
    if step.features is not None and step.dataset_type in ("text/csv", "application/x-parquet"):
        issues.append(Issue("MLG377", (*path, "features"), "features applies to JSON and JSON Lines datasets only"))
    model = step.model if step.check != "data_bias" else None
    if model is not None:
        content = model.content_type
        if content == "application/jsonlines" and (model.content_template or "").find("$features") < 0:
            issues.append(
                Issue(
                    "MLG378",
                    (*path, "model", "content_type"),
                    "application/jsonlines model input needs a content_template holding $features",
                    at_value=True,
                )
            )
        if content == "application/json" and (
            model.record_template is None or "$record" not in (model.content_template or "")
        ):
            issues.append(
                Issue(
                    "MLG378",
                    (*path, "model", "content_type"),
                    "application/json model input needs record_template and a content_template holding "
                    "$record or $records",
                    at_value=True,
                )
            )
    shap = step.shap if step.check == "model_explainability" else None
    if shap is not None and isinstance(shap.baseline, list) and not shap.baseline:
        issues.append(Issue("MLG379", (*path, "shap", "baseline"), "a SHAP baseline needs at least one row"))
    bias = step.bias
    if bias is not None and any(isinstance(v, str) and "${" in v for v in bias.label_values_or_threshold):
        issues.append(
            Issue(
                "MLG379",
                (*path, "bias", "label_values_or_threshold"),
                "Clarify's analysis configuration is written at render time: no ${...} references here",
                at_value=True,
            )
        )
    return issues


def check_clarify_steps(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Switches are booleans, each section sits on the check kinds that read it, formats are complete."""
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        if step.type == "clarify_check":
            issues.extend(_check_one(step, ("pipeline", "steps", i), scope))
    return issues


_CONFIG_FILES = {
    "bias_config_file": ("data_bias", "model_bias"),
    "explainability_config_file": ("model_explainability",),
}


def check_config_file_sources(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """A drift baseline config file has one source, and ``clarify_check`` names a check of the right kind."""
    clarify = {s.name: s.check for s in spec.pipeline.steps if s.type == "clarify_check"}
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        if not isinstance(step, RegisterModelStepSpec) or step.drift_check_baselines is None:
            continue
        for key, kinds in _CONFIG_FILES.items():
            source = getattr(step.drift_check_baselines, key)
            if source is None:
                continue
            path: PathKey = ("pipeline", "steps", i, "drift_check_baselines", key)
            if (source.source is None) == (source.clarify_check is None):
                issues.append(
                    Issue(
                        "MLG123",
                        path,
                        f"{key} needs exactly one of source and clarify_check",
                        "source: an S3 URI or reference; clarify_check: a clarify_check step's generated file.",
                    )
                )
                continue
            name = source.clarify_check
            if name is None:
                continue
            if name not in clarify:
                issues.append(
                    Issue(
                        "MLG258",
                        (*path, "clarify_check"),
                        f"'{name}' is not a clarify_check step",
                        did_you_mean(name, sorted(clarify)).strip() or "name a step of type clarify_check.",
                        at_value=True,
                    )
                )
            elif clarify[name] not in kinds:
                issues.append(
                    Issue(
                        "MLG259",
                        (*path, "clarify_check"),
                        f"{key} reads a {' or '.join(kinds)} check's configuration, "
                        f"but '{name}' is a {clarify[name]} check",
                        at_value=True,
                    )
                )
    return issues


CLARIFY_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_clarify_steps,
    check_config_file_sources,
)
