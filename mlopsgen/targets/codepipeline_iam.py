"""IAM for the CodePipeline project stack: the roles' policy statements, and the deploy side's roles.

Split out of ``codepipeline.py`` because least privilege is most of that stack: every statement
here is derived from the Plan (stage endpoints, stack names, the hub, target accounts), and
tests/test_permissions.py checks them against the resource providers' handler permissions. Keeping
the statement builders apart lets the stack assembly in ``codepipeline.py`` read as a list of
resources.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import batch_project_name
from mlopsgen.targets.iam import allow as _allow
from mlopsgen.targets.iam import deploy_endpoint_stack, read_project_tags, sub_literal
from mlopsgen.targets.iam import sub as _sub
from mlopsgen.targets.iam_stages import deploy_stage_monitoring, template_grants


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
    # The project's CloudFormation role deploys only the stacks in this account: endpoint stages without target
    # accounts (stack-set stages are created by the target accounts' execution roles) and batch stages.
    local = [s for s in plan.deploy.stages if s.batch is None and s.targets is None]
    local_endpoints = [_arn("sagemaker", f"endpoint/{s.endpoint_name}") for s in local]
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
                    local_endpoints,
                    [_arn("sagemaker", "endpoint-config/*")][: bool(local_endpoints)] + [_arn("sagemaker", "model/*")],
                    packages,
                    plan.deploy.model_execution_role_arn,
                    plan.project.id,
                    _volume_key(plan.security.volume_kms_key),
                    rollback_alarms=template_grants(plan.deploy.stages, local).rollback_alarms,
                ),
                *deploy_stage_monitoring(_arn, plan.deploy.stages, local, plan.project),
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
