"""quality_check steps and the register step's quality documents: native output equals sagemaker 3.27.0's.

The SDK engine runs in a subprocess whose sockets refuse to connect (as in test_sdk_oracle.py), so
building the check steps proves the SDK uploads nothing and calls no AWS API for them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from mlopsgen.api import plan_blueprint
from mlopsgen.blueprint.step_properties import check_property_path
from mlopsgen.plan.check_images import _table, check_image_uri
from mlopsgen.plan.images import UnknownImage
from mlopsgen.targets import sagemaker
from tests.conftest import ROOT

_CODE = {"code/post.py": b"print('post')\n", "code/record.py": b"print('record')\n"}
_SECURITY = {
    "kms": {"volume": "alias/volume", "output": "alias/output"},
    "vpc": {"subnets": ["subnet-0a11b22c33d44e55f"], "security_groups": ["sg-0123456789abcdef0"]},
    "encrypt_inter_container_traffic": True,
}
_STEPS: list[dict[str, Any]] = [
    {
        "name": "DataQuality",
        "type": "quality_check",
        "check": "data_quality",
        "baseline_dataset": "s3://bucket/train/",
        "dataset_format": {"type": "csv", "header": False},
        "skip_check": "${params.SkipCheck}",
        "register_new_baseline": True,
        "model_package_group": "other-group",
        "supplied_baseline_statistics": "s3://bucket/statistics.json",
        "record_preprocessor_script": "code/record.py",
        "cache": True,
    },
    {
        "name": "ModelQuality",
        "type": "quality_check",
        "check": "model_quality",
        "baseline_dataset": "s3://bucket/predictions/",
        "dataset_format": "json",
        "problem_type": "BinaryClassification",
        "inference_attribute": "${params.Attribute}",
        "probability_threshold_attribute": 0.5,
        "post_analytics_processor_script": "code/post.py",
        "max_runtime_seconds": 600,
    },
    {
        "name": "Register",
        "type": "register_model",
        "image": {"uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/model:1"},
        "model_data": "s3://bucket/model.tar.gz",
        "content_types": ["text/csv"],
        "response_types": ["text/csv"],
        "inference_instances": ["ml.m5.large"],
        "package_description": "A candidate model",
        "model_package_group": "${params.Group}",
        "customer_metadata": {"team": "ml", "run": "${execution.id}"},
        "metrics": {
            "model_data_statistics": {"source": "${steps.DataQuality.properties.CalculatedBaselineStatistics}"},
            "model_statistics": {"source": "${steps.ModelQuality.properties.CalculatedBaselineStatistics}"},
            "bias_pre_training": {"source": "s3://bucket/bias.json"},
            "explainability": {"source": "s3://bucket/explainability.json"},
        },
        "drift_check_baselines": {
            "model_data_constraints": {
                "source": "${steps.DataQuality.properties.BaselineUsedForDriftCheckConstraints}"
            },
            "bias_config_file": {"source": "s3://bucket/analysis_config.json", "content_type": "application/json"},
            "explainability_config_file": {"source": "s3://bucket/explainability_config.json"},
        },
    },
]


def _blueprint(security: bool) -> dict[str, Any]:
    return {
        "version": 1,
        "project": {"name": "chk", "id": "p-chk0000001", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "parameters": {
                "SkipCheck": {"type": "boolean", "default": False},
                "Attribute": {"type": "string", "default": "_c0"},
                "Group": {"type": "string", "default": "shared-models"},
            },
            "steps": _STEPS,
        },
        **({"security": _SECURITY} if security else {}),
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
plan, _ = plan_blueprint(request["blueprint"], code=code)
print(json.dumps(json.loads(sagemaker_sdk.emit(plan)[0].content)))
"""


