"""Step property paths are checked against SageMaker's response shapes (issue 11, the SDK engine).

``${steps.Train.properties.Nope}`` used to validate and then crash the SDK engine's render; now it is
an MLG209 at the reference with "did you mean", and every path that validates renders with both
engines to the same definition.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import shutil
import subprocess
import sys
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.blueprint.step_properties import check_property_path
from tests.conftest import ROOT

# One valid path per kind of walk (member, list index, list item by name, map key) for each step type.
VALID_PATHS: dict[str, list[str]] = {
    "processing": [
        "ProcessingJobName",
        "ProcessingOutputConfig.Outputs['scores'].S3Output.S3Uri",
        "ProcessingOutputConfig.Outputs[0].OutputName",
        "Environment['MODE']",
    ],
    "training": [
        "ModelArtifacts.S3ModelArtifacts",
        "FinalMetricDataList['validation:auc'].Value",
        "HyperParameters['eta']",
    ],
    "tuning": ["BestTrainingJob.TrainingJobName", "TrainingJobSummaries[0].TrainingJobName"],
    "transform": ["TransformOutput.S3OutputPath", "TransformJobStatus"],
    "create_model": ["ModelName", "PrimaryContainer.Image"],
    "register_model": ["ModelPackageArn", "ModelApprovalStatus"],
}


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location("sync_step_properties", ROOT / "scripts" / "sync_step_properties.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_table_equals_a_fresh_generation_from_botocore() -> None:
    committed = (ROOT / "mlopsgen" / "blueprint" / "step_properties.json").read_text(encoding="utf-8")
    assert committed == _load_script().generate(), "run scripts/sync_step_properties.py"


@pytest.mark.parametrize(("step_type", "path"), [(t, p) for t, paths in VALID_PATHS.items() for p in paths])
def test_valid_paths_pass(step_type: str, path: str) -> None:
    assert check_property_path(step_type, path) is None


@pytest.mark.parametrize(
    ("step_type", "path", "hint"),
    [
        ("training", "Nope", "continue with one of: AlgorithmSpecification"),
        ("training", "ModelArtifact.S3ModelArtifacts", "Did you mean 'ModelArtifacts'?"),
        ("training", "ModelArtifacts", "continue with one of: S3ModelArtifacts"),
        ("training", "FinalMetricDataList[0].Valu", "Did you mean 'Value'?"),
        ("training", "TrainingJobName[0]", ""),
        ("training", "HyperParameters[eta]", ""),
        ("processing", "ProcessingOutputConfig.Output[0]", "Did you mean 'Outputs'?"),
        ("tuning", "BestTrainingJob.TrainingJobNam", "Did you mean 'TrainingJobName'?"),
        ("condition", "Outcom", "Did you mean 'Outcome'?"),
        ("fail", "Anything", ""),
    ],
)
def test_invalid_paths_are_located_mlg209_with_a_hint(step_type: str, path: str, hint: str) -> None:
    step = {
        "training": "Train",
        "processing": "Prepare",
        "tuning": "Tune",
        "condition": "Check",
        "fail": "Stop",
    }[step_type]
    text = f"""\
version: 1
project: {{name: abalone, id: p-abc123, region: eu-west-1, account: "111122223333"}}
pipeline:
  parameters:
    Mode: {{type: string, default: x}}
  steps:
    - name: Prepare
      type: processing
      image: {{framework: sklearn, version: "1.2-1"}}
      code: pipelines/abalone/preprocess.py
      outputs: {{train: /opt/ml/processing/train}}
    - name: Train
      type: training
      image: {{framework: xgboost, version: "1.7-1"}}
      instance: {{type: ml.m5.xlarge}}
      channels: {{train: {{source: s3://bucket/train, content_type: text/csv}}}}
    - name: Tune
      type: tuning
      image: {{framework: xgboost, version: "1.7-1"}}
      instance: {{type: ml.m5.xlarge}}
      channels: {{train: {{source: s3://bucket/train, content_type: text/csv}}}}
      objective: {{metric: "validation:auc", goal: Maximize}}
      ranges: {{eta: {{type: continuous, min: 0.1, max: 0.5}}}}
      max_jobs: 2
      max_parallel_jobs: 1
    - name: Use
      type: processing
      image: {{framework: sklearn, version: "1.2-1"}}
      code: pipelines/abalone/preprocess.py
      arguments:
        - "${{steps.{step}.properties.{path}}}"
    - name: Check
      type: condition
      if: {{eq: ["${{params.Mode}}", x]}}
      then: [Stop]
    - name: Stop
      type: fail
"""
    diagnostics = mlopsgen.validate(text, name="bp.yaml", code={"pipelines/abalone/preprocess.py": b"print()"})
    assert [(d.code, d.format().split(":")[1]) for d in diagnostics] == [("MLG209", "31")], [
        d.format() for d in diagnostics
    ]
    assert hint in diagnostics[0].hint


_BOTH_ENGINES = r"""
import json, pathlib, sys
import mlopsgen
out = {}
for engine in ("native", "sdk"):
    result = mlopsgen.render(pathlib.Path(sys.argv[1]), engine=engine)
    assert result.ok, [d.format() for d in result.diagnostics]
    out[engine] = result.files["model-build/pipeline-definition.json"]
print(json.dumps(out))
"""


def test_every_valid_path_renders_with_both_engines_alike(tmp_path: pathlib.Path) -> None:
    """fraud_secure has every step type with properties; a step reading paths of each renders in both engines."""
    data = yaml.safe_load((ROOT / "blueprints" / "fraud_secure.yaml").read_text(encoding="utf-8"))
    steps = data["pipeline"]["steps"]
    by_type = {s["type"]: s["name"] for s in steps}
    arguments = [f"${{steps.{by_type[t]}.properties.{p}}}" for t, paths in VALID_PATHS.items() for p in paths]
    reader = next(s for s in steps if s["type"] == "processing")
    steps.append(
        {
            "name": "ReadProperties",
            "type": "processing",
            "image": reader["image"],
            "code": reader["code"],
            "arguments": arguments,
        }
    )
    for relative in ("pipelines", "tests"):
        source = ROOT / "blueprints" / relative
        if source.exists():
            shutil.copytree(source, tmp_path / relative)  # copies: links out of the folder are refused
    blueprint = tmp_path / "fraud_secure.yaml"
    blueprint.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert mlopsgen.validate(blueprint) == []
    proc = subprocess.run(
        [sys.executable, "-c", _BOTH_ENGINES, str(blueprint)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    definitions = {k: json.loads(v) for k, v in json.loads(proc.stdout.splitlines()[-1]).items()}
    assert definitions["native"] == definitions["sdk"]
    step = next(s for s in definitions["native"]["Steps"] if s["Name"] == "ReadProperties")
    gets = [a["Get"] for a in step["Arguments"]["AppSpecification"]["ContainerArguments"] if isinstance(a, dict)]
    assert len(gets) == len(arguments)
