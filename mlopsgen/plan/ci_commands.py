"""Plan pieces → the commands CI jobs run, as argument lists both backends render the same way.

The CodeBuild buildspecs and the Jenkinsfiles run exactly these; ``$NAME`` items are environment
variables the job defines (CodeBuild project environment or Jenkins job parameters). Keeping the
argument lists here, in the Plan, is what makes the two backends do the same thing.
"""

from __future__ import annotations

import json

from mlopsgen.plan import model as ir


class EnvRef(str):
    """An argument that names an environment variable the CI job defines (``$NAME``), kept expandable.

    Every other argument is a literal and is single-quoted when rendered: a blueprint value that
    merely looks like ``$AWS_SECRET_ACCESS_KEY`` must reach the script as that text, never as the
    CI job's secret. Only arguments built with this type are rendered as variable references.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> EnvRef:
        """Reference variable ``name`` (without the ``$``)."""
        return super().__new__(cls, f"${name}")


PIPELINE_NAME = EnvRef("SAGEMAKER_PIPELINE_NAME")
PIPELINE_ROLE_ARN = EnvRef("SAGEMAKER_PIPELINE_ROLE_ARN")
REGION = EnvRef("AWS_REGION")
MODEL_PACKAGE_GROUP = EnvRef("SOURCE_MODEL_PACKAGE_GROUP_NAME")
EXPORT_TEMPLATE = EnvRef("EXPORT_TEMPLATE_NAME")
ENDPOINT_NAME = EnvRef("ENDPOINT_NAME")
EXPORT_TEST_RESULTS = EnvRef("EXPORT_TEST_RESULTS")
STACK_SET_NAME = EnvRef("STACK_SET_NAME")
PROJECT_NAME = EnvRef("SAGEMAKER_PROJECT_NAME")

PAYLOAD_DIR = "model-deploy/test"
TEMPLATE_EXPORT = "template-export.yml"
STACKSET_TEMPLATE_EXPORT = "stackset-template-export.yml"


def accounts_export(stage: str) -> str:
    """The deploy build's list of a stage's resolved target accounts (read by the stack set deploy)."""
    return f"{stage}-accounts-export.json"


def payload_file(path: str) -> str:
    """Where the sample payload lands in the generated deploy tree (extension kept)."""
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return f"{PAYLOAD_DIR}/sample-payload{suffix}"


def build_command(
    project: ir.Project,
    output_dir: str,
    blueprint_dir: str,
    timeout_minutes: int,
    parameters: tuple[tuple[str, str], ...],
    max_parallel_steps: int = 0,
) -> tuple[str, ...]:
    """Upload the step code, create or update the pipeline, start it and wait for it."""
    tags = [
        {"Key": "sagemaker:project-name", "Value": project.name},
        {"Key": "sagemaker:project-id", "Value": project.id},
        *({"Key": k, "Value": v} for k, v in project.tags),
    ]
    argv = [
        "python3",
        f"{output_dir}/model-build/scripts/run_pipeline.py",
        "--definition",
        f"{output_dir}/model-build/pipeline-definition.json",
        "--manifest",
        f"{output_dir}/model-build/code-manifest.json",
        "--repo-root",
        blueprint_dir,
        "--pipeline-name",
        PIPELINE_NAME,
        "--role-arn",
        PIPELINE_ROLE_ARN,
        "--region",
        REGION,
        "--tags",
        json.dumps(tags, sort_keys=True, separators=(",", ":")),
        # The project's tags are read when the build runs: tags added to the project later still apply.
        "--project-name",
        PROJECT_NAME,
        "--timeout-minutes",
        str(timeout_minutes),
    ]
    if max_parallel_steps:  # the pipeline's ParallelismConfiguration (CreatePipeline/UpdatePipeline)
        argv += ["--max-parallel-steps", str(max_parallel_steps)]
    for name, value in parameters:
        argv += ["--parameter", f"{name}={value}"]
    return tuple(argv)


def deploy_config_command(
    output_dir: str, stages: tuple[ir.Stage, ...], hub_group_arn: str | None = None
) -> tuple[str, ...]:
    """Resolve the latest approved model package and write every stage's configuration exports.

    With ``hub_group_arn`` the package comes from the hub registry's group (shared with this account
    by its resource policy), which the hub template, not this job, shares with the target accounts.
    """
    argv = ["python3", f"{output_dir}/model-deploy/scripts/deploy_config.py"]
    argv += ["--model-package-group", hub_group_arn or MODEL_PACKAGE_GROUP, "--region", REGION]
    argv += ["--project-name", PROJECT_NAME]  # stack tags get the project's current tags
    for stage in stages:
        argv += ["--stage-config", f"{output_dir}/model-deploy/{stage.name}-config.json"]
    for stage in stages:
        if stage.targets is not None:
            argv += ["--stage-targets", f"{output_dir}/model-deploy/{stage.name}-targets.json"]
    if any(stage.targets is not None for stage in stages) and hub_group_arn is None:
        # The target accounts create models from this account's approved package: share the group.
        argv.append("--share-with-target-accounts")
    return (*argv, "--output-dir", ".")


def copy_template_command(output_dir: str) -> tuple[str, ...]:
    """Put the endpoint template where the deploy steps read it."""
    return ("cp", f"{output_dir}/model-deploy/endpoint-config-template.yml", EXPORT_TEMPLATE)


def copy_stackset_template_command(output_dir: str) -> tuple[str, ...]:
    """Put the target-account endpoint template where the stack set deploy steps read it."""
    return ("cp", f"{output_dir}/model-deploy/endpoint-stackset-template.yml", STACKSET_TEMPLATE_EXPORT)


def stackset_deploy_command(
    output_dir: str, stage: ir.Stage, multi: ir.MultiAccount, administration_role_arn: str, timeout_minutes: int
) -> tuple[str, ...]:
    """Deploy one stage's stack set into its resolved accounts (the Jenkins side of CloudFormationStackSet)."""
    argv = [
        "python3",
        f"{output_dir}/model-deploy/scripts/deploy_stackset.py",
        "--stack-set-name",
        stage.stack_name,
        "--template-file",
        STACKSET_TEMPLATE_EXPORT,
        "--parameters-file",
        f"{stage.name}-params-export.json",
        "--tags-file",
        f"{stage.name}-tags-export.json",
        "--accounts-file",
        accounts_export(stage.name),
    ]
    for region in multi.regions:
        argv += ["--deployment-region", region]
    argv += ["--administration-role-arn", administration_role_arn, "--execution-role-name", multi.execution_role]
    return (*argv, "--region", REGION, "--timeout-minutes", str(timeout_minutes))


