"""``mlopsgen import`` of AWS's abalone seed pipeline as SageMaker SDK v2 builds it (issue 17, point 1).

The definition is a committed fixture (tests/data/sdk_v2/, built offline by scripts/build_sdk_v2_fixtures.py
with the SDK version its README names; the suite pins v3 and never installs v2). It must import, validate
and render back equal under the README's normalisations. SDK v2 writes request defaults mlopsgen leaves to
the API (``AppManaged: false``, channels without ``InputMode``, no ``CompressionType``, no ``MlflowConfig``,
no container variables on the model package): ``importing.equivalence`` compares these as equal, and the
tests below show each non-default value is still a difference. The v2 ``Estimator``'s default Debugger
hook and profiler import as the training step's ``debugger:`` and ``profiler:`` keys and render back as given.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.import_command import code_for_render, differences, normalise, run_import

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "sdk_v2"
FIXTURE = FIXTURES / "abalone-definition.json"
FORMS = ["abalone-definition.json", "abalone-legacy-definition.json"]
"""The template's step_args form and its first form (processor=/estimator=, code under timestamped job names)."""
OVERRIDES: dict[str, str | None] = {"project_name": "abalone", "project_id": "p-abc123def456"}
TRAIN = "Steps[TrainAbaloneModel].Arguments"
REGISTER = "Steps[CheckMSEAbaloneEvaluation].Arguments.IfSteps[RegisterAbaloneModel-RegisterModel].Arguments"
OUTPUTS = [
    f"Steps[{step}].Arguments.ProcessingOutputConfig.Outputs[{o}]"
    for step, o in [("PreprocessAbaloneData", o) for o in ("train", "validation", "test")]
    + [("EvaluateAbaloneModel", "evaluation")]
]


@pytest.fixture(scope="module")
def v2_definition() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def _import(definition: dict[str, Any]) -> Any:
    return run_import(json.dumps(definition, indent=2), "v2.json", "abalone.yaml", overrides=OVERRIDES)


def _code_paths(definition: Any, uris: dict[str, str]) -> Any:
    text = json.dumps(definition, sort_keys=True)
    for uri, path in uris.items():
        text = text.replace(json.dumps(uri), json.dumps(f"<code:{path}>"))
    return json.loads(text)


