"""Plan → summary: a compact, JSON-native description of a blueprint in reviewer terms, kept in the manifest.

The generator stores the summary in each output folder's manifest, so a later review can compare the
old and the new blueprint without the old blueprint file. The summary therefore holds only JSON
types (dicts with text keys, lists, text, numbers, booleans, None): it survives a round trip through
``json`` unchanged, and the same Plan always gives an equal summary.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan.model import (
    Autoscaling,
    CallbackStep,
    Ci,
    ClarifyCheckStep,
    Comparison,
    Compute,
    Condition,
    ConditionStep,
    CreateModelStep,
    Deploy,
    EmrStep,
    ExecVar,
    Expr,
    FailStep,
    InCondition,
    JsonGet,
    LambdaStep,
    Network,
    NotCondition,
    Parameter,
    ParamRef,
    Plan,
    ProcessingStep,
    QualityCheckStep,
    RegisterModelStep,
    Security,
    Stage,
    Step,
    StepProp,
    Targets,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from mlopsgen.views.rollout import summarize_rollout

# Still 1 after stages gained ``targets`` and security ``vpc_endpoints``: no existing key changed
# meaning, and an absent key reads as its default (None / []), which is exactly what a blueprint of the
# previous version meant. Readers of older summaries need no format switch, so a bump would only make
# every committed manifest differ without telling a reader anything.
FORMAT = 1
"""Version of the summary's shape; bump it when keys change meaning (not when keys are added)."""

STEP_TYPES: dict[type, str] = {
    ProcessingStep: "processing",
    TrainingStep: "training",
    TuningStep: "tuning",
    RegisterModelStep: "register_model",
    CreateModelStep: "create_model",
    TransformStep: "transform",
    ConditionStep: "condition",
    FailStep: "fail",
    LambdaStep: "lambda",
    EmrStep: "emr",
    CallbackStep: "callback",
    QualityCheckStep: "quality_check",
    ClarifyCheckStep: "clarify_check",
}
"""Plan step class → the blueprint's ``type`` value."""


def expr_text(value: Expr) -> str:
    """Readable text of an expression, in the blueprint's ``${...}`` notation where it has one.

    Args:
        value: A literal or a run-time expression.

    Returns:
        The literal as text (booleans as ``true``/``false``), or the reference spelled out.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, ParamRef):
        return f"${{params.{value.name}}}"
    if isinstance(value, StepProp):
        if value.path.startswith("OutputParameters['") and value.path.endswith("']"):
            return f"${{steps.{value.step}.outputs.{value.path[18:-2]}}}"
        return f"${{steps.{value.step}.properties.{value.path}}}"
    if isinstance(value, ExecVar):
        return f"${{execution.{value.name}}}"
    if isinstance(value, JsonGet):
        return f"json_get({value.property_file}, {value.path})"
    return value.on.join(expr_text(part) for part in value.values)


def step_type(step: Step) -> str:
    """The blueprint ``type`` of a Plan step.

    Args:
        step: Any Plan step.

    Returns:
        ``processing``, ``training``, ... as the blueprint spells it.
    """
    return STEP_TYPES[type(step)]


def _compute(step: Step) -> Compute | None:
    if isinstance(step, ProcessingStep | TransformStep):
        return step.compute
    if isinstance(step, TrainingStep | TuningStep | QualityCheckStep | ClarifyCheckStep):
        return step.job.compute
    return None


def _image(step: Step) -> str | None:
    if isinstance(step, ProcessingStep):
        return step.image_uri
    if isinstance(step, TrainingStep | TuningStep | QualityCheckStep | ClarifyCheckStep):
        return step.job.image_uri
    if isinstance(step, RegisterModelStep | CreateModelStep):
        return step.model.image_uri
    return None


def _network(step: Step) -> Network | None:
    if isinstance(step, ProcessingStep | CreateModelStep):
        return step.network
    if isinstance(step, TrainingStep | TuningStep | QualityCheckStep | ClarifyCheckStep):
        return step.job.network
    return None


OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "LessThanOrEqualTo": "<=",
    "GreaterThan": ">",
    "GreaterThanOrEqualTo": ">=",
}
"""SageMaker comparison type → the operator the summary and review show."""


def _operand(value: Expr) -> Any:
    """A comparison operand: numbers stay numbers (so a review can tell a gate was loosened)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else expr_text(value)


