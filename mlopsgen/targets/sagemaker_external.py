"""Plan Lambda, EMR and Callback steps → their pipeline definition JSON (part of the native ``sagemaker`` target).

The shapes are what sagemaker 3.27.0's ``LambdaStep``, ``CallbackStep`` and ``EMRStep.to_request`` write:
the step's inputs are its ``Arguments``; the function ARN, queue URL and output parameters sit beside
them on the step; an EMR step's ``Arguments`` are AddJobFlowSteps' (``StepConfig`` and ``ClusterId``)
or, for a cluster created for the step, ``ClusterConfig``. The engines-agree test compares them with
the SDK's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

EXTERNAL_STEPS = (ir.LambdaStep, ir.CallbackStep, ir.EmrStep)


def external_step(
    s: ir.LambdaStep | ir.CallbackStep | ir.EmrStep,
    envelope: Callable[[ir.Common, str, dict[str, Any]], dict[str, Any]],
    expr: Callable[[ir.Expr], Any],
) -> dict[str, Any]:
    """One lambda, callback or EMR step as the definition writes it.

    Args:
        s: The Plan step.
        envelope: Writes what every step has (name, type, arguments, texts, depends_on, cache).
        expr: Writes an expression (``Get``, ``Std:Join``, ...).

    Returns:
        The step's definition.
    """
    if isinstance(s, ir.LambdaStep | ir.CallbackStep):
        kind = "Lambda" if isinstance(s, ir.LambdaStep) else "Callback"
        out = envelope(s.common, kind, {k: expr(v) for k, v in s.inputs})
        if isinstance(s, ir.LambdaStep):
            out["FunctionArn"] = s.function_arn
        else:
            out["SqsQueueUrl"] = s.queue_url
        out["OutputParameters"] = [{"OutputName": o.name, "OutputType": o.kind} for o in s.outputs]
        return out
    jar: dict[str, Any] = {"Jar": expr(s.jar)}
    if s.args:
        jar["Args"] = [expr(a) for a in s.args]
    if s.main_class:
        jar["MainClass"] = s.main_class
    if s.properties:
        jar["Properties"] = [{"Key": k, "Value": v} for k, v in s.properties]
    arguments: dict[str, Any] = {"StepConfig": {"HadoopJarStep": jar}}
    if s.cluster_id:
        arguments["ClusterId"] = s.cluster_id
        if s.execution_role_arn:
            arguments["ExecutionRoleArn"] = s.execution_role_arn
    else:
        arguments["ClusterConfig"] = json.loads(s.cluster_config)
    return envelope(s.common, "EMR", arguments)
