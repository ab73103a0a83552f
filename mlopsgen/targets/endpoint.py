"""Plan → the endpoint CloudFormation template and one configuration file per deploy stage.

One template serves every stage; what differs per stage (instances, data capture, autoscaling) is
in ``<stage>-config.json``, in the CodePipeline TemplateConfiguration format. The deploy step adds
the approved ModelPackageName at deploy time (``scripts/deploy_config.py``).
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_json, dump_yaml, generated_header

NAME = "endpoint"
FILES = {
    "model-deploy/endpoint-config-template.yml": "the endpoint stack of one stage",
    "model-deploy/<stage>-config.json": "parameters and tags of each stage's stack",
}
TEMPLATE = "model-deploy/endpoint-config-template.yml"
VARIANT = "AllTraffic"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the endpoint template and the stage configurations (nothing without a deploy section).

    Args:
        plan: The resolved blueprint.

    Returns:
        The template and one config file per stage.
    """
    if plan.deploy is None:
        return []
    files = [OutputFile(TEMPLATE, dump_yaml(template(plan), generated_header(plan, "Endpoint stack of one stage.")))]
    for stage in plan.deploy.stages:
        files.append(OutputFile(f"model-deploy/{stage.name}-config.json", dump_json(stage_config(plan, stage))))
    return files


def stage_config(plan: ir.Plan, stage: ir.Stage) -> dict[str, Any]:
    """Stack parameters and tags of one stage, all values text (as CloudFormation takes them)."""
    assert plan.deploy is not None
    scaling = stage.autoscaling
    parameters = {
        "SageMakerProjectName": plan.project.name,
        "StageName": stage.name,
        "ModelExecutionRoleArn": plan.deploy.model_execution_role_arn,
        "EndpointInstanceType": stage.instance_type,
        "EndpointInstanceCount": str(stage.instance_count),
        "EnableDataCapture": str(stage.data_capture.enabled).lower(),
        "SamplingPercentage": str(stage.data_capture.sampling_percentage),
        "DataCaptureUploadPath": stage.data_capture.destination,
        "EnableAutoScaling": str(scaling is not None).lower(),
        "MinInstances": str(scaling.min_instances if scaling else stage.instance_count),
        "MaxInstances": str(scaling.max_instances if scaling else stage.instance_count),
        "TargetInvocationsPerInstance": str(scaling.target_invocations_per_instance if scaling else 70),
        "ScaleInCooldown": str(scaling.scale_in_cooldown_seconds if scaling else 300),
        "ScaleOutCooldown": str(scaling.scale_out_cooldown_seconds if scaling else 60),
    }
    tags = {
        **dict(plan.project.tags),
        "sagemaker:deployment-stage": stage.name,
        "sagemaker:project-id": plan.project.id,
        "sagemaker:project-name": plan.project.name,
    }
    return {"Parameters": parameters, "Tags": tags}


def _parameters() -> dict[str, Any]:
    text = {"Type": "String"}
    return {
        "SageMakerProjectName": {
            **text,
            "Description": "SageMaker project name.",
            "MinLength": 1,
            "MaxLength": 32,
            "AllowedPattern": "^[a-zA-Z](-*[a-zA-Z0-9])*",
        },
        "StageName": {**text, "Description": "Deployment stage (part of the endpoint name).", "MinLength": 1},
        "ModelPackageName": {**text, "Description": "ARN of the approved model package version to deploy."},
        "ModelExecutionRoleArn": {**text, "Description": "Role the model runs as."},
        "EndpointInstanceType": {**text, "Description": "Instance type of the endpoint."},
        "EndpointInstanceCount": {"Type": "Number", "Description": "Initial instance count.", "MinValue": 1},
        "EnableDataCapture": {**text, "AllowedValues": ["true", "false"], "Default": "true"},
        "SamplingPercentage": {"Type": "Number", "MinValue": 0, "MaxValue": 100, "Default": 100},
        "DataCaptureUploadPath": {**text, "Description": "S3 URI receiving captured payloads."},
        "EnableAutoScaling": {**text, "AllowedValues": ["true", "false"], "Default": "false"},
        "MinInstances": {"Type": "Number", "MinValue": 1, "Default": 1},
        "MaxInstances": {"Type": "Number", "MinValue": 1, "Default": 1},
        "TargetInvocationsPerInstance": {
            "Type": "Number",
            "MinValue": 1,
            "Default": 70,
            "Description": "Invocations per instance per minute the autoscaling policy tracks.",
        },
        "ScaleInCooldown": {"Type": "Number", "MinValue": 0, "Default": 300},
        "ScaleOutCooldown": {"Type": "Number", "MinValue": 0, "Default": 60},
    }


