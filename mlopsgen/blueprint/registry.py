"""Blueprint ``registry`` section → specs and checks of the hub-and-spoke model registry.

The project's account is a *spoke*: its approved model versions are promoted into one central
*hub* registry in another account, by a CI step assuming the hub's promotion role (``push``), by the
hub pulling what the spoke's forwarded EventBridge events announce (``pull``), or both. Deploy stages
may then take the hub's latest approved version instead of the project's own (``deploy_from_hub``).
Kept apart from ``models.py`` so the whole feature reads in one file; ``BlueprintSpec`` holds it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from mlopsgen.blueprint.aws_shapes import SHAPES, AccountId, IamRoleArn
from mlopsgen.blueprint.base import Spec

if TYPE_CHECKING:
    from mlopsgen.blueprint.checks import Issue
    from mlopsgen.blueprint.models import BlueprintSpec
    from mlopsgen.blueprint.resolve import Scope

GROUP_PATTERN = SHAPES["model_package_group"].pattern
# An alias ARN: the hub template creates the key and this alias, so every policy can name the key
# itself (an alias cannot scope an IAM or key policy).
KMS_ALIAS_ARN_PATTERN = SHAPES["kms_alias_arn"].pattern
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$"
REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"
SPOKE_PATTERN = SHAPES["spoke"].pattern
Spoke = Annotated[
    str,
    Field(
        pattern=SPOKE_PATTERN,
        description="A spoke account id (quoted), or an organization OU path o-xxxx/r-xxxx/ou-xxxx/ whose "
        "accounts (nested OUs included) are all spokes.",
    ),
]
READ_ROLE_SUFFIX = "-hub-read"
"""Suffix of the spoke's read role name (``<model package group>-hub-read``); the hub Lambda derives it."""


class HubSpec(Spec):
    """The central registry: its account, region, model package group, model store bucket and key."""

    account: AccountId
    """AWS account id of the hub (quoted), never the project's own."""
    region: str = Field(pattern=REGION_PATTERN, description="Region of the hub registry, e.g. eu-west-1.")
    model_package_group: str = Field(
        pattern=GROUP_PATTERN, description="Model package group in the hub that receives promoted versions."
    )
    bucket: str = Field(pattern=BUCKET_PATTERN, description="Hub S3 bucket the model artifacts are copied to.")
    kms_key: str = Field(
        pattern=KMS_ALIAS_ARN_PATTERN,
        description="Alias ARN of the hub's KMS key, e.g. arn:aws:kms:eu-west-1:444455556666:alias/model-hub. "
        "The hub template creates the key and the alias, so its key policy grants exactly the hub's roles.",
    )


class RegistrySpec(Spec):
    """Promote approved model versions of this (spoke) project into a central hub registry."""

    hub: HubSpec
    """The hub registry."""
    mode: Literal["push", "pull", "both"] = Field(
        default="push",
        description="push: the deploy job assumes the hub's promotion role and registers the version there; "
        "pull: model package state changes are forwarded to the hub's event bus and its Lambda pulls them; "
        "both.",
    )
    statuses: list[Literal["Approved", "Rejected"]] = Field(
        default=["Approved"],
        min_length=1,
        description="Model package statuses forwarded to the hub (pull). Approved versions are copied; "
        "Rejected marks an already promoted copy Rejected in the hub.",
    )
    deploy_from_hub: bool = Field(
        default=False,
        description="Deploy stages take the latest approved version of the hub's group (in the hub region, "
        "which must be the project's) instead of the project's own group.",
    )
    spokes: list[Spoke] | None = Field(
        default=None,
        min_length=1,
        description="Accounts, or organization OU paths (o-xxxx/r-xxxx/ou-xxxx/, matched with "
        "aws:PrincipalOrgPaths), the hub template admits (promotion trust, event bus policy, read roles). "
        "Default: the project account.",
    )
    promotion_principals: list[IamRoleArn] | None = Field(
        default=None,
        min_length=1,
        description="IAM role ARNs in the spoke accounts allowed to assume the hub's promotion role (e.g. the "
        "Jenkins agents' role). Default: the spoke accounts themselves, which then delegate with IAM.",
    )


_ALIAS_PARTS = re.compile(r"^arn:[^:]+:kms:(?P<region>[^:]+):(?P<account>[0-9]{12}):alias/")


