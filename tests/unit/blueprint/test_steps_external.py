"""Lambda, EMR and Callback steps: the shapes, the EMR checks and the references agree with AWS's data and the SDK."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.loaders  # type: ignore[import-untyped]
import pytest

import mlopsgen
from mlopsgen.blueprint.aws_shapes import SHAPES
from mlopsgen.blueprint.checks_external import INSTANCES_MEMBERS, RUN_JOB_FLOW_MEMBERS
from mlopsgen.plan.build_external import function_arn

PROJECT = 'project: {name: steps, id: p-steps01, region: eu-west-1, account: "111111111111"}\n'
INSTANCES = {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}]}


def _shape(service: str, name: str) -> dict[str, Any]:
    model = botocore.loaders.Loader().load_service_model(service, "service-2")
    shape: dict[str, Any] = model["shapes"][name]
    return shape


def test_cluster_config_tables_equal_botocores_run_job_flow() -> None:
    assert set(_shape("emr", "RunJobFlowInput")["members"]) == RUN_JOB_FLOW_MEMBERS
    assert set(_shape("emr", "JobFlowInstancesConfig")["members"]) == INSTANCES_MEMBERS


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:lambda:eu-west-1:111122223333:function:my-function",
        "arn:aws:lambda:eu-west-1:111122223333:function:my-function:$LATEST",
        "arn:aws:lambda:eu-west-1:111122223333:function:my_function:prod",
        "arn:aws-cn:lambda:cn-north-1:111122223333:function:f",
        "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f:7",
    ],
)
def test_lambda_arns_are_botocores_function_arns(value: str) -> None:
    assert re.fullmatch(SHAPES["lambda_function"].pattern, value)
    assert re.fullmatch(_shape("lambda", "FunctionArn")["pattern"], value)


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:lambda:eu-west-1:111122223333:my-function",  # no function:
        "arn:aws:lambda:eu-west-1:1111:function:f",  # short account
        "111122223333:function:f",  # partial ARN (botocore's FunctionName takes it; SageMaker wants the ARN)
        "my function",
        "f" * 65,
        "arn:aws:lambda:eu-west-1:١١١١٢٢٢٢٣٣٣٣:function:f",  # non-ASCII digits
    ],
)
def test_near_miss_functions_are_refused(value: str) -> None:
    assert not re.fullmatch(SHAPES["lambda_function"].pattern, value)


@pytest.mark.parametrize(
    ("function", "region", "expected"),
    [
        ("notify", "eu-west-1", "arn:aws:lambda:eu-west-1:111111111111:function:notify"),
        ("notify:prod", "cn-north-1", "arn:aws-cn:lambda:cn-north-1:111111111111:function:notify:prod"),
        ("notify", "us-gov-west-1", "arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:notify"),
        (
            "arn:aws:lambda:us-east-1:222222222222:function:other",
            "eu-west-1",
            "arn:aws:lambda:us-east-1:222222222222:function:other",
        ),
    ],
)
def test_a_function_name_is_the_projects_function(function: str, region: str, expected: str) -> None:
    assert function_arn(function, region, "111111111111") == expected
    assert re.fullmatch(_shape("lambda", "FunctionArn")["pattern"], expected)


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/approvals", True),
        ("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/approvals", True),
        ("https://eu-west-1.queue.amazonaws.com/111122223333/approvals", True),
        ("https://sqs.us-east-1.amazonaws.com/111122223333/review.fifo", True),
        ("http://sqs.eu-west-1.amazonaws.com/111122223333/approvals", False),
        ("https://sqs.eu-west-1.amazonaws.com/approvals", False),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/" + "q" * 81, False),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/a b", False),
    ],
)
def test_queue_urls(url: str, valid: bool) -> None:
    assert bool(re.fullmatch(SHAPES["sqs_queue_url"].pattern, url)) is valid


def _emr_diagnostics(step: str) -> list[str]:
    text = PROJECT + "pipeline:\n  steps:\n    - " + step + "\n"
    return [d.code for d in mlopsgen.validate(text, name="steps.yaml")]


def _sdk_accepts(cluster_id: str | None, config: dict[str, Any] | None, role: str | None) -> bool:
    from mlopsgen.targets.sagemaker_sdk import _offline

    _offline("eu-west-1")  # the SDK needs a region at import; the engine's offline settings
    from sagemaker.mlops.workflow.emr_step import EMRStep, EMRStepConfig

    try:
        EMRStep(
            name="S",
            display_name=None,
            description=None,
            cluster_id=cluster_id,
            step_config=EMRStepConfig(jar="command-runner.jar"),
            cluster_config=config,
            execution_role_arn=role,
        )
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("cluster_id", "config", "role"),
    [
        ("j-2AXXXXXXGAPLF", None, None),
        ("j-2AXXXXXXGAPLF", None, "arn:aws:iam::111111111111:role/r"),
        (None, {"Instances": INSTANCES}, None),
        (None, {"Instances": {"InstanceFleets": []}, "ReleaseLabel": "emr-6.15.0"}, None),
        ("j-2AXXXXXXGAPLF", {"Instances": INSTANCES}, None),
        (None, None, None),
        (None, {"Instances": INSTANCES}, "arn:aws:iam::111111111111:role/r"),
        (None, {"Name": "x", "Instances": INSTANCES}, None),
        (None, {"Steps": [], "Instances": INSTANCES}, None),
        (None, {"AutoTerminationPolicy": {"IdleTimeout": 60}, "Instances": INSTANCES}, None),
        (None, {"ReleaseLabel": "emr-6.15.0"}, None),
        (None, {"Instances": {**INSTANCES, "KeepJobFlowAliveWhenNoSteps": True}}, None),
        (None, {"Instances": {**INSTANCES, "TerminationProtected": False}}, None),
        (None, {"Instances": {**INSTANCES, "InstanceFleets": []}}, None),
        (None, {"Instances": {"Ec2SubnetId": "subnet-0a1b2c3d"}}, None),
    ],
)
def test_emr_checks_refuse_what_the_sdk_refuses(
    cluster_id: str | None, config: dict[str, Any] | None, role: str | None
) -> None:
    pytest.importorskip("sagemaker")
    step: dict[str, Any] = {"name": "S", "type": "emr", "step": {"jar": "command-runner.jar"}}
    if cluster_id:
        step["cluster_id"] = cluster_id
    if config is not None:
        step["cluster_config"] = config
    if role:
        step["execution_role"] = role
    codes = _emr_diagnostics(json.dumps(step))
    assert (codes == []) is _sdk_accepts(cluster_id, config, role), codes
    assert set(codes) <= {"MLG380", "MLG381", "MLG382"}


def test_lambda_and_callback_outputs_are_read_as_output_parameters() -> None:
    text = (
        PROJECT
        + "pipeline:\n  steps:\n"
        + "    - {name: L, type: lambda, function: f, outputs: {score: Float}}\n"
        + "    - {name: C, type: callback, queue_url: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q',"
        + " inputs: {s: '${steps.L.outputs.score}'}, outputs: {ok: Boolean}}\n"
        + "    - {name: F, type: fail, message: 'x ${steps.C.outputs.ok}'}\n"
    )
    result = mlopsgen.render(text, name="steps.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    steps = {s["Name"]: s for s in json.loads(result.files["model-build/pipeline-definition.json"])["Steps"]}
    assert steps["C"]["Arguments"] == {"s": {"Get": "Steps.L.OutputParameters['score']"}}
    assert steps["F"]["Arguments"]["ErrorMessage"]["Std:Join"]["Values"][1] == {"Get": "Steps.C.OutputParameters['ok']"}
    assert steps["L"]["FunctionArn"] == "arn:aws:lambda:eu-west-1:111111111111:function:f"
