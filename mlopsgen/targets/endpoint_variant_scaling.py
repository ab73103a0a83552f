"""Plan → one scalable target and scaling policy per extra production variant of an autoscaled stage.

Application Auto Scaling scales one variant per scalable target (ResourceId
``endpoint/<endpoint>/variant/<variant>``), so the template's ScalableTarget, which names the first
variant, leaves a stage's other variants at their initial count. Each extra variant slot
(``Variant<n>`` in ``endpoint_serving``) gets a copy of the target and its target-tracking policy
on its own name, created when the stage autoscales and fills the slot. Every variant scales between
the stage's ``min_instances`` and ``max_instances`` on its own invocations per instance (the
predefined metric is per variant). Added only when some autoscaled stage names two or more
variants, so no template holds a resource no stage creates. The deploying roles' autoscaling
rights already cover every variant of the stage's endpoint (``targets/iam.py``).
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html
"""

from __future__ import annotations

import copy
from typing import Any

from mlopsgen.plan import model as ir


def scaled_slots(plan: ir.Plan) -> int:
    """How many extra variant slots some autoscaled stage fills (0: the template's one target suffices).

    Args:
        plan: The resolved blueprint.

    Returns:
        The most production variants of an autoscaled stage, less the first.
    """
    assert plan.deploy is not None
    counts = [len(s.serving.variants) for s in plan.deploy.stages if s.autoscaling is not None]
    return max(counts, default=1) - 1


def add_variant_scaling(template: dict[str, Any], slots: int) -> None:
    """Scale variant slots 2 to ``slots + 1`` like the first: a target and policy each, on AutoScaling and the slot.

    Copied before the asynchronous settings change the first policy (an asynchronous stage has one variant).

    Args:
        template: The endpoint template with its variant slots (``endpoint_serving.apply``); changed in place.
        slots: ``scaled_slots`` of the plan.
    """
    conditions, resources = template["Conditions"], template["Resources"]
    for slot in range(2, slots + 2):
        prefix = f"Variant{slot}"
        condition = f"AutoScaling{prefix}"
        conditions[condition] = {"Fn::And": [{"Condition": "AutoScaling"}, {"Condition": f"Has{prefix}"}]}
        target = copy.deepcopy(resources["ScalableTarget"])
        target["Condition"] = condition
        target["Properties"]["ResourceId"] = {
            "Fn::Sub": f"endpoint/${{Endpoint.EndpointName}}/variant/${{{prefix}Name}}"
        }
        policy = copy.deepcopy(resources["ScalingPolicy"])
        policy["Condition"] = condition
        properties = policy["Properties"]
        properties["PolicyName"] = {
            "Fn::Sub": f"${{SageMakerProjectName}}-${{StageName}}-${{{prefix}Name}}-invocations"
        }
        properties["ScalingTargetId"] = {"Ref": f"ScalableTarget{prefix}"}
        resources[f"ScalableTarget{prefix}"] = target
        resources[f"ScalingPolicy{prefix}"] = policy
