"""Plan deploy stages → the grants of a role deploying stage stacks from the one shared stage template.

Two roles deploy stage stacks: the project's CloudFormation role (the stages in the project account,
CodePipeline) and the target accounts' stack set execution role (the stages with accounts or OUs).
Each used to decide for itself which monitor kinds and alarms to grant, and the two copies drifted
twice (a role granted the other role's stages; a role missing another stage's monitor kinds). The
rule is here, once, and both call it; ``tests/test_deploy_generated.py`` holds both roles to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mlopsgen.frozen import frozen
from mlopsgen.plan import model as ir
from mlopsgen.plan.model_monitoring import monitor_alarms, monitor_kinds
from mlopsgen.targets.iam import deploy_monitoring


@frozen
class TemplateGrants:
    """What a role deploying stacks of the stage template may be asked to create, whatever the stage."""

    monitor_kinds: tuple[str, ...]
    """The monitor kinds whose job definitions and schedules it manages (KINDS order)."""
    monitor_alarms: bool
    """It manages the monitors' CloudWatch alarms."""
    rollback_alarms: bool
    """It manages the generated rollback alarms."""


def template_grants(stages: Sequence[ir.Stage], deployed: Sequence[ir.Stage]) -> TemplateGrants:
    """The monitoring and alarm grants of a role that deploys ``deployed`` from the template of ``stages``.

    Template-wide, not per deployed stage: the endpoint template (and the stack set template made from
    it) holds the monitors, monitor alarms and rollback alarms of every stage, each switched on per
    stage by a parameter in ``<stage>-config.json``. The role deploying a stage's stack is therefore
    handed a template holding every kind any stage uses, and the stage configuration decides at deploy
    time which of them it creates; granting per deployed stage left a stack-set stage unable to deploy
    beside a stage monitoring another kind. The scope stays per role all the same: a role that deploys
    no stage of the template is granted none of it (the project's role with every endpoint stage in
    other accounts), and the resource ARNs (schedules, alarms) name only the stages it deploys.

    Args:
        stages: Every deploy stage (the template serves them all).
        deployed: The stages whose stacks the role deploys.

    Returns:
        The monitor kinds and alarm families the role is granted.
    """
    if not deployed:
        return TemplateGrants((), False, False)
    return TemplateGrants(
        tuple(monitor_kinds(stages)),
        any(map(monitor_alarms, stages)),
        any(stage.rollout is not None for stage in stages),
    )


def deploy_stage_monitoring(
    arn: Callable[[str, str], Any],
    stages: Sequence[ir.Stage],
    deployed: Sequence[ir.Stage],
    project: ir.Project,
    stack_prefix: str = "",
) -> list[dict[str, Any]]:
    """The monitoring statements of a role deploying ``deployed`` (``template_grants`` decides the kinds).

    Args:
        arn: Builds a same-account ARN from (service, resource).
        stages: Every deploy stage.
        deployed: The stages whose stacks the role deploys.
        project: The project (its name starts the schedule names; its id tags the job definitions).
        stack_prefix: What CloudFormation puts before the stage's stack name in the stacks it names
            (``StackSet-`` for a stack set's stack instances), where the monitor alarms are named.
    """
    grants = template_grants(stages, deployed)
    return deploy_monitoring(
        arn,
        list(grants.monitor_kinds),
        # SageMaker spells names in ARNs in lower case; stage names are lower case already.
        [arn("sagemaker", f"monitoring-schedule/{project.name.lower()}-{s.name}-*") for s in deployed],
        [arn("cloudwatch", f"alarm:{stack_prefix}{s.stack_name}-*") for s in deployed] if grants.monitor_alarms else [],
        project.id,
    )
