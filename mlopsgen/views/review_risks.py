"""Risky changes between two review summaries: one sentence each, listed first in the pull-request review.

Split out of ``review.py``: the risks are a policy of their own (what a reviewer must not miss),
while ``review`` lays out every change section by section.
"""

from __future__ import annotations

import mlopsgen.views.review_read as read
from mlopsgen.views.behaviour import behaviour_risks
from mlopsgen.views.markdown import code_span as _code
from mlopsgen.views.markdown import show as _show
from mlopsgen.views.review_operations import operations_risks
from mlopsgen.views.review_read import Summary
from mlopsgen.views.rollout import rollout_risks

_SECURITY_RISKS = (
    ("volume_kms_key", "volume KMS key removed: storage volumes lose customer-managed encryption"),
    ("output_kms_key", "output KMS key removed: job outputs lose customer-managed encryption"),
    ("encrypt_inter_container_traffic", "inter-container traffic encryption turned off"),
    ("network_isolation", "network isolation turned off"),
)


def _stage_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    old_stages, new_stages = read.stages(old), read.stages(new)
    new_by_name = {stage["name"]: stage for stage in new_stages}
    for before in old_stages:
        name = _code(before["name"])
        after = new_by_name.get(before["name"])
        if after is None:
            if before.get("manual_approval"):
                found.append(f"stage {name} was removed together with its manual approval gate")
            continue
        if before.get("manual_approval") and not after.get("manual_approval"):
            found.append(f"manual approval gate removed before stage {name}")
        if before.get("test") and not after.get("test"):
            found.append(f"smoke test removed from stage {name}")
        if before.get("data_capture") is not None and after.get("data_capture") is None:
            found.append(f"data capture turned off on stage {name}")
    # The last stage stands for production: losing autoscaling there risks an outage under load.
    if old_stages and new_stages and old_stages[-1].get("autoscaling") and not new_stages[-1].get("autoscaling"):
        last = _code(new_stages[-1]["name"])
        found.append(f"the production stage {last} (the last stage) no longer autoscales")
    return found


def _target_risks(old: Summary, new: Summary) -> list[str]:
    # The last stage stands for production: new accounts or OUs there widen what a bad model reaches.
    stages = read.stages(new)
    if not stages or (after := read.targets(stages[-1])) is None:
        return []
    last = stages[-1]["name"]
    before = next((read.targets(stage) for stage in read.stages(old) if stage["name"] == last), None) or ([], [])
    gained = read.gained(before, after)
    if not gained:
        return []
    return [f"the production stage {_code(last)} (the last stage) now also deploys into " + " and ".join(gained)]


def _security_risks(old: Summary, new: Summary) -> list[str]:
    found = []
    before, after = read.security(old), read.security(new)
    old_subnets, new_subnets = read.texts(before.get("subnets")), read.texts(after.get("subnets"))
    if old_subnets and not new_subnets:
        found.append("VPC removed: jobs no longer run in the blueprint's subnets")
    else:
        lost = [subnet for subnet in old_subnets if subnet not in new_subnets]
        if lost:
            found.append(f"subnets removed from the VPC: {_show(lost)}")
        old_groups, new_groups = read.texts(before.get("security_groups")), read.texts(after.get("security_groups"))
        lost = [group for group in old_groups if group not in new_groups]
        if lost:
            found.append(f"security groups removed: {_show(lost)}")
    for key, risk in _SECURITY_RISKS:
        if before.get(key) and not after.get(key):
            found.append(risk)
    return found


def _endpoint_risks(old: Summary, new: Summary) -> list[str]:
    # The endpoints only matter with stages in other accounts: they scope the deny on model access.
    if not read.multi_account(new):
        return []
    before, after = (
        read.texts(read.security(old).get("vpc_endpoints")),
        read.texts(read.security(new).get("vpc_endpoints")),
    )
    if before and not after:
        return [
            "VPC endpoints removed while stages deploy into other accounts: model objects and the output key "
            "no longer deny access from outside them"
        ]
    lost = read.new_items(after, before)
    if lost:
        return [
            f"VPC endpoints {_show(lost)} removed while stages deploy into other accounts: model access "
            "through them is now denied, which breaks target-account endpoints that use them"
        ]
    return []


def _step_risks(old: Summary, new: Summary) -> list[str]:
    # A blueprint-wide switch-off is reported once by the security risks; this catches a job opting out.
    if not read.security(new).get("network_isolation"):
        return []
    before, after = read.steps(old), read.steps(new)
    return [
        f"network isolation turned off for step {_code(name)}"
        for name in sorted(set(before) & set(after))
        if before[name].get("network_isolation") is True and after[name].get("network_isolation") is False
    ]


def risks(old: Summary | None, new: Summary) -> list[str]:
    """Risky changes between two summaries, one sentence each, in a stable order.

    Flags a removed manual approval gate (also with its stage), a removed smoke test, data capture
    turned off, the last (production-like) stage losing autoscaling or gaining target accounts or
    OUs, and any weakened security control: VPC, subnets or security groups removed, a KMS key
    removed, inter-container encryption or network isolation turned off (blueprint-wide, or for one
    job), and VPC endpoints removed while stages deploy into other accounts; a stage's rollout
    weakened (``views.rollout``: rollback or its alarms removed, all-at-once traffic); and in what the
    pipeline decides (``views.behaviour``): models registered as Approved, a quality gate removed or
    loosened, a tuning budget raised; and schedules or the new-data trigger added, changed or removed,
    notifications removed or weakened (``views.review_operations``).

    Args:
        old: The summary recorded for the previous output; None (or empty) for new output.
        new: The summary of the blueprint as it is now.

    Returns:
        Risk sentences without the ``⚠️ **Risk:**`` prefix; empty when nothing risky changed.
    """
    if not old:
        return []
    return (
        _stage_risks(old, new)
        + _target_risks(old, new)
        + _security_risks(old, new)
        + _endpoint_risks(old, new)
        + _step_risks(old, new)
        + rollout_risks(old, new)
        + behaviour_risks(old, new)
        + operations_risks(old, new)
    )
