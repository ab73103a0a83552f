"""The abalone example reproduces the AWS "build, train and deploy" CodePipeline template
(shared/reference/seed-templates.md §1.3–1.4, §2.2–2.6) in stages, names, environment and behaviour,
with the sharp edges of §6.3 fixed. Each assertion names the template fact it checks."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

import mlopsgen

from .conftest import ROOT

NAME_ID = "abalone-p-abc123def456"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    result = mlopsgen.render(ROOT / "blueprints" / "abalone.yaml")
    assert result.ok
    return result.files


@pytest.fixture(scope="module")
def stack(files: dict[str, str]) -> dict[str, Any]:
    resources: dict[str, Any] = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]
    return resources


def _env(project: dict[str, Any]) -> dict[str, str]:
    return {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}


def test_codebuild_projects_names_and_environment(stack: dict[str, Any]) -> None:
    build, deploy, test = stack["BuildProject"], stack["DeployBuildProject"], stack["TestProject"]
    assert build["Properties"]["Name"] == f"sagemaker-{NAME_ID}-modelbuild"
    assert deploy["Properties"]["Name"] == f"sagemaker-{NAME_ID}-modeldeploy"
    assert test["Properties"]["Name"] == f"sagemaker-{NAME_ID}-testing"
    assert build["Properties"]["TimeoutInMinutes"] == 480
    assert set(_env(build)) == {
        "SAGEMAKER_PROJECT_NAME",
        "SAGEMAKER_PROJECT_ID",
        "ARTIFACT_BUCKET",
        "SAGEMAKER_PIPELINE_NAME",
        "SAGEMAKER_PIPELINE_ROLE_ARN",
        "AWS_REGION",
    }
    # Sharp edge fixed: the template sets SAGEMAKER_PIPELINE_NAME to sagemaker-<name> and never reads it;
    # here it is the pipeline's real name, and the buildspec uses it.
    assert _env(build)["SAGEMAKER_PIPELINE_NAME"] == NAME_ID
    assert _env(build)["ARTIFACT_BUCKET"] == "sagemaker-project-p-abc123def456"
    assert _env(deploy)["SOURCE_MODEL_PACKAGE_GROUP_NAME"] == NAME_ID
    assert _env(deploy)["MODEL_EXECUTION_ROLE_ARN"].endswith(":role/service-role/AmazonSageMakerProjectsExecutionRole")
    assert _env(deploy)["EXPORT_TEMPLATE_NAME"] == "template-export.yml"
    assert _env(test)["EXPORT_TEST_RESULTS"] == "test-results.json"


def test_pipelines_stages_and_actions(stack: dict[str, Any]) -> None:
    build = stack["ModelBuildPipeline"]["Properties"]
    assert build["Name"] == f"sagemaker-{NAME_ID}-modelbuild" and build["PipelineType"] == "V2"
    assert [(s["Name"], [a["Name"] for a in s["Actions"]]) for s in build["Stages"]] == [
        ("Source", ["ModelBuildWorkflowCode"]),
        ("Build", ["BuildAndExecuteSageMakerPipeline"]),
    ]
    deploy = stack["ModelDeployPipeline"]["Properties"]
    assert [(s["Name"], [(a["Name"], a["RunOrder"]) for a in s["Actions"]]) for s in deploy["Stages"]] == [
        ("Source", [("ModelDeployInfraCode", 1)]),
        ("Build", [("BuildDeploymentTemplates", 1)]),
        ("DeployStaging", [("DeployResourcesStaging", 1), ("TestStaging", 2), ("ApproveDeployment", 3)]),
        ("DeployProd", [("DeployResourcesProd", 1)]),
    ]
    staging, prod = deploy["Stages"][2]["Actions"][0], deploy["Stages"][3]["Actions"][0]
    assert staging["Configuration"]["ActionMode"] == "REPLACE_ON_FAILURE"
    assert prod["Configuration"]["ActionMode"] == "CREATE_UPDATE"
    assert staging["Configuration"]["StackName"] == f"sagemaker-{NAME_ID}-deploy-staging"
    assert prod["Configuration"]["StackName"] == f"sagemaker-{NAME_ID}-deploy-prod"
    assert staging["Configuration"]["TemplateConfiguration"] == "BuildArtifact::staging-config-export.json"
    assert prod["Configuration"]["TemplatePath"] == "BuildArtifact::template-export.yml"
    test = deploy["Stages"][2]["Actions"][1]
    assert [i["Name"] for i in test["InputArtifacts"]] == ["SourceArtifact", "BuildArtifact"]
    assert test["Configuration"]["PrimarySource"] == "SourceArtifact"


def test_approval_rule_filters_this_group_and_skips_pending(stack: dict[str, Any]) -> None:
    rule = stack["ModelApprovalRule"]["Properties"]
    assert rule["Name"] == f"sagemaker-{NAME_ID}-model"  # the projects roles manage sagemaker-* rules only
    assert rule["EventPattern"] == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {
            "ModelPackageGroupName": [NAME_ID],
            "ModelApprovalStatus": [{"anything-but": ["PendingManualApproval"]}],
        },
    }


def test_endpoint_template_and_stage_configs(files: dict[str, str]) -> None:
    template = yaml.safe_load(files["model-deploy/endpoint-config-template.yml"])
    assert {"Model", "EndpointConfig", "Endpoint"} <= set(template["Resources"])
    endpoint = template["Resources"]["Endpoint"]["Properties"]
    assert endpoint["EndpointName"] == {"Fn::Sub": "${SageMakerProjectName}-${StageName}"}
    capture = template["Resources"]["EndpointConfig"]["Properties"]["DataCaptureConfig"]
    assert capture["CaptureOptions"] == [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]
    staging = json.loads(files["model-deploy/staging-config.json"])["Parameters"]
    prod = json.loads(files["model-deploy/prod-config.json"])["Parameters"]
    assert (staging["StageName"], staging["SamplingPercentage"], staging["EndpointInstanceType"]) == (
        "staging",
        "100",
        "ml.m5.large",
    )
    assert (prod["StageName"], prod["SamplingPercentage"]) == ("prod", "80")
    assert staging["DataCaptureUploadPath"] == "s3://sagemaker-project-p-abc123def456/datacapture-staging"
    # Beyond the template: prod autoscales on invocations per instance.
    assert prod["EnableAutoScaling"] == "true" and staging["EnableAutoScaling"] == "false"


def test_build_and_deploy_commands(files: dict[str, str]) -> None:
    build = files["model-build/buildspec.yml"]
    assert '--pipeline-name "$SAGEMAKER_PIPELINE_NAME"' in build
    assert "sagemaker:project-name" in build and "sagemaker:project-id" in build  # project tags reach the pipeline
    script = files["model-deploy/scripts/deploy_config.py"]
    # Sharp edge fixed: the template's build.py relies on the default (ascending) sort.
    assert '"SortOrder": "Descending"' in script
    assert not re.search(r"add_argument\([^)]*type=bool", script)  # sharp edge: type=bool makes "False" true
