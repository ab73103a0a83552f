"""Semantic checks of how a blueprint is delivered: deploy stages, CI backends, triggers and security.

Split out of ``checks.py``, which keeps the pipeline graph's rules (names, references, cycles,
parameters). These rules concern the deploy and CI blocks instead (target accounts, role name
lengths, model locations, which backend owns the triggers, required encryption and networking),
and they change with the delivery features rather than with the step language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mlopsgen.blueprint.checks_base import Issue, _article, _known, _steps, _yaml
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import (
    CreateModelStepSpec,
    ProcessingStepSpec,
    RegisterModelStepSpec,
    TrainingStepSpec,
    TransformStepSpec,
    TuningStepSpec,
)


def check_delivery(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Stage names are unique, a deployment has a model to deploy, CI parameters exist and fit."""
    issues: list[Issue] = []
    if spec.deploy is not None:
        seen: set[str] = set()
        for i, stage in enumerate(spec.deploy.stages):
            if stage.name in seen:
                issues.append(
                    Issue("MLG301", ("deploy", "stages", i, "name"), f"duplicate stage '{stage.name}'", at_value=True)
                )
            seen.add(stage.name)
            issues += _target_issues(("deploy", "stages", i), stage.accounts, stage.organizational_units)
        issues += _model_location_issues(spec)
        issues += _role_name_issues(spec)
        if not any(isinstance(s, RegisterModelStepSpec) for s in spec.pipeline.steps):
            issues.append(
                Issue(
                    "MLG311",
                    ("deploy",),
                    "deploy needs a register_model step: stages deploy the latest approved model package",
                    "add a register_model step to the pipeline.",
                )
            )
    if spec.ci is not None:
        kinds: dict[str, tuple[type, ...]] = {
            "string": (str,),
            "integer": (int,),
            "float": (int, float),
            "boolean": (bool,),
        }
        for name, value in spec.ci.execution_parameters.items():
            where = ("ci", "execution_parameters", name)
            if name not in scope.params:
                issues.append(
                    Issue(
                        "MLG202",
                        where,
                        f"unknown pipeline parameter '{name}'",
                        _known(name, scope.params, "parameters"),
                    )
                )
                continue
            kind = scope.params[name]
            if not isinstance(value, kinds[kind]) or (isinstance(value, bool) and kind != "boolean"):
                issues.append(
                    Issue(
                        "MLG304",
                        where,
                        f"value {_yaml(value)} for parameter '{name}' is not {_article(kind)}",
                        at_value=True,
                    )
                )
    return issues


def _target_issues(path: PathKey, accounts: list[str] | None, units: list[str] | None) -> list[Issue]:
    """An account or OU listed twice in a stage is a mistake (the stack set would dedupe it silently)."""
    issues: list[Issue] = []
    for key, values in (("accounts", accounts), ("organizational_units", units)):
        seen: set[str] = set()
        for j, value in enumerate(values or []):
            if value in seen:
                issues.append(Issue("MLG312", (*path, key, j), f"'{value}' is listed twice in {key}", at_value=True))
            seen.add(value)
    return issues


ROLE_SUFFIX_MAX = len("-stackset-admin")
"""Longest suffix plan.naming.multi_account_roles adds to ``<project>-<id>`` (tests pin the two together)."""


def _role_name_issues(spec: BlueprintSpec) -> list[Issue]:
    """Multi-account roles are named ``<project>-<id>-<purpose>``; IAM role names stop at 64 characters."""
    assert spec.deploy is not None
    if not any(stage.accounts or stage.organizational_units for stage in spec.deploy.stages):
        return []
    base = f"{spec.project.name}-{spec.project.id}"
    if len(base) + ROLE_SUFFIX_MAX <= 64:
        return []
    return [
        Issue(
            "MLG314",
            ("project", "name"),
            f"the stack set roles of '{base}' would have names longer than IAM's 64 characters",
            f"shorten the project name to at most {64 - ROLE_SUFFIX_MAX - len(spec.project.id) - 1} characters.",
            at_value=True,
        )
    ]


