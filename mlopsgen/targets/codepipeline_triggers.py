"""What starts the CodePipeline pipelines: V2 push triggers with path filters, and EventBridge rules.

Split out of ``codepipeline.py``: only the backend named by ``ci.triggers`` starts the pipelines
(the other one leaves them alone), and connections and CodeCommit are started differently (a
pipeline trigger vs. an EventBridge rule, which carries no file list). That decision is kept in
one place here.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.codepipeline_iam import _arn

NAME = "codepipeline"
"""The backend name, as ``ci.triggers`` spells it (``codepipeline.NAME`` re-exports it for the registry)."""

APPROVAL_STATUS_FILTER = {"anything-but": ["PendingManualApproval"]}
"""Approved and Rejected both start the deploy pipeline: a rejection redeploys the previous approved version."""


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
