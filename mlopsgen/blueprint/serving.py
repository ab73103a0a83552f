"""BlueprintSpec → diagnostics: checks that the model as trained, registered and deployed can be served.

Kept beside ``checks.py`` (which holds the graph and reference checks) because these rules come from
AWS's serving and tuning contracts rather than from the blueprint's own structure: a stage's instance
type must be one the model package supports, a tuning job on a custom image must say how to read its
objective metric, and the smoke test's Content-Type must be one the model accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.stage_serving_checks import stage_instance_types
from mlopsgen.blueprint.steps import ImageSpec, RegisterModelStepSpec, TrainingBase, TuningStepSpec

BUILTIN_ALGORITHMS = frozenset(
    {
        "blazingtext",
        "factorization-machines",
        "forecasting-deepar",
        "image-classification",
        "ipinsights",
        "kmeans",
        "knn",
        "lda",
        "linear-learner",
        "ntm",
        "object-detection",
        "object2vec",
        "pca",
        "randomcutforest",
        "semantic-segmentation",
        "seq2seq",
        "xgboost",
    }
)
"""``image.framework`` names that are SageMaker built-in algorithms: they publish their own metrics, so
a tuning job on them needs no MetricDefinitions. Everything else (``image.uri``, script-mode frameworks
such as ``sklearn``) is a custom algorithm to the tuning API. A test pins this against ``images.json``.
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-define-metrics-variables.html
"""

SCRIPT_MODE_FRAMEWORKS = frozenset({"sklearn"})
"""Framework images in ``images.json`` that run the user's code: custom algorithms for tuning."""


def _steps(spec: BlueprintSpec) -> list[tuple[PathKey, object]]:
    return [(("pipeline", "steps", i), step) for i, step in enumerate(spec.pipeline.steps)]


def is_builtin_algorithm(image: ImageSpec) -> bool:
    """True for a SageMaker built-in algorithm image (named by ``framework``), which defines its own metrics."""
    return image.uri is None and image.framework in BUILTIN_ALGORITHMS


def check_metric_definitions(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Metric names are unique and regexes compile; a tuning job on a custom image can read its objective.

    AWS rejects a HyperParameterTuningJob whose non-built-in algorithm has no MetricDefinitions, and one
    whose objective metric is not among them (CreateHyperParameterTuningJob,
    HyperParameterAlgorithmSpecification.MetricDefinitions); a built-in algorithm's metrics are its own
    and a job may not redefine them.
    """
    issues: list[Issue] = []
    for path, step in _steps(spec):
        if not isinstance(step, TrainingBase):
            continue
        seen: set[str] = set()
        for j, metric in enumerate(step.metric_definitions):
            where = (*path, "metric_definitions", j)
            if metric.name in seen:
                issues.append(
                    Issue("MLG330", (*where, "name"), f"metric '{metric.name}' is defined twice", at_value=True)
                )
            seen.add(metric.name)
            try:
                re.compile(metric.regex)
            except re.error as exc:
                issues.append(
                    Issue(
                        "MLG330", (*where, "regex"), f"regex of metric '{metric.name}' is invalid: {exc}", at_value=True
                    )
                )
        if step.metric_definitions and is_builtin_algorithm(step.image):
            issues.append(
                Issue(
                    "MLG331",
                    (*path, "metric_definitions"),
                    f"step '{step.name}' runs the built-in {step.image.framework} algorithm, whose metric "
                    "definitions SageMaker does not let a job override",
                    "remove metric_definitions: the algorithm publishes its own metrics (e.g. validation:rmse).",
                )
            )
            continue
        if not isinstance(step, TuningStepSpec) or is_builtin_algorithm(step.image):
            continue
        image = f"image {step.image.uri}" if step.image.uri else f"the {step.image.framework} framework image"
        if not step.metric_definitions:
            issues.append(
                Issue(
                    "MLG331",
                    path,
                    f"tuning step '{step.name}' runs a custom algorithm ({image}) but has no metric_definitions, "
                    f"so SageMaker cannot read its objective metric '{step.objective.metric}'",
                    f"add metric_definitions: [{{name: {step.objective.metric}, regex: '...'}}] with a regex whose "
                    "first group matches the value the training code logs.",
                )
            )
        elif step.objective.metric not in seen:
            issues.append(
                Issue(
                    "MLG331",
                    (*path, "objective", "metric"),
                    f"objective metric '{step.objective.metric}' of tuning step '{step.name}' is not among its "
                    "metric_definitions",
                    f"defined metrics: {', '.join(sorted(seen))}.",
                    at_value=True,
                )
            )
    return issues


def check_stage_instances(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Each stage's instance type is one every register step lists in ``inference_instances``.

    The model package's SupportedRealtimeInferenceInstanceTypes bound where it may be deployed; an
    endpoint configuration on another type fails when the stage deploys.
    """
    if spec.deploy is None:
        return []
    registers = [step for _, step in _steps(spec) if isinstance(step, RegisterModelStepSpec)]
    issues: list[Issue] = []
    for i, stage in enumerate(spec.deploy.stages):
        # Serverless stages run on no instance type; variants each name their own (stage_serving_checks).
        for where, instance_type in stage_instance_types(stage) if stage.batch is None else ():  # batch: MLG337
            for step in registers:
                if instance_type in step.inference_instances:
                    continue
                allowed = ", ".join(step.inference_instances)
                issues.append(
                    Issue(
                        "MLG332",
                        ("deploy", "stages", i, *where),
                        f"stage '{stage.name}' deploys on {instance_type}, which register_model step "
                        f"'{step.name}' does not list in inference_instances ({allowed})",
                        f"use one of {allowed}, or add {instance_type} to inference_instances of '{step.name}'.",
                        at_value=True,
                    )
                )
    return issues


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, without parameters, lower case (``text/csv; x=1`` → ``text/csv``)."""
    return content_type.split(";", 1)[0].strip().lower()


def check_sample_content_type(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """The smoke test's Content-Type is known and accepted by the registered model.

    Without ``sample_content_type`` the register steps must list exactly one content type to take it
    from; with it, every register step must accept it (SupportedContentTypes of the model package).
    """
    deploy = spec.deploy
    if deploy is None or deploy.sample_payload is None:
        return []
    registers = [step for _, step in _steps(spec) if isinstance(step, RegisterModelStepSpec)]
    listed = sorted({t for step in registers for t in step.content_types})
    if deploy.sample_content_type is None:
        if len(listed) <= 1:
            return []
        return [
            Issue(
                "MLG333",
                ("deploy", "sample_payload"),
                f"the smoke test's Content-Type is ambiguous: the register steps accept {', '.join(listed)}",
                "set deploy.sample_content_type to the payload's type.",
            )
        ]
    wanted = media_type(deploy.sample_content_type)
    issues: list[Issue] = []
    for step in registers:
        if wanted not in {media_type(t) for t in step.content_types}:
            issues.append(
                Issue(
                    "MLG333",
                    ("deploy", "sample_content_type"),
                    f"sample_content_type {deploy.sample_content_type} is not among the content_types of "
                    f"register_model step '{step.name}' ({', '.join(step.content_types)})",
                    f"send the payload as one of {', '.join(step.content_types)}, or add "
                    f"{deploy.sample_content_type} to content_types of '{step.name}'.",
                    at_value=True,
                )
            )
    return issues


SERVING_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (
    check_metric_definitions,
    check_stage_instances,
    check_sample_content_type,
)
