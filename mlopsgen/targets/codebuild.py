"""Plan → CodeBuild buildspecs: build (upload code, upsert, start, wait), deploy-build (stage configs), test.

Buildspecs are data dumped as YAML. Every command runs a generated script from the repository root
with shell-quoted arguments; values that change per project come from the CodeBuild project's
environment (``Plan.ci.*_env``, which the infrastructure template sets).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header

NAME = "codebuild"
FILES = {
    "model-build/buildspec.yml": "runs the SageMaker pipeline",
    "model-deploy/buildspec.yml": "resolves the approved model and writes the stage configurations",
    "model-deploy/test/buildspec.yml": "smoke-tests a deployed endpoint",
}
BUILD = "model-build/buildspec.yml"
DEPLOY = "model-deploy/buildspec.yml"
TEST = "model-deploy/test/buildspec.yml"
PAYLOAD_DIR = "model-deploy/test"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the buildspecs of the CodePipeline variant (nothing unless CI uses CodePipeline).

    Args:
        plan: The resolved blueprint.

    Returns:
        The build buildspec, and the deploy and test buildspecs when the blueprint deploys.
    """
    if plan.ci is None or "codepipeline" not in plan.ci.backends:
        return []
    files = [OutputFile(BUILD, dump_yaml(build_spec(plan), generated_header(plan, "Model build: run the pipeline.")))]
    if plan.deploy is not None:
        files.append(OutputFile(DEPLOY, dump_yaml(deploy_spec(plan), generated_header(plan, "Model deploy build."))))
        files.append(OutputFile(TEST, dump_yaml(test_spec(plan), generated_header(plan, "Endpoint smoke test."))))
        payload = plan.deploy.sample_payload
        if payload is not None:
            files.append(OutputFile(f"{PAYLOAD_DIR}/{payload_name(payload)}", payload.content))
    return files


def payload_name(payload: ir.SamplePayload) -> str:
    """File name of the sample payload inside the generated deploy tree."""
    return "sample-payload" + ("." + payload.path.rsplit(".", 1)[-1] if "." in payload.path.rsplit("/", 1)[-1] else "")


def _command(*args: str) -> str:
    """A shell command; ``$VARS`` stay expandable, everything else is quoted for the shell."""
    return " ".join(a if a.startswith('"$') else shlex.quote(a) for a in args)


def _install(ci: ir.Ci) -> dict[str, Any]:
    return {"runtime-versions": {"python": ci.python_version}, "commands": ["pip install --upgrade boto3 botocore"]}


def build_spec(plan: ir.Plan) -> dict[str, Any]:
    """Upload the step code, create or update the pipeline, start it and wait for it."""
    assert plan.ci is not None
    ci = plan.ci
    out = ci.output_dir
    tags = [
        {"Key": "sagemaker:project-name", "Value": plan.project.name},
        {"Key": "sagemaker:project-id", "Value": plan.project.id},
        *({"Key": k, "Value": v} for k, v in plan.project.tags),
    ]
    run = [
        "python",
        f"{out}/model-build/scripts/run_pipeline.py",
        "--definition",
        f"{out}/model-build/pipeline-definition.json",
        "--manifest",
        f"{out}/model-build/code-manifest.json",
        "--repo-root",
        ci.blueprint_dir,
        "--pipeline-name",
        '"$SAGEMAKER_PIPELINE_NAME"',
        "--role-arn",
        '"$SAGEMAKER_PIPELINE_ROLE_ARN"',
        "--region",
        '"$AWS_REGION"',
        "--tags",
        json.dumps(tags, sort_keys=True, separators=(",", ":")),
        "--timeout-minutes",
        str(ci.pipeline_timeout_minutes),
    ]
    for name, value in ci.execution_parameters:
        run += ["--parameter", f"{name}={value}"]
    return {
        "version": 0.2,
        "env": {"variables": {"PYTHONUNBUFFERED": "TRUE"}},
        "phases": {
            "install": _install(ci),
            "build": {
                "commands": [
                    _command(*run),
                    'echo "Create/update and execution of the SageMaker pipeline completed."',
                ]
            },
        },
    }


def deploy_spec(plan: ir.Plan) -> dict[str, Any]:
    """Resolve the latest approved model package and write each stage's stack configuration."""
    assert plan.ci is not None and plan.deploy is not None
    out = plan.ci.output_dir
    configure = ["python", f"{out}/model-deploy/scripts/deploy_config.py"]
    configure += ["--model-package-group", '"$SOURCE_MODEL_PACKAGE_GROUP_NAME"', "--region", '"$AWS_REGION"']
    for stage in plan.deploy.stages:
        configure += ["--stage-config", f"{out}/model-deploy/{stage.name}-config.json"]
    configure += ["--output-dir", "."]
    exports = ["template-export.yml"]
    for stage in plan.deploy.stages:
        exports += [f"{stage.name}-config-export.json", f"{stage.name}-params-export.json"]
        exports += [f"{stage.name}-tags-export.json"]
    return {
        "version": 0.2,
        "env": {"variables": {"PYTHONUNBUFFERED": "TRUE"}},
        "phases": {
            "install": _install(plan.ci),
            "build": {
                "commands": [
                    _command(*configure),
                    _command("cp", f"{out}/model-deploy/endpoint-config-template.yml", '"$EXPORT_TEMPLATE_NAME"'),
                    *(f"cat {stage.name}-config-export.json" for stage in plan.deploy.stages),
                ]
            },
        },
        "artifacts": {"files": exports},
    }


def test_spec(plan: ir.Plan) -> dict[str, Any]:
    """Check a stage's endpoint is InService and answers the sample payload."""
    assert plan.ci is not None and plan.deploy is not None
    out = plan.ci.output_dir
    test = ["python", f"{out}/model-deploy/scripts/test_endpoint.py", "--endpoint-name", '"$ENDPOINT_NAME"']
    test += ["--region", '"$AWS_REGION"', "--export-test-results", '"$EXPORT_TEST_RESULTS"']
    payload = plan.deploy.sample_payload
    if payload is not None:
        test += ["--payload-file", f"{out}/{PAYLOAD_DIR}/{payload_name(payload)}"]
        test += ["--content-type", payload.content_type]
    return {
        "version": 0.2,
        "env": {"variables": {"PYTHONUNBUFFERED": "TRUE"}},
        "phases": {
            "install": _install(plan.ci),
            "build": {"commands": [_command(*test), 'cat "$EXPORT_TEST_RESULTS"']},
        },
        "artifacts": {"files": ["$EXPORT_TEST_RESULTS"]},
    }
