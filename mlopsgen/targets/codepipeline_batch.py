"""Plan → the CodePipeline variant's pieces for batch deploy stages: run action, CodeBuild role, deploy rights.

Kept out of ``codepipeline.py``, which calls it only when the Plan has a batch stage. The roles follow
the project stack's rule: each is granted exactly what its step needs, on the project's own resources.
``tests/test_permissions.py`` derives what the deploying role needs from the resource provider schemas
(AWS::SageMaker::Pipeline, AWS::Scheduler::Schedule, AWS::IAM::Role) and the run role's needs from the
calls ``scripts/run_batch.py`` makes.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import ci_batch
from mlopsgen.plan import model as ir
from mlopsgen.targets.endpoint_batch import SCHEDULER_ROLE_PATH
from mlopsgen.targets.iam import allow, sub_literal

SCHEDULER_ROLE_ACTIONS = frozenset(
    f"iam:{verb}"
    for verb in (
        "AttachRolePolicy",
        "CreateRole",
        "DeleteRole",
        "DeleteRolePermissionsBoundary",
        "DeleteRolePolicy",
        "DetachRolePolicy",
        "GetRole",
        "GetRolePolicy",
        "ListAttachedRolePolicies",
        "ListRolePolicies",
        "PutRolePermissionsBoundary",
        "PutRolePolicy",
        "TagRole",
        "UntagRole",
        "UpdateAssumeRolePolicy",
        "UpdateRole",
        "UpdateRoleDescription",
    )
)
"""The AWS::IAM::Role resource provider's handler permissions (cfn-lint's schema), granted on the schedule
roles' path only: CloudFormation calls them to create, update and delete the stack's SchedulerRole."""


def _arn(service: str, resource: str, *, region: bool = True) -> dict[str, str]:
    where = "${AWS::Region}" if region else ""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:{where}:${{AWS::AccountId}}:{sub_literal(resource)}"}


def batch_stages(plan: ir.Plan) -> list[ir.Stage]:
    """The Plan's batch stages, in deploy order."""
    return [s for s in plan.deploy.stages if s.batch is not None] if plan.deploy else []


def _pipelines(plan: ir.Plan) -> list[dict[str, str]]:
    return [_arn("sagemaker", f"pipeline/{s.batch.pipeline_name.lower()}") for s in batch_stages(plan) if s.batch]


def run_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """The batch run step: start the stages' pipelines and follow their executions.

    The smoke run's S3 objects are in the artifact bucket, which the caller grants.
    """
    names = [s.batch.pipeline_name.lower() for s in batch_stages(plan) if s.batch]
    executions = [_arn("sagemaker", f"pipeline/{name}/execution/*") for name in names]
    return [
        allow("StartBatchPipelines", ["sagemaker:StartPipelineExecution"], _pipelines(plan)),
        allow(
            "FollowBatchExecutions",
            ["sagemaker:DescribePipelineExecution", "sagemaker:ListPipelineExecutionSteps"],
            executions,
        ),
    ]


def deploy_statements(plan: ir.Plan) -> list[dict[str, Any]]:
    """What deploying a batch stack needs beyond the endpoint stack's model rights.

    Its pipeline, and with a schedule the schedule and its role (only under the project's IAM path,
    passed to Scheduler only).
    """
    statements = [
        allow(
            "ManageBatchPipelines",
            [
                "sagemaker:AddTags",
                "sagemaker:CreatePipeline",
                "sagemaker:DeletePipeline",
                "sagemaker:DeleteTags",
                "sagemaker:DescribePipeline",
                "sagemaker:ListTags",
                "sagemaker:UpdatePipeline",
            ],
            _pipelines(plan),
        )
    ]
    scheduled = [s.batch for s in batch_stages(plan) if s.batch and s.batch.schedule]
    if scheduled:
        roles = _arn("iam", f"role{SCHEDULER_ROLE_PATH}{plan.project.id}/*", region=False)
        statements += [
            allow(
                "ManageBatchSchedules",
                [f"scheduler:{verb}Schedule" for verb in ("Create", "Delete", "Get", "Update")],
                [_arn("scheduler", f"schedule/default/{b.schedule_name}") for b in scheduled],
            ),
            allow(
                "ManageBatchSchedulerRoles",
                # Every call of the AWS::IAM::Role handlers (create, update, delete), on these roles only.
                sorted(SCHEDULER_ROLE_ACTIONS),
                [roles],
            ),
            allow(
                "PassBatchSchedulerRoles",
                ["iam:PassRole"],
                [roles],
                {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
            ),
        ]
    return statements


def run_action(stage: ir.Stage, title: str, run_order: int, build_action: Any) -> dict[str, Any]:
    """The action after a batch stage's deploy: its smoke run and/or run on approval, on the batch project."""
    action: dict[str, Any] = build_action(
        f"RunBatch{title}",
        "BatchProject",
        ["SourceArtifact", "BuildArtifact"],
        f"RunBatch{title}Artifact",
        dict(ci_batch.batch_environment(stage)),
    )
    action["RunOrder"] = run_order
    return action


def project_timeout(plan: ir.Plan) -> int:
    """The batch project's bound: the longest stage's two runs plus set-up, at most CodeBuild's 2160 minutes."""
    longest = max((s.batch.timeout_minutes for s in batch_stages(plan) if s.batch), default=60)
    return min(2160, 2 * longest + 15)