def _model_location_issues(spec: BlueprintSpec) -> list[Issue]:
    """Models deployed into other accounts must live in the artifact bucket, whose policy grants them.

    mlopsgen writes the cross-account grant (and the VPC endpoint deny) into the artifact bucket's
    policy only; a model written to another bucket would fail to load in the target accounts.
    """
    assert spec.deploy is not None
    if not any(stage.accounts or stage.organizational_units for stage in spec.deploy.stages):
        return []
    if spec.registry is not None and spec.registry.deploy_from_hub:
        return []  # the target accounts deploy the hub's copy, which the hub template shares with them
    by_name = {step.name: (path, step) for path, step in _steps(spec)}
    issues: list[Issue] = []
    for _, step in _steps(spec):
        if not isinstance(step, RegisterModelStepSpec) or step.model_from not in by_name:
            continue
        path, source = by_name[step.model_from]
        output = getattr(source, "output_path", None)
        if output is None:
            continue
        # The blueprint layer may not import plan.naming; tests/unit/blueprint pins this to its default.
        bucket = spec.project.artifact_bucket or f"sagemaker-project-{spec.project.id}"
        if not (isinstance(output, str) and output.startswith(f"s3://{bucket}/")):
            issues.append(
                Issue(
                    "MLG313",
                    (*path, "output_path"),
                    f"model of '{source.name}' is deployed into other accounts but is written outside the artifact "
                    f"bucket {bucket}",
                    f"remove output_path (the default is in the artifact bucket) or write under s3://{bucket}/.",
                    at_value=True,
                )
            )
        elif "${" not in output and not re.fullmatch(
            r"[A-Za-z0-9!_.'()=/\-]*[A-Za-z0-9!_.'()=\-][A-Za-z0-9!_.'()=/\-]*", output[len(bucket) + 6 :]
        ):
            # The prefix becomes the target accounts' grant on the bucket: '*' and '?' are IAM wildcards
            # that cannot be escaped, and an empty prefix would grant the whole bucket.
            issues.append(
                Issue(
                    "MLG313",
                    (*path, "output_path"),
                    f"model of '{source.name}' is deployed into other accounts from an output path whose key "
                    "prefix is empty or holds characters outside S3's safe set (such as the IAM wildcards * ?)",
                    "write under a plain prefix such as s3://<artifact bucket>/models/ "
                    "(letters, digits, / ! - _ . ' ( ) =).",
                    at_value=True,
                )
            )
    return issues


