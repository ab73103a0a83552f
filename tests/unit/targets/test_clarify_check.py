"""clarify_check steps: native definition and generated configurations equal sagemaker 3.27.0's.

The SDK engine runs in a subprocess whose sockets refuse to connect (as in test_check_steps.py);
its two uploads are replaced by content-addressed URIs of the SDK's own bytes, so equal
definitions mean equal analysis configurations too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from mlopsgen.api import plan_blueprint
from mlopsgen.runtime import run_pipeline
from mlopsgen.targets import sagemaker
from tests.unit.targets.test_check_steps import _SECURITY, _sdk_definition

_MODEL = {"image": {"uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/model:1"}, "model_data": "s3://b/m.tar.gz"}
_STEPS: list[dict[str, Any]] = [
    {"name": "Model", "type": "create_model", **_MODEL},
    {
        "name": "DataBias",
        "type": "clarify_check",
        "check": "data_bias",
        "dataset": "s3://bucket/train/",
        "label": "y",
        "headers": ["y", "age", "city"],
        "bias": {"label_values_or_threshold": [1], "facet_name": "age", "facet_values_or_threshold": [40]},
        "methods": ["CI", "DPL"],
        "skip_check": "${params.Skip}",
        "model_package_group": "other-group",
        "supplied_baseline_constraints": "s3://bucket/constraints.json",
        "cache": True,
    },
    {
        "name": "ModelBias",
        "type": "clarify_check",
        "check": "model_bias",
        "dataset": "s3://bucket/train/",
        "dataset_type": "application/jsonlines",
        "label": "y",
        "features": "features",
        "output": "s3://bucket/out/${execution.id}",
        "bias": {"label_values_or_threshold": [1, 2], "facet_name": 2, "group_name": "city"},
        "model": {
            "name": "${steps.Model.properties.ModelName}",
            "instance_type": "ml.c5.xlarge",
            "instance_count": 2,
            "accept_type": "application/jsonlines",
            "content_type": "application/jsonlines",
            "content_template": '{"features": $features}',
        },
        "predicted_label": {"probability": "score", "probability_threshold": 0.7},
        "register_new_baseline": True,
        "max_runtime_seconds": 600,
        "environment": {"EXTRA": "1"},
    },
    {
        "name": "Explain",
        "type": "clarify_check",
        "check": "model_explainability",
        "dataset": "s3://bucket/train/",
        "label": "y",
        "headers": ["y", "age", "city"],
        "model": {"name": "existing-model", "content_type": "text/csv"},
        "shap": {"baseline": [[40, 1]], "num_samples": 10, "agg_method": "mean_abs", "seed": 7},
        "model_scores": 0,
        "fail_on_violation": False,
    },
    {
        "name": "Register",
        "type": "register_model",
        **_MODEL,
        "content_types": ["text/csv"],
        "response_types": ["text/csv"],
        "inference_instances": ["ml.m5.large"],
        "metrics": {
            "bias_post_training": {"source": "${steps.ModelBias.properties.CalculatedBaselineConstraints}"},
            "explainability": {"source": "${steps.Explain.properties.CalculatedBaselineConstraints}"},
        },
        "drift_check_baselines": {
            "bias_config_file": {"clarify_check": "DataBias"},
            "bias_pre_training_constraints": {
                "source": "${steps.DataBias.properties.BaselineUsedForDriftCheckConstraints}"
            },
            "explainability_config_file": {"clarify_check": "Explain", "content_type": "application/json"},
        },
    },
]


def _blueprint(security: bool) -> dict[str, Any]:
    return {
        "version": 1,
        "project": {"name": "clr", "id": "p-clr0000001", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {"parameters": {"Skip": {"type": "boolean", "default": False}}, "steps": _STEPS},
        **({"security": _SECURITY} if security else {}),
    }


def _plan(blueprint: dict[str, Any]) -> Any:
    plan, diagnostics = plan_blueprint(blueprint, code={})
    assert plan is not None, [d.format() for d in diagnostics]
    return plan


@pytest.mark.parametrize("security", [False, True], ids=["plain", "vpc-kms-encryption"])
def test_clarify_checks_equal_the_sdk(security: bool) -> None:
    blueprint = _blueprint(security)
    assert sagemaker.definition(_plan(blueprint)) == _sdk_definition(blueprint)


def test_generated_configurations_are_listed_and_addressed_by_their_content() -> None:
    files = {f.path: str(f.content) for f in sagemaker.emit(_plan(_blueprint(False)))}
    manifest = json.loads(files["model-build/code-manifest.json"])
    generated = manifest["helpers"]
    assert len(generated) == 6
    for entry in generated:
        text = files[f"model-build/{entry['path']}"]
        assert hashlib.sha256(text.encode()).hexdigest() == entry["sha256"]
        assert entry["s3_uri"].endswith(f"/code/{entry['sha256']}/analysis_config.json")
    steps = {s["Name"]: s for s in json.loads(files["model-build/pipeline-definition.json"])["Steps"]}
    job = json.loads(files["model-build/clarify/ModelBias/job_analysis_config.json"])
    assert job["predictor"] == {
        "accept_type": "application/jsonlines",
        "content_template": '{"features": $features}',
        "content_type": "application/jsonlines",
        "initial_instance_count": 2,
        "instance_type": "ml.c5.xlarge",
        "probability": "score",
    }
    assert job["probability_threshold"] == 0.7
    config_input = steps["ModelBias"]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert config_input == next(
        e["s3_uri"] for e in generated if e["path"].endswith("ModelBias/job_analysis_config.json")
    )
    assert steps["ModelBias"]["ModelName"] == {"Get": "Steps.Model.ModelName"}
    baselines = steps["Register"]["Arguments"]["DriftCheckBaselines"]
    for key, check in (("Bias", "DataBias"), ("Explainability", "Explain")):
        uri = next(e["s3_uri"] for e in generated if e["path"] == f"clarify/{check}/monitoring_analysis_config.json")
        assert baselines[key]["ConfigFile"]["S3Uri"] == uri
    monitoring = json.loads(files["model-build/clarify/Explain/monitoring_analysis_config.json"])
    assert monitoring["headers"] == ["age", "city"]  # the SDK drops the label from an explainability monitor's headers


def test_ci_uploads_the_generated_configurations_from_the_manifest_folder(tmp_path: Path) -> None:
    files = {f.path: str(f.content) for f in sagemaker.emit(_plan(_blueprint(False)))}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    manifest = tmp_path / "model-build/code-manifest.json"
    uploaded = run_pipeline.verify_manifest(manifest, tmp_path / "repository-root")
    generated = json.loads(files["model-build/code-manifest.json"])["helpers"]
    assert sorted(f"s3://{u.bucket}/{u.key}" for u in uploaded) == sorted(e["s3_uri"] for e in generated)
    (tmp_path / "model-build" / generated[0]["path"]).write_text("{}\n")
    with pytest.raises(run_pipeline.ScriptError, match="sha256 differs"):
        run_pipeline.verify_manifest(manifest, tmp_path)
