"""Plan → the endpoint CloudFormation template and one configuration file per deploy stage.

One template serves every stage; what differs per stage (instances, data capture, autoscaling) is
in ``<stage>-config.json``, in the CodePipeline TemplateConfiguration format. The deploy step adds
the approved ModelPackageName at deploy time (``scripts/deploy_config.py``).
"""

from __future__ import annotations

from typing import Any

from mlopsgen import provenance
from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_json, dump_yaml, generated_header
from mlopsgen.targets.iam import PROJECT_TAG

NAME = "endpoint"
FILES = {
    "model-deploy/endpoint-config-template.yml": "the endpoint stack of one stage",
    "model-deploy/endpoint-stackset-template.yml": "the endpoint stack set of stages in other accounts",
    "model-deploy/<stage>-config.json": "parameters and tags of each stage's stack",
    "model-deploy/<stage>-targets.json": "accounts and OUs of a stage deployed by stack set",
    "model-deploy/test/sample-payload.<ext>": "the smoke test's request body, byte for byte",
}
TEMPLATE = "model-deploy/endpoint-config-template.yml"
STACKSET_TEMPLATE = "model-deploy/endpoint-stackset-template.yml"
VARIANT = "AllTraffic"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the endpoint template and the stage configurations (nothing without a deploy section).

    Args:
        plan: The resolved blueprint.

    Returns:
        The template, one config file per stage and the sample payload (bytes, as the blueprint has it).
    """
    if plan.deploy is None:
        return []
    files = [OutputFile(TEMPLATE, dump_yaml(template(plan), generated_header(plan, "Endpoint stack of one stage.")))]
    if plan.deploy.multi_account is not None:
        header = generated_header(plan, "Endpoint stack set instance of one stage, in each target account.")
        files.append(OutputFile(STACKSET_TEMPLATE, dump_yaml(stackset_template(plan), header)))
    for stage in plan.deploy.stages:
        with provenance.item(stage):
            files.append(OutputFile(f"model-deploy/{stage.name}-config.json", dump_json(stage_config(plan, stage))))
            if stage.targets is not None:
                listed = {
                    "accounts": stage.targets.accounts,
                    "organizational_units": stage.targets.organizational_units,
                }
                targets = {key: list(values) for key, values in listed.items() if values}
                files.append(OutputFile(f"model-deploy/{stage.name}-targets.json", dump_json(targets)))
    payload = plan.deploy.sample_payload
    if payload is not None:
        # Beside the templates, whichever CI backend runs the smoke test (both read it from here).
        with provenance.item(payload):
            files.append(OutputFile(payload.output_path, payload.content))
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
    if any(other.rollout is not None for other in plan.deploy.stages):
        from mlopsgen.targets.endpoint_rollout import stage_parameters  # only projects with rollouts

        parameters.update(stage_parameters(plan, stage))
    if stage.targets is not None:
        # In target accounts the model runs as the account's own model role (named in the template).
        del parameters["ModelExecutionRoleArn"]
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


def stackset_template(plan: ir.Plan) -> dict[str, Any]:
    """The endpoint stack for target accounts: the same resources, with account-local settings.

    A stack set passes the same parameters to every account, so what differs per account (the
    model role, subnets, security groups, volume key) is read in each account: the role by its
    per-project name, the rest from the SSM parameters its one-time setup stack wrote
    (``infrastructure/target-account.yml``). Resources are tagged in the template, because the stack
    set action has no stack tags.
    """
    assert plan.deploy is not None and plan.deploy.multi_account is not None
    multi = plan.deploy.multi_account
    out = template(plan)
    parameters = out["Parameters"]
    del parameters["ModelExecutionRoleArn"]
    resources = out["Resources"]
    model = resources["Model"]["Properties"]
    model["ExecutionRoleArn"] = {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{multi.model_role}"}
    if plan.security.subnets:
        parameters["SubnetIds"] = {
            "Type": "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
            "Default": f"{multi.parameter_prefix}/subnet-ids",
            "Description": "SSM parameter (in the target account) listing the endpoint's private subnets.",
        }
        parameters["SecurityGroupIds"] = {
            "Type": "AWS::SSM::Parameter::Value<List<AWS::EC2::SecurityGroup::Id>>",
            "Default": f"{multi.parameter_prefix}/security-group-ids",
            "Description": "SSM parameter (in the target account) listing the endpoint's security groups.",
        }
        model["VpcConfig"] = {"SecurityGroupIds": {"Ref": "SecurityGroupIds"}, "Subnets": {"Ref": "SubnetIds"}}
    if plan.security.volume_kms_key:
        parameters["VolumeKmsKeyArn"] = {
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": f"{multi.parameter_prefix}/volume-kms-key-arn",
            "Description": "SSM parameter (in the target account) holding the endpoint volume's KMS key ARN.",
        }
        resources["EndpointConfig"]["Properties"]["KmsKeyId"] = {"Ref": "VolumeKmsKeyArn"}
    tags = [
        *({"Key": k, "Value": v} for k, v in sorted(plan.project.tags)),
        {"Key": "sagemaker:deployment-stage", "Value": {"Ref": "StageName"}},
        {"Key": "sagemaker:project-id", "Value": plan.project.id},
        {"Key": "sagemaker:project-name", "Value": plan.project.name},
    ]
    rollback_alarms = [name for name in ("ErrorsAlarm", "LatencyAlarm") if name in resources]
    for name in ("Model", "EndpointConfig", "Endpoint", *rollback_alarms):
        resources[name]["Properties"]["Tags"] = tags
    out["Description"] = (
        f"SageMaker endpoint of one deploy stage of project {plan.project.name} in a target account (mlopsgen)."
    )
    return out


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
    }
    assert plan.deploy is not None
    # Without a header entry a type is captured base64 (right for binary); CSV and JSON stay readable text.
    # ref: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-sagemaker-endpointconfig-capturecontenttypeheader.html
    header = {
        key: list(types)
        for key, types in (
            ("CsvContentTypes", plan.deploy.capture_csv_types),
            ("JsonContentTypes", plan.deploy.capture_json_types),
        )
        if types  # AWS takes 1 to 10 items per list
    }
    if header:
        capture["CaptureContentTypeHeader"] = header
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
    # The deploying roles reach models and configs (named by CloudFormation) through this tag only.
    project_tag = [{"Key": PROJECT_TAG, "Value": plan.project.id}]
    model["Tags"] = project_tag
    endpoint_config["Tags"] = project_tag
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
    out: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker endpoint of one deploy stage of project {plan.project.name} (mlopsgen).",
        "Parameters": _parameters(),
        "Conditions": {"AutoScaling": {"Fn::Equals": [{"Ref": "EnableAutoScaling"}, "true"]}},
        "Resources": resources,
        "Outputs": {"EndpointName": {"Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}},
    }
    if any(stage.rollout is not None for stage in plan.deploy.stages):
        from mlopsgen.targets.endpoint_rollout import add_rollout  # only projects with rollouts pay the import

        add_rollout(plan, out)
    return out
