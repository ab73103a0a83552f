"""The Plan's hub-and-spoke registry: every name, ARN and role both sides agree on, resolved once.

The hub template (once per hub), the spoke stack, the promotion command and the replication
Lambda all read these values, so a trust policy and the role assuming it can never name two
different things. Built from the blueprint in ``plan/build_registry.py``.
"""

from __future__ import annotations

from mlopsgen.frozen import frozen
from mlopsgen.plan.ci_commands import MODEL_PACKAGE_GROUP, REGION

HUB_PREFIX = "mlopsgen-model-hub"
"""Prefix of the hub's own resources: one set per hub account, shared by every spoke project."""
HUB_ARTIFACT_PREFIX = "models"
"""Key prefix in the hub bucket: ``models/<spoke account>/<spoke group>/<version>/...``."""
READ_ROLE_SUFFIX = "-hub-read"
"""The spoke's read role is ``<spoke model package group><suffix>``; the hub Lambda derives it from events."""
LINEAGE_KEYS = ("mlopsgen:source-account", "mlopsgen:source-model-package-arn", "mlopsgen:source-pipeline-execution")
"""CustomerMetadataProperties keys a promoted package carries (the runtime script writes the same)."""


@frozen
class Hub:
    """The central registry and its model store."""

    account: str
    region: str
    model_package_group: str
    group_arn: str
    bucket: str
    kms_alias_arn: str
    """Alias ARN of the hub key (S3 takes it for SSE-KMS; policies name the key itself)."""
    kms_alias: str
    """``alias/<name>``, the AWS::KMS::Alias the hub template creates."""

    @property
    def partition(self) -> str:
        """The hub's partition (from its group ARN)."""
        return self.group_arn.split(":")[1]

    @property
    def package_arns(self) -> str:
        """The hub group's versions (package ARNs spell the group in lower case)."""
        base = f"arn:{self.partition}:sagemaker:{self.region}:{self.account}"
        return f"{base}:model-package/{self.model_package_group.lower()}/*"

    @property
    def artifact_arns(self) -> str:
        """The promoted artifacts in the hub bucket (every spoke's: the group mixes them)."""
        return f"arn:{self.partition}:s3:::{self.bucket}/{HUB_ARTIFACT_PREFIX}/*"

    @property
    def key_arns(self) -> str:
        """The hub account's keys in the hub region; IAM narrows them to the hub alias (``kms:ResourceAliases``).

        A key policy or IAM policy cannot name a key by alias, and the key id is known only once the
        hub template ran: the alias condition names exactly the key the hub template created.
        """
        return f"arn:{self.partition}:kms:{self.region}:{self.account}:key/*"


@frozen
class Registry:
    """Promotion of this (spoke) project's approved versions into the hub."""

    hub: Hub
    push: bool
    """The deploy job promotes through the hub's promotion role."""
    pull: bool
    """State changes are forwarded to the hub's bus; its Lambda pulls."""
    statuses: tuple[str, ...]
    """Forwarded model package statuses (pull)."""
    deploy_from_hub: bool
    spokes: tuple[str, ...]
    """Accounts the hub admits, sorted."""
    spoke_org_paths: tuple[str, ...]
    """Organization OU paths whose accounts the hub admits (``aws:PrincipalOrgPaths``), sorted."""
    promotion_principals: tuple[str, ...]
    """Principals the promotion role trusts: role ARNs, or the spoke accounts' root ARNs."""
    promotion_org_paths: tuple[str, ...]
    """OU paths the promotion role trusts (the spoke OUs, unless promotion principals are listed)."""
    readers: tuple[str, ...]
    """Roles that read promoted packages and artifacts (the model execution role when deploying from the hub)."""
    reader_accounts: tuple[str, ...]
    """Accounts whose principals may read the hub group (spokes deploying from it), sorted."""
    target_accounts: tuple[str, ...]
    """Stack set target accounts deploying from the hub (their stacks create models from hub packages), sorted."""
    target_model_roles: tuple[str, ...]
    """The model roles of those accounts: they read the hub artifacts and decrypt with the hub key."""
    source_group: str
    """The spoke's model package group (this project's)."""
    bus_name: str
    bus_arn: str
    hub_rule: str
    promotion_role: str
    promotion_role_arn: str
    replication_role: str
    replication_role_arn: str
    function_name: str
    dead_letter_queue: str
    read_role: str
    """Role in the spoke the hub Lambda assumes to read this project's packages and artifacts."""
    forward_rule: str
    forward_role: str
    spoke_stack: str


def promote_command(output_dir: str, registry: Registry) -> tuple[str, ...]:
    """Promote the latest approved version of the spoke group into the hub (push), idempotently.

    Args:
        output_dir: The generated output folder from the repository root.
        registry: The resolved registry.

    Returns:
        The argument list both CI backends run in the deploy job, before the stage configurations.
    """
    hub = registry.hub
    return (
        "python3",
        f"{output_dir}/model-deploy/scripts/promote.py",
        "--source-group",
        MODEL_PACKAGE_GROUP,
        "--region",
        REGION,
        "--hub-role-arn",
        registry.promotion_role_arn,
        "--hub-region",
        hub.region,
        "--hub-group",
        hub.model_package_group,
        "--hub-bucket",
        hub.bucket,
        "--hub-kms-key",
        hub.kms_alias_arn,
    )
