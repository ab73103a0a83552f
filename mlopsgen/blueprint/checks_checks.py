"""BlueprintSpec → issues of the check steps and the register step's quality fields (MLG122, MLG370-MLG375).

What the SageMaker SDK or API would refuse later, found at validation with a blueprint position:
switches that are not booleans, model quality fields on a data quality check, attributes read from
non-text parameters (the SDK raises), and customer metadata or group names AWS rejects (botocore
limits of CreateModelPackage).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Ref, ReferenceError_, Scope, split_value
from mlopsgen.blueprint.steps import RegisterModelStepSpec
from mlopsgen.blueprint.steps_metrics import CUSTOMER_METADATA

_SWITCHES = ("skip_check", "fail_on_violation", "register_new_baseline")
_MODEL_QUALITY_ONLY = (
    "problem_type",
    "inference_attribute",
    "probability_attribute",
    "ground_truth_attribute",
    "probability_threshold_attribute",
)
_ATTRIBUTES = _MODEL_QUALITY_ONLY[1:]
# botocore 1.44.8 ArnOrName (CreateModelPackage.ModelPackageGroupName): a group name or its ARN.
_GROUP = re.compile(r"^(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*/)?[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def _single_param(value: Any, scope: Scope) -> str | None:
    """The parameter a value is exactly (``${params.X}`` alone), or None."""
    try:
        parts = split_value(value, scope)
    except ReferenceError_:
        return None
    if len(parts) == 1 and isinstance(parts[0], Ref) and parts[0].kind == "param":
        return parts[0].target
    return None


def _has_ref(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def switch_issues(step: Any, path: PathKey, scope: Scope) -> list[Issue]:
    """MLG370 for each check-step switch (quality and Clarify alike) that is not a boolean or one boolean parameter."""
    issues: list[Issue] = []
    for key in _SWITCHES:
        value = getattr(step, key)
        if isinstance(value, bool):
            continue
        param = _single_param(value, scope)
        if param is None or scope.params.get(param) != "boolean":
            issues.append(
                Issue(
                    "MLG370",
                    (*path, key),
                    f"{key} must be true, false or one boolean ${{params.X}}, not {value!r}",
                    "SageMaker reads the switch as a boolean when the step runs.",
                    at_value=True,
                )
            )
    return issues


def check_quality_steps(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Switches are booleans, model quality fields sit on model quality checks, formats fit their type."""
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        if step.type != "quality_check":
            continue
        path: PathKey = ("pipeline", "steps", i)
        issues += switch_issues(step, path, scope)
        if step.check == "data_quality":
            for key in _MODEL_QUALITY_ONLY:
                if getattr(step, key) is not None:
                    issues.append(
                        Issue("MLG371", (*path, key), f"{key} applies to model_quality checks only", at_value=False)
                    )
        else:
            if step.problem_type is None:
                issues.append(
                    Issue(
                        "MLG371",
                        (*path, "check"),
                        "a model_quality check needs problem_type",
                        "Regression, BinaryClassification or MulticlassClassification.",
                        at_value=True,
                    )
                )
            if step.record_preprocessor_script is not None:
                issues.append(
                    Issue(
                        "MLG372",
                        (*path, "record_preprocessor_script"),
                        "record_preprocessor_script applies to data_quality checks only",
                    )
                )
            for key in _ATTRIBUTES:
                value = getattr(step, key)
                param = _single_param(value, scope) if _has_ref(value) else None
                if param is not None and scope.params.get(param) != "string":
                    issues.append(
                        Issue(
                            "MLG373",
                            (*path, key),
                            f"{key} reads parameter '{param}' of type {scope.params[param]}, but needs string",
                            "the SDK accepts only string parameters here (the container reads text).",
                            at_value=True,
                        )
                    )
        fmt = step.dataset_format
        for key, kind in (("header", "csv"), ("lines", "json")):
            if getattr(fmt, key) is not None and fmt.type != kind:
                issues.append(Issue("MLG122", (*path, "dataset_format", key), f"{key} applies to {kind} datasets only"))
    return issues


def check_register_metadata(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Customer metadata and the model package group within CreateModelPackage's limits (botocore)."""
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        if not isinstance(step, RegisterModelStepSpec):
            continue
        path: PathKey = ("pipeline", "steps", i)
        for key, value in step.customer_metadata.items():
            if not 1 <= len(key) <= CUSTOMER_METADATA["max_key"]:
                issues.append(
                    Issue(
                        "MLG374",
                        (*path, "customer_metadata", key),
                        f"customer metadata key '{key[:40]}' has {len(key)} characters; AWS allows 1 to 128",
                    )
                )
            if _has_ref(value):
                continue
            if not isinstance(value, str):
                issues.append(
                    Issue(
                        "MLG374",
                        (*path, "customer_metadata", key),
                        f"customer metadata '{key}' must be text, not {value!r}",
                        'quote it, e.g. "1".',
                        at_value=True,
                    )
                )
            elif not 1 <= len(value) <= CUSTOMER_METADATA["max_value"]:
                issues.append(
                    Issue(
                        "MLG374",
                        (*path, "customer_metadata", key),
                        f"customer metadata '{key}' has {len(value)} characters; AWS allows 1 to 256",
                        at_value=True,
                    )
                )
        group = step.model_package_group
        if group is not None and not _has_ref(group) and not (isinstance(group, str) and _GROUP.match(group)):
            issues.append(
                Issue(
                    "MLG375",
                    (*path, "model_package_group"),
                    f"'{group}' is not a model package group name or ARN",
                    "names are 1-63 letters, digits and hyphens, starting with a letter or digit.",
                    at_value=True,
                )
            )
    return issues


CHECK_STEP_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_quality_steps,
    check_register_metadata,
)
