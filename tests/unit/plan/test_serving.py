"""A model trained in a framework container by name is served by that framework's inference container.

The native definition must equal sagemaker 3.27.0's (ModelBuilder, with the serving environment the SDK
derives for code inside the model archive), built in a subprocess whose sockets refuse to connect.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker
from tests.conftest import ROOT

_CODE = {"src/train.py": b"print('train')\n", "src/inference.py": b"def model_fn(d):\n    return d\n"}
_ECR = "763104351884.dkr.ecr.eu-west-1.amazonaws.com"
_SERVING_ENV = {
    "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
    "SAGEMAKER_PROGRAM": "inference.py",
    "SAGEMAKER_REGION": "eu-west-1",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}


def _blueprint(
    image: dict[str, Any],
    inference_instances: tuple[str, ...] = ("ml.m5.large",),
    transform_instance: str | None = "ml.g4dn.xlarge",
    environment: dict[str, str] | None = None,
) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {
            "name": "Train",
            "type": "training",
            "image": image,
            "instance": {"type": "ml.g5.xlarge"},
            "source_dir": "src",
            "entry_point": "train.py",
        },
        {
            "name": "Register",
            "type": "register_model",
            "model_from": "Train",
            "content_types": ["application/json"],
            "response_types": ["application/json"],
            "inference_instances": list(inference_instances),
            "environment": environment or {},
        },
        {"name": "Model", "type": "create_model", "model_from": "Train", "environment": environment or {}},
    ]
    if transform_instance is not None:
        steps.append(
            {
                "name": "Batch",
                "type": "transform",
                "model": "Model",
                "instance": {"type": transform_instance},
                "input": {"source": "s3://bucket/batch"},
            }
        )
    return {
        "project": {"name": "served", "id": "p-abc123", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {"steps": steps},
    }


_SDK = r"""
import json, socket, sys
def refuse(*a, **k):
    raise OSError("network access attempted while building offline")
socket.socket.connect = refuse
socket.create_connection = refuse
from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
request = json.loads(sys.stdin.read())
code = {k: v.encode() for k, v in request["code"].items()}
for blueprint in request["blueprints"]:
    plan, _ = plan_blueprint(blueprint, code=code)
    print(json.dumps(json.loads(sagemaker_sdk.emit(plan)[0].content)))
