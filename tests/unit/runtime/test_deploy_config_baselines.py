"""deploy_config.py resolves monitoring baseline references against the approved package (moto), and the
reference spelling and DriftCheckBaselines paths agree with the planner and with botocore's service model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from mlopsgen.plan import build_monitoring
from mlopsgen.plan.model_monitoring import PACKAGE_BASELINE
from mlopsgen.runtime import deploy_config

GROUP = "credit-p-c7ed1t4r1sk0"
BASELINES = {
    "ModelDataQuality": {
        "Statistics": {"ContentType": "application/json", "S3Uri": "s3://b/v1/statistics.json"},
        "Constraints": {"ContentType": "application/json", "S3Uri": "s3://b/v1/constraints.json"},
    }
}


def _register(baselines: dict[str, Any] | None) -> str:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    request: dict[str, Any] = {
        "ModelPackageGroupName": GROUP,
        "ModelApprovalStatus": "Approved",
        "InferenceSpecification": {
            "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pytorch:2"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
    }
    if baselines is not None:
        request["DriftCheckBaselines"] = baselines
    return str(sagemaker.create_model_package(**request)["ModelPackageArn"])


def _config(tmp_path: Path, parameters: dict[str, str]) -> Path:
    path = tmp_path / "staging-config.json"
    path.write_text(json.dumps({"Parameters": {"StageName": "staging", **parameters}}))
    return path


def _run(config: Path, out: Path) -> int:
    return deploy_config.main(["--model-package-group", GROUP, "--output-dir", str(out), "--stage-config", str(config)])


def test_package_references_become_the_approved_versions_baselines(tmp_path: Path, aws: None) -> None:
    arn = _register(BASELINES)
    config = _config(
        tmp_path,
        {
            "DataQualityStatisticsUri": "model-package:ModelDataQuality.Statistics",
            "DataQualityConstraintsUri": "model-package:ModelDataQuality.Constraints",
            "ModelBiasConstraintsUri": "s3://explicit/analysis.json",
        },
    )
    assert _run(config, tmp_path / "out") == 0
    parameters = json.loads((tmp_path / "out" / "staging-config-export.json").read_text())["Parameters"]
    assert parameters == {
        "DataQualityConstraintsUri": "s3://b/v1/constraints.json",
        "DataQualityStatisticsUri": "s3://b/v1/statistics.json",
        "ModelBiasConstraintsUri": "s3://explicit/analysis.json",
        "ModelPackageName": arn,
        "StageName": "staging",
    }


def test_a_baseline_the_package_lacks_fails_and_writes_nothing(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(BASELINES)
    config = _config(tmp_path, {"ModelQualityConstraintsUri": "model-package:ModelQuality.Constraints"})
    assert _run(config, tmp_path / "out") == 1
    assert "records no drift check baseline ModelQuality.Constraints (parameter ModelQualityConstraintsUri)" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()


def test_no_reference_no_describe_call() -> None:
    class NoCalls:
        def describe_model_package(self, **_: Any) -> Any:
            raise AssertionError("DescribeModelPackage called without a baseline reference")

    stage = deploy_config.StageConfig(stage="prod", parameters={"StageName": "prod"}, tags={})
    assert deploy_config.resolve_package_baselines([stage], "arn", NoCalls()) == [stage]


def test_the_script_and_the_planner_spell_references_alike() -> None:
    assert deploy_config.PACKAGE_BASELINE == PACKAGE_BASELINE


@pytest.mark.parametrize("path", sorted(build_monitoring.PACKAGE_PATHS.values()))
def test_reference_paths_are_drift_check_baselines_members_with_an_s3_uri(path: str) -> None:
    """Each <group>.<member> the planner writes is a DriftCheckBaselines member holding S3Uri (botocore)."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.shape_for("DriftCheckBaselines")
    for part in path.split("."):
        assert part in shape.members, f"{part} is not a member of {shape.name}"
        shape = shape.members[part]
    assert "S3Uri" in shape.members
