"""The pipeline role's policy for Lambda, EMR and Callback steps: sufficient for the calls, scoped to the project.

Calls are derived from the rendered pipeline definition (what SageMaker receives), not from the Plan:
a Lambda step invokes its ``FunctionArn``; a Callback step sends to its ``SqsQueueUrl``; an EMR step
adds, describes and cancels its step on ``ClusterId`` (passing ``ExecutionRoleArn``), or creates the
cluster from ``ClusterConfig`` with that configuration's tags (RunJobFlow, tag-on-create), works on
it and terminates it, passing the roles the configuration names. The policy is evaluated with IAM's
condition semantics (tests/support/iam_conditions.py); other projects' resources must be refused,
and tests/test_iam_scope.py's wildcard rule must find nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.api import render

from .support import iam_conditions
from .support.cfn import lint
from .test_iam_scope import wildcards

ACCOUNT = "111122223333"
REGION = "eu-west-1"
PROJECT_ID = "p-steps01"
POLICY = "infrastructure/pipeline-role-policy.yml"
BLUEPRINT = f"""
project: {{name: steps, id: {PROJECT_ID}, region: {REGION}, account: "{ACCOUNT}"}}
pipeline:
  steps:
    - name: Score
      type: lambda
      function: score-model
      outputs: {{ok: Boolean}}
    - name: Notify
      type: lambda
      function: arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify:prod
    - name: Approve
      type: callback
      queue_url: https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/approvals
      outputs: {{approved: Boolean}}
    - name: Etl
      type: emr
      cluster_id: j-2AXXXXXXGAPLF
      execution_role: arn:aws:iam::{ACCOUNT}:role/emr-runtime
      step: {{jar: command-runner.jar, args: [spark-submit, s3://bucket/etl.py]}}
    - name: Batch
      type: emr
      cluster_config:
        ReleaseLabel: emr-6.15.0
        Instances: {{InstanceGroups: [{{InstanceRole: MASTER, InstanceType: m5.xlarge, InstanceCount: 1}}]}}
        JobFlowRole: EMR_EC2_DefaultRole
        ServiceRole: arn:aws:iam::{ACCOUNT}:role/EMR_DefaultRole
        Tags: [{{Key: team, Value: ml}}]
      step: {{jar: s3://bucket/job.jar}}
    - name: Gate
      type: condition
      if: {{eq: ["${{steps.Approve.outputs.approved}}", true]}}
      then: [Late]
    - name: Late
      type: lambda
      function: late-notice
deploy:
  stages:
    - {{name: staging, instance_type: ml.m5.large}}
"""
REGISTER = """
    - name: Register
      type: register_model
      image: {framework: xgboost, version: "1.7-1"}
      model_data: s3://bucket/model.tar.gz
      content_types: [text/csv]
      response_types: [text/csv]
      inference_instances: [ml.m5.large]
"""
Call = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = BLUEPRINT.replace("deploy:", REGISTER.strip("\n") + "\ndeploy:", 1)
    result = render(text, name="steps.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    root = tmp_path_factory.mktemp("steps")
    for path, content in result.files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def _policy(root: Path) -> list[iam_conditions.Statement]:
    template = yaml.safe_load((root / POLICY).read_text())
    document = template["Resources"]["PipelineStepPermissions"]["Properties"]["PolicyDocument"]
    return [s for s in iam_conditions.statements(document, "aws", ACCOUNT) if s.effect == "Allow"]


def _steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        out.append(step)
        if step["Type"] == "Condition":
            out += _steps(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])
    return out


def calls(definition: dict[str, Any]) -> list[Call]:
    """What SageMaker does as the pipeline role for each Lambda, Callback and EMR step of a definition."""
    found: list[Call] = []
    for step in _steps(definition["Steps"]):
        if step["Type"] == "Lambda":
            found.append(("lambda:InvokeFunction", step["FunctionArn"], {}))
        elif step["Type"] == "Callback":
            match = re.fullmatch(r"https://sqs\.([a-z0-9-]+)\.amazonaws\.com/(\d{12})/(.+)", step["SqsQueueUrl"])
            assert match, step["SqsQueueUrl"]
            found.append(("sqs:SendMessage", f"arn:aws:sqs:{match[1]}:{match[2]}:{match[3]}", {}))
        elif step["Type"] == "EMR":
            found += _emr_calls(step["Arguments"])
    return found


def _emr_calls(arguments: dict[str, Any]) -> list[Call]:
    clusters = f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster"
    step_actions = ["AddJobFlowSteps", "DescribeStep", "CancelSteps", "DescribeCluster"]
    if "ClusterId" in arguments:
        cluster = f"{clusters}/{arguments['ClusterId']}"
        found: list[Call] = [(f"elasticmapreduce:{a}", cluster, {}) for a in step_actions]
        if "ExecutionRoleArn" in arguments:
            found.append(("iam:PassRole", arguments["ExecutionRoleArn"], {}))
        return found
    config = arguments["ClusterConfig"]
    tags = {t["Key"]: t["Value"] for t in config.get("Tags", [])}
    request: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    request["aws:TagKeys"] = sorted(tags)
    resource: dict[str, Any] = {f"aws:ResourceTag/{k}": v for k, v in tags.items()}
    created = f"{clusters}/j-CREATED0000001"
    found = [("elasticmapreduce:RunJobFlow", "*", request), ("elasticmapreduce:AddTags", created, request)]
    found += [(f"elasticmapreduce:{a}", created, resource) for a in [*step_actions, "TerminateJobFlows"]]
    for key in ("ServiceRole", "JobFlowRole", "AutoScalingRole"):
        if key in config:
            name = config[key]
            found.append(
                ("iam:PassRole", name if name.startswith("arn:") else f"arn:aws:iam::{ACCOUNT}:role/{name}", {})
            )
    return found


def _allowed(policy: list[iam_conditions.Statement], call: Call) -> bool:
    action, resource, context = call
    return any(s.applies(action, resource, context) for s in policy)


def test_every_call_of_every_step_is_allowed(rendered: Path) -> None:
    definition = json.loads((rendered / "model-build/pipeline-definition.json").read_text())
    found = calls(definition)
    assert len(found) == 18  # 3 functions, 1 queue, 4+1 on the running cluster, 2+5+2 for the created one
    policy = _policy(rendered)
    missing = [call for call in found if not _allowed(policy, call)]
    assert not missing, missing


@pytest.mark.parametrize(
    "call",
    [
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other-project", {}),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify", {}),  # unqualified
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:other-queue", {}),
        ("elasticmapreduce:AddJobFlowSteps", f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-OTHER", {}),
        (
            "elasticmapreduce:TerminateJobFlows",
            f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-2AXXXXXXGAPLF",
            {},
        ),
        (
            "elasticmapreduce:TerminateJobFlows",
            f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-OTHER",
            {"aws:ResourceTag/sagemaker:project-id": "p-other"},
        ),
        ("elasticmapreduce:RunJobFlow", "*", {"aws:RequestTag/team": "ml", "aws:TagKeys": ["team"]}),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin", {}),
    ],
)
def test_other_resources_are_refused(rendered: Path, call: Call) -> None:
    assert not _allowed(_policy(rendered), call)


def test_created_cluster_carries_the_project_tag_with_the_users_tags(rendered: Path) -> None:
    definition = json.loads((rendered / "model-build/pipeline-definition.json").read_text())
    (batch,) = [s for s in definition["Steps"] if s["Name"] == "Batch"]
    assert batch["Arguments"]["ClusterConfig"]["Tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "sagemaker:project-id", "Value": PROJECT_ID},
    ]


def test_no_unscoped_wildcard(rendered: Path) -> None:
    assert wildcards(rendered) == []


def test_policy_template_is_cfn_lint_clean(rendered: Path) -> None:
    assert lint((rendered / POLICY).read_text(), REGION) == []


def test_no_policy_without_such_steps() -> None:
    text = (
        f'project: {{name: plain, id: p-plain01, region: {REGION}, account: "{ACCOUNT}"}}\n'
        "pipeline:\n  steps:\n    - {name: Stop, type: fail}\n"
    )
    result = mlopsgen.render(text, name="plain.yaml")
    assert result.ok and POLICY not in result.files
