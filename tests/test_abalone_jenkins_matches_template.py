"""The abalone example's Jenkins output reproduces the AWS Jenkins project template
(shared/reference/seed-templates.md §1.5–1.6, §2.7–2.9) in stages, job names, parameters and
behaviour, with its sharp edges fixed (§6.3): no literal trigger token, a trigger rule scoped to the
model package group, project tags passed to the pipeline."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

import mlopsgen

from .conftest import ROOT
from .support.groovy import calls, declarative_outline, parse_groovy

NAME_ID = "abalone-p-abc123def456"
CODE = ("pipelines/abalone/preprocess.py", "pipelines/abalone/evaluate.py", "tests/abalone-sample.csv")
FILES = (
    "model-build/jenkins/Jenkinsfile",
    "model-build/jenkins/seed_job.groovy",
    "model-deploy/jenkins/Jenkinsfile",
    "model-deploy/jenkins/seed_job.groovy",
)


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    # The AWS Jenkins template is a Jenkins-only project: Jenkins owns the triggers (the example
    # itself gives them to CodePipeline and runs its Jenkins jobs on demand).
    blueprint = ROOT / "blueprints" / "abalone.yaml"
    text = blueprint.read_text()
    assert "  trigger_owner: codepipeline" in text
    result = mlopsgen.render(
        text.replace("  trigger_owner: codepipeline", "  trigger_owner: jenkins"),
        name="abalone.yaml",
        code={p: (blueprint.parent / p).read_bytes() for p in CODE},
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


@pytest.fixture(scope="module")
def trees(files: dict[str, str]) -> dict[str, Any]:
    parsed = parse_groovy({p: files[p] for p in FILES})
    assert all(r.ok for r in parsed.values())
    return {p: r.tree for p, r in parsed.items()}


def _stage_names(tree: list[Any]) -> list[str]:
    return [s["name"] for s in declarative_outline(tree)["stages"]]


def test_stages_as_in_the_template(trees: dict[str, Any]) -> None:
    assert _stage_names(trees["model-build/jenkins/Jenkinsfile"]) == [
        "Build and Install",
        "Update and Run SageMaker Pipeline",
    ]
    assert _stage_names(trees["model-deploy/jenkins/Jenkinsfile"]) == [
        "Install",
        "Build",
        "Staging Deploy",
        "Test Staging",
        "Manual Approval for Prod",
        "Prod Deploy",
    ]


def test_aws_calls_run_inside_with_aws(trees: dict[str, Any]) -> None:
    for path in ("model-build/jenkins/Jenkinsfile", "model-deploy/jenkins/Jenkinsfile"):
        for stage in declarative_outline(trees[path])["stages"]:
            for wrapper in calls(stage["steps"], "withAWS"):
                assert set(wrapper["named"]) == {"credentials", "region"}
            direct = [s["call"] for s in stage["steps"]]
            if "cfnUpdate" in str(stage["steps"]) or "run_pipeline" in str(stage["steps"]):
                assert direct == ["withAWS"], f"{path} {stage['name']}: AWS calls outside withAWS"


def test_cfn_update_is_bounded_and_uses_params_and_tags_files(trees: dict[str, Any]) -> None:
    updates = calls(trees["model-deploy/jenkins/Jenkinsfile"], "cfnUpdate")
    assert [u["named"]["stack"] for u in updates] == [
        f"sagemaker-{NAME_ID}-deploy-staging",
        f"sagemaker-{NAME_ID}-deploy-prod",
    ]
    for update in updates:
        stage = update["named"]["stack"].rsplit("-", 1)[1]
        assert update["named"]["paramsFile"] == f"{stage}-params-export.json"
        assert update["named"]["tagsFile"] == f"{stage}-tags-export.json"
        assert update["named"]["timeoutInMinutes"] == 30


def test_seed_jobs_names_parameters_and_triggers(trees: dict[str, Any]) -> None:
    build = trees["model-build/jenkins/seed_job.groovy"]
    deploy = trees["model-deploy/jenkins/seed_job.groovy"]
    assert calls(build, "pipelineJob")[0]["args"] == [f"sagemaker-{NAME_ID}-modelbuild"]
    assert calls(deploy, "pipelineJob")[0]["args"] == [f"sagemaker-{NAME_ID}-modeldeploy"]
    build_params = {c["args"][0] for c in calls(build, "stringParam")}
    assert {"ARTIFACT_BUCKET", "SAGEMAKER_PROJECT_NAME", "SAGEMAKER_PROJECT_ID", "AWS_REGION"} <= build_params
    assert "SAGEMAKER_PIPELINE_ROLE_ARN" in build_params
    deploy_params = {c["args"][0] for c in calls(deploy, "stringParam")}
    assert {"SOURCE_MODEL_PACKAGE_GROUP_NAME", "MODEL_EXECUTION_ROLE_ARN", "ARTIFACT_BUCKET"} <= deploy_params
    for tree in (build, deploy):
        (credential,) = calls(tree, "credentialsParam")
        assert credential["args"] == ["AWS_CREDENTIAL"]
        assert calls([credential], "required")[0]["args"] == [True]
        assert calls(tree, "scm")[-1]["args"] == ["H/5 * * * *"]  # the trigger, after cpsScm's scm block
        assert calls(tree, "disableConcurrentBuilds")
    (token,) = calls(deploy, "authenticationToken")
    assert token["args"] == [{"expr": "triggerToken"}]  # the template hard-codes 'token'


def test_trigger_rule_is_scoped_to_this_group(files: dict[str, str]) -> None:
    trigger = yaml.safe_load(files["infrastructure/jenkins-trigger.yml"])["Resources"]
    pattern = trigger["ApprovalRule"]["Properties"]["EventPattern"]
    assert pattern["detail"]["ModelPackageGroupName"] == [NAME_ID]  # the template's rule is account-wide
    assert pattern["detail"]["ModelApprovalStatus"] == ["Approved", "Rejected"]
    env = trigger["TriggerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["JENKINS_JOB"] == f"sagemaker-{NAME_ID}-modeldeploy"
    assert trigger["TriggerFunction"]["Properties"]["Runtime"] == "python3.12"
