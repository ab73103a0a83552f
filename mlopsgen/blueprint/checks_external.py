"""BlueprintSpec → diagnostics for the EMR step's cluster (the checks that need more than one field).

sagemaker 3.27.0's ``EMRStep`` refuses, at definition time, a step with both or neither of
``cluster_id`` and ``cluster_config``, a runtime role without ``cluster_id``, and a cluster
configuration holding what the pipeline sets itself (``Name``, ``Steps``, ``AutoTerminationPolicy``,
``Instances.KeepJobFlowAliveWhenNoSteps`` / ``TerminationProtected``) or lacking exactly one of
``Instances.InstanceGroups`` / ``InstanceFleets``. The same rules are checked here, at the line, so
both engines render what validation accepts. The configuration's keys are checked against EMR's
RunJobFlow request (botocore emr ``RunJobFlowInput`` and ``JobFlowInstancesConfig``; the test
``tests/unit/blueprint/test_steps_external.py`` compares these tables with the pinned botocore).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.errors import did_you_mean

RUN_JOB_FLOW_MEMBERS = frozenset(
    {
        "AdditionalInfo",
        "AmiVersion",
        "Applications",
        "AutoScalingRole",
        "AutoTerminationPolicy",
        "BootstrapActions",
        "Configurations",
        "CustomAmiId",
        "EbsRootVolumeIops",
        "EbsRootVolumeSize",
        "EbsRootVolumeThroughput",
        "ExtendedSupport",
        "Instances",
        "JobFlowRole",
        "KerberosAttributes",
        "LogEncryptionKmsKeyId",
        "LogUri",
        "ManagedScalingPolicy",
        "MonitoringConfiguration",
        "Name",
        "NewSupportedProducts",
        "OSReleaseLabel",
        "PlacementGroupConfigs",
        "ReleaseLabel",
        "RepoUpgradeOnBoot",
        "ScaleDownBehavior",
        "SecurityConfiguration",
        "ServiceRole",
        "SessionEnabled",
        "StepConcurrencyLevel",
        "StepExecutionRoleArn",
        "Steps",
        "SupportedProducts",
        "Tags",
        "VisibleToAllUsers",
    }
)
"""botocore emr ``RunJobFlowInput`` members."""

INSTANCES_MEMBERS = frozenset(
    {
        "AdditionalMasterSecurityGroups",
        "AdditionalSlaveSecurityGroups",
        "Ec2KeyName",
        "Ec2SubnetId",
        "Ec2SubnetIds",
        "EmrManagedMasterSecurityGroup",
        "EmrManagedSlaveSecurityGroup",
        "HadoopVersion",
        "InstanceCount",
        "InstanceFleets",
        "InstanceGroups",
        "KeepJobFlowAliveWhenNoSteps",
        "MasterInstanceType",
        "Placement",
        "ServiceAccessSecurityGroup",
        "SlaveInstanceType",
        "TerminationProtected",
        "UnhealthyNodeReplacement",
    }
)
"""botocore emr ``JobFlowInstancesConfig`` members."""

SET_BY_PIPELINE = ("Name", "Steps", "AutoTerminationPolicy")
KEPT_BY_PIPELINE = ("KeepJobFlowAliveWhenNoSteps", "TerminationProtected")


def check_emr_steps(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """An EMR step names one cluster, and a cluster configuration is one EMR and the SDK accept."""
    issues: list[Issue] = []
    for i, step in enumerate(spec.pipeline.steps):
        if step.type != "emr":
            continue
        path: PathKey = ("pipeline", "steps", i)
        if (step.cluster_id is None) == (step.cluster_config is None):
            both = step.cluster_id is not None
            issues.append(
                Issue(
                    "MLG380",
                    (*path, "cluster_id") if both else (*path, "type"),
                    f"EMR step '{step.name}' "
                    + ("has both cluster_id and cluster_config" if both else "names no cluster"),
                    "give cluster_id (a running cluster) or cluster_config (a cluster created for the step), not both.",
                )
            )
        if step.execution_role is not None and step.cluster_id is None:
            issues.append(
                Issue(
                    "MLG381",
                    (*path, "execution_role"),
                    f"EMR step '{step.name}': execution_role needs cluster_id",
                    "EMR takes a step's runtime role only when the step is added to a running cluster "
                    "(AddJobFlowSteps); a created cluster runs as its JobFlowRole.",
                )
            )
        if step.cluster_config is not None:
            issues += _cluster_config(step.name, step.cluster_config, (*path, "cluster_config"))
    return issues


def _cluster_config(name: str, config: dict[str, Any], path: PathKey) -> list[Issue]:
    issues = _unknown_keys(config, RUN_JOB_FLOW_MEMBERS, path, "RunJobFlow")
    for key in SET_BY_PIPELINE:
        if key in config:
            issues.append(
                Issue(
                    "MLG382",
                    (*path, key),
                    f"EMR step '{name}': cluster_config must not set {key}",
                    "the pipeline names the cluster, adds the step and terminates the cluster after it.",
                )
            )
    tags = config.get("Tags", [])
    if not (isinstance(tags, list) and all(isinstance(t, dict) and set(t) <= {"Key", "Value"} for t in tags)):
        issues.append(
            Issue(
                "MLG382",
                (*path, "Tags"),
                f"EMR step '{name}': cluster_config Tags must be a list of {{Key, Value}}",
                "mlopsgen adds the sagemaker:project-id tag the pipeline role's permissions are scoped by.",
            )
        )
    instances = config.get("Instances")
    if not isinstance(instances, dict):
        where = (*path, "Instances") if "Instances" in config else path
        issues.append(
            Issue(
                "MLG382",
                where,
                f"EMR step '{name}': cluster_config needs Instances (a mapping)",
                "e.g. Instances: {InstanceGroups: [{InstanceRole: MASTER, InstanceType: m5.xlarge, "
                "InstanceCount: 1}]}.",
            )
        )
    else:
        ipath = (*path, "Instances")
        issues += _unknown_keys(instances, INSTANCES_MEMBERS, ipath, "JobFlowInstancesConfig")
        for key in KEPT_BY_PIPELINE:
            if key in instances:
                issues.append(
                    Issue(
                        "MLG382",
                        (*ipath, key),
                        f"EMR step '{name}': Instances must not set {key}",
                        "the pipeline terminates the cluster it created when the step ends.",
                    )
                )
        if ("InstanceGroups" in instances) == ("InstanceFleets" in instances):
            issues.append(
                Issue(
                    "MLG382",
                    ipath,
                    f"EMR step '{name}': Instances needs exactly one of InstanceGroups and InstanceFleets",
                )
            )
    issues += _references(name, config, path)
    return issues


def _unknown_keys(mapping: dict[str, Any], known: frozenset[str], path: PathKey, shape: str) -> list[Issue]:
    return [
        Issue(
            "MLG125",
            (*path, key),
            f"unknown key '{key}' in {shape}'s request",
            did_you_mean(str(key), sorted(known)).strip() or f"{shape} takes: {', '.join(sorted(known))}.",
        )
        for key in mapping
        if key not in known
    ]


def _references(name: str, value: Any, path: PathKey) -> list[Issue]:
    """``${...}`` in a cluster configuration: the SDK passes it to EMR as written, never as a reference."""
    if isinstance(value, str):
        if "${" not in value:
            return []
        return [
            Issue(
                "MLG383",
                path,
                f"EMR step '{name}': cluster_config is sent to EMR as written; it cannot hold ${{...}} references",
                "write the literal value.",
                at_value=True,
            )
        ]
    if isinstance(value, dict):
        return [issue for key, item in value.items() for issue in _references(name, item, (*path, key))]
    if isinstance(value, list):
        return [issue for i, item in enumerate(value) for issue in _references(name, item, (*path, i))]
    return []


EXTERNAL_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (check_emr_steps,)
