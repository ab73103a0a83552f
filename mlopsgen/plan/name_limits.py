"""Derived names → problems: every name mlopsgen derives, checked against its AWS limit and for collisions.

The blueprint's own patterns bound what the user writes (a project name of at most 32 characters,
a stage of at most 20), but the names derived from them add prefixes and suffixes and normalise
case and hyphens. This module holds the one table of derived names and their limits, so that a
name AWS would refuse, or two stages that become one name, are reported at validation instead of
failing a CloudFormation deployment.
"""

from __future__ import annotations

from collections.abc import Callable

from mlopsgen.frozen import frozen
from mlopsgen.plan.model import Names
from mlopsgen.plan.naming import (
    endpoint_name,
    jenkins_trigger_name,
    multi_account_roles,
    stage_stack_name,
    stage_title,
    stage_words,
)


@frozen
class DerivedName:
    """One kind of generated name: how it is derived and the longest name AWS accepts for it."""

    what: str
    limit: int
    derive: Callable[[Names, str, str], str]
    """(names, project name, stage name or "") → the name."""
    per_stage: bool = False


# Limits from each service's API reference (CreateX: Name length constraints).
DERIVED_NAMES: tuple[DerivedName, ...] = (
    DerivedName("SageMaker pipeline name", 256, lambda n, p, s: n.pipeline),
    DerivedName("model package group name", 63, lambda n, p, s: n.model_package_group),
    DerivedName("CodeBuild project name", 255, lambda n, p, s: max(n.build_project, n.deploy_project, key=len)),
    DerivedName("CodePipeline name", 100, lambda n, p, s: max(n.build_pipeline, n.deploy_pipeline, key=len)),
    DerivedName("EventBridge rule name", 64, lambda n, p, s: max(n.approval_rule, n.source_rule, key=len)),
    DerivedName("Jenkins trigger Lambda function and rule name", 64, lambda n, p, s: jenkins_trigger_name(n)),
    DerivedName("IAM role name", 64, lambda n, p, s: max(multi_account_roles(n), key=len)),
    DerivedName("endpoint name", 63, lambda n, p, s: endpoint_name(p, s), per_stage=True),
    DerivedName("CloudFormation stack name", 128, lambda n, p, s: stage_stack_name(n, s), per_stage=True),
    DerivedName("CodePipeline stage name", 100, lambda n, p, s: f"Deploy{stage_title(s)}", per_stage=True),
)


@frozen
class NameProblem:
    """A derived name AWS would refuse; ``stage`` is the stage's index, or None for a project-wide name."""

    stage: int | None
    message: str
    hint: str


def name_problems(names: Names, project_name: str, stages: list[str], *, jenkins: bool) -> list[NameProblem]:
    """Every derived name that is too long, and every pair of stages whose derived names collide.

    Args:
        names: The project's derived names.
        project_name: The SageMaker project name.
        stages: Deploy stage names, in blueprint order.
        jenkins: Whether the Jenkins backend (and its trigger) is generated.

    Returns:
        The problems, project-wide ones first.
    """
    problems: list[NameProblem] = []
    for kind in DERIVED_NAMES:
        if kind.what.startswith("Jenkins") and not jenkins:
            continue
        for index, stage in enumerate(stages) if kind.per_stage else [(None, "")]:
            name = kind.derive(names, project_name, stage)
            if len(name) > kind.limit:
                problems.append(
                    NameProblem(
                        index,
                        f"the derived {kind.what} '{name}' has {len(name)} characters; AWS allows {kind.limit}",
                        "shorten the project name (or the stage name).",
                    )
                )
    for derive, where in ((stage_title, "CodePipeline stage"), (stage_words, "Jenkins stage")):
        first: dict[str, str] = {}
        for index, stage in enumerate(stages):
            key = derive(stage)
            if key in first and first[key] != stage:
                problems.append(
                    NameProblem(
                        index,
                        f"deploy stages '{first[key]}' and '{stage}' both become the {where} name '{key}'",
                        "name stages so that they differ in letters or digits, not only in hyphens.",
                    )
                )
            first.setdefault(key, stage)
    return problems
