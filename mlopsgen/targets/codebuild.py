"""Plan → CodeBuild buildspecs: build (upload code, upsert, start, wait), deploy-build (stage configs), test.

Buildspecs are data dumped as YAML. Every command runs a generated script from the repository root
with shell-quoted arguments; values that change per project come from the CodeBuild project's
environment (``Plan.ci.*_env``, which the infrastructure template sets).
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header, shell_command

NAME = "codebuild"
FILES = {
    "model-build/buildspec.yml": "runs the SageMaker pipeline",
    "model-deploy/buildspec.yml": "resolves the approved model and writes the stage configurations",
    "model-deploy/test/buildspec.yml": "smoke-tests a deployed endpoint",
    "model-deploy/test/batch-buildspec.yml": "runs a batch stage's transform pipeline (smoke, on approval)",
}
BUILD = "model-build/buildspec.yml"
DEPLOY = "model-deploy/buildspec.yml"
TEST = "model-deploy/test/buildspec.yml"
BATCH = "model-deploy/test/batch-buildspec.yml"


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
        if plan.ci.batch_command:
            header = generated_header(plan, "Batch stage run: smoke run on the sample, run on approval.")
            files.append(OutputFile(BATCH, dump_yaml(batch_spec(plan), header)))
    return files


def _command(argv: tuple[str, ...]) -> str:
    return shell_command(argv)


def _install(ci: ir.Ci) -> dict[str, Any]:
    return {"runtime-versions": {"python": ci.python_version}, "commands": ["pip install --upgrade boto3 botocore"]}


def _buildspec(ci: ir.Ci, commands: list[str], artifacts: list[str] | None = None) -> dict[str, Any]:
    """The shape all three buildspecs share: install boto3, run the commands, keep the artifacts."""
    spec: dict[str, Any] = {
        "version": 0.2,
        "env": {"variables": {"PYTHONUNBUFFERED": "TRUE"}},
        "phases": {"install": _install(ci), "build": {"commands": commands}},
    }
    if artifacts:
        spec["artifacts"] = {"files": artifacts}
    return spec


def build_spec(plan: ir.Plan) -> dict[str, Any]:
    """Upload the step code, create or update the pipeline, start it and wait for it."""
    assert plan.ci is not None
    done = 'echo "Create/update and execution of the SageMaker pipeline completed."'
    return _buildspec(plan.ci, [_command(plan.ci.build_command), done])


def deploy_spec(plan: ir.Plan) -> dict[str, Any]:
    """Resolve the latest approved model package and write each stage's stack configuration."""
    assert plan.ci is not None and plan.deploy is not None
    commands = [_command(c) for c in plan.ci.deploy_commands]
    commands += [f"cat {stage.name}-config-export.json" for stage in plan.deploy.stages]
    return _buildspec(plan.ci, commands, list(plan.ci.deploy_exports))


def test_spec(plan: ir.Plan) -> dict[str, Any]:
    """Check a stage's endpoint is InService and answers the sample payload."""
    assert plan.ci is not None and plan.deploy is not None
    commands = [_command(plan.ci.test_command), 'cat "$EXPORT_TEST_RESULTS"']
    return _buildspec(plan.ci, commands, ["$EXPORT_TEST_RESULTS"])


def batch_spec(plan: ir.Plan) -> dict[str, Any]:
    """Run a batch stage's pipeline: the stage's action sets which pipeline, smoke prefix and bound."""
    assert plan.ci is not None
    commands = [_command(plan.ci.batch_command), 'cat "$EXPORT_TEST_RESULTS"']
    return _buildspec(plan.ci, commands, ["$EXPORT_TEST_RESULTS"])
