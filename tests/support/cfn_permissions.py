"""What a role deploying a CloudFormation template must be allowed, from AWS's own data.

The permissions come from the resource provider schemas cfn-lint ships (the ``handlers`` section:
what the create, update and delete handlers call), plus the few that AWS documents outside the
schemas (``EXTRAS``). A schema lists what a handler *may* call for any configuration; ``ONLY_IF``
drops, with a reason, the permissions tied to a property the template does not use, so least
privilege is not traded for a blanket grant (Lambda provisioned concurrency for a SageMaker target).

Where the ARN a call acts on can be derived from the template and a stage's parameters (endpoint
names, the model role), the need carries it and the policy must allow that ARN; otherwise the
check is action-level and ``Need.resource`` is ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint

HANDLERS = ("create", "update", "delete")
ACCOUNT = "123456789012"  # stands for the deploying account in both the role's and the template's ARNs


@dataclass(frozen=True)
class Need:
    """One permission a deployment needs: the action, on which ARN if known, for which resource, why."""

    action: str
    resource: str | None
    logical_id: str
    source: str


Props = dict[str, Any]


def _prop(*path: str) -> Callable[[Props], bool]:
    def present(props: Props) -> bool:
        value: Any = props
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return False
            value = value[key]
        return True

    return present


def _always(props: Props) -> bool:
    return True


def _namespace(name: str) -> Callable[[Props], bool]:
    return lambda props: props.get("ServiceNamespace") == name


# Schema permissions that only the named property (or target service) makes the handler call.
ONLY_IF: dict[tuple[str, str], Callable[[Props], bool]] = {
    **{
        ("AWS::ApplicationAutoScaling::ScalableTarget", f"lambda:{verb}ProvisionedConcurrencyConfig"): _namespace(
            "lambda"
        )
        for verb in ("Get", "Put", "Delete")
    },
    ("AWS::ApplicationAutoScaling::ScalableTarget", "application-autoscaling:PutScheduledAction"): _prop(
        "ScheduledActions"
    ),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "application-autoscaling:DeleteScheduledAction"): _prop(
        "ScheduledActions"
    ),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "application-autoscaling:TagResource"): _prop("Tags"),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "application-autoscaling:UntagResource"): _prop("Tags"),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "iam:PassRole"): _prop("RoleARN"),
    ("AWS::SageMaker::EndpointConfig", "iam:PassRole"): _prop("ExecutionRoleArn"),
    ("AWS::SageMaker::EndpointConfig", "kms:DescribeKey"): _prop("KmsKeyId"),
}

_AAS_DOC = (
    "Application Auto Scaling User Guide, 'Identity-based policy examples': "
    "'Permissions required for API actions on target services and CloudWatch'"
)
# Permissions AWS documents outside the provider schemas: (type, action, applies?, source).
EXTRAS: list[tuple[str, str, Callable[[Props], bool], str]] = [
    *[
        ("AWS::ApplicationAutoScaling::ScalableTarget", action, _namespace("sagemaker"), _AAS_DOC)
        for action in ("sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpointWeightsAndCapacities")
    ],
    *[
        ("AWS::ApplicationAutoScaling::ScalingPolicy", f"cloudwatch:{action}", _always, _AAS_DOC)
        for action in ("PutMetricAlarm", "DescribeAlarms", "DeleteAlarms")
    ],
    # Called by CreateEndpoint (filed under the config that names the key).
    (
        "AWS::SageMaker::EndpointConfig",
        "kms:CreateGrant",
        _prop("KmsKeyId"),
        "SageMaker developer guide, 'API Permissions Reference': CreateEndpoint needs kms:CreateGrant "
        "when the endpoint config has a KmsKeyId",
    ),
]


_SSM_DOC = "CloudFormation User Guide, SSM parameter types: resolved with the caller's ssm:GetParameters"


@cache
def handler_permissions(resource_type: str, region: str = "us-east-1") -> dict[str, tuple[str, ...]]:
    """The create/update/delete handler permissions of a type, from cfn-lint's provider schemas."""
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    digest = json.loads((schemas / "providers" / f"{region}.json").read_text())[resource_type]
    handlers = json.loads((schemas / "resources" / f"{digest}.json").read_text()).get("handlers", {})
    return {h: tuple(handlers.get(h, {}).get("permissions", ())) for h in HANDLERS}


