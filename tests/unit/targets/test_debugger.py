"""A training step's ``debugger:`` and ``profiler:`` (DebugHookConfig, ProfilerConfig) in both engines.

Expected bodies are botocore's member names with the blueprint's values, member for member: an empty map or
list and ``disable_profiler: false`` are sent as given (SDK v2 writes ``CollectionConfigurations: []`` and
``DisableProfiler: false``, and an imported v2 pipeline must render back equal). The SDK engine builds them
with sagemaker 3.27.0's shapes (its ModelTrainer has no Debugger parameters) in an offline subprocess.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

import mlopsgen
from tests.conftest import ROOT

URI = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3"
BASE: dict[str, Any] = {
    "version": 2,
    "project": {"name": "dbg", "id": "p-dbg000001", "region": "eu-west-1", "account": "111111111111"},
    "pipeline": {
        "parameters": {"DebugPath": {"type": "string", "default": "s3://acme/debug"}},
        "steps": [{"name": "Train", "type": "training", "image": {"uri": URI}, "channels": {"train": "s3://acme/t"}}],
    },
}
FULL = {
    "debugger": {
        "s3_output_path": "${params.DebugPath}",
        "local_path": "/opt/ml/output/tensors",
        "hook_parameters": {"save_interval": "100", "empty": ""},
        "collection_configurations": [
            {"name": "losses", "parameters": {"save_interval": "10"}},
            {"name": "weights", "parameters": {}},
            {"name": "gradients"},
        ],
    },
    "profiler": {
        "s3_output_path": "s3://acme/prof/${execution.id}",
        "profiling_interval_ms": 500,
        "profiling_parameters": {},
        "disable_profiler": False,
    },
}
FULL_BODIES = {
    "DebugHookConfig": {
        "S3OutputPath": {"Get": "Parameters.DebugPath"},
        "LocalPath": "/opt/ml/output/tensors",
        "HookParameters": {"save_interval": "100", "empty": ""},
        "CollectionConfigurations": [
            {"CollectionName": "losses", "CollectionParameters": {"save_interval": "10"}},
            {"CollectionName": "weights", "CollectionParameters": {}},
            {"CollectionName": "gradients"},
        ],
    },
    "ProfilerConfig": {
        "S3OutputPath": {
            "Std:Join": {"On": "", "Values": ["s3://acme/prof/", {"Get": "Execution.PipelineExecutionId"}]}
        },
        "ProfilingIntervalInMilliseconds": 500,
        "ProfilingParameters": {},
        "DisableProfiler": False,
    },
}
V2 = {
    "debugger": {"s3_output_path": "s3://b/x", "collection_configurations": []},
    "profiler": {"disable_profiler": False},
}
EMPTY_PATH = {"debugger": {"s3_output_path": "s3://b/x", "local_path": ""}}
V2_BODIES = {
    "DebugHookConfig": {"S3OutputPath": "s3://b/x", "CollectionConfigurations": []},
    "ProfilerConfig": {"DisableProfiler": False},
}


def _blueprint(**fields: Any) -> dict[str, Any]:
    blueprint = copy.deepcopy(BASE)
    blueprint["pipeline"]["steps"][0].update(fields)
    return blueprint


def _native(blueprint: dict[str, Any]) -> dict[str, Any]:
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    return json.loads(result.files["model-build/pipeline-definition.json"])["Steps"][0]["Arguments"]  # type: ignore[no-any-return]


_SDK = r"""
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted while building offline")
socket.socket.connect = refuse
socket.create_connection = refuse
from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
out = []
for blueprint in json.loads(sys.stdin.read()):
    plan, _ = plan_blueprint(blueprint)
    out.append(json.loads(sagemaker_sdk.emit(plan)[0].content)["Steps"][0]["Arguments"])