def _sdk_definition(blueprint: dict[str, Any]) -> dict[str, Any]:
    request = json.dumps({"blueprint": blueprint, "code": {k: v.decode() for k, v in _CODE.items()}})
    done = subprocess.run(
        [sys.executable, "-c", _SDK], input=request, capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _native(blueprint: dict[str, Any]) -> dict[str, Any]:
    plan, diagnostics = plan_blueprint(blueprint, code=_CODE)
    assert plan is not None, [d.format() for d in diagnostics]
    return sagemaker.definition(plan)


@pytest.mark.parametrize("security", [False, True], ids=["plain", "vpc-kms-encryption"])
def test_check_steps_and_register_documents_equal_the_sdk(security: bool) -> None:
    blueprint = _blueprint(security)
    assert _native(blueprint) == _sdk_definition(blueprint)


def test_quality_check_writes_the_switches_and_the_monitor_contract() -> None:
    steps = {s["Name"]: s for s in _native(_blueprint(False))["Steps"]}
    data = steps["DataQuality"]
    assert data["Type"] == "QualityCheck" and data["CheckType"] == "DATA_QUALITY"
    assert data["SkipCheck"] == {"Get": "Parameters.SkipCheck"} and data["RegisterNewBaseline"] is True
    env = data["Arguments"]["Environment"]
    assert json.loads(env["dataset_format"]) == {"csv": {"header": False, "output_columns_position": "START"}}
    assert env["record_preprocessor_script"] == "/opt/ml/processing/input/record_preprocessor_script_input/record.py"
    model = steps["ModelQuality"]["Arguments"]
    assert model["Environment"]["probability_threshold_attribute"] == "0.5"  # the SDK writes text
    assert model["StoppingCondition"] == {"MaxRuntimeInSeconds": 600}
    assert model["AppSpecification"]["ImageUri"].endswith("/sagemaker-model-monitor-analyzer")


def test_register_documents_keep_the_sdk_groups() -> None:
    register = {s["Name"]: s for s in _native(_blueprint(False))["Steps"]}["Register"]["Arguments"]
    assert register["ModelPackageDescription"] == "A candidate model"
    assert register["ModelPackageGroupName"] == {"Get": "Parameters.Group"}
    assert set(register["ModelMetrics"]) == {"ModelQuality", "ModelDataQuality", "Bias", "Explainability"}
    assert set(register["DriftCheckBaselines"]) == {"ModelDataQuality", "Bias", "Explainability"}
    assert register["DriftCheckBaselines"]["Explainability"] == {
        "ConfigFile": {"S3Uri": "s3://bucket/explainability_config.json"}
    }
    assert register["CustomerMetadataProperties"]["run"] == {"Get": "Execution.PipelineExecutionId"}


def test_check_scripts_are_content_addressed_code_files() -> None:
    plan, _ = plan_blueprint(_blueprint(False), code=_CODE)
    assert plan is not None
    assert [c.path for c in plan.code_files] == ["code/post.py", "code/record.py"]


def test_sdk_check_steps_cannot_serialise_a_network_config_without_the_engine_fix() -> None:
    """sagemaker 3.27.0 puts the NetworkConfig object into the check request; the engine converts it."""
    script = _SDK.replace(
        "from mlopsgen.targets import sagemaker_sdk",
        "from mlopsgen.targets import sagemaker_sdk, sagemaker_sdk_checks\n"
        "sagemaker_sdk_checks._serialisable_network = lambda processor: None",
    )
    request = json.dumps({"blueprint": _blueprint(True), "code": {k: v.decode() for k, v in _CODE.items()}})
    done = subprocess.run([sys.executable, "-c", script], input=request, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "NetworkConfig is not JSON serializable" in done.stderr


def test_check_step_properties_are_s3_uris() -> None:
    assert check_property_path("quality_check", "CalculatedBaselineConstraints") is None
    assert check_property_path("quality_check", "BaselineUsedForDriftCheckStatistics") is None
    problem = check_property_path("quality_check", "CalculatedBaselineStatistic")
    assert problem is not None and "CalculatedBaselineStatistics" in problem[1]


def test_check_image_table_matches_the_sdk() -> None:
    table = _table()
    cases = [(name, region) for name, regions in table.items() for region in sorted(regions)]
    script = (
        "import os, json, sys; os.environ.setdefault('AWS_DEFAULT_REGION', 'eu-west-1');"
        "from sagemaker.core import image_uris;"
        "print(json.dumps([image_uris.retrieve(n, region=r) for n, r in json.loads(sys.stdin.read())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    assert [check_image_uri(*case) for case in cases] == json.loads(done.stdout)


def test_check_image_table_is_fresh() -> None:
    """The committed table equals a new run of scripts/sync_check_images.py (every region the SDK lists)."""
    script = "import runpy; print(runpy.run_path('scripts/sync_check_images.py')['generate'](), end='')"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == (ROOT / "mlopsgen" / "plan" / "check_images.json").read_text(encoding="utf-8")


def test_unpublished_region_is_reported() -> None:
    with pytest.raises(UnknownImage):
        check_image_uri("model-monitor", "xx-nowhere-1")