def check_backends(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """What the blueprint asks of CI, each selected backend can express (MLG4xx: target limits)."""
    ci = spec.ci
    if ci is None:
        return []
    issues: list[Issue] = []
    if "jenkins" in ci.backends and ci.jenkins is None:
        issues.append(
            Issue(
                "MLG401",
                ("ci", "backends"),
                "the jenkins backend needs a ci.jenkins section (at least its url)",
                "add ci.jenkins: {url: https://jenkins.example.com}.",
            )
        )
    if ci.jenkins is not None and "jenkins" not in ci.backends:
        issues.append(
            Issue(
                "MLG402",
                ("ci", "jenkins"),
                "ci.jenkins is set but jenkins is not in ci.backends",
                "add jenkins to ci.backends.",
            )
        )
    if "codepipeline" not in ci.backends:
        # Only CodeBuild runs in a chosen image and compute size; Jenkins uses its own agents.
        for key in sorted(ci.build.model_fields_set & {"image", "compute_type"}):
            issues.append(
                Issue(
                    "MLG403",
                    ("ci", "build", key),
                    f"ci.build.{key} configures CodeBuild, which none of the selected backends uses",
                    "remove it, or add codepipeline to ci.backends.",
                )
            )
    return issues + _trigger_owner_issues(ci.backends, ci.trigger_owner)


def _trigger_owner_issues(backends: Sequence[str], triggers: str | None) -> list[Issue]:
    """Exactly one backend starts runs by itself; with both listed the blueprint must say which.

    There is no warning level in the diagnostics, and guessing is worse than asking: two backends
    that both react to pushes and approvals run the SageMaker pipeline and every deployment twice,
    and a silent default would move a team's production deploys from one system to the other.
    """
    if triggers is None and len(set(backends)) > 1:
        return [
            Issue(
                "MLG404",
                ("ci", "backends"),
                "with both backends, say which one starts builds and deployments (ci.trigger_owner)",
                "add ci.trigger_owner: codepipeline (or jenkins); the other backend then runs on demand only.",
            )
        ]
    if triggers is not None and triggers not in backends:
        return [
            Issue(
                "MLG405",
                ("ci", "trigger_owner"),
                f"ci.trigger_owner is {triggers}, which is not in ci.backends",
                f"add {triggers} to ci.backends, or remove ci.trigger_owner (the only backend owns the triggers).",
                at_value=True,
            )
        ]
    return []


def check_required_security(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """With ``security.required``, every resource the blueprint creates carries every control.

    Each resource lacking a control is reported at its own blueprint line, so a reviewer sees which
    job, model or endpoint would have run unprotected.
    """
    security = spec.security
    if not security.required:
        return []
    vpc = ["VPC subnets and security groups (security.vpc)"] if security.vpc is None else []
    keys = []
    if security.kms.volume is None:
        keys.append("a KMS key for storage volumes (security.kms.volume)")
    if security.kms.output is None:
        keys.append("a KMS key for outputs (security.kms.output)")
    issues: list[Issue] = []
    resources: list[tuple[PathKey, str, list[str]]] = []
    job_kinds = (ProcessingStepSpec, TrainingStepSpec, TuningStepSpec, TransformStepSpec, CreateModelStepSpec)
    for path, step in _steps(spec):
        if isinstance(step, job_kinds):
            # A created model has no volume or output of its own; its endpoint does (below).
            applicable = vpc if isinstance(step, CreateModelStepSpec) else vpc + keys
            resources.append(((*path, "name"), f"{step.type} step '{step.name}'", applicable))
            if not security.encrypt_inter_container_traffic and not isinstance(
                step, TransformStepSpec | CreateModelStepSpec
            ):
                issues.append(
                    Issue(
                        "MLG320",
                        (*path, "name"),
                        f"{step.type} step '{step.name}' would run without inter-container traffic encryption",
                        "set security.encrypt_inter_container_traffic: true.",
                        at_value=True,
                    )
                )
    output_key = security.kms.output
    if spec.ci is not None and "codepipeline" in spec.ci.backends and output_key and not output_key.startswith("arn:"):
        # CodeBuild's EncryptionKey and the artifact store's EncryptionKey.Id are emitted for key ARNs
        # only (an alias or key id would also leave the build roles' key grant unscoped by ARN).
        issues.append(
            Issue(
                "MLG320",
                ("security", "kms", "output"),
                f"the CodeBuild projects and CodePipeline artifact stores would run without the output key "
                f"{output_key}: CI encrypts its artifacts with a key given by ARN only",
                "give security.kms.output as a key ARN (arn:aws:kms:<region>:<account>:key/<id>).",
                at_value=True,
            )
        )
    if spec.deploy is not None:
        for i, stage in enumerate(spec.deploy.stages):
            resources.append((("deploy", "stages", i, "name"), f"endpoint of stage '{stage.name}'", vpc + keys))
            if (stage.accounts or stage.organizational_units) and security.vpc_endpoints is None:
                issues.append(
                    Issue(
                        "MLG320",
                        ("deploy", "stages", i, "name"),
                        f"endpoints of stage '{stage.name}' in other accounts would read the model without a "
                        "VPC endpoint restriction (security.vpc_endpoints)",
                        "list the designated S3/KMS VPC endpoints of this and the target accounts in "
                        "security.vpc_endpoints.",
                        at_value=True,
                    )
                )
    for where, what, missing in resources:
        for control in missing:
            issues.append(
                Issue(
                    "MLG320", where, f"{what} would run without {control}", "security.required is set.", at_value=True
                )
            )
    return issues
