"""The native definition equals the one the SageMaker SDK (3.27.0) builds, for every example.

The SDK engine runs in a subprocess whose sockets refuse to connect, which proves it builds the
definition offline. Comparison is on parsed JSON (data), with no normalisation: the SDK engine's
two documented adjustments (``_restore_tuning_security``, ``_restore_processing_output_key``) are part
of the engine, and separate tests below show exactly which fields they restore and that the SDK alone
drops them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import mlopsgen

from .conftest import BLUEPRINTS, ROOT

_OFFLINE_RUNNER = r"""
import json, socket, sys, pathlib

def refuse(*args, **kwargs):
    raise OSError("network access attempted while building offline")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import mlopsgen
out = {}
for path in sys.argv[1:]:
    result = mlopsgen.render(pathlib.Path(path), engine="sdk")
    assert result.ok, [d.format() for d in result.diagnostics]
    out[path] = result.files["model-build/pipeline-definition.json"]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def sdk_definitions() -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", _OFFLINE_RUNNER, *map(str, BLUEPRINTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    data: dict[str, str] = json.loads(proc.stdout.splitlines()[-1])
    return data


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_native_definition_equals_sdk_definition(blueprint: Path, sdk_definitions: dict[str, str]) -> None:
    native = json.loads(mlopsgen.render(blueprint).files["model-build/pipeline-definition.json"])
    sdk = json.loads(sdk_definitions[str(blueprint)])
    assert native == sdk


def test_sdk_engine_output_is_formatted_like_native(sdk_definitions: dict[str, str]) -> None:
    for path, text in sdk_definitions.items():
        native = mlopsgen.render(Path(path)).files["model-build/pipeline-definition.json"]
        assert text == native, f"{path}: same data but different bytes"


def test_sdk_tuner_drops_security_fields_that_the_engine_restores() -> None:
    """Documents the one SDK gap the engine works around, so a fixed SDK release is noticed."""
    script = r"""
import json, pathlib
import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
plan, _ = plan_blueprint(pathlib.Path("blueprints/fraud_secure.yaml"))
raw = json.loads(sagemaker_sdk.build_pipeline(plan).definition())
tuning = [s for s in raw["Steps"] if s["Type"] == "Tuning"][0]["Arguments"]["TrainingJobDefinition"]
print(json.dumps({"keys": sorted(tuning), "resources": sorted(tuning["ResourceConfig"])}))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    raw = json.loads(proc.stdout.splitlines()[-1])
    assert "EnableNetworkIsolation" not in raw["keys"]
    assert "EnableInterContainerTrafficEncryption" not in raw["keys"]
    assert "VolumeKmsKeyId" not in raw["resources"]
    assert "VpcConfig" in raw["keys"]


def test_sdk_processor_drops_the_output_key_of_a_job_without_outputs() -> None:
    """The second SDK gap: no outputs, no ProcessingOutputConfig, so no sagemaker:OutputKmsKey."""
    script = r"""
import json, pathlib
from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
plan, _ = plan_blueprint(pathlib.Path("blueprints/fraud_secure.yaml"))
raw = json.loads(sagemaker_sdk.build_pipeline(plan).definition())
step = [s for s in raw["Steps"] if s["Name"] == "ValidateSchema"][0]["Arguments"]
print(json.dumps(sorted(step)))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    keys = json.loads(proc.stdout.splitlines()[-1])
    assert "ProcessingOutputConfig" not in keys
    assert "NetworkConfig" in keys
    native = json.loads(
        mlopsgen.render(ROOT / "blueprints" / "fraud_secure.yaml").files["model-build/pipeline-definition.json"]
    )
    validate = next(s for s in native["Steps"] if s["Name"] == "ValidateSchema")["Arguments"]
    assert validate["ProcessingOutputConfig"]["Outputs"] == []
    assert validate["ProcessingOutputConfig"]["KmsKeyId"]


def test_hand_written_sdk_pipeline_equals_generated_abalone(tmp_path: Path) -> None:
    """bench/sdk_abalone.py is abalone written the usual way with the SDK; it must agree with us."""
    out = tmp_path / "sdk.json"
    guard = (
        "import socket, runpy, sys\n"
        "def refuse(*a, **k):\n    raise OSError('network access attempted')\n"
        "socket.socket.connect = refuse\nsocket.getaddrinfo = refuse\n"
        f"sys.argv = ['sdk_abalone.py', {str(out)!r}]\n"
        "runpy.run_path('bench/sdk_abalone.py', run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", guard], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    generated = ROOT / "generated" / "abalone" / "model-build" / "pipeline-definition.json"
    assert json.loads(out.read_text()) == json.loads(generated.read_text())


def test_transform_instance_count_from_a_parameter_renders_with_both_engines_alike(tmp_path: Path) -> None:
    """Found by the engines-agree generator: sagemaker 3.27.0's Transformer takes an int count only, so the
    SDK engine crashed on ``count: ${params.N}``; it now builds with a literal and restores the reference."""
    blueprint = {
        "version": 1,
        "project": {"name": "gen", "id": "p-gen1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "parameters": {"N": {"type": "integer", "default": 2}},
            "steps": [
                {"name": "T", "type": "training", "image": {"framework": "xgboost", "version": "1.7-1"}},
                {"name": "M", "type": "create_model", "model_from": "T"},
                {
                    "name": "S",
                    "type": "transform",
                    "model": "M",
                    "instance": {"type": "ml.m5.xlarge", "count": "${params.N}"},
                    "input": {"source": "s3://bucket/in/"},
                },
            ],
        },
    }
    path = tmp_path / "gen.yaml"
    path.write_text(yaml.safe_dump(blueprint), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _OFFLINE_RUNNER, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    sdk = json.loads(json.loads(proc.stdout.splitlines()[-1])[str(path)])
    native = json.loads(mlopsgen.render(path).files["model-build/pipeline-definition.json"])
    assert sdk == native
    (transform,) = [s for s in native["Steps"] if s["Name"] == "S"]
    assert transform["Arguments"]["TransformResources"]["InstanceCount"] == {"Get": "Parameters.N"}