def test_command(
    output_dir: str,
    payload: ir.SamplePayload | None,
    multi: ir.MultiAccount | None = None,
    stages: tuple[ir.Stage, ...] = (),
) -> tuple[str, ...]:
    """Smoke-test the endpoint named by $ENDPOINT_NAME.

    With stages in other accounts, $STACK_SET_NAME (empty for project-account stages) names the
    stage's stack set: the test then runs in every account that has an instance of it, through
    the test role there.
    """
    argv = ["python3", f"{output_dir}/model-deploy/scripts/test_endpoint.py", "--endpoint-name", ENDPOINT_NAME]
    argv += ["--region", REGION, "--export-test-results", EXPORT_TEST_RESULTS]
    if multi is not None:
        argv += ["--stack-set-name", STACK_SET_NAME, "--role-name", multi.test_role]
    if payload is not None:
        argv += ["--payload-file", f"{output_dir}/{payload_file(payload.path)}", "--content-type", payload.content_type]
    # One command tests every stage: the longest bound any stage of the mode asks for.
    cold = [s.serving.serverless.cold_start_seconds for s in stages if s.serving.serverless]
    queued = [s.serving.asynchronous.result_timeout_seconds for s in stages if s.serving.asynchronous]
    if cold:
        argv += ["--cold-start-seconds", str(max(cold))]
    if queued:
        argv += ["--async-result-seconds", str(max(queued))]
    return tuple(argv)
