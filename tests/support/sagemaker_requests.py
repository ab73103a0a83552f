"""Rendered project → every SageMaker create request it makes, with the IAM condition keys each request sets.

Two places in the output call SageMaker's create APIs:

- each step of ``model-build/pipeline-definition.json``: a pipeline step's ``Arguments`` are the request body
  SageMaker Pipelines sends (CreateProcessingJob, CreateTrainingJob, ...) once properties are resolved; a
  value that is a pipeline expression (``Get``, ``Std:Join``, ...) is present in the request, its value
  known only at run time;
- the ``AWS::SageMaker::Model`` and ``AWS::SageMaker::EndpointConfig`` resources of CloudFormation
  templates: the deploying role calls CreateModel and CreateEndpointConfig with the resource's properties,
  which carry the API's member names; a ``Ref``/``Fn::*`` value is present likewise.

IAM evaluates a request's condition keys, so ``CONDITION_KEYS`` says which request member sets which key
for each action. It is written from the Service Authorization Reference for Amazon SageMaker AI
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html: the
"Condition keys" column of each action and the key descriptions, e.g. sagemaker:OutputKmsKey "filters
access by the AWS KMS key used to encrypt output") and checked against botocore's SageMaker service model
(every path must exist in the operation's input shape). A key whose member the request omits is absent
from the request context, which is what makes ``Null`` and ``...IfExists`` matter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import yaml

from mlopsgen.audit.conditions import forms

# Keys whose value is a list in the request context (SAR type ArrayOfString): IAM needs set operators.
MULTIVALUED = {"sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds", "sagemaker:InstanceTypes"}

# action → condition key → request member paths that set it ("[]" walks every element of a list).
_TRAINING: dict[str, tuple[str, ...]] = {
    "sagemaker:VpcSubnets": ("VpcConfig.Subnets",),
    "sagemaker:VpcSecurityGroupIds": ("VpcConfig.SecurityGroupIds",),
    "sagemaker:VolumeKmsKey": ("ResourceConfig.VolumeKmsKeyId",),
    "sagemaker:OutputKmsKey": ("OutputDataConfig.KmsKeyId",),
    "sagemaker:InterContainerTrafficEncryption": ("EnableInterContainerTrafficEncryption",),
    "sagemaker:NetworkIsolation": ("EnableNetworkIsolation",),
    "sagemaker:MaxRuntimeInSeconds": ("StoppingCondition.MaxRuntimeInSeconds",),
    "sagemaker:InstanceTypes": ("ResourceConfig.InstanceType",),
}
MONITOR_KINDS = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")


def _monitoring_job(output: str, resources: str = "JobResources") -> dict[str, tuple[str, ...]]:
    return {
        "sagemaker:VpcSubnets": ("NetworkConfig.VpcConfig.Subnets",),
        "sagemaker:VpcSecurityGroupIds": ("NetworkConfig.VpcConfig.SecurityGroupIds",),
        "sagemaker:VolumeKmsKey": (f"{resources}.ClusterConfig.VolumeKmsKeyId",),
        "sagemaker:OutputKmsKey": (f"{output}.KmsKeyId",),
        "sagemaker:InterContainerTrafficEncryption": ("NetworkConfig.EnableInterContainerTrafficEncryption",),
        "sagemaker:NetworkIsolation": ("NetworkConfig.EnableNetworkIsolation",),
        "sagemaker:MaxRuntimeInSeconds": ("StoppingCondition.MaxRuntimeInSeconds",),
        "sagemaker:InstanceTypes": (f"{resources}.ClusterConfig.InstanceType",),
    }


CONDITION_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "sagemaker:CreateProcessingJob": {
        "sagemaker:VpcSubnets": ("NetworkConfig.VpcConfig.Subnets",),
        "sagemaker:VpcSecurityGroupIds": ("NetworkConfig.VpcConfig.SecurityGroupIds",),
        "sagemaker:VolumeKmsKey": ("ProcessingResources.ClusterConfig.VolumeKmsKeyId",),
        "sagemaker:OutputKmsKey": ("ProcessingOutputConfig.KmsKeyId",),
        "sagemaker:InterContainerTrafficEncryption": ("NetworkConfig.EnableInterContainerTrafficEncryption",),
        "sagemaker:NetworkIsolation": ("NetworkConfig.EnableNetworkIsolation",),
        "sagemaker:MaxRuntimeInSeconds": ("StoppingCondition.MaxRuntimeInSeconds",),
        "sagemaker:InstanceTypes": ("ProcessingResources.ClusterConfig.InstanceType",),
    },
    "sagemaker:CreateTrainingJob": _TRAINING,
    # SAR: CreateModelPackageGroup takes only aws:RequestTag/${TagKey} and aws:TagKeys, no sagemaker: keys.
    "sagemaker:CreateModelPackageGroup": {},
    "sagemaker:CreateHyperParameterTuningJob": {
        key: tuple(f"TrainingJobDefinition.{p}" for p in paths) for key, paths in _TRAINING.items()
    },
    "sagemaker:CreateTransformJob": {
        "sagemaker:VolumeKmsKey": ("TransformResources.VolumeKmsKeyId",),
        "sagemaker:OutputKmsKey": ("TransformOutput.KmsKeyId",),
        "sagemaker:InstanceTypes": ("TransformResources.InstanceType",),
    },
    "sagemaker:CreateModel": {
        "sagemaker:VpcSubnets": ("VpcConfig.Subnets",),
        "sagemaker:VpcSecurityGroupIds": ("VpcConfig.SecurityGroupIds",),
        "sagemaker:NetworkIsolation": ("EnableNetworkIsolation",),
    },
    # The endpoint's ML storage volume key; the data capture key (DataCaptureConfig.KmsKeyId) has no
    # condition key, so IAM cannot require it (the cfn-guard audit checks it instead).
    "sagemaker:CreateEndpointConfig": {
        "sagemaker:VolumeKmsKey": ("KmsKeyId",),
        "sagemaker:InstanceTypes": ("ProductionVariants[].InstanceType",),
    },
    # Model monitoring (SAR: each Create<Kind>JobDefinition takes the job keys below). The job definitions
    # are created by the endpoint stacks; CloudFormation's property names are the API's members.
    **{f"sagemaker:Create{kind}JobDefinition": _monitoring_job(f"{kind}JobOutputConfig") for kind in MONITOR_KINDS},
    # SAR lists the same keys for CreateMonitoringSchedule; they come from an inline job definition, which
    # ours never carries (the schedule names a job definition), so a schedule sets none of them.
    "sagemaker:CreateMonitoringSchedule": {
        key: tuple(f"MonitoringScheduleConfig.MonitoringJobDefinition.{p}" for p in paths)
        for key, paths in _monitoring_job("MonitoringOutputConfig", "MonitoringResources").items()
    },
    # No security condition key; modelled so the guardrail's scope is evaluated against it too.
    "sagemaker:CreateModelPackage": {},
    "sagemaker:CreateEndpoint": {},
}

# SageMaker Pipelines step type → the API its Arguments are the request of.
STEP_ACTIONS = {
    "Processing": "sagemaker:CreateProcessingJob",
    "Training": "sagemaker:CreateTrainingJob",
    "Tuning": "sagemaker:CreateHyperParameterTuningJob",
    "Transform": "sagemaker:CreateTransformJob",
    "Model": "sagemaker:CreateModel",
    "RegisterModel": "sagemaker:CreateModelPackage",
    # Check steps run a processing job (sagemaker 3.27.0 _build_check_job_request); no example uses them yet.
    "QualityCheck": "sagemaker:CreateProcessingJob",
    "ClarifyCheck": "sagemaker:CreateProcessingJob",
}
# Steps that create no SageMaker resource: the service evaluates conditions and failures itself; Lambda,
# Callback and EMR steps call other services (their permissions: targets/pipeline_policy.py).
STEPS_WITHOUT_REQUEST = {"Condition", "Fail", "Lambda", "Callback", "EMR"}
RESOURCE_ACTIONS = {
    "AWS::SageMaker::Model": "sagemaker:CreateModel",
    "AWS::SageMaker::EndpointConfig": "sagemaker:CreateEndpointConfig",
    "AWS::SageMaker::Endpoint": "sagemaker:CreateEndpoint",
    "AWS::SageMaker::ModelPackageGroup": "sagemaker:CreateModelPackageGroup",  # the hub stack (registry)
    **{f"AWS::SageMaker::{kind}JobDefinition": f"sagemaker:Create{kind}JobDefinition" for kind in MONITOR_KINDS},
    "AWS::SageMaker::MonitoringSchedule": "sagemaker:CreateMonitoringSchedule",
}
ARN_TYPES = {
    "sagemaker:CreateProcessingJob": "processing-job",
    "sagemaker:CreateTrainingJob": "training-job",
    "sagemaker:CreateHyperParameterTuningJob": "hyper-parameter-tuning-job",
    "sagemaker:CreateTransformJob": "transform-job",
    "sagemaker:CreateModel": "model",
    "sagemaker:CreateModelPackage": "model-package",
    "sagemaker:CreateEndpointConfig": "endpoint-config",
    "sagemaker:CreateEndpoint": "endpoint",
    "sagemaker:CreateModelPackageGroup": "model-package-group",
    **{
        f"sagemaker:Create{kind}JobDefinition": re.sub(r"(?<!^)([A-Z])", r"-\1", kind).lower() + "-job-definition"
        for kind in MONITOR_KINDS
    },
    "sagemaker:CreateMonitoringSchedule": "monitoring-schedule",
}
EXPRESSION = "${runtime value}"


@dataclass
class Request:
    """One create request the project makes: where it comes from, the IAM action and the body."""

    example: str
    origin: str
    action: str
    body: dict[str, Any]

    def arn(self, region: str, account: str) -> str:
        """The ARN IAM authorizes the request on (the name is immaterial to the guardrails)."""
        return f"arn:aws:sagemaker:{region}:{account}:{ARN_TYPES[self.action]}/request"


def _is_expression(value: Any) -> bool:
    """A pipeline expression or CloudFormation intrinsic: present in the request, value known later."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _EXPRESSION_KEYS