"""


def _sdk_definitions(blueprints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    request = json.dumps({"blueprints": blueprints, "code": {k: v.decode() for k, v in _CODE.items()}})
    done = subprocess.run(
        [sys.executable, "-c", _SDK], input=request, capture_output=True, text=True, cwd=ROOT, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def _native(blueprint: dict[str, Any]) -> dict[str, Any]:
    plan, diagnostics = plan_blueprint(blueprint, code=_CODE)
    assert plan is not None, [d.format() for d in diagnostics]
    return sagemaker.definition(plan)


def _containers(definition: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    steps = {s["Name"]: s["Arguments"] for s in definition["Steps"]}
    return steps["Register"]["InferenceSpecification"]["Containers"][0], steps["Model"]["PrimaryContainer"]


_CASES = {
    "pytorch": _blueprint({"framework": "pytorch", "version": "2.6.0"}),
    "tensorflow-serving-has-no-python": _blueprint(
        {"framework": "tensorflow", "version": "2.13.0"}, inference_instances=("ml.g5.xlarge", "ml.p3.2xlarge")
    ),
    "huggingface": _blueprint({"framework": "huggingface", "version": "4.48.0", "base_framework": "pytorch2.3.0"}),
    "own-program": _blueprint(
        {"framework": "pytorch", "version": "2.5.1"}, environment={"SAGEMAKER_PROGRAM": "serve.py", "TS_LOG": "1"}
    ),
}


def test_framework_models_equal_the_sdk() -> None:
    blueprints = list(_CASES.values())
    assert [_native(b) for b in blueprints] == _sdk_definitions(blueprints)


def test_the_model_is_registered_with_the_inference_image_and_the_serving_environment() -> None:
    register, model = _containers(_native(_CASES["pytorch"]))
    # inference_instances are cpu; the transform step that uses the created model is gpu.
    assert register["Image"] == f"{_ECR}/pytorch-inference:2.6.0-cpu-py312"
    assert model["Image"] == f"{_ECR}/pytorch-inference:2.6.0-gpu-py312"
    assert register["Environment"] == model["Environment"] == _SERVING_ENV
    assert register["ModelDataUrl"] == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    tf_register, _ = _containers(_native(_CASES["tensorflow-serving-has-no-python"]))
    assert tf_register["Image"] == f"{_ECR}/tensorflow-inference:2.13.0-gpu"
    own, _ = _containers(_native(_CASES["own-program"]))
    assert own["Environment"] == {**_SERVING_ENV, "SAGEMAKER_PROGRAM": "serve.py", "TS_LOG": "1"}


def test_an_image_by_name_with_model_data_is_served_too() -> None:
    blueprint = _blueprint({"framework": "pytorch", "version": "2.6.0"})
    register = blueprint["pipeline"]["steps"][1]
    del register["model_from"]
    register["image"] = {"framework": "pytorch", "version": "2.6.0", "processor": "gpu"}
    register["model_data"] = "s3://bucket/model.tar.gz"
    container, _ = _containers(_native(blueprint))
    assert container["Image"] == f"{_ECR}/pytorch-inference:2.6.0-gpu-py312"
    assert container["Environment"] == _SERVING_ENV


@pytest.mark.parametrize(
    ("blueprint", "code", "where"),
    [
        (_blueprint({"framework": "pytorch", "version": "2.8.0"}), "MLG356", "pipeline.steps[Register].model_from"),
        (
            _blueprint({"framework": "pytorch", "version": "2.6.0"}, ("ml.m5.large", "ml.g5.xlarge")),
            "MLG366",
            "pipeline.steps[Register].inference_instances",
        ),
        (
            _blueprint({"framework": "pytorch", "version": "2.6.0"}, ("ml.inf2.xlarge",)),
            "MLG366",
            "pipeline.steps[Register].inference_instances",
        ),
        (
            _blueprint({"framework": "pytorch", "version": "2.6.0"}, transform_instance=None),
            "MLG367",
            "pipeline.steps[Model].model_from",
        ),
    ],
    ids=["version-without-serving-container", "cpu-and-gpu", "neuron", "created-model-without-transform"],
)
def test_a_serving_container_that_cannot_be_chosen_is_located(blueprint: dict[str, Any], code: str, where: str) -> None:
    plan, diagnostics = plan_blueprint(blueprint, code=_CODE)
    assert plan is None
    assert [(d.code, d.path) for d in diagnostics] == [(code, where)]


def test_a_pytorch_project_deploys_the_registered_serving_container() -> None:
    """abalone.yaml trained in PyTorch script mode, registered for JSON: the deploy side is unchanged.

    Each stage's endpoint model is created from the approved package (ModelPackageName), so the
    registered inference image and environment are what the endpoint runs; data capture and the
    smoke test follow the register step's JSON content types.
    """
    import yaml

    import mlopsgen
    from tests.unit.views.support import _code, edit

    text = edit(
        "abalone",
        (
            '      image: {framework: xgboost, version: "1.7-1"}\n'
            '      instance: {type: "${params.TrainingInstanceType}"}\n',
            '      image: {framework: pytorch, version: "2.6.0", processor: cpu}\n'
            '      instance: {type: "${params.TrainingInstanceType}"}\n'
            "      source_dir: src\n      entry_point: train.py\n"
            '      metric_definitions: [{name: "validation:mse", regex: "mse=([0-9.]+)"}]\n',
        ),
        ("      content_types: [text/csv]\n      response_types: [text/csv]\n",
         "      content_types: [application/json]\n      response_types: [application/json]\n"),
        ("  sample_payload: tests/abalone-sample.csv\n", "  sample_payload: tests/sample.json\n"),
    )  # fmt: skip
    code = {**_code(), **_CODE, "tests/sample.json": b'{"instances": [[0.5, 0.4]]}\n'}
    result = mlopsgen.render(text, name="abalone.yaml", code=code)
    assert result.ok, [d.format() for d in result.diagnostics]
    definition = json.loads(result.files["model-build/pipeline-definition.json"])
    [condition] = [s for s in definition["Steps"] if s["Type"] == "Condition"]
    [register] = condition["Arguments"]["IfSteps"]
    container = register["Arguments"]["InferenceSpecification"]["Containers"][0]
    assert container["Image"] == f"{_ECR}/pytorch-inference:2.6.0-cpu-py312"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    endpoint = yaml.safe_load(result.files["model-deploy/endpoint-config-template.yml"])["Resources"]
    assert endpoint["Model"]["Properties"]["PrimaryContainer"] == {"ModelPackageName": {"Ref": "ModelPackageName"}}
    capture = endpoint["EndpointConfig"]["Properties"]["DataCaptureConfig"]["CaptureContentTypeHeader"]
    assert capture == {"JsonContentTypes": ["application/json"]}
    commands = yaml.safe_load(result.files["model-deploy/test/buildspec.yml"])["phases"]["build"]["commands"]
    assert any("test_endpoint.py" in c and "application/json" in c for c in commands), commands