from sagemaker.core.shapes import DebugHookConfig, ProfilerConfig
from sagemaker.core.utils.utils import serialize
out.append([serialize(DebugHookConfig(s3_output_path="s3://b/x", collection_configurations=[])),
            serialize(ProfilerConfig(disable_profiler=False))])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def sdk() -> list[Any]:
    blueprints = [_blueprint(), _blueprint(**FULL), _blueprint(**V2), _blueprint(**EMPTY_PATH)]
    done = subprocess.run(
        [sys.executable, "-c", _SDK], input=json.dumps(blueprints), capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_step_without_them_sends_neither() -> None:
    args = _native(_blueprint())
    assert "DebugHookConfig" not in args and "ProfilerConfig" not in args


@pytest.mark.parametrize(("fields", "bodies"), [(FULL, FULL_BODIES), (V2, V2_BODIES)], ids=["full", "sdk-v2"])
def test_native_engine_writes_them_member_for_member(fields: dict[str, Any], bodies: dict[str, Any]) -> None:
    args = _native(_blueprint(**fields))
    assert {k: args[k] for k in bodies} == bodies


def test_sdk_engine_writes_the_same(sdk: list[Any]) -> None:
    plain, full, v2, empty_path, _ = sdk
    assert "DebugHookConfig" not in plain and "ProfilerConfig" not in plain
    assert full == _native(_blueprint(**FULL))
    assert {k: full[k] for k in FULL_BODIES} == FULL_BODIES
    assert v2 == _native(_blueprint(**V2))
    assert empty_path == _native(_blueprint(**EMPTY_PATH))
    assert empty_path["DebugHookConfig"] == {"S3OutputPath": "s3://b/x", "LocalPath": ""}


def test_the_sdk_serializer_drops_what_the_engine_puts_back(sdk: list[Any]) -> None:
    """Measured: sagemaker 3.27.0's ``serialize`` loses the empty list and the false flag SDK v2 writes."""
    assert sdk[-1] == [{"S3OutputPath": "s3://b/x"}, {}]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"debugger": {"s3_output_path": "acme/debug"}}, "s3_output_path"),
        ({"debugger": {"s3_output_path": "s3://a/" + "x" * 1020}}, "s3_output_path"),
        ({"debugger": {"s3_output_path": "s3://a", "hook_parameters": {f"k{i}": "v" for i in range(21)}}}, "hook"),
        ({"debugger": {"s3_output_path": "s3://a", "hook_parameters": {"k": "v" * 257}}}, "hook"),
        ({"debugger": {"s3_output_path": "s3://a", "collection_configurations": [{"name": ""}]}}, "name"),
        ({"debugger": {"s3_output_path": "s3://a", "collection_configurations": [{}] * 21}}, "collection"),
        ({"debugger": {"local_path": "/x"}}, "s3_output_path"),
        ({"profiler": {"profiling_interval_ms": 300}}, "profiling_interval_ms"),
        ({"profiler": {"disable": True}}, "disable"),
    ],
)
def test_botocore_limits_are_checked(fields: dict[str, Any], where: str) -> None:
    diagnostics = mlopsgen.validate(_blueprint(**fields))
    assert diagnostics and any(where in d.format() for d in diagnostics), [d.format() for d in diagnostics]


def test_a_tuning_step_has_neither() -> None:
    """HyperParameterTrainingJobDefinition has no DebugHookConfig or ProfilerConfig (botocore)."""
    import botocore.session

    shape = (
        botocore.session.get_session().get_service_model("sagemaker").shape_for("HyperParameterTrainingJobDefinition")
    )
    assert "DebugHookConfig" not in shape.members and "ProfilerConfig" not in shape.members
    blueprint = _blueprint(debugger={"s3_output_path": "s3://a"})
    blueprint["pipeline"]["steps"][0].update(
        type="tuning",
        objective={"metric": "m"},
        ranges={"lr": {"type": "continuous", "min": 0.1, "max": 1}},
        metric_definitions=[{"name": "m", "regex": "m=(.*)"}],
    )
    assert any("debugger" in d.format() for d in mlopsgen.validate(blueprint))
