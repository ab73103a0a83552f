"""Plan → the project's CloudFormation stack for the CodePipeline variant (infrastructure/project.yml).

Holds the artifact bucket, the CodeBuild projects, the model-build and model-deploy pipelines, the
EventBridge rules that start them, and least-privilege IAM roles for each service. Stage order,
approvals and names come from the Plan, so the buildspecs and the deploy stacks always agree.

This module assembles the stack; the parts live beside it: ``codepipeline_iam`` (the roles' policy
statements), ``codepipeline_stages`` (the pipelines' stages and actions) and ``codepipeline_triggers``
(push triggers and EventBridge rules). Names other code imports from here are re-exported.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import batch_project_name
from mlopsgen.provenance import tag
from mlopsgen.targets import multi_account
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header
from mlopsgen.targets.codepipeline_iam import (
    _arn,
    _bucket_statements,
    _build_projects,
    _deploy_roles,
    _kms,
    _logs,
    _role,
    _source_statement,
    _stackset_statements,
)
from mlopsgen.targets.codepipeline_stages import _build_action, _source_action
from mlopsgen.targets.codepipeline_stages import deploy_stages as deploy_stages
from mlopsgen.targets.codepipeline_triggers import APPROVAL_STATUS_FILTER as APPROVAL_STATUS_FILTER
from mlopsgen.targets.codepipeline_triggers import NAME as NAME
from mlopsgen.targets.codepipeline_triggers import _owns_triggers, _push_trigger, _rules, _started_by_rules
from mlopsgen.targets.codepipeline_triggers import file_path_globs as file_path_globs
from mlopsgen.targets.iam import allow as _allow
from mlopsgen.targets.iam import read_project_tags, sub_literal
from mlopsgen.targets.iam import sub as _sub

FILES = {"infrastructure/project.yml": "bucket, CodeBuild projects, pipelines, rules and roles"}
TEMPLATE = "infrastructure/project.yml"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the project stack (nothing unless CI uses CodePipeline).

    Args:
        plan: The resolved blueprint.

    Returns:
        The infrastructure template.
    """
    if plan.ci is None or "codepipeline" not in plan.ci.backends:
        return []
    header = generated_header(plan, "Project infrastructure: deploy once per project (see README).")
    return [OutputFile(TEMPLATE, dump_yaml(template(plan), header))]


def _bucket(plan: ir.Plan) -> dict[str, Any]:
    key = plan.security.output_kms_key
    encryption: dict[str, Any] = (
        {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    )
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": plan.project.artifact_bucket,
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": bool(key)}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "Tags": _tags(plan),
        },
    }


def _bucket_policy(plan: ir.Plan) -> dict[str, Any]:
    bucket_arn = "${ArtifactBucket.Arn}"
    cross_account = multi_account.bucket_statements(plan, bucket_arn)
    for statement in cross_account:
        # Only the bucket reference is a substitution; the object paths come from the blueprint.
        statement["Resource"] = [
            _sub(bucket_arn + sub_literal(arn.removeprefix(bucket_arn))) for arn in statement["Resource"]
        ]
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "ArtifactBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [{"Fn::GetAtt": ["ArtifactBucket", "Arn"]}, _sub("${ArtifactBucket.Arn}/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    *cross_account,
                ],
            },
        },
    }


