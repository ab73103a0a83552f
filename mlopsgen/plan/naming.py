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
    )


def default_artifact_bucket(project_id: str) -> str:
    """The artifact bucket name the AWS project templates use."""
    return f"sagemaker-project-{project_id}"


def default_pipeline_role(account: str) -> str:
    """The execution role the AWS project templates pass to the pipeline."""
    return f"arn:aws:iam::{account}:role/service-role/AmazonSageMakerProjectsExecutionRole"


def code_s3_uri(bucket: str, pipeline: str, sha256: str, basename: str) -> str:
    """Content-addressed S3 URI of a code file (the same layout the SDK uploads to)."""
    return f"s3://{bucket}/{pipeline}/code/{sha256}/{basename}"