_EXPRESSION_KEYS = {"Get", "Std:Join", "Std:JsonGet", "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select"}


def values_at(body: Any, path: str) -> list[Any] | None:
    """The values a member path reaches in a request body, or None when the request omits the member."""
    nodes = [body]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        found = []
        for node in nodes:
            if _is_expression(node):
                found.append(node)
                continue
            if not isinstance(node, dict) or name not in node:
                continue
            child = node[name]
            if many and isinstance(child, list):
                found.extend(child)
            else:
                found.append(child)
        if not found:
            return None
        nodes = found
    return nodes


def _scalar(value: Any) -> str:
    if _is_expression(value):
        return EXPRESSION
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def context_of(action: str, body: dict[str, Any]) -> dict[str, str | list[str]]:
    """The SageMaker condition keys a request sets, as IAM's request context holds them."""
    context: dict[str, str | list[str]] = {}
    for key, paths in CONDITION_KEYS[action].items():
        for path in paths:
            found = values_at(body, path)
            if found is None:
                continue
            flat = [v for item in found for v in (item if isinstance(item, list) else [item])]
            if key in MULTIVALUED:
                context[key] = [_scalar(v) for v in flat]
            else:
                assert len(flat) == 1, f"{action} {path}: one value expected for single-valued {key}"
                context[key] = _scalar(flat[0])
    return context


