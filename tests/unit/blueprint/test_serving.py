"""Serving checks: metric definitions of training and tuning steps, and what a stage may deploy.

The invalid corpus (tests/invalid/tuning_*, training_metric_*, deploy_stage_instance_*,
deploy_sample_content_type_*) holds the diagnostics; here are the valid counterparts and the tables.
"""

from __future__ import annotations

import json
import subprocess
import sys

import mlopsgen
from mlopsgen.blueprint.serving import BUILTIN_ALGORITHMS, SCRIPT_MODE_FRAMEWORKS
from mlopsgen.plan.images import frameworks
from tests.conftest import ROOT
from tests.unit.views.support import _code, edit

CHURN_TUNING_IMAGE = """      type: tuning
      image: {framework: xgboost, version: "1.7-1"}"""
CUSTOM_TUNING = """      type: tuning
      image: {uri: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn-train:3}
      metric_definitions:
        - {name: "validation:auc", regex: 'validation-auc:([0-9\\.]+)'}
        - {name: "train:auc", regex: 'train-auc:([0-9\\.]+)'}"""


def _custom_tuning() -> str:
    return edit("churn", (CHURN_TUNING_IMAGE, CUSTOM_TUNING))


def test_every_image_table_framework_is_classified() -> None:
    """A framework added to images.json must be declared built-in or script-mode, or tuning checks guess."""
    assert set(frameworks()) == BUILTIN_ALGORITHMS | SCRIPT_MODE_FRAMEWORKS
    assert not BUILTIN_ALGORITHMS & SCRIPT_MODE_FRAMEWORKS


def test_custom_image_tuning_with_metric_definitions_renders_them_in_order() -> None:
    result = mlopsgen.render(_custom_tuning(), name="churn.yaml", code=_code())
    assert result.ok, [d.format() for d in result.diagnostics]
    steps = json.loads(result.files["model-build/pipeline-definition.json"])["Steps"]
    [tuning] = [s for s in steps if s["Type"] == "Tuning"]
    objective = tuning["Arguments"]["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    algorithm = tuning["Arguments"]["TrainingJobDefinition"]["AlgorithmSpecification"]
    assert algorithm["MetricDefinitions"] == [
        {"Name": "validation:auc", "Regex": "validation-auc:([0-9\\.]+)"},
        {"Name": "train:auc", "Regex": "train-auc:([0-9\\.]+)"},
    ]
    assert objective["MetricName"] in {m["Name"] for m in algorithm["MetricDefinitions"]}


def test_builtin_algorithm_tuning_needs_no_metric_definitions() -> None:
    churn = mlopsgen.render(ROOT / "blueprints" / "churn.yaml")
    assert churn.ok
    steps = json.loads(churn.files["model-build/pipeline-definition.json"])["Steps"]
    [tuning] = [s for s in steps if s["Type"] == "Tuning"]
    assert "MetricDefinitions" not in tuning["Arguments"]["TrainingJobDefinition"]["AlgorithmSpecification"]


ABALONE_TRAINING_IMAGE = """      type: training
      image: {framework: xgboost, version: "1.7-1"}"""
CUSTOM_TRAINING = """      type: training
      image: {uri: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/abalone-train:3}
      metric_definitions:
        - {name: "validation:rmse", regex: 'validation-rmse:([0-9\\.]+)'}"""

_SDK_RUNNER = r"""
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted while building offline")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import mlopsgen
from tests.unit.views.support import _code
out = []
for name, text in json.loads(sys.stdin.read()):
    pair = {}
    for engine in ("native", "sdk"):
        result = mlopsgen.render(text, name=name, code=_code(), engine=engine)
        assert result.ok, [d.format() for d in result.diagnostics]
        pair[engine] = json.loads(result.files["model-build/pipeline-definition.json"])
    out.append(pair)
print(json.dumps(out))
"""


def test_sdk_engine_builds_the_same_metric_definitions_for_training_and_tuning() -> None:
    """The SDK oracle on blueprints with metric definitions on a training step and on a tuning step."""
    texts = [
        ("abalone.yaml", edit("abalone", (ABALONE_TRAINING_IMAGE, CUSTOM_TRAINING))),
        ("churn.yaml", _custom_tuning()),
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _SDK_RUNNER],
        input=json.dumps(texts),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    for (name, _), pair in zip(texts, json.loads(proc.stdout.splitlines()[-1]), strict=True):
        assert pair["native"] == pair["sdk"], name
        jobs = [
            s["Arguments"].get("TrainingJobDefinition", s["Arguments"])
            for s in pair["sdk"]["Steps"]
            if s["Type"] in ("Training", "Tuning")
        ]
        assert any("MetricDefinitions" in job["AlgorithmSpecification"] for job in jobs), name
