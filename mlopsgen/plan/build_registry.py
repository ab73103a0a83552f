"""Blueprint ``registry`` → the Plan's Registry: hub names, ARNs, trusted principals and readers."""

from __future__ import annotations

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.plan import model as ir
from mlopsgen.plan.registry import HUB_PREFIX, READ_ROLE_SUFFIX, Hub, Registry

NAME_LIMIT = 64
"""IAM role and EventBridge rule names stop at 64 characters."""


def build_registry(
    blueprint: BlueprintSpec, names: ir.Names, deploy: ir.Deploy | None
) -> tuple[Registry | None, list[Issue]]:
    """Resolve the registry section (None without one).

    Args:
        blueprint: A spec that passed every check.
        names: The project's derived names.
        deploy: The resolved deploy section (its model execution role reads hub artifacts).

    Returns:
        The Registry, and MLG399 issues for derived names AWS would refuse.
    """
    spec = blueprint.registry
    if spec is None:
        return None, []
    hub_spec = spec.hub
    partition = hub_spec.kms_key.split(":")[1]
    hub = Hub(
        account=hub_spec.account,
        region=hub_spec.region,
        model_package_group=hub_spec.model_package_group,
        group_arn=f"arn:{partition}:sagemaker:{hub_spec.region}:{hub_spec.account}:model-package-group/"
        f"{hub_spec.model_package_group}",
        bucket=hub_spec.bucket,
        kms_alias_arn=hub_spec.kms_key,
        kms_alias=hub_spec.kms_key.split(":", 5)[5],
    )
    listed = set(spec.spokes or [blueprint.project.account])
    org_paths = tuple(sorted(s for s in listed if "/" in s))
    spokes = tuple(sorted(listed - set(org_paths)))
    principals = tuple(sorted(set(spec.promotion_principals or [f"arn:{partition}:iam::{a}:root" for a in spokes])))
    readers: tuple[str, ...] = (deploy.model_execution_role_arn,) if spec.deploy_from_hub and deploy is not None else ()
    multi = deploy.multi_account if spec.deploy_from_hub and deploy is not None else None
    # Stages in other accounts create their models from the hub's package, run by their model role there.
    target_accounts = tuple(a for a in (multi.accounts if multi else ()) if a != hub_spec.account)
    target_roles = tuple(f"arn:{partition}:iam::{a}:role/{multi.model_role}" for a in target_accounts if multi)
    readers = tuple(sorted(set(readers + target_roles)))
    reader_accounts = spokes if spec.deploy_from_hub else ()
    base = names.project_name_id
    iam = f"arn:{partition}:iam::{hub.account}:role"
    registry = Registry(
        hub=hub,
        push=spec.mode in ("push", "both"),
        pull=spec.mode in ("pull", "both"),
        statuses=tuple(spec.statuses),
        deploy_from_hub=spec.deploy_from_hub,
        spokes=spokes,
        spoke_org_paths=org_paths,
        promotion_principals=principals,
        promotion_org_paths=() if spec.promotion_principals else org_paths,
        readers=readers,
        reader_accounts=reader_accounts,
        target_accounts=target_accounts,
        target_model_roles=target_roles,
        source_group=names.model_package_group,
        bus_name=HUB_PREFIX,
        bus_arn=f"arn:{partition}:events:{hub.region}:{hub.account}:event-bus/{HUB_PREFIX}",
        hub_rule=f"sagemaker-{HUB_PREFIX}-replicate",
        promotion_role=f"{HUB_PREFIX}-promotion",
        promotion_role_arn=f"{iam}/{HUB_PREFIX}-promotion",
        replication_role=f"{HUB_PREFIX}-replication",
        replication_role_arn=f"{iam}/{HUB_PREFIX}-replication",
        function_name=f"{HUB_PREFIX}-replication",
        dead_letter_queue=f"{HUB_PREFIX}-replication-dlq",
        read_role=f"{names.model_package_group}{READ_ROLE_SUFFIX}",
        forward_rule=f"sagemaker-{base}-to-hub",
        forward_role=f"{base}-hub-forward",
        spoke_stack=f"sagemaker-{base}-hub-spoke",
    )
    issues = [
        Issue(
            "MLG399",
            ("project", "name"),
            f"the registry {what} '{value}' would be {len(value)} characters; AWS allows {NAME_LIMIT}",
            "shorten the project name.",
            at_value=True,
        )
        for what, value in (
            ("forwarding rule", registry.forward_rule),
            ("forwarding role", registry.forward_role),
            ("read role", registry.read_role),
        )
        if len(value) > NAME_LIMIT
    ]
    return registry, issues
