"""deploy_config.py: newest Approved model package → per-stage CloudFormation configuration files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import deploy_config  # noqa: E402

from .conftest import StubSession  # noqa: E402

GROUP = "abalone-p-abc123def456"
ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/" + GROUP


def _register(statuses: list[str]) -> None:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    for status in statuses:
        sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )


def _configs(tmp_path: Path) -> list[Path]:
    staging = tmp_path / "staging-config.json"
    staging.write_text(
        json.dumps(
            {
                "Parameters": {
                    "StageName": "staging",
                    "EndpointInstanceType": "ml.m5.large",
                    "EndpointInstanceCount": "1",
                    "ModelPackageName": "placeholder",
                },
                "Tags": {"team": "ml", "cost-center": "42"},
            }
        )
    )
    prod = tmp_path / "prod-config.json"
    prod.write_text(json.dumps({"Parameters": {"StageName": "prod", "SamplingPercentage": "80"}}))
    return [staging, prod]


def _args(configs: list[Path], out: Path) -> list[str]:
    args = ["--model-package-group", GROUP, "--output-dir", str(out)]
    for config in configs:
        args += ["--stage-config", str(config)]
    return args


def test_newest_approved_package_wins_and_three_files_per_stage(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Versions 1 and 2 approved; the newer 3 and 4 are rejected / pending: version 2 must be chosen.
    _register(["Approved", "Approved", "Rejected", "PendingManualApproval"])
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out)) == 0

    stdout = capsys.readouterr().out
    assert f"using model package {ARN}/2 (version 2, created 20" in stdout
    assert sorted(path.name for path in out.iterdir()) == [
        "prod-config-export.json",
        "prod-params-export.json",
        "prod-tags-export.json",
        "staging-config-export.json",
        "staging-params-export.json",
        "staging-tags-export.json",
    ]
    assert (out / "staging-config-export.json").read_text() == (
        "{\n"
        '  "Parameters": {\n'
        '    "EndpointInstanceCount": "1",\n'
        '    "EndpointInstanceType": "ml.m5.large",\n'
        f'    "ModelPackageName": "{ARN}/2",\n'
        '    "StageName": "staging"\n'
        "  },\n"
        '  "Tags": {\n'
        '    "cost-center": "42",\n'
        '    "team": "ml"\n'
        "  }\n"
        "}\n"
    )
    assert json.loads((out / "staging-params-export.json").read_text()) == [
        {"ParameterKey": "EndpointInstanceCount", "ParameterValue": "1"},
        {"ParameterKey": "EndpointInstanceType", "ParameterValue": "ml.m5.large"},
        {"ParameterKey": "ModelPackageName", "ParameterValue": f"{ARN}/2"},
        {"ParameterKey": "StageName", "ParameterValue": "staging"},
    ]
    assert (out / "staging-tags-export.json").read_text() == (
        '[\n  {\n    "Key": "cost-center",\n    "Value": "42"\n  },\n'
        '  {\n    "Key": "team",\n    "Value": "ml"\n  }\n]\n'
    )
    assert json.loads((out / "prod-config-export.json").read_text()) == {
        "Parameters": {"ModelPackageName": f"{ARN}/2", "SamplingPercentage": "80", "StageName": "prod"},
        "Tags": {},
    }
    assert (out / "prod-tags-export.json").read_text() == "[]\n"


def test_later_approval_of_a_newer_version_takes_over(tmp_path: Path, session: Any) -> None:
    _register(["Approved", "PendingManualApproval"])
    boto3.client("sagemaker").update_model_package(ModelPackageArn=f"{ARN}/2", ModelApprovalStatus="Approved")
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path)[1:], out), session=session) == 0
    parameters = json.loads((out / "prod-config-export.json").read_text())["Parameters"]
    assert parameters["ModelPackageName"] == f"{ARN}/2"


def test_no_approved_package_is_an_error(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _register(["PendingManualApproval", "Rejected"])
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out), session=session) == 1
    err = capsys.readouterr().err
    assert err == f"error: no Approved model package in model package group '{GROUP}'; " + (
        "approve a model version in the SageMaker model registry first\n"
    )
    assert not out.exists()


def test_missing_group_is_an_error(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_config.main(_args(_configs(tmp_path), tmp_path / "out"), session=session) == 1
    assert "no Approved model package" in capsys.readouterr().err


class _PagedSageMaker:
    """A stub whose first page is empty but has a NextToken, as ListModelPackages may answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def list_model_packages(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if "NextToken" not in request:
            return {"ModelPackageSummaryList": [], "NextToken": "t1"}
        return {
            "ModelPackageSummaryList": [
                {"ModelPackageArn": f"{ARN}/7", "ModelPackageVersion": 7, "ModelApprovalStatus": "Approved"},
                {"ModelPackageArn": f"{ARN}/5", "ModelPackageVersion": 5, "ModelApprovalStatus": "Approved"},
            ]
        }


def test_follows_pages_and_asks_for_descending_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stub = _PagedSageMaker()
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out), session=StubSession(sagemaker=stub)) == 0
    assert stub.requests == [
        {
            "ModelPackageGroupName": GROUP,
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 100,
        },
        {
            "ModelPackageGroupName": GROUP,
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 100,
            "NextToken": "t1",
        },
    ]
    assert "(version 7, created ?)" in capsys.readouterr().out
    assert json.loads((out / "prod-config-export.json").read_text())["Parameters"]["ModelPackageName"] == f"{ARN}/7"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("staging.json", "{}", "must be named <stage>-config.json"),
        ("-config.json", "{}", "must be named <stage>-config.json"),
        ("staging-config.json", "{oops", "is not valid JSON"),
        ("staging-config.json", "[]", "must be a JSON object"),
        ("staging-config.json", '{"Parameters": {"EndpointInstanceCount": 1}}', "must be a string"),
        ("staging-config.json", '{"Parameters": [], "Tags": {}}', "Parameters must be a JSON object"),
        ("staging-config.json", '{"Parameter": {}}', "unknown key(s) Parameter"),
    ],
)
def test_bad_stage_config_writes_nothing(
    tmp_path: Path, name: str, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / name
    config.write_text(content)
    out = tmp_path / "out"
    # No session is needed: configs are checked before any AWS call.
    assert deploy_config.main(_args([config], out), session=StubSession()) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_duplicate_stage_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configs = _configs(tmp_path)
    (tmp_path / "again").mkdir()
    duplicate = tmp_path / "again" / "prod-config.json"
    duplicate.write_text("{}")
    assert deploy_config.main(_args([*configs, duplicate], tmp_path / "out"), session=StubSession()) == 1
    assert "stage 'prod' is given more than once" in capsys.readouterr().err


def test_missing_stage_config_is_a_usage_error(tmp_path: Path) -> None:
    assert deploy_config.main(["--model-package-group", GROUP, "--output-dir", str(tmp_path)]) == 2
