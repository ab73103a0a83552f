"""Generator pieces for the Lambda, EMR and Callback steps (used by ``blueprint_strategy.blueprints``).

Each builder draws a valid step: a function by ARN or name, a queue URL, a running cluster or a
cluster configuration the SDK accepts; inputs and arguments are literals, parameters, execution
variables, earlier processing outputs or earlier lambda/callback outputs; outputs of every type,
which later steps (these, fail messages and conditions) read as ``${steps.S.outputs.o}``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .blueprint_strategy import _common, _literal_or_param, _optional, _s3_source, _State

_OUTPUT_TYPES = ("String", "Integer", "Boolean", "Float")
_FUNCTIONS = [
    "arn:aws:lambda:eu-west-1:111111111111:function:score-model",
    "arn:aws:lambda:eu-west-1:111111111111:function:notify:prod",
    "notify-team",
    "check:$LATEST",
]
_QUEUES = [
    "https://sqs.eu-west-1.amazonaws.com/111111111111/approvals",
    "https://sqs.us-east-1.amazonaws.com/111111111111/review.fifo",
]
_CLUSTER_CONFIGS = [
    {
        "ReleaseLabel": "emr-6.15.0",
        "Instances": {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}]},
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
    },
    {
        "ReleaseLabel": "emr-7.1.0",
        "Applications": [{"Name": "Spark"}],
        "Instances": {
            "InstanceFleets": [
                {
                    "InstanceFleetType": "MASTER",
                    "TargetOnDemandCapacity": 1,
                    "InstanceTypeConfigs": [{"InstanceType": "m5.xlarge"}],
                }
            ],
            "Ec2SubnetId": "subnet-0a11b22c33d44e55f",
        },
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
        "VisibleToAllUsers": True,
    },
]


def step_outputs(state: _State) -> list[tuple[str, str]]:
    """(step, output) pairs of the lambda and callback steps drawn so far."""
    found: list[tuple[str, str]] = state.__dict__.setdefault("step_outputs", [])
    return found


def output_ref(draw: st.DrawFn, state: _State) -> str | None:
    """``${steps.S.outputs.o}`` of an earlier lambda or callback step, when there is one."""
    outputs = step_outputs(state)
    if not outputs:
        return None
    step, out = draw(st.sampled_from(outputs))
    return f"${{steps.{step}.outputs.{out}}}"


def _value(draw: st.DrawFn, state: _State) -> Any:
    kind = draw(st.sampled_from(["literal", "s3", "output", "text"]))
    if kind == "s3":
        return _s3_source(draw, state)
    if kind == "output":
        return output_ref(draw, state) or _literal_or_param(draw, state)
    if kind == "text":
        return draw(st.sampled_from(["run-${execution.id}", "${execution.pipeline_name}"]))
    return _literal_or_param(draw, state)


def _inputs(draw: st.DrawFn, state: _State) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(["data", "threshold", "model", "note"]), unique=True, max_size=3))
    return {key: _value(draw, state) for key in keys}


def _outputs(draw: st.DrawFn, state: _State, name: str) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(["status", "score", "approved", "count"]), unique=True, max_size=3))
    outputs = {out: draw(st.sampled_from(_OUTPUT_TYPES)) for out in names}
    step_outputs(state).extend((name, out) for out in outputs)
    return outputs


def lambda_step(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "lambda", "function": draw(st.sampled_from(_FUNCTIONS))}
    _common(draw, step, state, job=False, retry=False)
    _cache(draw, step)
    if draw(st.booleans()):
        step["inputs"] = _inputs(draw, state)
    outputs = _outputs(draw, state, name)
    empty_too: bool = draw(st.booleans())  # an empty outputs mapping is written sometimes
    if outputs or empty_too:
        step["outputs"] = outputs
    return step


def callback_step(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "callback", "queue_url": draw(st.sampled_from(_QUEUES))}
    _common(draw, step, state, job=False, retry=False)
    _cache(draw, step)
    if draw(st.booleans()):
        step["inputs"] = _inputs(draw, state)
    outputs = _outputs(draw, state, name)
    empty_too: bool = draw(st.booleans())  # an empty outputs mapping is written sometimes
    if outputs or empty_too:
        step["outputs"] = outputs
    return step


def emr_step(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    config: dict[str, Any] = {"jar": draw(st.sampled_from(["command-runner.jar", "s3://bucket/jobs/etl.jar"]))}
    if draw(st.booleans()):
        words = st.sampled_from(["spark-submit", "--deploy-mode", "cluster"])
        config["args"] = draw(st.lists(words | st.just(_value(draw, state)), max_size=4))
    _optional(draw, config, "main_class", st.sampled_from(["com.example.Main", "Etl"]))
    _optional(draw, config, "properties", st.sampled_from([{"mapreduce.job.maps": "2"}, {"a": "b", "c": ""}]))
    step: dict[str, Any] = {"name": name, "type": "emr", "step": config}
    _common(draw, step, state, job=False, retry=False)
    _cache(draw, step)
    if draw(st.booleans()):
        step["cluster_config"] = draw(st.sampled_from(_CLUSTER_CONFIGS))
    else:
        step["cluster_id"] = draw(st.sampled_from(["j-2AXXXXXXGAPLF", "j-1K48XXXXXXHCB"]))
        _optional(draw, step, "execution_role", st.just("arn:aws:iam::111111111111:role/emr-runtime"))
    return step


def _cache(draw: st.DrawFn, step: dict[str, Any]) -> None:
    _optional(draw, step, "cache", st.sampled_from([True, {"expire_after": "P7d"}]))


EXTERNAL_BUILDERS = {"lambda": lambda_step, "callback": callback_step, "emr": emr_step}
