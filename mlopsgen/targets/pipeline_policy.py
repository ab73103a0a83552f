"""Plan → the pipeline role's permissions for Lambda, EMR and Callback steps (pipeline-role-policy.yml).

SageMaker runs these steps as the pipeline's role (``roles.pipeline``, by default the account's
AmazonSageMakerProjectsExecutionRole, which mlopsgen does not create): it invokes the function,
sends the message, and adds, watches and cancels the EMR step, creating and terminating the cluster
when the step brings its own configuration. This stack is one managed policy attached to that role,
granting exactly those calls on the blueprint's resources:

- ``lambda:InvokeFunction`` on each function ARN the definition names (a qualified ARN is its own
  resource, so it is granted as written);
- ``sqs:SendMessage`` on each callback queue (ARN from its URL);
- ``elasticmapreduce:AddJobFlowSteps``, ``DescribeStep``, ``CancelSteps``, ``DescribeCluster`` on each
  running cluster by ARN, and ``iam:PassRole`` on a step's runtime role (EMR checks it when a step
  with ``ExecutionRoleArn`` is added);
- for a cluster created for the step: ``RunJobFlow`` only with the ``sagemaker:project-id`` request tag
  (the Plan adds it to the configuration's Tags), the step and cluster actions plus
  ``TerminateJobFlows`` only on clusters carrying that tag, and ``iam:PassRole`` on the cluster's
  service, instance-profile and autoscaling roles named in the configuration.

Emitted only when the pipeline has such a step. ``tests/test_pipeline_role_policy.py`` evaluates it
against the calls each step makes, and ``tests/test_iam_scope.py``'s rule finds no unscoped wildcard.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header
from mlopsgen.targets.iam import PROJECT_TAG, allow, project_resource

NAME = "pipeline_policy"
TEMPLATE = "infrastructure/pipeline-role-policy.yml"
FILES = {TEMPLATE: "what the pipeline's role needs for its Lambda, EMR and Callback steps"}
STEP_ACTIONS = (
    "elasticmapreduce:AddJobFlowSteps",
    "elasticmapreduce:CancelSteps",
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:DescribeStep",
)
_QUEUE_URL = re.compile(r"^https://(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(\.cn)?/(\d{12})/(.+)$")
_CLUSTER_ROLES = ("ServiceRole", "JobFlowRole", "AutoScalingRole")


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the policy stack when the pipeline has a Lambda, EMR or Callback step.

    Args:
        plan: The resolved blueprint.

    Returns:
        The policy template, or nothing.
    """
    steps = external_steps(plan.pipeline.steps)
    if not steps:
        return []
    header = generated_header(plan, "Permissions of the pipeline's role for its Lambda, EMR and Callback steps.")
    return [OutputFile(TEMPLATE, dump_yaml(template(plan, steps), header))]


def external_steps(steps: tuple[ir.Step, ...]) -> list[ir.LambdaStep | ir.CallbackStep | ir.EmrStep]:
    """The pipeline's lambda, callback and EMR steps, condition branches included, in order."""
    return ir.steps_of(steps, ir.LambdaStep, ir.CallbackStep, ir.EmrStep)


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def queue_arn(url: str) -> str:
    """The ARN of an SQS queue from its URL (validation guarantees the URL's shape)."""
    match = _QUEUE_URL.match(url)
    assert match is not None, url
    region = match.group(1) or match.group(2)
    return f"arn:{_partition(region)}:sqs:{region}:{match.group(4)}:{match.group(5)}"


def _role_arn(name_or_arn: str, partition: str, account: str) -> str:
    return name_or_arn if name_or_arn.startswith("arn:") else f"arn:{partition}:iam::{account}:role/{name_or_arn}"


def statements(plan: ir.Plan, steps: list[ir.LambdaStep | ir.CallbackStep | ir.EmrStep]) -> list[dict[str, Any]]:
    """The policy's statements for the given steps."""
    project = plan.project
    partition = _partition(project.region)
    clusters = f"arn:{partition}:elasticmapreduce:{project.region}:{project.account}:cluster"
    functions = sorted({s.function_arn for s in steps if isinstance(s, ir.LambdaStep)})
    queues = sorted({queue_arn(s.queue_url) for s in steps if isinstance(s, ir.CallbackStep)})
    emr = [s for s in steps if isinstance(s, ir.EmrStep)]
    running = sorted({f"{clusters}/{s.cluster_id}" for s in emr if s.cluster_id})
    runtime_roles = sorted({s.execution_role_arn for s in emr if s.execution_role_arn})
    configs = [json.loads(s.cluster_config) for s in emr if s.cluster_config]
    cluster_roles = sorted(
        {_role_arn(c[key], partition, project.account) for c in configs for key in _CLUSTER_ROLES if c.get(key)}
    )
    out: list[dict[str, Any]] = []
    if functions:
        out.append(allow("InvokeStepFunctions", ["lambda:InvokeFunction"], functions))
    if queues:
        out.append(allow("SendCallbackMessages", ["sqs:SendMessage"], queues))
    if running:
        out.append(allow("RunStepsOnClusters", list(STEP_ACTIONS), running))
    if runtime_roles:
        out.append(allow("PassStepRuntimeRoles", ["iam:PassRole"], runtime_roles))
    if configs:
        out += [
            allow(
                "CreateProjectClusters",
                ["elasticmapreduce:AddTags", "elasticmapreduce:RunJobFlow"],
                ["*"],
                {"StringEquals": {f"aws:RequestTag/{PROJECT_TAG}": project.id}},
            ),
            allow(
                "RunStepsOnProjectClusters",
                [*STEP_ACTIONS, "elasticmapreduce:TerminateJobFlows"],
                [f"{clusters}/*"],
                project_resource(project.id),
            ),
        ]
        if cluster_roles:
            out.append(allow("PassClusterRoles", ["iam:PassRole"], cluster_roles))
    return out


def template(plan: ir.Plan, steps: list[ir.LambdaStep | ir.CallbackStep | ir.EmrStep]) -> dict[str, Any]:
    """The stack: one managed policy attached to the pipeline's execution role."""
    role_name = plan.project.pipeline_role_arn.rsplit("/", 1)[-1]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Pipeline step permissions of project {plan.names.project_name_id} (generated by mlopsgen).",
        "Resources": {
            "PipelineStepPermissions": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": f"sagemaker-{plan.names.project_name_id}-pipeline-steps",
                    "Description": "Lets the pipeline's execution role run the project's Lambda, EMR and "
                    "Callback steps.",
                    "Roles": [role_name],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements(plan, steps)},
                },
            }
        },
        "Outputs": {"PolicyArn": {"Value": {"Ref": "PipelineStepPermissions"}}},
    }