def _pipeline_steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _pipeline_steps(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])


def _embedded_pipeline_requests(example: str, where: str, properties: dict[str, Any]) -> list[Request]:
    """The job requests of a pipeline defined inside a template (``Fn::Sub`` placeholders kept as text)."""
    body = properties["PipelineDefinition"]["PipelineDefinitionBody"]
    text = body.get("Fn::Sub", body) if isinstance(body, dict) else body
    text = text[0] if isinstance(text, list) else text
    definition = json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: m[1].replace(".", "-"), text))
    requests = []
    for step in _pipeline_steps(definition["Steps"]):
        if step["Type"] in STEPS_WITHOUT_REQUEST:
            continue
        assert step["Type"] in STEP_ACTIONS, f"{example}: {where}: step type {step['Type']} is not modelled"
        requests.append(Request(example, f"{where} step {step['Name']}", STEP_ACTIONS[step["Type"]], step["Arguments"]))
    return requests


def requests_of(example: str, files: dict[str, str]) -> list[Request]:
    """Every SageMaker create request in one rendered project (pipeline steps and CloudFormation)."""
    found: list[Request] = []
    definition = files.get("model-build/pipeline-definition.json")
    if definition:
        for step in _pipeline_steps(json.loads(definition)["Steps"]):
            kind = step["Type"]
            if kind in STEPS_WITHOUT_REQUEST:
                continue
            assert kind in STEP_ACTIONS, f"{example}: step type {kind} is not modelled"
            found.append(Request(example, f"step {step['Name']}", STEP_ACTIONS[kind], step["Arguments"]))
    for path, text in sorted(files.items()):
        if not path.endswith((".yml", ".yaml")):
            continue
        template = yaml.safe_load(text)
        if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
            continue
        for name, resource in template["Resources"].items():
            kind = resource["Type"]
            if not kind.startswith("AWS::SageMaker::"):
                continue
            if kind == "AWS::SageMaker::Pipeline":  # a batch stage's pipeline: its steps' jobs are the requests
                found += _embedded_pipeline_requests(example, f"{path} resource {name}", resource["Properties"])
                continue
            assert kind in RESOURCE_ACTIONS, f"{example}: {path} {name}: {kind} is not modelled"
            # A conditional resource makes its request when created; each Fn::If form is a request it may make.
            for assignment, body in forms(resource.get("Properties", {}), limit=10):
                where = f"{path} resource {name}" + (f" ({assignment})" if assignment else "")
                found.append(Request(example, where, RESOURCE_ACTIONS[kind], body))
    return found


@cache
def _service_model() -> Any:
    return botocore.session.get_session().get_service_model("sagemaker")


def input_shape(action: str) -> Any:
    """botocore's input shape of the API an IAM action authorizes (same name for create actions)."""
    return _service_model().operation_model(action.split(":", 1)[1]).input_shape


def member_shapes(action: str, path: str) -> list[tuple[Any, str]]:
    """(parent shape, member name) for each step of a member path, from botocore's model.

    Raises:
        KeyError: When the path does not exist in the operation's input.
    """
    shape = input_shape(action)
    steps = []
    for part in path.split("."):
        name = part.removesuffix("[]")
        steps.append((shape, name))
        shape = shape.members[name]
        if part.endswith("[]"):
            shape = shape.member
    return steps


def guardrail_policies(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The IAM policy documents of every ``AWS::IAM::ManagedPolicy`` in the guardrails template."""
    text = files.get("infrastructure/guardrails.yml")
    if not text:
        return {}
    resources = yaml.safe_load(text)["Resources"]
    return {
        name: r["Properties"]["PolicyDocument"]
        for name, r in resources.items()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    }
