"""Blueprint schedules, new-data trigger and notifications → the Plan's ``Operations`` (plan/operations.py).

Imported only when a blueprint has one of them, so other blueprints do not pay for it.
"""

from __future__ import annotations

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.operations import ParameterValues, execution_text
from mlopsgen.plan import ci_commands
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_external import partition
from mlopsgen.plan.operations import (
    PIPELINE_FAILED,
    PIPELINE_SUCCEEDED,
    NewData,
    Notifications,
    Operations,
    Schedule,
)

MAX_RULE_NAME = 64
"""EventBridge PutRule: Name 1-64 characters."""


def _values(parameters: ParameterValues) -> tuple[tuple[str, str], ...]:
    return tuple((name, execution_text(value)) for name, value in parameters.items())


def build_operations(
    bp: BlueprintSpec, names: ir.Names, ci: ir.Ci | None, deploy: ir.Deploy | None
) -> tuple[Operations | None, list[Issue]]:
    """The operations section of the Plan, or None when the blueprint has none.

    Args:
        bp: The checked blueprint.
        names: The derived names.
        ci: The planned CI (which backends exist, where output lives).
        deploy: The planned deployment.

    Returns:
        The operations, and MLG415 issues for derived rule names longer than EventBridge takes.
    """
    pipeline = bp.pipeline
    if not pipeline.schedules and pipeline.on_new_data is None and bp.notifications is None:
        return None, []
    issues: list[Issue] = []
    rule_prefix = f"sagemaker-{names.project_name_id}"
    new_data = None
    if pipeline.on_new_data is not None:
        bucket, _, prefix = pipeline.on_new_data.prefix.removeprefix("s3://").partition("/")
        new_data = NewData(bucket, prefix, _values(pipeline.on_new_data.parameters), f"{rule_prefix}-new-data")
        issues += _rule_issues(new_data.rule, ("pipeline", "on_new_data"))
    notifications = None
    spec = bp.notifications
    if spec is not None:
        region, account = bp.project.region, bp.project.account
        topic = f"sagemaker-{names.project_name_id}-notifications"
        statuses = (PIPELINE_FAILED if spec.pipeline_failed else ()) + (
            PIPELINE_SUCCEEDED if spec.pipeline_succeeded else ()
        )
        deploying = spec.deploy_failed and deploy is not None and ci is not None
        codepipeline = deploying and ci is not None and "codepipeline" in ci.backends
        jenkins = deploying and ci is not None and "jenkins" in ci.backends
        encrypted = spec.encrypted
        if encrypted is None:
            encrypted = bp.security.required or bp.security.kms.output is not None
        topic_arn = f"arn:{partition(region)}:sns:{region}:{account}:{topic}"
        notify: tuple[str, ...] = ()
        if jenkins and ci is not None:
            script = f"{ci.output_dir}/model-deploy/scripts/notify.py"
            notify = ("python3", script, "--topic-arn", topic_arn, "--region", ci_commands.REGION)
            notify += ("--subject", f"{names.deploy_job} failed", "--build-url", ci_commands.EnvRef("BUILD_URL"))
        notifications = Notifications(
            topic=topic,
            topic_arn=topic_arn,
            pipeline_statuses=statuses,
            pipeline_rule=f"{rule_prefix}-pipeline-alert" if statuses else "",
            deploy_rule=f"{rule_prefix}-deploy-alert" if codepipeline else "",
            deploy_pipeline=names.deploy_pipeline if codepipeline else "",
            notify_command=notify,
            email=tuple(spec.email),
            https=tuple(spec.https),
            encrypted=encrypted,
        )
        for rule in (notifications.pipeline_rule, notifications.deploy_rule):
            issues += _rule_issues(rule, ("notifications",))
    operations = Operations(
        pipeline=names.pipeline,
        pipeline_arn_resource=f"pipeline/{names.pipeline.lower()}",
        schedule_group=names.project_name_id,
        schedules=tuple(
            Schedule(s.name, s.expression, s.timezone, _values(s.parameters), s.enabled) for s in pipeline.schedules
        ),
        new_data=new_data,
        notifications=notifications,
    )
    return operations, issues


def _rule_issues(rule: str, where: tuple[str, ...]) -> list[Issue]:
    if len(rule) <= MAX_RULE_NAME:
        return []
    return [
        Issue(
            "MLG415",
            where,
            f"the EventBridge rule name {rule!r} would be {len(rule)} characters; EventBridge takes {MAX_RULE_NAME}",
            "use a shorter project name.",
        )
    ]
