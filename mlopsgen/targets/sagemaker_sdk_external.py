"""Plan Lambda, EMR and Callback steps → sagemaker 3.27.0's ``LambdaStep``, ``EMRStep`` and ``CallbackStep``.

Part of the SDK engine (``sagemaker_sdk.py`` calls ``build_external``); imports ``sagemaker`` lazily
like it. The Lambda helper gets the function's ARN and the engine's offline session, so the SDK
only reads the ARN (it creates or updates a function only when given a name or code).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

EXTERNAL_STEPS = (ir.LambdaStep, ir.CallbackStep, ir.EmrStep)


def build_external(
    s: ir.LambdaStep | ir.CallbackStep | ir.EmrStep,
    value: Callable[[ir.Expr], Any],
    common: dict[str, Any],
    session: Any,
) -> Any:
    """Build one SDK step.

    Args:
        s: The Plan step.
        value: Turns a Plan expression into the SDK's value (parameters, properties, joins).
        common: The SDK keyword arguments every step takes (name, texts, depends_on, cache_config);
            these steps take no retry policies.
        session: The engine's offline SageMaker session.

    Returns:
        The SDK step object.
    """
    if isinstance(s, ir.LambdaStep):
        from sagemaker.core.lambda_helper import Lambda
        from sagemaker.mlops.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep

        return LambdaStep(
            lambda_func=Lambda(function_arn=s.function_arn, session=session),
            inputs={k: value(v) for k, v in s.inputs},
            outputs=[LambdaOutput(o.name, _member(LambdaOutputTypeEnum, o.kind)) for o in s.outputs],
            **common,
        )
    if isinstance(s, ir.CallbackStep):
        from sagemaker.mlops.workflow.callback_step import CallbackOutput, CallbackOutputTypeEnum, CallbackStep

        return CallbackStep(
            sqs_queue_url=s.queue_url,
            inputs={k: value(v) for k, v in s.inputs},
            outputs=[CallbackOutput(o.name, _member(CallbackOutputTypeEnum, o.kind)) for o in s.outputs],
            **common,
        )
    from sagemaker.mlops.workflow.emr_step import EMRStep, EMRStepConfig

    config = EMRStepConfig(
        jar=value(s.jar),
        args=[value(a) for a in s.args] or None,
        main_class=s.main_class or None,
        properties=[{"Key": k, "Value": v} for k, v in s.properties] or None,
    )
    kwargs = {**common}
    kwargs.setdefault("display_name", None)
    kwargs.setdefault("description", None)
    return EMRStep(
        cluster_id=s.cluster_id or None,
        step_config=config,
        cluster_config=json.loads(s.cluster_config) if s.cluster_config else None,
        execution_role_arn=s.execution_role_arn or None,
        **kwargs,
    )


def output_property(step: Any, path: str) -> Any | None:
    """The SDK property of a lambda or callback output (``OutputParameters['o']``), else None.

    The SDK files these under ``properties.Outputs[name]`` while the definition reads
    ``Steps.S.OutputParameters['name']``; taking the SDK's own object keeps the oracle honest.
    """
    prefix = "OutputParameters['"
    if not (path.startswith(prefix) and path.endswith("']")):
        return None
    outputs = step.properties.__dict__.get("Outputs")
    if outputs is None:
        return None
    return outputs[path[len(prefix) : -2]]


def _member(enum: Any, value: str) -> Any:
    """Enum member by value (the SDK's output enums use a metaclass whose call returns the default)."""
    return next(m for m in enum if m.value == value)