def template(plan: ir.Plan) -> dict[str, Any]:
    """The endpoint stack: Model → EndpointConfig → Endpoint, and optional autoscaling."""
    security = plan.security
    model: dict[str, Any] = {
        # One container: PrimaryContainer (moto, used in the tests, models only this form).
        "PrimaryContainer": {"ModelPackageName": {"Ref": "ModelPackageName"}},
        "ExecutionRoleArn": {"Ref": "ModelExecutionRoleArn"},
    }
    if security.subnets:
        model["VpcConfig"] = {"SecurityGroupIds": list(security.security_groups), "Subnets": list(security.subnets)}
    if security.network_isolation:
        model["EnableNetworkIsolation"] = True
    capture: dict[str, Any] = {
        "EnableCapture": {"Ref": "EnableDataCapture"},
        "InitialSamplingPercentage": {"Ref": "SamplingPercentage"},
        "DestinationS3Uri": {"Ref": "DataCaptureUploadPath"},
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }
    if security.output_kms_key:
        capture["KmsKeyId"] = security.output_kms_key
    endpoint_config: dict[str, Any] = {
        "ProductionVariants": [
            {
                "InitialInstanceCount": {"Ref": "EndpointInstanceCount"},
                "InitialVariantWeight": 1.0,
                "InstanceType": {"Ref": "EndpointInstanceType"},
                "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                "VariantName": VARIANT,
            }
        ],
        "DataCaptureConfig": capture,
    }
    if security.volume_kms_key:
        endpoint_config["KmsKeyId"] = security.volume_kms_key
    resources: dict[str, Any] = {
        "Model": {"Type": "AWS::SageMaker::Model", "Properties": model},
        "EndpointConfig": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": endpoint_config},
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointName": {"Fn::Sub": "${SageMakerProjectName}-${StageName}"},
                "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
            },
        },
        # ref: https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html
        "ScalableTarget": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Condition": "AutoScaling",
            "Properties": {
                "ServiceNamespace": "sagemaker",
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "ResourceId": {"Fn::Sub": f"endpoint/${{Endpoint.EndpointName}}/variant/{VARIANT}"},
                "MinCapacity": {"Ref": "MinInstances"},
                "MaxCapacity": {"Ref": "MaxInstances"},
            },
        },
        "ScalingPolicy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Condition": "AutoScaling",
            "Properties": {
                "PolicyName": {"Fn::Sub": "${SageMakerProjectName}-${StageName}-invocations"},
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": {"Ref": "ScalableTarget"},
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": {"Ref": "TargetInvocationsPerInstance"},
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
                    "ScaleInCooldown": {"Ref": "ScaleInCooldown"},
                    "ScaleOutCooldown": {"Ref": "ScaleOutCooldown"},
                },
            },
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker endpoint of one deploy stage of project {plan.project.name} (mlopsgen).",
        "Parameters": _parameters(),
        "Conditions": {"AutoScaling": {"Fn::Equals": [{"Ref": "EnableAutoScaling"}, "true"]}},
        "Resources": resources,
        "Outputs": {"EndpointName": {"Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}},
    }
