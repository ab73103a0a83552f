"""The CodePipeline pipelines' stages and actions: source, build, and one deploy stage per Plan stage.

Split out of ``codepipeline.py``: the deploy stages (approval placement, CloudFormation or stack
set deploy, smoke test or batch run) are the part of the project stack that follows the Plan's
stage list, and the Jenkins and CodeBuild targets must agree with it, so it reads best on its own.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.plan import ci_batch, ci_commands
from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import stage_title
from mlopsgen.provenance import tag, tag_key


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
