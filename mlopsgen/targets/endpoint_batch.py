"""Plan → the CloudFormation stack of a batch deploy stage: model, one-step batch pipeline, schedule.

Why a SageMaker pipeline and not a bare transform job: a TransformJob is a one-off API call with a
unique name, which neither CloudFormation nor EventBridge Scheduler can create repeatedly without
code (Scheduler's universal target would reuse one fixed TransformJobName, which fails from the second
run on). A pipeline holding one TransformStep names each job itself, so Scheduler starts it through
its templated SageMaker pipeline target, the CI stage starts the same pipeline on approval, and no
Lambda is needed. Called by ``targets/endpoint.py`` only when the Plan has a batch stage.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.iam import PROJECT_TAG, sub_literal

STEP = "BatchTransform"
"""The pipeline's one step (CI reads its status by this name)."""
SCHEDULER_ROLE_PATH = "/mlopsgen-batch/"
"""IAM path of the schedule roles: the deploying role may create and pass roles under it only."""


def template_path(stage: ir.Stage) -> str:
    """The stack template of one batch stage (each stage's transform settings are written into it)."""
    return f"model-deploy/batch-{stage.name}-template.yml"


def stage_config(plan: ir.Plan, stage: ir.Stage) -> dict[str, Any]:
    """Stack parameters and tags of a batch stage, in the TemplateConfiguration format endpoint stages use."""
    assert plan.deploy is not None
    return {
        "Parameters": {
            "SageMakerProjectName": plan.project.name,
            "StageName": stage.name,
            "ModelExecutionRoleArn": plan.deploy.model_execution_role_arn,
        },
        "Tags": {
            **dict(plan.project.tags),
            "sagemaker:deployment-stage": stage.name,
            "sagemaker:project-id": plan.project.id,
            "sagemaker:project-name": plan.project.name,
        },
    }


def definition(batch: ir.BatchTransform) -> dict[str, Any]:
    """The batch pipeline's definition: three parameters and one TransformStep (CreateTransformJob).

    ``ModelName`` defaults to the model this stack creates (an Fn::Sub placeholder resolved by
    CloudFormation); input and output default to the blueprint's prefixes, and CI's smoke run
    overrides them with the sample payload's.
    """
    source: dict[str, Any] = {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": {"Get": "Parameters.InputDataUri"}}}
    }
    if batch.content_type:
        source["ContentType"] = batch.content_type
    if batch.split_type != "None":
        source["SplitType"] = batch.split_type
    output: dict[str, Any] = {"S3OutputPath": {"Get": "Parameters.OutputDataUri"}}
    if batch.accept:
        output["Accept"] = batch.accept
    if batch.assemble_with != "None":
        output["AssembleWith"] = batch.assemble_with
    if batch.output_kms_key:
        output["KmsKeyId"] = batch.output_kms_key
    resources: dict[str, Any] = {"InstanceCount": batch.instance_count, "InstanceType": batch.instance_type}
    if batch.volume_kms_key:
        resources["VolumeKmsKeyId"] = batch.volume_kms_key
    arguments: dict[str, Any] = {
        "ModelName": {"Get": "Parameters.ModelName"},
        "TransformInput": source,
        "TransformOutput": output,
        "TransformResources": resources,
    }
    if batch.max_payload_mb is not None:
        arguments["MaxPayloadInMB"] = batch.max_payload_mb
    if batch.max_concurrent_transforms is not None:
        arguments["MaxConcurrentTransforms"] = batch.max_concurrent_transforms
    processing = {
        key: value
        for key, value in (
            ("InputFilter", batch.input_filter),
            ("OutputFilter", batch.output_filter),
            ("JoinSource", batch.join_source if batch.join_source != "None" else ""),
        )
        if value
    }
    if processing:
        arguments["DataProcessing"] = processing
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "MlflowConfig": None,  # as the SDK (3.27.0) and the build pipeline's definition write it
        "Parameters": [
            {"Name": "ModelName", "Type": "String", "DefaultValue": MODEL_PLACEHOLDER},
            {"Name": "InputDataUri", "Type": "String", "DefaultValue": batch.input},
            {"Name": "OutputDataUri", "Type": "String", "DefaultValue": batch.output},
        ],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [{"Name": STEP, "Type": "Transform", "Arguments": arguments}],
    }