def _condition(condition: Condition) -> dict[str, Any]:
    """One condition of a condition step: ``{op, left, right}`` for a comparison, else ``{text}``."""
    if isinstance(condition, Comparison):
        return {"op": OPERATORS[condition.kind], "left": _operand(condition.left), "right": _operand(condition.right)}
    return {"text": _condition_text(condition)}


def _condition_text(condition: Condition) -> str:
    if isinstance(condition, Comparison):
        return f"{expr_text(condition.left)} {OPERATORS[condition.kind]} {expr_text(condition.right)}"
    if isinstance(condition, InCondition):
        return f"{expr_text(condition.value)} in [{', '.join(expr_text(c) for c in condition.choices)}]"
    if isinstance(condition, NotCondition):
        return f"not ({_condition_text(condition.condition)})"
    return " or ".join(f"({_condition_text(c)})" for c in condition.conditions)


def _behaviour(step: Step) -> dict[str, Any]:
    """What a step decides beyond its compute: gates, hyperparameters, tuning budget, approval."""
    entry: dict[str, Any] = {}
    if isinstance(step, ConditionStep):
        entry["if"] = [_condition(c) for c in step.conditions]
    if isinstance(step, TrainingStep | TuningStep):
        entry["hyperparameters"] = {name: expr_text(value) for name, value in sorted(step.job.hyperparameters)}
    if isinstance(step, TuningStep):
        entry["objective"] = f"{step.objective_goal} {step.objective_metric}"
        entry["max_jobs"] = step.max_jobs
        entry["max_parallel_jobs"] = step.max_parallel_jobs
        entry["strategy"] = step.strategy
        entry["ranges"] = {r.name: _range_text(r.min_value, r.max_value, r.values, r.scaling) for r in step.ranges}
    if isinstance(step, RegisterModelStep):
        entry["approval_status"] = expr_text(step.approval_status)
    # What a step outside SageMaker calls: the reviewer sees a changed function, queue or cluster.
    if isinstance(step, LambdaStep):
        entry["function"] = step.function_arn
    if isinstance(step, CallbackStep):
        entry["queue"] = step.queue_url
    if isinstance(step, EmrStep):
        entry["cluster"] = step.cluster_id or "created for the step"
    return entry


def _range_text(low: str, high: str, values: tuple[str, ...], scaling: str) -> str:
    if values:
        return ", ".join(values)
    return f"{low}..{high}" + (f" ({scaling})" if scaling and scaling != "Auto" else "")


def _step(step: Step, condition: str | None, branch: str | None) -> dict[str, Any]:
    compute = _compute(step)
    network = _network(step)
    entry: dict[str, Any] = {
        "type": step_type(step),
        "image": _image(step),
        "instance_type": expr_text(compute.instance_type) if compute else None,
        "instance_count": expr_text(compute.instance_count) if compute else None,
        "volume_size_gb": compute.volume_size_gb if compute else None,
        "network_isolation": network.network_isolation if network else None,
        "condition": condition,
        "branch": branch,
        **_behaviour(step),
    }
    # Keys that do not apply to a step type are left out, which keeps the manifest compact.
    return {key: value for key, value in sorted(entry.items()) if value is not None}


def _steps(steps: tuple[Step, ...], condition: str | None, branch: str | None, into: dict[str, Any]) -> None:
    for step in steps:
        into[step.common.name] = _step(step, condition, branch)
        if isinstance(step, ConditionStep):
            _steps(step.if_steps, step.common.name, "then", into)
            _steps(step.else_steps, step.common.name, "else", into)


def _parameter(parameter: Parameter) -> dict[str, Any]:
    return {"type": parameter.kind.lower(), "default": parameter.default}


def _autoscaling(autoscaling: Autoscaling | None) -> dict[str, Any] | None:
    if autoscaling is None:
        return None
    return {
        "min_instances": autoscaling.min_instances,
        "max_instances": autoscaling.max_instances,
        "target_invocations_per_instance": autoscaling.target_invocations_per_instance,
    }


def _targets(targets: Targets | None) -> dict[str, Any] | None:
    # Sorted: the accounts and OUs of a stage are a set, so reordering them in YAML is no change.
    if targets is None:
        return None
    return {"accounts": sorted(targets.accounts), "organizational_units": sorted(targets.organizational_units)}


