"""Every training, tuning and processing step's Arguments fit botocore's request shape (issue 13, point 3).

A pipeline step's ``Arguments`` are the body SageMaker Pipelines sends to CreateTrainingJob,
CreateHyperParameterTuningJob or CreateProcessingJob (the job name added at run time). Each body is walked
together with botocore's input shape for that operation: no member the API lacks, every required member
present, scalar types, enums, and the model's min/max bounds on numbers, text lengths and list lengths.
A pipeline expression (``Get``, ``Std:Join``, ``Std:JsonGet``) stands for a scalar known at run time and is
accepted wherever a scalar is. Checked on the examples and on generated blueprints (the generator covers
every training and tuning option).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, note, settings

import mlopsgen

from .conftest import ROOT
from .support.blueprint_strategy import blueprints
from .support.sagemaker_requests import input_shape

OPERATIONS = {
    "Training": ("sagemaker:CreateTrainingJob", "TrainingJobName"),
    "Tuning": ("sagemaker:CreateHyperParameterTuningJob", "HyperParameterTuningJobName"),
    "Processing": ("sagemaker:CreateProcessingJob", "ProcessingJobName"),
}
_EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")
_SCALAR_TYPES = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (int, float),
    "double": (int, float),
}


def shape_problems(value: Any, shape: Any, path: str) -> list[str]:
    """Where ``value`` breaks botocore's ``shape`` (empty when it fits)."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _EXPRESSIONS:
        return [] if shape.type_name in _SCALAR_TYPES else [f"{path}: an expression where a {shape.type_name} goes"]
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not a structure"]
        problems = [f"{path}.{k}: not in {shape.name}" for k in value if k not in shape.members]
        problems += [f"{path}: missing required {k}" for k in shape.required_members if k not in value]
        for key, member in value.items():
            if key in shape.members:
                problems += shape_problems(member, shape.members[key], f"{path}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        problems = _bounds(len(value), meta, f"{path} (length)")
        for i, item in enumerate(value):
            problems += shape_problems(item, shape.member, f"{path}[{i}]")
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: not a map"]
        problems = _bounds(len(value), meta, f"{path} (entries)")
        for key, item in value.items():
            problems += shape_problems(key, shape.key, f"{path} key")
            problems += shape_problems(item, shape.value, f"{path}.{key}")
        return problems
    types = _SCALAR_TYPES[kind]
    if not isinstance(value, types) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{path}: {value!r} is not a {kind}"]
    if kind == "string":
        problems = _bounds(len(str(value)), meta, f"{path} (length)")
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in {shape.enum}")
        return problems
    return _bounds(cast(int, value), meta, path) if kind in ("integer", "long") else []


def _bounds(number: float, meta: dict[str, Any], path: str) -> list[str]:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and number < low:
        return [f"{path}: {number} below botocore's min {low}"]
    if high is not None and number > high:
        return [f"{path}: {number} above botocore's max {high}"]
    return []


def request_problems(definition: dict[str, Any]) -> list[str]:
    """Shape problems of every job-creating step, conditions' branches included."""
    problems: list[str] = []
    stack = list(definition["Steps"])
    while stack:
        step = stack.pop()
        if step["Type"] == "Condition":
            stack += step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"]
        if step["Type"] not in OPERATIONS:
            continue
        action, name_member = OPERATIONS[step["Type"]]
        body = {name_member: "run-time-name", **step["Arguments"]}
        problems += shape_problems(body, input_shape(action), f"{step['Name']}")
    return problems


def test_the_check_finds_what_botocore_refuses() -> None:
    """The walker itself: each kind of problem it must see, on a body that is otherwise valid."""
    shape = input_shape("sagemaker:CreateTrainingJob")
    body: dict[str, Any] = {
        "TrainingJobName": "x",
        "AlgorithmSpecification": {"TrainingImage": "i", "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::111111111111:role/r",
        "OutputDataConfig": {"S3OutputPath": {"Get": "Parameters.Out"}},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }
    assert shape_problems(body, shape, "T") == []
    broken = json.loads(json.dumps(body))
    broken["AlgorithmSpecification"]["TrainingInputMode"] = "Stream"
    broken["ResourceConfig"]["KeepAlivePeriodInSeconds"] = 21601
    broken["RetryStrategy"] = {}
    broken["Spot"] = True
    assert sorted(shape_problems(broken, shape, "T")) == [
        "T.AlgorithmSpecification.TrainingInputMode: 'Stream' not in ['Pipe', 'File', 'FastFile']",
        "T.ResourceConfig.KeepAlivePeriodInSeconds: 21601 above botocore's max 21600",
        "T.RetryStrategy: missing required MaximumRetryAttempts",
        "T.Spot: not in CreateTrainingJobRequest",
    ]


@pytest.mark.parametrize("blueprint", sorted((ROOT / "blueprints").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_requests_fit_botocore(blueprint: Path) -> None:
    result = mlopsgen.render(blueprint)
    assert result.ok
    assert request_problems(json.loads(result.files["model-build/pipeline-definition.json"])) == []


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=blueprints())
def test_generated_requests_fit_botocore(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    blueprint, code = drawn
    note(json.dumps(blueprint, indent=1))
    result = mlopsgen.render(blueprint, code=code)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert request_problems(json.loads(result.files["model-build/pipeline-definition.json"])) == []