def check_registry(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Registry combinations that cannot work, each at the key to change.

    Args:
        spec: A blueprint that passed schema validation.
        scope: Unused; every check takes it.

    Returns:
        The issues found (MLG390-MLG398, MLG445, MLG446).
    """
    from mlopsgen.blueprint.checks import Issue  # checks imports models, which imports this module
    from mlopsgen.blueprint.steps import RegisterModelStepSpec

    registry = spec.registry
    if registry is None:
        return []
    hub = registry.hub
    issues: list[Issue] = []
    where = ("registry", "hub")
    if hub.account == spec.project.account:
        issues.append(
            Issue(
                "MLG390",
                (*where, "account"),
                f"registry.hub.account '{hub.account}' is the project's own account",
                "a hub registry lives in another account; the project's own group is already its registry.",
                at_value=True,
            )
        )
    parts = _ALIAS_PARTS.match(hub.kms_key)
    if ":alias/aws/" in hub.kms_key:
        issues.append(
            Issue(
                "MLG391",
                (*where, "kms_key"),
                "an AWS managed key (alias/aws/...) cannot be shared with the promotion and read roles",
                "name the alias the hub template creates, e.g. alias/model-hub.",
                at_value=True,
            )
        )
    if parts is not None and (parts["region"], parts["account"]) != (hub.region, hub.account):
        issues.append(
            Issue(
                "MLG391",
                (*where, "kms_key"),
                f"the hub key is in {parts['account']}/{parts['region']}, the hub in {hub.account}/{hub.region}",
                "S3 encrypts with a key of the bucket's own region, and the hub template creates the key in "
                "the hub account: use an alias ARN of the hub account and region.",
                at_value=True,
            )
        )
    if not any(isinstance(s, RegisterModelStepSpec) for s in spec.pipeline.steps):
        issues.append(
            Issue(
                "MLG392",
                ("registry",),
                "registry needs a register_model step: only registered versions can be promoted",
                "add a register_model step to the pipeline.",
            )
        )
    if registry.mode in ("push", "both") and (spec.ci is None or spec.deploy is None):
        issues.append(
            Issue(
                "MLG393",
                ("registry", "mode"),
                f"mode {registry.mode} promotes in the deploy job, which needs the deploy and ci sections",
                "add deploy and ci sections, or use mode: pull (the hub pulls through EventBridge).",
                at_value=True,
            )
        )
    if registry.mode == "push" and "statuses" in registry.model_fields_set:
        issues.append(
            Issue(
                "MLG394",
                ("registry", "statuses"),
                "statuses choose what is forwarded to the hub, and mode push forwards nothing",
                "use mode: pull or both, or remove statuses (push promotes the approved version it deploys).",
            )
        )
    if "Approved" not in registry.statuses:
        issues.append(
            Issue(
                "MLG395",
                ("registry", "statuses"),
                "without Approved no version is ever copied to the hub",
                "add Approved to registry.statuses.",
            )
        )
    if (
        registry.mode in ("push", "both")
        and registry.promotion_principals
        and spec.ci is not None
        and "codepipeline" in spec.ci.backends
    ):
        issues.append(
            Issue(
                "MLG446",
                ("registry", "promotion_principals"),
                "promotion_principals replace the spoke accounts in the promotion role's trust, and the "
                "CodePipeline deploy build's role (named by CloudFormation) cannot be listed: its push would be "
                "denied",
                "remove promotion_principals (the spoke account's IAM then decides: the deploy build role and "
                "the Jenkins credential both need sts:AssumeRole on the promotion role), or use only the "
                "jenkins backend.",
            )
        )
    if registry.deploy_from_hub:
        if spec.deploy is None:
            issues.append(
                Issue(
                    "MLG396",
                    ("registry", "deploy_from_hub"),
                    "deploy_from_hub needs a deploy section",
                    "add deploy stages or remove deploy_from_hub.",
                    at_value=True,
                )
            )
        if hub.region != spec.project.region:
            issues.append(
                Issue(
                    "MLG397",
                    ("registry", "hub", "region"),
                    f"deploy_from_hub deploys a hub package from {hub.region} into {spec.project.region}",
                    "SageMaker creates a model only from a package of its own region: put the hub in the "
                    "project's region or deploy from the project's group.",
                    at_value=True,
                )
            )
        for i, stage in enumerate(spec.deploy.stages if spec.deploy else ()):
            if stage.organizational_units:
                issues.append(
                    Issue(
                        "MLG445",
                        ("deploy", "stages", i, "organizational_units"),
                        f"stage '{stage.name}' deploys the hub's package into OUs, whose accounts the hub "
                        "template cannot name",
                        "list the stage's target accounts (the hub grants their model roles exactly), or "
                        "deploy from the project's group.",
                    )
                )
    issues += _list_issues(spec)
    return issues


def _list_issues(spec: BlueprintSpec) -> list[Issue]:
    """Spokes and principals listed twice, the hub among its own spokes, principals outside the spokes."""
    from mlopsgen.blueprint.checks import Issue

    registry = spec.registry
    assert registry is not None
    issues: list[Issue] = []
    spokes = registry.spokes or [spec.project.account]
    listed = registry.spokes or []
    for j, account in enumerate(listed):
        if account in listed[:j]:
            issues.append(Issue("MLG398", ("registry", "spokes", j), f"'{account}' is listed twice", at_value=True))
        if account == registry.hub.account:
            issues.append(
                Issue(
                    "MLG390",
                    ("registry", "spokes", j),
                    f"the hub account '{account}' is not its own spoke",
                    at_value=True,
                )
            )
    in_units = any("/" in s for s in spokes)  # an OU's accounts are known only at deploy time
    for j, arn in enumerate(registry.promotion_principals or []):
        where = ("registry", "promotion_principals", j)
        if arn.split(":")[4] not in spokes and not in_units:
            issues.append(
                Issue(
                    "MLG398",
                    where,
                    f"'{arn}' is not in a spoke account ({', '.join(sorted(set(spokes)))})",
                    "only spoke accounts may promote into the hub: list its account in registry.spokes.",
                    at_value=True,
                )
            )
    return issues