def test_the_fixture_is_sdk_v2_output() -> None:
    """The fixture's provenance: its README names a 2.x SDK, and the script refuses to run on v3."""
    readme = (FIXTURE.parent / "README.md").read_text()
    assert "sagemaker==2." in readme
    legacy = (FIXTURES / "abalone-legacy-definition.json").read_text()
    assert "/Abalone/sklearn-abalone-preprocess-2024-01-01-00-00-00-000/input/code/preprocess.py" in legacy
    proc = subprocess.run(
        [sys.executable, "scripts/build_sdk_v2_fixtures.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0 and "needs SageMaker SDK v2" in proc.stderr


@pytest.mark.parametrize("fixture", FORMS)
def test_v2_seed_pipeline_imports_validates_and_renders_back(fixture: str) -> None:
    """The whole v2 definition, Debugger hook and profiler included, imports with no finding."""
    definition = json.loads((FIXTURES / fixture).read_text())
    train = _step(definition, "TrainAbaloneModel")["Arguments"]
    assert "DebugHookConfig" in train and "ProfilerConfig" in train  # what SDK v2's Estimator adds by default
    outcome = _import(definition)
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    data = yaml.safe_load(outcome.text)
    code = code_for_render(outcome.code, {})
    assert mlopsgen.validate(data, code=code) == []
    result = mlopsgen.render(data, code=code, name="abalone.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    rendered = json.loads(result.files["model-build/pipeline-definition.json"])
    manifest = json.loads(result.files["model-build/code-manifest.json"])
    ours = _code_paths(rendered, {f["s3_uri"]: f["path"] for f in manifest["files"]})
    theirs = _code_paths(definition, {c.s3_uri: c.path for c in outcome.code})
    fail = "Steps[CheckMSEAbaloneEvaluation].Arguments.ElseSteps[AbaloneMSEFail].Arguments.ErrorMessage"
    # Before normalising: exactly the documented differences, nothing else.
    assert sorted(path for path, _, _ in differences(theirs, ours)) == sorted(
        ["Steps[PreprocessAbaloneData].Arguments.ProcessingInputs[code].AppManaged"]
        + [
            f"Steps[PreprocessAbaloneData].Arguments.ProcessingOutputConfig.Outputs[{o}].AppManaged"
            for o in ("train", "validation", "test")
        ]
        + [
            f"Steps[EvaluateAbaloneModel].Arguments.ProcessingInputs[{i}].AppManaged"
            for i in ("input-1", "input-2", "code")
        ]
        + ["Steps[EvaluateAbaloneModel].Arguments.ProcessingOutputConfig.Outputs[evaluation].AppManaged"]
        + [f"{TRAIN}.InputDataConfig[train].InputMode", f"{TRAIN}.InputDataConfig[validation].InputMode"]
        + [f"{TRAIN}.OutputDataConfig.CompressionType"]
        + [f"{REGISTER}.InferenceSpecification.Containers[0].Environment"]
        + [f"{fail}.Std:Join.On", f"{fail}.Std:Join.Values[0]"]
        # SDK v2's default output URIs and the metrics URI: Std:Join on "/", written as text (joined on "")
        + [f"{o}.S3Output.S3Uri.Std:Join.{k}" for o in OUTPUTS for k in ("On", "Values")]
        + [f"{REGISTER}.ModelMetrics.ModelQuality.Statistics.S3Uri.Std:Join.{k}" for k in ("On", "Values[1]")]
        + ["MlflowConfig"]
    )
    assert normalise(ours, {}) == normalise(theirs, {})
    steps = {s["name"]: s for s in data["pipeline"]["steps"]}
    assert steps["PreprocessAbaloneData"]["image"] == {"framework": "sklearn", "version": "0.23-1"}
    assert steps["TrainAbaloneModel"]["image"] == {"framework": "xgboost", "version": "1.0-1"}
    v2_output = "s3://sagemaker-eu-west-1-111111111111/Abalone/AbaloneTrain"
    assert steps["TrainAbaloneModel"]["debugger"] == {"s3_output_path": v2_output, "collection_configurations": []}
    assert steps["TrainAbaloneModel"]["profiler"] == {"s3_output_path": v2_output, "disable_profiler": False}
    assert steps["EvaluateAbaloneModel"]["property_files"] == [
        {"name": "AbaloneEvaluationReport", "output": "evaluation", "path": "evaluation.json"}
    ]
    # The StepCollection's generated name is the step's name: renamed, the rendered definition would differ.
    registered = steps["RegisterAbaloneModel-RegisterModel"]
    assert registered["model_from"] == "TrainAbaloneModel"
    assert registered["approval_status"] == "${params.ModelApprovalStatus}"
    assert registered["model_package_group"] == "AbalonePackageGroup"
    assert "environment" not in registered
    assert steps["CheckMSEAbaloneEvaluation"]["then"] == ["RegisterAbaloneModel-RegisterModel"]
    assert steps["AbaloneMSEFail"]["message"] == "Execution failed due to MSE > ${params.MseThreshold}"


def _step(definition: dict[str, Any], name: str) -> dict[str, Any]:
    for s in definition["Steps"]:
        if s["Name"] == name:
            return dict(s)
        for branch in s.get("Arguments", {}).get("IfSteps", []) + s.get("Arguments", {}).get("ElseSteps", []):
            if branch["Name"] == name:
                return dict(branch)
    raise KeyError(name)


def _set_app_managed(d: dict[str, Any]) -> list[str]:
    _step(d, "PreprocessAbaloneData")["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["AppManaged"] = True
    return ["Steps[PreprocessAbaloneData].Arguments.ProcessingOutputConfig.Outputs[train].AppManaged"]


def _set_channel_pipe(d: dict[str, Any]) -> list[str]:
    _step(d, "TrainAbaloneModel")["Arguments"]["InputDataConfig"][0]["InputMode"] = "Pipe"
    return [f"{TRAIN}.InputDataConfig[train].InputMode"]


def _set_job_pipe(d: dict[str, Any]) -> list[str]:
    _step(d, "TrainAbaloneModel")["Arguments"]["AlgorithmSpecification"]["TrainingInputMode"] = "Pipe"
    # The channels inherit the job's mode: they are in Pipe mode too, and differ as well.
    return [f"{TRAIN}.AlgorithmSpecification.TrainingInputMode"] + [
        f"{TRAIN}.InputDataConfig[{c}].InputMode" for c in ("train", "validation")
    ]


def _set_no_compression(d: dict[str, Any]) -> list[str]:
    _step(d, "TrainAbaloneModel")["Arguments"]["OutputDataConfig"]["CompressionType"] = "NONE"
    return [f"{TRAIN}.OutputDataConfig.CompressionType"]


def _set_log_level(d: dict[str, Any]) -> list[str]:
    container = _step(d, "RegisterAbaloneModel-RegisterModel")["Arguments"]["InferenceSpecification"]["Containers"][0]
    container["Environment"] = {
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "10",
        "SAGEMAKER_PROGRAM": "",
        "SAGEMAKER_REGION": "eu-west-1",
        "SAGEMAKER_SUBMIT_DIRECTORY": "",
    }
    return [f"{REGISTER}.InferenceSpecification.Containers[0].Environment"]


def _set_mlflow(d: dict[str, Any]) -> list[str]:
    d["MlflowConfig"] = {"MlflowResourceArn": "arn:aws:sagemaker:eu-west-1:111111111111:mlflow-tracking-server/t"}
    return ["MlflowConfig"]


def _set_no_collections(d: dict[str, Any]) -> list[str]:
    del _step(d, "TrainAbaloneModel")["Arguments"]["DebugHookConfig"]["CollectionConfigurations"]
    return [f"{TRAIN}.DebugHookConfig.CollectionConfigurations"]


def _set_profiler_off(d: dict[str, Any]) -> list[str]:
    _step(d, "TrainAbaloneModel")["Arguments"]["ProfilerConfig"]["DisableProfiler"] = True
    return [f"{TRAIN}.ProfilerConfig.DisableProfiler"]


@pytest.mark.parametrize(
    "change",
    [
        _set_app_managed,
        _set_channel_pipe,
        _set_job_pipe,
        _set_no_compression,
        _set_log_level,
        _set_mlflow,
        _set_no_collections,
        _set_profiler_off,
    ],
    ids=lambda f: f.__name__.removeprefix("_set_"),
)
def test_only_the_api_defaults_compare_equal(v2_definition: dict[str, Any], change: Any) -> None:
    """The normalisations are not blanket: a value other than the API's default is still a difference."""
    theirs = copy.deepcopy(v2_definition)
    expected = change(theirs)
    paths = [p for p, _, _ in differences(normalise(v2_definition, {}), normalise(theirs, {}))]
    assert sorted(paths) == sorted(expected)


def test_mlopsgen_and_sdk_v2_request_defaults_compare_equal(v2_definition: dict[str, Any]) -> None:
    """The same request written as mlopsgen writes it (defaults explicit, MlflowConfig null) compares equal."""
    explicit = copy.deepcopy(v2_definition)
    explicit["MlflowConfig"] = None
    train = _step(explicit, "TrainAbaloneModel")["Arguments"]
    for channel in train["InputDataConfig"]:
        channel["InputMode"] = "File"
    train["OutputDataConfig"]["CompressionType"] = "GZIP"
    for item in _step(explicit, "EvaluateAbaloneModel")["Arguments"]["ProcessingInputs"]:
        item.pop("AppManaged")
    container = _step(explicit, "RegisterAbaloneModel-RegisterModel")["Arguments"]["InferenceSpecification"]
    container["Containers"][0]["Environment"] = {
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_PROGRAM": "",
        "SAGEMAKER_REGION": "eu-west-1",
        "SAGEMAKER_SUBMIT_DIRECTORY": "",
    }
    assert differences(v2_definition, explicit) != []
    assert normalise(explicit, {}) == normalise(v2_definition, {})