MODEL_PLACEHOLDER = "MLOPSGEN_MODEL_NAME"
"""Stands for ``${Model.ModelName}`` until the definition text is escaped for Fn::Sub."""


def definition_body(batch: ir.BatchTransform) -> dict[str, Any]:
    """The definition as an Fn::Sub string: blueprint text escaped, the stack's model name substituted."""
    text = json.dumps(definition(batch), sort_keys=True, separators=(",", ":"))
    return {"Fn::Sub": sub_literal(text).replace(MODEL_PLACEHOLDER, "${Model.ModelName}")}


def pipeline_arn(batch: ir.BatchTransform) -> dict[str, Any]:
    """The batch pipeline's ARN (SageMaker writes pipeline names in lower case in ARNs)."""
    name = batch.pipeline_name.lower()
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:pipeline/{name}"}


def template(plan: ir.Plan, stage: ir.Stage, model: dict[str, Any]) -> dict[str, Any]:
    """The stack of one batch stage: the approved model, the batch pipeline, and its schedule if any.

    Args:
        plan: The resolved blueprint.
        stage: A stage with ``batch`` set.
        model: The Model properties the endpoint template uses (VPC, network isolation, tags).
    """
    batch = stage.batch
    assert batch is not None
    project_tag = [{"Key": PROJECT_TAG, "Value": plan.project.id}]
    resources: dict[str, Any] = {
        "Model": {"Type": "AWS::SageMaker::Model", "Properties": model},
        "BatchPipeline": {
            "Type": "AWS::SageMaker::Pipeline",
            "Properties": {
                "PipelineName": batch.pipeline_name,
                "PipelineDescription": {
                    "Fn::Sub": "Batch transform of deploy stage ${StageName} of project ${SageMakerProjectName} "
                    "(mlopsgen)."
                },
                "PipelineDefinition": {"PipelineDefinitionBody": definition_body(batch)},
                # The transform job runs as the model's role; the pipeline starts it as the same role.
                "RoleArn": {"Ref": "ModelExecutionRoleArn"},
                "Tags": project_tag,
            },
        },
    }
    if batch.schedule:
        resources["SchedulerRole"] = _scheduler_role(plan, batch)
        resources["BatchSchedule"] = {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": batch.schedule_name,
                "Description": f"Runs the batch transform of stage {stage.name} (mlopsgen).",
                "ScheduleExpression": batch.schedule,
                "ScheduleExpressionTimezone": "UTC",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED",
                "Target": {
                    "Arn": pipeline_arn(batch),
                    "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                    # Defaults of the pipeline's parameters: the model of this stack, the blueprint's prefixes.
                    "SageMakerPipelineParameters": {"PipelineParameterList": []},
                    "RetryPolicy": {"MaximumRetryAttempts": 0},
                },
            },
            "DependsOn": ["BatchPipeline"],
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker batch transform of deploy stage {stage.name} of project {plan.project.name} "
        "(mlopsgen).",
        "Parameters": {
            "SageMakerProjectName": {"Type": "String", "Description": "SageMaker project name.", "MinLength": 1},
            "StageName": {"Type": "String", "Description": "Deployment stage.", "MinLength": 1},
            "ModelPackageName": {"Type": "String", "Description": "ARN of the approved model package version."},
            "ModelExecutionRoleArn": {"Type": "String", "Description": "Role the model and transform job run as."},
        },
        "Resources": resources,
        "Outputs": {
            "ModelName": {"Value": {"Fn::GetAtt": ["Model", "ModelName"]}},
            "PipelineName": {"Value": {"Ref": "BatchPipeline"}},
        },
    }


def _scheduler_role(plan: ir.Plan, batch: ir.BatchTransform) -> dict[str, Any]:
    """The role EventBridge Scheduler assumes: start this one pipeline, nothing else."""
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Path": f"{SCHEDULER_ROLE_PATH}{plan.project.id}/",
            "Description": f"EventBridge Scheduler starts the batch pipeline {batch.pipeline_name}.",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "scheduler.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        # Confused deputy: only this account's schedules may assume it.
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "StartBatchPipeline",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "StartBatchPipeline",
                                "Effect": "Allow",
                                "Action": "sagemaker:StartPipelineExecution",
                                "Resource": pipeline_arn(batch),
                            }
                        ],
                    },
                }
            ],
            "Tags": [{"Key": PROJECT_TAG, "Value": plan.project.id}],
        },
    }
