"""Plan → the project's CloudFormation stack for the CodePipeline variant (infrastructure/project.yml).

Holds the artifact bucket, the CodeBuild projects, the model-build and model-deploy pipelines, the
EventBridge rules that start them, and least-privilege IAM roles for each service. Stage order,
approvals and names come from the Plan, so the buildspecs and the deploy stacks always agree.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.plan import ci_batch, ci_commands
from mlopsgen.plan import model as ir
from mlopsgen.plan.model_monitoring import monitor_alarms, monitor_kinds
from mlopsgen.plan.naming import batch_project_name, stage_title
from mlopsgen.provenance import tag, tag_key
from mlopsgen.targets import multi_account
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header
from mlopsgen.targets.iam import allow as _allow
from mlopsgen.targets.iam import deploy_endpoint_stack, deploy_monitoring, read_project_tags, sub_literal
from mlopsgen.targets.iam import sub as _sub

NAME = "codepipeline"
FILES = {"infrastructure/project.yml": "bucket, CodeBuild projects, pipelines, rules and roles"}
TEMPLATE = "infrastructure/project.yml"
APPROVAL_STATUS_FILTER = {"anything-but": ["PendingManualApproval"]}
"""Approved and Rejected both start the deploy pipeline: a rejection redeploys the previous approved version."""


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


def _arn(service: str, resource: str) -> dict[str, str]:
    # SageMaker writes resource names in ARNs in lower case; IAM compares ARNs case-sensitively.
    resource = sub_literal(resource.lower() if service == "sagemaker" else resource)
    return _sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def _role(service: str, statements: list[dict[str, Any]], description: str) -> dict[str, Any]:
    # A statement on no resource grants nothing and IAM rejects it (e.g. endpoint rights when every stage is batch).
    statements = [s for s in statements if s.get("Resource") != []]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": description,
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": f"{service}.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {"PolicyName": "least-privilege", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
            ],
        },
    }


def _bucket_statements() -> list[dict[str, Any]]:
    return [
        _allow(
            "ArtifactBucket",
            ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketLocation", "s3:ListBucket"],
            [{"Fn::GetAtt": ["ArtifactBucket", "Arn"]}, _sub("${ArtifactBucket.Arn}/*")],
        )
    ]


def _async_test_statements(plan: ir.Plan, endpoints: list[Any]) -> list[dict[str, Any]]:
    """An asynchronous stage's smoke test uploads its input under the output path and reads the result."""
    queues = [s.serving.asynchronous for s in plan.deploy.stages if s.serving.asynchronous] if plan.deploy else []
    if not queues:
        return []
    paths = sorted({p.removeprefix("s3://").rstrip("/") for q in queues for p in (q.output_path, q.failure_path)})
    return [
        _allow("InvokeAsyncEndpoints", ["sagemaker:InvokeEndpointAsync"], endpoints),
        _allow(
            "AsyncResults",
            ["s3:GetObject", "s3:PutObject"],
            [_sub(f"arn:${{AWS::Partition}}:s3:::{path}/*") for path in paths],
        ),
    ]


def _scale_from_zero_alarms(plan: ir.Plan) -> list[dict[str, Any]]:
    """The alarm an asynchronous stage scaling in to zero adds (endpoint_serving._scale_from_zero).

    CloudFormation names it ``<stack>-ScaleFromZeroAlarm-<suffix>``; the actions are its provider
    schema's handler permissions.
    """
    stacks = [
        s.stack_name
        for s in (plan.deploy.stages if plan.deploy else ())
        if s.serving.asynchronous
        and s.serving.asynchronous.scaling
        and s.serving.asynchronous.scaling.min_instances == 0
    ]
    if not stacks:
        return []
    actions = [
        "DeleteAlarms",
        "DescribeAlarms",
        "ListTagsForResource",
        "PutMetricAlarm",
        "TagResource",
        "UntagResource",
    ]
    return [
        _allow(
            "ScaleFromZeroAlarms",
            [f"cloudwatch:{action}" for action in actions],
            [_arn("cloudwatch", f"alarm:{stack}-ScaleFromZeroAlarm-*") for stack in stacks],
        )
    ]


