"""Deploying from the hub into other accounts: the project bucket's MLG313 rule gives way to the hub's copy."""

from __future__ import annotations

from pathlib import Path

import yaml

import mlopsgen

EXAMPLE = Path(__file__).resolve().parents[3] / "blueprints" / "hub_spoke.yaml"
OUTSIDE = "s3://team-scratch-bucket/models"


def _example(deploy_from_hub: bool) -> dict[str, object]:
    data = yaml.safe_load(EXAMPLE.read_text())
    train = next(s for s in data["pipeline"]["steps"] if s["name"] == "TrainAbaloneModel")
    train["output_path"] = OUTSIDE  # a bucket the target accounts are not granted
    data["registry"]["deploy_from_hub"] = deploy_from_hub
    return data


def _codes(deploy_from_hub: bool) -> list[str]:
    code = {p: b"" for p in ("pipelines/abalone/preprocess.py", "pipelines/abalone/evaluate.py")}
    code["tests/abalone-sample.csv"] = b"1,2,3\n"
    return [d.code for d in mlopsgen.validate(_example(deploy_from_hub), name="hub_spoke.yaml", code=code)]


def test_a_model_outside_the_artifact_bucket_deploys_into_other_accounts_from_the_hub() -> None:
    # The stack set deploys the hub's copy (promote.py copies the artifact wherever it was written).
    assert _codes(deploy_from_hub=True) == []


def test_without_deploy_from_hub_the_target_accounts_read_the_artifact_bucket() -> None:
    assert _codes(deploy_from_hub=False) == ["MLG313"]
