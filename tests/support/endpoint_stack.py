"""The endpoint template as CloudFormation creates it for one stage: which variants Application Auto Scaling scales.

One template serves every stage through parameters and conditions, so what a stage gets is only visible
once the conditions are evaluated with that stage's parameters (``<stage>-config.json``, the template's
defaults for the rest), as CloudFormation does. Only the intrinsic functions the template's conditions and
scaling resources use are evaluated.
"""

from __future__ import annotations

import re
from typing import Any


class StageStack:
    """One stage's view of the endpoint template."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.template = template
        self.values = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
        self.values |= {name: str(value) for name, value in parameters.items()}
        self.endpoint = self.text(template["Resources"]["Endpoint"]["Properties"]["EndpointName"])
        self.values["Endpoint.EndpointName"] = self.endpoint

    def condition(self, name: str) -> bool:
        return self._truth(self.template["Conditions"][name])

    def _truth(self, node: dict[str, Any]) -> bool:
        ((kind, arg),) = node.items()
        if kind == "Condition":
            return self.condition(arg)
        if kind == "Fn::Equals":
            left, right = (self.text(v) for v in arg)
            return left == right
        if kind == "Fn::Not":
            return not self._truth(arg[0])
        if kind == "Fn::And":
            return all(self._truth(v) for v in arg)
        if kind == "Fn::Or":
            return any(self._truth(v) for v in arg)
        raise AssertionError(f"condition function {kind} not evaluated here")

    def text(self, node: Any) -> str:
        if not isinstance(node, dict):
            return str(node)
        ((kind, arg),) = node.items()
        if kind == "Ref":
            return self.values[arg]
        if kind == "Fn::Sub":
            return re.sub(r"\$\{([^}]+)\}", lambda m: self.values[m.group(1)], arg)
        raise AssertionError(f"value function {kind} not evaluated here")

    def created(self, kind: str) -> dict[str, dict[str, Any]]:
        """The resources of one type the stage's stack creates: logical id → properties."""
        return {
            name: resource["Properties"]
            for name, resource in self.template["Resources"].items()
            if resource["Type"] == kind and ("Condition" not in resource or self.condition(resource["Condition"]))
        }

    def scaled_variants(self) -> dict[str, list[str]]:
        """Each variant resource id a scalable target registers → the target-tracking policies attached to it."""
        targets = self.created("AWS::ApplicationAutoScaling::ScalableTarget")
        out: dict[str, list[str]] = {self.text(p["ResourceId"]): [] for p in targets.values()}
        assert len(out) == len(targets), "two scalable targets register the same variant"
        for name, policy in self.created("AWS::ApplicationAutoScaling::ScalingPolicy").items():
            if policy["PolicyType"] == "TargetTrackingScaling":
                target = policy["ScalingTargetId"]["Ref"]
                out[self.text(targets[target]["ResourceId"])].append(name)
        return out