def _logs(project: str) -> dict[str, Any]:
    return _allow(
        "BuildLogs",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        [_arn("logs", f"log-group:/aws/codebuild/{project}"), _arn("logs", f"log-group:/aws/codebuild/{project}:*")],
    )


def _kms(plan: ir.Plan) -> list[dict[str, Any]]:
    key = plan.security.output_kms_key
    if not key.startswith("arn:"):
        return []
    return [_allow("ArtifactKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], [key])]


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


def _source_action(plan: ir.Plan, action_name: str, repository: str) -> dict[str, Any]:
    assert plan.ci is not None
    source = plan.ci.source
    if source.provider == "codecommit":
        action_type = {"Category": "Source", "Owner": "AWS", "Provider": "CodeCommit", "Version": "1"}
        configuration: dict[str, Any] = {
            "RepositoryName": repository,
            "BranchName": source.branch,
            "PollForSourceChanges": False,  # an EventBridge rule starts the pipeline instead (or nothing)
        }
    else:
        action_type = {"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"}
        configuration = {
            "ConnectionArn": source.connection_arn,
            "FullRepositoryId": repository,
            "BranchName": source.branch,
            # Never on every push: the pipeline's path-filtered trigger starts it, or nothing does
            # (the other backend owns the triggers). A trigger turns default change detection off
            # anyway (API PipelineTriggerDeclaration); saying so keeps the two from being read as both.
            "DetectChanges": False,
        }
    return {
        "Name": "Source",
        "Actions": [
            {
                "Name": action_name,
                "ActionTypeId": action_type,
                "Configuration": configuration,
                "OutputArtifacts": [{"Name": "SourceArtifact"}],
                "RunOrder": 1,
            }
        ],
    }


def _build_action(
    name: str, project: str, inputs: list[str], output: str | None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    configuration: dict[str, Any] = {"ProjectName": {"Ref": project}}
    if len(inputs) > 1:
        configuration["PrimarySource"] = inputs[0]
    if env:
        configuration["EnvironmentVariables"] = json.dumps(
            [{"name": k, "value": v, "type": "PLAINTEXT"} for k, v in env.items()], separators=(",", ":")
        )
    action: dict[str, Any] = {
        "Name": name,
        "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"},
        "Configuration": configuration,
        "InputArtifacts": [{"Name": i} for i in inputs],
        "RunOrder": 1,
    }
    if output:  # only where the buildspec declares artifacts; otherwise the action would fail
        action["OutputArtifacts"] = [{"Name": output}]
    return action


def _title(stage: str) -> str:
    return stage_title(stage)


def _approval(stage: ir.Stage, run_order: int, name: str = "ApproveDeployment") -> dict[str, Any]:
    return {
        "Name": name,
        "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"},
        "Configuration": {"CustomData": f"Approve this model for {stage.name}"},
        "RunOrder": run_order,
    }


def deploy_stages(plan: ir.Plan) -> list[dict[str, Any]]:
    """One pipeline stage per deploy stage: deploy → [test] → [approval gating the next stage].

    As in the AWS project template, the manual approval for a stage closes the previous stage
    (DeployStaging: deploy, test, approve; DeployProd: deploy). A first stage that needs approval
    opens its own pipeline stage with it.
    """
    assert plan.deploy is not None
    stages: list[dict[str, Any]] = []
    last = len(plan.deploy.stages) - 1
    for index, stage in enumerate(plan.deploy.stages):
        title = _title(stage.name)
        actions: list[dict[str, Any]] = []
        if stage.manual_approval:
            if stages:
                previous = stages[-1]["Actions"]
                previous.append(tag(_approval(stage, previous[-1]["RunOrder"] + 1), stage))
            else:
                # Its own name: the next stage's approval may close this CodePipeline stage (unique names).
                actions.append(tag(_approval(stage, 1, f"ApproveDeployment{title}"), stage))
        if stage.targets is not None:
            actions.append(_stackset_action(plan, stage, title, len(actions) + 1))
        else:
            actions.append(
                {
                    "Name": f"DeployResources{title}",
                    "ActionTypeId": {
                        "Category": "Deploy",
                        "Owner": "AWS",
                        "Provider": "CloudFormation",
                        "Version": "1",
                    },
                    "Configuration": {
                        # Earlier stages may be replaced when an update fails; the last one only updates in place.
                        "ActionMode": "CREATE_UPDATE" if index == last else "REPLACE_ON_FAILURE",
                        "Capabilities": "CAPABILITY_NAMED_IAM",
                        "RoleArn": {"Fn::GetAtt": ["CloudFormationRole", "Arn"]},
                        "StackName": stage.stack_name,
                        "TemplateConfiguration": f"BuildArtifact::{stage.name}-config-export.json",
                        "TemplatePath": f"BuildArtifact::{_template_export(stage)}",
                    },
                    "InputArtifacts": [{"Name": "BuildArtifact"}],
                    "RunOrder": len(actions) + 1,
                }
            )
            tag_key(actions[-1]["Configuration"], "StackName", stage, "stack_name")
        if stage.batch is not None:
            from mlopsgen.targets import codepipeline_batch

            if ci_batch.runs(stage):
                actions.append(codepipeline_batch.run_action(stage, title, len(actions) + 1, _build_action))
        elif stage.test:
            test = _build_action(
                f"Test{title}",
                "TestProject",
                ["SourceArtifact", "BuildArtifact"],
                f"Test{title}Artifact",
                {
                    "STAGE_NAME": stage.name,
                    "ENDPOINT_NAME": stage.endpoint_name,
                    **(
                        {"STACK_SET_NAME": stage.stack_name if stage.targets else ""}
                        if plan.deploy.multi_account
                        else {}
                    ),
                },
            )
            test["RunOrder"] = len(actions) + 1
            actions.append(test)
        stages.append(tag({"Name": f"Deploy{title}", "Actions": actions}, stage))
    return stages


def _template_export(stage: ir.Stage) -> str:
    """The template a stage's stack is deployed from: the shared endpoint template, or a batch stage's own."""
    return ci_batch.template_export(stage.name) if stage.batch is not None else "template-export.yml"


def _stackset_action(plan: ir.Plan, stage: ir.Stage, title: str, run_order: int) -> dict[str, Any]:
    """Deploy a stage into its target accounts: a self-managed stack set, accounts from the deploy build.

    The deploy build resolves the stage's OUs to accounts (self-managed stack sets take accounts
    only) and writes them to ``<stage>-accounts-export.json``; the action reads that file.
    """
    assert plan.deploy is not None and plan.deploy.multi_account is not None
    multi = plan.deploy.multi_account
    return {
        "Name": f"DeployStackSet{title}",
        "ActionTypeId": {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormationStackSet", "Version": "1"},
        "Configuration": {
            "StackSetName": stage.stack_name,
            "Description": f"Endpoint of stage {stage.name} of project {plan.names.project_name_id} (mlopsgen).",
            "TemplatePath": f"BuildArtifact::{ci_commands.STACKSET_TEMPLATE_EXPORT}",
            "Parameters": f"BuildArtifact::{stage.name}-params-export.json",
            "DeploymentTargets": f"BuildArtifact::{ci_commands.accounts_export(stage.name)}",
            "Regions": ",".join(multi.regions),
            "PermissionModel": "SELF_MANAGED",
            "AdministrationRoleArn": multi.administration_role_arn,
            "ExecutionRoleName": multi.execution_role,
            "FailureToleranceCount": 0,
            "MaxConcurrentPercentage": 100,
        },
        "InputArtifacts": [{"Name": "BuildArtifact"}],
        "RunOrder": run_order,
    }


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


def _owns_triggers(plan: ir.Plan) -> bool:
    return plan.ci is not None and plan.ci.triggers == NAME


def _push_trigger(action_name: str, branch: str, paths: ir.PathFilter) -> dict[str, Any]:
    """Start the pipeline on a push to the branch that changes one of the paths (V2 pipelines only).

    ref: https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
    """
    return {
        "ProviderType": "CodeStarSourceConnection",
        "GitConfiguration": {
            "SourceActionName": action_name,
            "Push": [{"Branches": {"Includes": [branch]}, "FilePaths": {"Includes": file_path_globs(paths)}}],
        },
    }


_GLOB_SPECIAL = frozenset("*?[]{}!\\")


def file_path_globs(paths: ir.PathFilter) -> list[str]:
    """The filter as CodePipeline file path globs (``dir/**``, exact files).

    A glob special character in a path becomes ``?`` (any one character): CodePipeline documents
    no escape, and a pattern one character broader still matches the path itself.
    """

    def literal(path: str) -> str:
        return "".join("?" if char in _GLOB_SPECIAL else char for char in path)

    globs = ["**" if d == "." else f"{literal(d)}/**" for d in paths.directories]
    return globs + [literal(f) for f in paths.files]


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


def _stackset_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """What the stack set deploy actions need: this project's stack sets, and passing its admin role."""
    assert plan.deploy is not None
    multi = plan.deploy.multi_account
    if multi is None:
        return []
    prefix = f"sagemaker-{plan.names.project_name_id}-deploy-"
    return [
        _allow(
            "DeployStackSets",
            [
                "cloudformation:CreateStackInstances",
                "cloudformation:CreateStackSet",
                "cloudformation:DescribeStackSet",
                "cloudformation:DescribeStackSetOperation",
                "cloudformation:ListStackInstances",
                "cloudformation:ListStackSetOperationResults",
                "cloudformation:UpdateStackInstances",
                "cloudformation:UpdateStackSet",
            ],
            [
                _arn("cloudformation", f"stackset/{prefix}*:*"),
                _arn("cloudformation", f"stackset-target/{prefix}*:*/*"),
                _sub("arn:${AWS::Partition}:cloudformation:*::type/resource/AWS-SageMaker-*"),
                _sub("arn:${AWS::Partition}:cloudformation:*::type/resource/AWS-ApplicationAutoScaling-*"),
            ],
        ),
        _allow(
            "PassStackSetAdministrationRole",
            ["iam:PassRole"],
            [multi.administration_role_arn],
            {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        ),
    ]


def _build_projects(plan: ir.Plan) -> list[str]:
    """The CodeBuild projects the pipelines run."""
    names = plan.names
    batch = [batch_project_name(names)] if plan.ci and plan.ci.batch_command else []
    return [names.build_project] + ([names.deploy_project, names.test_project, *batch] if plan.deploy else [])


def _source_statement(plan: ir.Plan) -> dict[str, Any]:
    assert plan.ci is not None
    source = plan.ci.source
    if source.provider == "codecommit":
        repositories = sorted({source.repository, source.deploy_repository if plan.deploy else source.repository})
        return _allow(
            "ReadSource",
            [
                "codecommit:CancelUploadArchive",
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:UploadArchive",
            ],
            [_arn("codecommit", repository) for repository in repositories],
        )
    return _allow("ReadSource", ["codestar-connections:UseConnection"], [source.connection_arn])


def _hub_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """Registry push: the deploy build assumes the hub's promotion role; deploying from the hub reads its group."""
    registry = plan.registry
    if registry is None:
        return []
    statements = []
    if registry.push:
        statements.append(_allow("AssumeHubPromotionRole", ["sts:AssumeRole"], [registry.promotion_role_arn]))
    if registry.deploy_from_hub:
        statements.append(_allow("ReadHubModelPackages", ["sagemaker:DescribeModelPackage"], [_hub_packages(plan)]))
    return statements


def _hub_packages(plan: ir.Plan) -> str:
    """The hub group's versions (package ARNs spell the group in lower case)."""
    assert plan.registry is not None
    hub = plan.registry.hub
    return f"arn:aws:sagemaker:{hub.region}:{hub.account}:model-package/{hub.model_package_group.lower()}/*"


def _deploy_roles(plan: ir.Plan) -> dict[str, Any]:
    assert plan.deploy is not None
    names = plan.names
    packages = (
        _hub_packages(plan)
        if plan.registry is not None and plan.registry.deploy_from_hub
        else _arn("sagemaker", f"model-package/{names.model_package_group}/*")
    )
    endpoints = [_arn("sagemaker", f"endpoint/{s.endpoint_name}") for s in plan.deploy.stages if s.batch is None]
    roles = {
        "DeployBuildRole": _role(
            "codebuild",
            [
                _logs(names.deploy_project),
                *_bucket_statements(),
                *_kms(plan),
                # ListModelPackages has no resource-level permissions; DescribeModelPackage is scoped.
                _allow("ListModelPackages", ["sagemaker:ListModelPackages"], ["*"]),
                _allow(
                    "ReadModelPackages",
                    ["sagemaker:DescribeModelPackage"],
                    [_arn("sagemaker", f"model-package/{names.model_package_group}/*")],
                ),
                *_share_statements(plan),
                *_hub_statements(plan),
                read_project_tags(_arn("sagemaker", f"project/{plan.project.name}")),
            ],
            "Resolves the latest approved model package and writes the stage configurations.",
        ),
        "TestRole": _role(
            "codebuild",
            [
                _logs(names.test_project),
                *_bucket_statements(),
                *_kms(plan),
                _allow("TestEndpoints", ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"], endpoints),
                *_remote_test_statements(plan),
                *_async_test_statements(plan, endpoints),
            ],
            "Smoke-tests the deployed endpoints.",
        ),
        "CloudFormationRole": _role(
            "cloudformation",
            [
                *deploy_endpoint_stack(
                    endpoints,
                    [_arn("sagemaker", "endpoint-config/*")][: bool(endpoints)] + [_arn("sagemaker", "model/*")],
                    packages,
                    plan.deploy.model_execution_role_arn,
                    plan.project.id,
                    _volume_key(plan.security.volume_kms_key),
                    rollback_alarms=any(s.rollout is not None for s in plan.deploy.stages),
                ),
                *deploy_monitoring(
                    _arn,
                    monitor_kinds(plan.deploy.stages),
                    [
                        # Every stage: one template serves them all (a stage's switch may turn its monitors on).
                        _arn("sagemaker", f"monitoring-schedule/{plan.project.name}-{s.name}-*")
                        for s in plan.deploy.stages
                    ],
                    [_arn("cloudwatch", f"alarm:{s.stack_name}-*") for s in plan.deploy.stages]
                    if any(map(monitor_alarms, plan.deploy.stages))
                    else [],
                    plan.project.id,
                ),
                *_scale_from_zero_alarms(plan),
            ],
            "Creates and updates the endpoint stacks of the deploy stages.",
        ),
    }
    if plan.ci is not None and plan.ci.batch_command:
        from mlopsgen.targets import codepipeline_batch

        roles["CloudFormationRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] += (
            codepipeline_batch.deploy_statements(plan)
        )
        roles["BatchRole"] = _role(
            "codebuild",
            [
                _logs(batch_project_name(names)),
                *_bucket_statements(),
                *_kms(plan),
                *codepipeline_batch.run_statements(plan),
            ],
            "Runs the batch stages' transform pipelines (smoke run on the sample, run on approval).",
        )
    return roles


def _volume_key(key: str) -> list[Any]:
    """The endpoint volume key as an IAM resource: an ARN or a key id (an alias cannot scope a policy)."""
    if not key or key.startswith("alias/"):
        return []
    return [key if key.startswith("arn:") else _arn("kms", f"key/{key}")]


def _share_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """The deploy build resolves target OUs and shares the model package group with the target accounts."""
    assert plan.deploy is not None
    multi = plan.deploy.multi_account
    if multi is None:
        return []
    names = plan.names
    # Deploying from the hub, the hub template shares the hub's group: the project's stays unshared.
    from_hub = plan.registry is not None and plan.registry.deploy_from_hub
    statements = [
        _allow(
            "ShareModelPackageGroup",
            ["sagemaker:DescribeModelPackageGroup", "sagemaker:PutModelPackageGroupPolicy"],
            [_arn("sagemaker", f"model-package-group/{names.model_package_group}")],
        )
    ][from_hub:]
    if multi.organizational_units:
        # Organizations ARNs embed the organization id, which the blueprint does not know.
        statements.append(
            _allow(
                "ResolveOrganizationalUnits",
                ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"],
                ["*"],
            )
        )
    return statements


def _remote_test_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """Testing in target accounts: find the stack set's accounts, assume the test role there."""
    assert plan.deploy is not None
    multi = plan.deploy.multi_account
    if multi is None:
        return []
    role_arns = [f"arn:aws:iam::{account}:role/{multi.test_role}" for account in multi.accounts]
    if multi.organizational_units:
        role_arns = [f"arn:aws:iam::*:role/{multi.test_role}"]
    return [
        _allow(
            "ListStackSetInstances",
            ["cloudformation:ListStackInstances"],
            [_arn("cloudformation", f"stackset/sagemaker-{plan.names.project_name_id}-deploy-*:*")],
        ),
        _allow("AssumeTargetTestRoles", ["sts:AssumeRole"], role_arns),
    ]


def _started_by_rules(plan: ir.Plan) -> list[str]:
    """The pipelines an EventBridge rule starts (none when the other backend owns the triggers)."""
    if not _owns_triggers(plan):
        return []
    assert plan.ci is not None
    names = plan.names
    started = [names.build_pipeline] if plan.ci.source.provider == "codecommit" else []
    return started + ([names.deploy_pipeline] if plan.deploy is not None else [])


def _rules(plan: ir.Plan) -> dict[str, Any]:
    """Model approval → deploy pipeline; CodeCommit pushes → the pipelines (connections use triggers)."""
    assert plan.ci is not None
    if not _owns_triggers(plan):
        return {}
    names = plan.names
    source = plan.ci.source
    rules: dict[str, Any] = {}
    build = {"Arn": _arn("codepipeline", names.build_pipeline), "Id": "ModelBuild", "RoleArn": _events_role()}
    deploy = {"Arn": _arn("codepipeline", names.deploy_pipeline), "Id": "ModelDeploy", "RoleArn": _events_role()}
    if plan.deploy is not None:
        rules["ModelApprovalRule"] = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": names.approval_rule,
                "Description": "Deploy when a version of this project's model package group is approved or rejected.",
                "EventPattern": {
                    "source": ["aws.sagemaker"],
                    "detail-type": ["SageMaker Model Package State Change"],
                    "detail": {
                        "ModelPackageGroupName": [names.model_package_group],
                        "ModelApprovalStatus": [APPROVAL_STATUS_FILTER],
                    },
                },
                "Targets": [deploy],
            },
        }
    if source.provider != "codecommit":
        return rules
    # CodeCommit pushes reach CodePipeline only as EventBridge events, which carry no file list: no
    # path filter is possible, so a separate deploy repository is the way to keep the two apart.
    separate = plan.deploy is not None and source.deploy_repository != source.repository
    rules["SourceChangeRule"] = _codecommit_rule(
        plan, names.source_rule, source.repository, [build] if separate or plan.deploy is None else [build, deploy]
    )
    if separate:
        rules["DeploySourceChangeRule"] = _codecommit_rule(
            plan, names.deploy_source_rule, source.deploy_repository, [deploy]
        )
    return rules


def _codecommit_rule(plan: ir.Plan, name: str, repository: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
    assert plan.ci is not None
    what = "pipelines" if len(targets) > 1 else f"model-{targets[0]['Id'].removeprefix('Model').lower()} pipeline"
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": name,
            "Description": f"Start the {what} when the source branch changes.",
            "EventPattern": {
                "source": ["aws.codecommit"],
                "detail-type": ["CodeCommit Repository State Change"],
                "resources": [_arn("codecommit", repository)],
                "detail": {
                    "event": ["referenceCreated", "referenceUpdated"],
                    "referenceType": ["branch"],
                    "referenceName": [plan.ci.source.branch],
                },
            },
            "Targets": targets,
        },
    }


def _events_role() -> dict[str, Any]:
    return {"Fn::GetAtt": ["EventsRole", "Arn"]}


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