def _tags(plan: ir.Plan) -> list[dict[str, str]]:
    tags = {**dict(plan.project.tags), "sagemaker:project-id": plan.project.id}
    tags["sagemaker:project-name"] = plan.project.name
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def _codebuild(
    plan: ir.Plan, name: str, role: str, buildspec: str, env: tuple[tuple[str, str], ...], timeout: int
) -> dict[str, Any]:
    assert plan.ci is not None
    properties: dict[str, Any] = {
        "Name": name,
        "Description": f"{name} (generated by mlopsgen)",
        "ServiceRole": {"Fn::GetAtt": [role, "Arn"]},
        "Artifacts": {"Type": "CODEPIPELINE"},
        "Source": {"Type": "CODEPIPELINE", "BuildSpec": buildspec},
        "Environment": {
            "Type": "LINUX_CONTAINER",
            "ComputeType": plan.ci.compute_type,
            "Image": plan.ci.build_image,
            "EnvironmentVariables": [{"Name": k, "Type": "PLAINTEXT", "Value": v} for k, v in env],
        },
        "TimeoutInMinutes": timeout,
        "Tags": _tags(plan),
    }
    if plan.security.output_kms_key.startswith("arn:"):
        properties["EncryptionKey"] = plan.security.output_kms_key
    if plan.security.subnets:
        properties["VpcConfig"] = {
            "VpcId": {"Ref": "VpcId"},
            "Subnets": list(plan.security.subnets),
            "SecurityGroupIds": list(plan.security.security_groups),
        }
    return {"Type": "AWS::CodeBuild::Project", "Properties": properties}


def _pipeline(plan: ir.Plan, name: str, stages: list[dict[str, Any]], paths: ir.PathFilter) -> dict[str, Any]:
    store: dict[str, Any] = {"Type": "S3", "Location": {"Ref": "ArtifactBucket"}}
    if plan.security.output_kms_key.startswith("arn:"):
        store["EncryptionKey"] = {"Id": plan.security.output_kms_key, "Type": "KMS"}
    properties: dict[str, Any] = {
        "Name": name,
        "PipelineType": "V2",
        "RoleArn": {"Fn::GetAtt": ["CodePipelineRole", "Arn"]},
        "ArtifactStore": store,
        "Stages": stages,
    }
    if _owns_triggers(plan) and plan.ci is not None and plan.ci.source.provider != "codecommit":
        properties["Triggers"] = [_push_trigger(stages[0]["Actions"][0]["Name"], plan.ci.source.branch, paths)]
    properties["Tags"] = _tags(plan)
    return {"Type": "AWS::CodePipeline::Pipeline", "Properties": properties}


