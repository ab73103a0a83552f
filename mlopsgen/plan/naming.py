"""Project identity → every generated name. The one owner of the naming contract (architecture.md §4).

Targets never build names themselves: the pipeline, the model package group and the job prefix
are ``<project>-<id>`` as in the AWS project templates, so build and deploy always agree.
"""

from __future__ import annotations

from mlopsgen.plan.model import Names


def derive_names(project_name: str, project_id: str) -> Names:
    """Derive all names from the SageMaker project name and id.

    Args:
        project_name: SageMaker project name.
        project_id: SageMaker project id (``p-...``).

    Returns:
        The names every target uses.
    """
    name_id = f"{project_name}-{project_id}"
    return Names(
        project_name_id=name_id,
        pipeline=name_id,
        model_package_group=name_id,
        job_prefix=name_id,
        build_job=f"sagemaker-{name_id}-modelbuild",
        deploy_job=f"sagemaker-{name_id}-modeldeploy",
        build_project=f"sagemaker-{name_id}-modelbuild",
        deploy_project=f"sagemaker-{name_id}-modeldeploy",
        test_project=f"sagemaker-{name_id}-testing",
        build_pipeline=f"sagemaker-{name_id}-modelbuild",
        deploy_pipeline=f"sagemaker-{name_id}-modeldeploy",
        # EventBridge rules keep the sagemaker- prefix: the SageMaker project roles may only manage those.
        approval_rule=f"sagemaker-{name_id}-model",
        source_rule=f"sagemaker-{name_id}-code",
        # At most 64 characters (EventBridge), like the others: a 47-character name-id leaves 7.
        deploy_source_rule=f"sagemaker-{name_id}-deploy",
    )


def stage_stack_name(names: Names, stage: str) -> str:
    """CloudFormation stack of one deploy stage (the project template's name)."""
    return f"sagemaker-{names.project_name_id}-deploy-{stage}"


def multi_account_roles(names: Names) -> tuple[str, str, str, str]:
    """Roles of the stack set deployment: administration (project account), execution, model, test.

    Per project, so several projects share target accounts without sharing permissions; at most
    64 characters (a 32-character project name and a ``p-`` + 12 character id leave room for the suffix).
    """
    base = names.project_name_id
    return (f"{base}-stackset-admin", f"{base}-stackset-exec", f"{base}-model-exec", f"{base}-endpoint-test")


def target_parameter_prefix(names: Names) -> str:
    """SSM parameter path where each target account keeps its subnets, security groups and KMS key."""
    return f"/mlopsgen/{names.project_name_id}"


def endpoint_name(project_name: str, stage: str) -> str:
    """Endpoint of one stage: ``<project>-<stage>``, as the project template's endpoint template names it."""
    return f"{project_name}-{stage}"


def batch_pipeline_name(names: Names, stage: str) -> str:
    """The one-step SageMaker pipeline of a batch stage (its stack creates it; CI and the schedule start it)."""
    return f"{names.project_name_id}-{stage}-batch"


def batch_schedule_name(project_id: str, stage: str) -> str:
    """The EventBridge Scheduler schedule of a batch stage (at most 64 characters: a 14-character id leaves room)."""
    return f"{project_id}-{stage}-batch"


def batch_project_name(names: Names) -> str:
    """The CodeBuild project that runs batch stages' pipelines (CodePipeline variant)."""
    return f"sagemaker-{names.project_name_id}-batch"


def batch_smoke_uri(bucket: str, stage: str) -> str:
    """Where CI's smoke run of a batch stage puts the sample payload (input/) and reads results (output/)."""
    return f"s3://{bucket}/batch-smoke/{stage}"


def default_data_capture_uri(bucket: str, stage: str) -> str:
    """Where a stage's endpoint captures payloads unless the blueprint says otherwise."""
    return f"s3://{bucket}/datacapture-{stage}"


DEFAULT_BLUEPRINT_DIR = "blueprints"
"""The blueprint folder CI assumes when nothing says where the blueprint is (rendered from text, no Git checkout)."""


def default_output_dir(blueprint_stem: str) -> str:
    """Where ``mlopsgen render`` writes a blueprint's output, relative to the repository root."""
    return f"generated/{blueprint_stem}"


def default_artifact_bucket(project_id: str) -> str:
    """The artifact bucket name the AWS project templates use."""
    return f"sagemaker-project-{project_id}"


def default_pipeline_role(account: str) -> str:
    """The execution role the AWS project templates pass to the pipeline (and to deployed models)."""
    return f"arn:aws:iam::{account}:role/service-role/AmazonSageMakerProjectsExecutionRole"


def code_s3_uri(bucket: str, pipeline: str, sha256: str, basename: str) -> str:
    """Content-addressed S3 URI of a code file (the same layout the SDK uploads to)."""
    return f"s3://{bucket}/{pipeline}/code/{sha256}/{basename}"


def stage_title(stage: str) -> str:
    """A deploy stage in CodePipeline stage and action names: ``pre-prod`` → ``PreProd``."""
    return "".join(part.capitalize() for part in stage.split("-"))


def stage_words(stage: str) -> str:
    """A deploy stage in Jenkins stage names: ``pre-prod`` → ``Pre Prod``."""
    return " ".join(part.capitalize() for part in stage.split("-"))


def jenkins_trigger_name(names: Names) -> str:
    """The Jenkins trigger's Lambda function and EventBridge rule (both carry the same name)."""
    return f"{names.approval_rule}-jenkins"