def _stage(stage: Stage) -> dict[str, Any]:
    capture = stage.data_capture
    return {
        "name": stage.name,
        "manual_approval": stage.manual_approval,
        "instance_type": stage.instance_type,
        "instance_count": stage.instance_count,
        "autoscaling": _autoscaling(stage.autoscaling),
        "data_capture": capture.sampling_percentage if capture.enabled else None,
        "test": stage.test,
        "stack_name": stage.stack_name,
        "endpoint_name": stage.endpoint_name,
        "targets": _targets(stage.targets),
        # Only when declared: an absent key reads as None (no rollout), and other manifests stay as they were.
        **({"rollout": summarize_rollout(stage.rollout)} if stage.rollout is not None else {}),
    }


def _deploy(deploy: Deploy | None) -> dict[str, Any] | None:
    if deploy is None:
        return None
    return {"stages": [_stage(stage) for stage in deploy.stages]}


def _security(security: Security) -> dict[str, Any]:
    return {
        "subnets": sorted(security.subnets),
        "security_groups": sorted(security.security_groups),
        "volume_kms_key": security.volume_kms_key or None,
        "output_kms_key": security.output_kms_key or None,
        "encrypt_inter_container_traffic": security.encrypt_inter_container_traffic,
        "network_isolation": security.network_isolation,
        "vpc_endpoints": sorted(security.vpc_endpoints),
    }


def _ci(ci: Ci | None) -> dict[str, Any] | None:
    if ci is None:
        return None
    source = ci.source
    return {
        "backends": sorted(ci.backends),
        "source": {"provider": source.provider, "repository": source.repository, "branch": source.branch},
        "execution_parameters": dict(sorted(ci.execution_parameters)),
    }


def _sorted(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping)}


def summarize(plan: Plan) -> dict[str, Any]:
    """Describe a blueprint in reviewer terms, for the manifest and for later reviews.

    Steps (branch steps included, with their condition and branch) and parameters are keyed by name
    in sorted order; deploy stages stay a list in deploy order, since their order is meaningful. A
    stage's ``targets`` is None for the project account, else its sorted ``accounts`` and
    ``organizational_units``; summaries written before these keys existed simply lack ``targets``
    and ``security.vpc_endpoints``, which readers take as None and ``[]``.
    Instance types and counts are text, a parameter showing as ``${params.NAME}``. A step lists only
    the keys its type has (``type`` always; ``image``, ``instance_type``, ``instance_count``,
    ``volume_size_gb``, ``network_isolation``, ``condition`` and ``branch`` where they apply; a
    condition step its ``if`` list, training and tuning steps their ``hyperparameters``, tuning
    steps ``objective``, ``max_jobs``, ``max_parallel_jobs``, ``strategy`` and ``ranges``, a
    register step its ``approval_status``), and ``ci`` its ``execution_parameters``. Summaries
    written before those keys existed lack them; readers take an absent key as unknown, not changed.

    Args:
        plan: The Plan of one blueprint.

    Returns:
        A JSON-native dict with the keys ``format``, ``pipeline`` (``name``, ``parameters``,
        ``steps``), ``deploy`` (``stages``; None without a deploy section), ``security`` and ``ci``
        (None without a ci section).
    """
    steps: dict[str, Any] = {}
    _steps(plan.pipeline.steps, None, None, steps)
    parameters = {p.name: _parameter(p) for p in plan.pipeline.parameters}
    summary = {
        "format": FORMAT,
        "pipeline": {
            "name": plan.pipeline.name,
            "parameters": _sorted(parameters),
            "steps": _sorted(steps),
        },
        "deploy": _deploy(plan.deploy),
        "security": _security(plan.security),
        "ci": _ci(plan.ci),
    }
    if plan.registry is not None:  # only then: summaries of blueprints without a registry stay as they were
        registry = plan.registry
        summary["registry"] = {
            "hub": f"{registry.hub.model_package_group} in {registry.hub.account}/{registry.hub.region}",
            "mode": "both" if registry.push and registry.pull else "push" if registry.push else "pull",
            "statuses": list(registry.statuses),
            "deploy_from_hub": registry.deploy_from_hub,
            "spokes": list(registry.spokes),
        }
    if plan.operations is not None:  # only then, as for the registry
        from mlopsgen.views.review_operations import summarize_operations

        summary["operations"] = summarize_operations(plan.operations)
    return summary
