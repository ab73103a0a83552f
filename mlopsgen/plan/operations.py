"""The Plan's operations: schedules and new-data triggers that start the pipeline, and SNS notifications.

Built from the blueprint in ``plan/build_operations.py``; ``targets/operations.py`` emits them as one
CloudFormation template for both CI variants (the pipeline runs in SageMaker whichever CI deploys),
and the Jenkins deploy job runs ``notify_command`` when it fails.
"""

from __future__ import annotations

from mlopsgen.frozen import frozen

PIPELINE_FAILED = ("Failed",)
"""SageMaker Model Building Pipeline Execution Status Change statuses that count as a failure."""
PIPELINE_SUCCEEDED = ("Succeeded",)


@frozen
class Schedule:
    """One EventBridge Scheduler schedule that starts the pipeline."""

    name: str
    """Schedule name inside the project's schedule group."""
    expression: str
    timezone: str
    parameters: tuple[tuple[str, str], ...]
    """Pipeline parameter values as text (StartPipelineExecution takes text), in blueprint order."""
    enabled: bool


@frozen
class NewData:
    """Start the pipeline when an object is created under ``bucket``/``prefix``."""

    bucket: str
    prefix: str
    """Key prefix ("" for the whole bucket)."""
    parameters: tuple[tuple[str, str], ...]
    rule: str
    """EventBridge rule name."""


@frozen
class Notifications:
    """The project's SNS topic, what it is told, and who subscribes."""

    topic: str
    topic_arn: str
    pipeline_statuses: tuple[str, ...]
    """Pipeline execution statuses that notify (empty: none)."""
    pipeline_rule: str
    deploy_rule: str
    """EventBridge rule on the CodePipeline deploy pipeline's failed executions ("" without it)."""
    deploy_pipeline: str
    """The CodePipeline deploy pipeline watched ("" without it)."""
    notify_command: tuple[str, ...]
    """What the Jenkins deploy job runs when it fails (empty without Jenkins or deploy_failed)."""
    email: tuple[str, ...]
    https: tuple[str, ...]
    encrypted: bool
    """The topic is encrypted with a customer-managed key the template creates."""


@frozen
class Operations:
    """Everything ``infrastructure/operations.yml`` holds."""

    pipeline: str
    pipeline_arn_resource: str
    """``pipeline/<name>`` as SageMaker writes it in ARNs (lower case)."""
    schedule_group: str
    schedules: tuple[Schedule, ...]
    new_data: NewData | None
    notifications: Notifications | None