class Resolver:
    """Resolves the template values the ARN derivations need; ``None`` when a value is not static."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str], region: str) -> None:
        self.template, self.region = template, region
        self.values = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": ACCOUNT}
        for name, spec in template.get("Parameters", {}).items():
            if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                continue  # the value lives in SSM, not in the template
            if name in parameters or "Default" in spec:
                self.values[name] = str(parameters.get(name, spec.get("Default")))

    def __call__(self, value: Any) -> str | None:
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((kind, arg),) = value.items()
        if kind == "Ref":
            return self.values.get(arg)
        if kind == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self._attribute(logical_id, attribute)
        if kind == "Fn::Sub" and isinstance(arg, str):
            parts = [self._sub(name) for name in re.findall(r"\$\{([^!}]+)\}", arg)]
            if any(part is None for part in parts):
                return None
            return re.sub(r"\$\{([^!}]+)\}", lambda m: str(self._sub(m.group(1))), arg)
        return None

    def _sub(self, name: str) -> str | None:
        if "." in name:
            return self._attribute(*name.split(".", 1))
        return self.values.get(name)

    def _attribute(self, logical_id: str, attribute: str) -> str | None:
        """``<X>Name`` attributes equal the ``<X>Name`` property when the template sets it."""
        props = self.template.get("Resources", {}).get(logical_id, {}).get("Properties", {})
        return self(props[attribute]) if attribute.endswith("Name") and attribute in props else None


def _endpoint_arn(name: str | None, resolve: Resolver) -> str | None:
    return None if name is None else f"arn:aws:sagemaker:{resolve.region}:{ACCOUNT}:endpoint/{name}"


def _arn(resource_type: str, action: str, props: Props, resolve: Resolver) -> str | None:
    """The ARN ``action`` acts on, where the template says it; ``None`` otherwise."""
    if resource_type == "AWS::SageMaker::Endpoint" and action.startswith("sagemaker:") and "EndpointName" in props:
        return _endpoint_arn(resolve(props["EndpointName"]), resolve)
    if resource_type == "AWS::SageMaker::Model" and action == "iam:PassRole" and "ExecutionRoleArn" in props:
        return resolve(props["ExecutionRoleArn"])
    if resource_type == "AWS::SageMaker::EndpointConfig" and action.startswith("kms:") and "KmsKeyId" in props:
        key = resolve(props["KmsKeyId"])
        return key if key and key.startswith("arn:") else None
    if resource_type == "AWS::CloudWatch::Alarm" and action.startswith("cloudwatch:") and "AlarmName" in props:
        name = resolve(props["AlarmName"])
        return None if name is None else f"arn:aws:cloudwatch:{resolve.region}:{ACCOUNT}:alarm:{name}"
    if resource_type == "AWS::ApplicationAutoScaling::ScalableTarget" and action.startswith("sagemaker:"):
        target = resolve(props.get("ResourceId"))
        match = re.fullmatch(r"endpoint/([^/]+)/variant/.+", target or "")
        return _endpoint_arn(match.group(1) if match else None, resolve)
    return None


def needs(template: dict[str, Any], parameters: dict[str, str], region: str) -> list[Need]:
    """Every permission deploying, updating and deleting ``template`` needs (one parameter set)."""
    resolve = Resolver(template, parameters, region)
    out: list[Need] = []
    for logical_id, resource in template.get("Resources", {}).items():
        kind, props = resource["Type"], resource.get("Properties", {})
        wanted: dict[str, str] = {}
        for handler, permissions in handler_permissions(kind).items():
            for action in permissions:
                if ONLY_IF.get((kind, action), lambda _: True)(props):
                    wanted.setdefault(action, f"{kind} schema, {handler} handler")
        for extra_kind, action, applies, source in EXTRAS:
            if extra_kind == kind and applies(props):
                wanted.setdefault(action, source)
        out += [Need(a, _arn(kind, a, props, resolve), logical_id, why) for a, why in sorted(wanted.items())]
    for name, spec in template.get("Parameters", {}).items():
        if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and "Default" in spec:
            path = str(parameters.get(name, spec["Default"]))
            arn = f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{path if path.startswith('/') else '/' + path}"
            out.append(Need("ssm:GetParameters", arn, name, _SSM_DOC))
    return out