def _roles(plan: ir.Plan) -> dict[str, Any]:
    names = plan.names
    project = plan.project
    pipeline_arn = _arn("sagemaker", f"pipeline/{names.pipeline}")
    pass_pipeline_role = _allow(
        "PassPipelineRole",
        ["iam:PassRole"],
        [project.pipeline_role_arn],
        {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    )
    roles: dict[str, Any] = {
        "BuildRole": _role(
            "codebuild",
            [
                _logs(names.build_project),
                *_bucket_statements(),
                *_kms(plan),
                _allow(
                    "RunPipeline",
                    [
                        "sagemaker:AddTags",
                        "sagemaker:CreatePipeline",
                        "sagemaker:DescribePipeline",
                        "sagemaker:DescribePipelineExecution",
                        "sagemaker:ListPipelineExecutionSteps",
                        "sagemaker:StartPipelineExecution",
                        "sagemaker:UpdatePipeline",
                    ],
                    [pipeline_arn, _arn("sagemaker", f"pipeline/{names.pipeline}/execution/*")],
                ),
                pass_pipeline_role,
                read_project_tags(_arn("sagemaker", f"project/{project.name}")),
            ],
            "Runs the model-build CodeBuild project: uploads step code, upserts and runs the SageMaker pipeline.",
        ),
        "CodePipelineRole": _role(
            "codepipeline",
            [
                *_bucket_statements(),
                *_kms(plan),
                _allow(
                    "RunBuilds",
                    ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
                    [_arn("codebuild", f"project/{project}") for project in _build_projects(plan)],
                ),
                _source_statement(plan),
            ],
            "Runs the model-build and model-deploy pipelines.",
        ),
    }
    started = _started_by_rules(plan)
    if started:
        roles["EventsRole"] = _role(
            "events",
            [
                _allow(
                    "StartPipelines",
                    ["codepipeline:StartPipelineExecution"],
                    [_arn("codepipeline", p) for p in started],
                )
            ],
            "Lets EventBridge start the pipelines.",
        )
    if plan.deploy is not None:
        pipeline_role = roles["CodePipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        pipeline_role += [
            _allow(
                "DeployStacks",
                [
                    "cloudformation:CreateStack",
                    "cloudformation:DeleteStack",
                    "cloudformation:DescribeStackEvents",
                    "cloudformation:DescribeStacks",
                    "cloudformation:UpdateStack",
                ],
                [_arn("cloudformation", f"stack/sagemaker-{names.project_name_id}-deploy-*/*")],
            ),
            _allow("PassCloudFormationRole", ["iam:PassRole"], [{"Fn::GetAtt": ["CloudFormationRole", "Arn"]}]),
        ]
        pipeline_role += _stackset_statements(plan)
        roles.update(_deploy_roles(plan))
    return roles


def template(plan: ir.Plan) -> dict[str, Any]:
    """The whole project stack."""
    assert plan.ci is not None
    ci = plan.ci
    names = plan.names
    resources: dict[str, Any] = {
        "ArtifactBucket": _bucket(plan),
        "ArtifactBucketPolicy": _bucket_policy(plan),
        **_roles(plan),
        "BuildProject": _codebuild(
            plan,
            names.build_project,
            "BuildRole",
            f"{ci.output_dir}/model-build/buildspec.yml",
            ci.build_env,
            ci.build_timeout_minutes,
        ),
        "ModelBuildPipeline": _pipeline(
            plan,
            names.build_pipeline,
            [
                tag(_source_action(plan, "ModelBuildWorkflowCode", ci.source.repository), ci.source),
                {
                    "Name": "Build",
                    "Actions": [
                        _build_action("BuildAndExecuteSageMakerPipeline", "BuildProject", ["SourceArtifact"], None)
                    ],
                },
            ],
            ci.build_paths,
        ),
        **_rules(plan),
    }
    if plan.deploy is not None:
        resources["DeployBuildProject"] = _codebuild(
            plan,
            names.deploy_project,
            "DeployBuildRole",
            f"{ci.output_dir}/model-deploy/buildspec.yml",
            ci.deploy_env,
            30,
        )
        resources["TestProject"] = _codebuild(
            plan, names.test_project, "TestRole", f"{ci.output_dir}/model-deploy/test/buildspec.yml", ci.test_env, 60
        )
        if ci.batch_command:
            from mlopsgen.targets import codepipeline_batch

            resources["BatchProject"] = _codebuild(
                plan,
                batch_project_name(names),
                "BatchRole",
                f"{ci.output_dir}/model-deploy/test/batch-buildspec.yml",
                ci.test_env,
                codepipeline_batch.project_timeout(plan),
            )
        resources["ModelDeployPipeline"] = _pipeline(
            plan,
            names.deploy_pipeline,
            [
                tag(_source_action(plan, "ModelDeployInfraCode", ci.source.deploy_repository), ci.source),
                {
                    "Name": "Build",
                    "Actions": [
                        _build_action(
                            "BuildDeploymentTemplates", "DeployBuildProject", ["SourceArtifact"], "BuildArtifact"
                        )
                    ],
                },
                *deploy_stages(plan),
            ],
            ci.deploy_paths,
        )
    out: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"MLOps project {names.project_name_id}: CodePipeline variant (generated by mlopsgen).",
    }
    if plan.security.subnets:
        out["Parameters"] = {
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC of the security block's subnets."}
        }
    out["Resources"] = resources
    out["Outputs"] = {
        "ArtifactBucketName": {"Value": {"Ref": "ArtifactBucket"}},
        "ModelBuildPipelineName": {"Value": {"Ref": "ModelBuildPipeline"}},
        **({"ModelDeployPipelineName": {"Value": {"Ref": "ModelDeployPipeline"}}} if plan.deploy else {}),
        # Target accounts let this role assume their endpoint test role (target-account.yml TestPrincipalArns).
        **({"TestRoleArn": {"Value": {"Fn::GetAtt": ["TestRole", "Arn"]}}} if plan.deploy else {}),
    }
    return out
