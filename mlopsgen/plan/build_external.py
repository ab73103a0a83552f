"""Lambda, EMR and Callback step specs → Plan steps (the steps that call services outside SageMaker).

Kept apart from ``build.py`` so that module stays about the SageMaker jobs; ``build.py`` hands every
step of these types to ``build_external_step``.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.build_base import BuilderBase

EXTERNAL_TYPES = ("lambda", "emr", "callback")
"""The step types ``build_external_step`` builds (by ``type``: their spec models load only when used)."""


def partition(region: str) -> str:
    """The ARN partition of a region (``aws-cn`` for China, ``aws-us-gov`` for GovCloud)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def function_arn(function: str, region: str, account: str) -> str:
    """A Lambda function's ARN: as written when it is one, else the named function of the project's account.

    SageMaker's Lambda step takes an ARN (``FunctionArn``); the SageMaker SDK creates a function when it
    gets only a name, which a definition written offline cannot do.
    """
    if function.startswith("arn:"):
        return function
    return f"arn:{partition(region)}:lambda:{region}:{account}:function:{function}"


def build_external_step(builder: BuilderBase, step: Any) -> ir.Step:
    """Build one lambda, emr or callback step.

    Args:
        builder: The Plan builder (expressions, common step fields, the project).
        step: A ``LambdaStepSpec``, ``EmrStepSpec`` or ``CallbackStepSpec`` that passed the checks.

    Returns:
        The Plan step.
    """
    common = builder.common(step)
    if step.type == "lambda":
        project = builder.bp.project
        return ir.LambdaStep(
            common=common,
            function_arn=function_arn(step.function, project.region, project.account),
            inputs=tuple((k, builder.expr(v)) for k, v in step.inputs.items()),
            outputs=tuple(ir.OutputParameter(n, t) for n, t in step.outputs.items()),
        )
    if step.type == "callback":
        return ir.CallbackStep(
            common=common,
            queue_url=step.queue_url,
            inputs=tuple((k, builder.expr(v)) for k, v in step.inputs.items()),
            outputs=tuple(ir.OutputParameter(n, t) for n, t in step.outputs.items()),
        )
    config = _tagged(step.cluster_config, builder.bp.project.id) if step.cluster_config is not None else None
    return ir.EmrStep(
        common=common,
        cluster_id=step.cluster_id or "",
        cluster_config=json.dumps(config, sort_keys=True, separators=(",", ":")) if config is not None else "",
        execution_role_arn=step.execution_role or "",
        jar=builder.expr(step.step.jar),
        args=tuple(builder.expr(a) for a in step.step.args),
        main_class=step.step.main_class or "",
        properties=tuple(step.step.properties.items()),
    )


PROJECT_TAG = "sagemaker:project-id"


def _tagged(config: dict[str, Any], project_id: str) -> dict[str, Any]:
    """A created cluster's configuration with the project's tag, which scopes the pipeline role's EMR rights.

    The role may create clusters only with this tag and act only on clusters carrying it
    (``targets/pipeline_policy.py``), so the tag must be in every RunJobFlow request the step makes.
    """
    tags = [t for t in config.get("Tags", []) if not (isinstance(t, dict) and t.get("Key") == PROJECT_TAG)]
    return {**config, "Tags": [*tags, {"Key": PROJECT_TAG, "Value": project_id}]}
