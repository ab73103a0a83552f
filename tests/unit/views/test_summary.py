"""views.summary: a stable, JSON-native description of each blueprint in reviewer terms."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from mlopsgen.plan.model import ExecVar, Join, JsonGet, ParamRef, StepProp
from mlopsgen.views.summary import expr_text, summarize
from tests.conftest import ROOT
from tests.unit.views.support import NAMES, edit, plan_named, summary_of, text


@pytest.mark.parametrize("name", NAMES)
def test_summary_is_json_native_and_stable(name: str) -> None:
    first = summarize(plan_named(name))
    second = summary_of(text(name))  # a second plan built from the same text
    assert first == second
    encoded = json.dumps(first, ensure_ascii=False)  # no sort_keys: key order itself is stable
    assert encoded == json.dumps(second, ensure_ascii=False)
    assert json.loads(encoded) == first  # what the manifest gives back equals a fresh summary


@pytest.mark.parametrize("name", NAMES)
def test_unordered_keys_are_sorted_and_stages_keep_deploy_order(name: str) -> None:
    summary = summarize(plan_named(name))
    pipeline = summary["pipeline"]
    assert list(pipeline["steps"]) == sorted(pipeline["steps"])
    assert list(pipeline["parameters"]) == sorted(pipeline["parameters"])
    plan = plan_named(name)
    assert plan.deploy is not None
    assert [s["name"] for s in summary["deploy"]["stages"]] == [s.name for s in plan.deploy.stages]


def test_abalone_summary_in_blueprint_terms() -> None:
    summary = summarize(plan_named("abalone"))
    steps = summary["pipeline"]["steps"]
    assert summary["pipeline"]["name"] == "abalone-p-abc123def456"
    assert set(steps) == {
        "PreprocessAbaloneData",
        "TrainAbaloneModel",
        "EvaluateAbaloneModel",
        "CheckMSEAbaloneEvaluation",
        "RegisterAbaloneModel",
    }
    assert steps["PreprocessAbaloneData"]["instance_type"] == "${params.ProcessingInstanceType}"
    assert steps["PreprocessAbaloneData"]["instance_count"] == "${params.ProcessingInstanceCount}"
    assert steps["TrainAbaloneModel"]["instance_count"] == "1"
    assert steps["TrainAbaloneModel"]["image"].endswith("sagemaker-xgboost:1.7-1")
    assert steps["TrainAbaloneModel"]["volume_size_gb"] == 30
    assert steps["CheckMSEAbaloneEvaluation"] == {
        "type": "condition",
        "if": [{"op": "<=", "left": "json_get(AbaloneEvaluationReport, regression_metrics.mse.value)", "right": 6.0}],
    }
    assert steps["TrainAbaloneModel"]["hyperparameters"]["eta"] == "0.2"
    assert steps["RegisterAbaloneModel"]["approval_status"] == "${params.ModelApprovalStatus}"
    assert steps["RegisterAbaloneModel"]["condition"] == "CheckMSEAbaloneEvaluation"
    assert steps["RegisterAbaloneModel"]["branch"] == "then"
    assert "branch" not in steps["TrainAbaloneModel"]
    assert summary["pipeline"]["parameters"]["ProcessingInstanceCount"] == {"type": "integer", "default": 1}
    staging, prod = summary["deploy"]["stages"]
    assert staging == {
        "name": "staging",
        "manual_approval": False,
        "instance_type": "ml.m5.large",
        "instance_count": 1,
        "autoscaling": None,
        "data_capture": 100,
        "test": True,
        "stack_name": "sagemaker-abalone-p-abc123def456-deploy-staging",
        "endpoint_name": "abalone-staging",
        "targets": None,
        "batch": None,  # an endpoint stage
    }
    assert prod["manual_approval"] is True and prod["test"] is False and prod["data_capture"] == 80
    assert prod["autoscaling"] == {"min_instances": 1, "max_instances": 4, "target_invocations_per_instance": 100}
    assert summary["ci"] == {
        "backends": ["codepipeline", "jenkins"],
        "source": {"provider": "github", "repository": "example-org/abalone-mlops", "branch": "main"},
        "execution_parameters": {},
    }
    assert summary["security"]["volume_kms_key"] is None and summary["security"]["subnets"] == []
    assert summary["security"]["vpc_endpoints"] == []


def test_churn_summary_has_else_branch_and_capture_off() -> None:
    summary = summarize(plan_named("churn"))
    steps = summary["pipeline"]["steps"]
    assert steps["ChurnModelTooWeak"] == {"type": "fail", "condition": "CheckChurnQuality", "branch": "else"}
    assert steps["ScoreCustomers"]["branch"] == "then" and steps["ScoreCustomers"]["instance_count"] == "2"
    assert "image" not in steps["ScoreCustomers"]
    assert steps["PrepareChurnData"]["volume_size_gb"] == 50
    assert summary["pipeline"]["parameters"]["MinimumAuc"] == {"type": "float", "default": 0.8}
    assert summary["pipeline"]["parameters"]["RegisterModel"] == {"type": "boolean", "default": True}
    assert summary["deploy"]["stages"][0]["data_capture"] is None
    assert summary["ci"]["source"]["provider"] == "codecommit"


def test_fraud_summary_security() -> None:
    summary = summarize(plan_named("fraud_secure"))
    security = summary["security"]
    assert security["subnets"] == sorted(["subnet-0a11b22c33d44e55f", "subnet-0f55e44d33c22b11a"])
    assert security["security_groups"] == ["sg-0123456789abcdef0"]
    assert security["volume_kms_key"].endswith("key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b")
    assert security["output_kms_key"].endswith("key/9a8b7c6d-5e4f-4321-9876-543210fedcba")
    assert security["encrypt_inter_container_traffic"] is True and security["network_isolation"] is True
    steps = summary["pipeline"]["steps"]
    assert steps["BuildFeatures"]["network_isolation"] is False
    assert steps["TrainFraudModel"]["network_isolation"] is True


def test_fraud_summary_target_accounts_and_vpc_endpoints() -> None:
    summary = summarize(plan_named("fraud_secure"))
    dev, staging, prod = summary["deploy"]["stages"]
    assert dev["targets"] is None  # the project account
    assert staging["targets"] == {"accounts": ["444444444444", "555555555555"], "organizational_units": []}
    assert prod["targets"] == {"accounts": [], "organizational_units": ["ou-fr4d-prod0001", "ou-fr4d-prodeu02"]}
    assert summary["security"]["vpc_endpoints"] == [
        "vpce-03d9ed0a1ba396ff5",
        "vpce-07ef65869ca950e14",
        "vpce-0a1b2c3d4e5f60718",
        "vpce-0b82e29a828790da2",
    ]


def test_target_and_endpoint_order_is_no_change() -> None:
    reordered = edit(
        "fraud_secure",
        ('accounts: ["444444444444", "555555555555"]', 'accounts: ["555555555555", "444444444444"]'),
        ("[ou-fr4d-prod0001, ou-fr4d-prodeu02]", "[ou-fr4d-prodeu02, ou-fr4d-prod0001]"),
        (
            "vpc_endpoints: [vpce-0a1b2c3d4e5f60718, ",
            "vpc_endpoints: [vpce-03d9ed0a1ba396ff5, vpce-0a1b2c3d4e5f60718, ",
        ),
        (", vpce-03d9ed0a1ba396ff5]", "]"),
    )
    assert summary_of(reordered) == summarize(plan_named("fraud_secure"))


def test_new_keys_keep_format_1() -> None:
    # Added keys read as their defaults when absent, so the previous version's summaries stay format 1.
    assert summarize(plan_named("fraud_secure"))["format"] == 1


def test_no_deploy_or_ci_section_is_null() -> None:
    start = text("abalone").index("deploy:\n")
    summary = summary_of(text("abalone")[:start])
    assert summary["deploy"] is None and summary["ci"] is None
    json.dumps(summary)


def test_edit_shows_in_summary() -> None:
    summary = summary_of(
        edit(
            "abalone",
            ("default: ml.m5.xlarge}\n    TrainingInstanceType", "default: ml.m5.2xlarge}\n    TrainingInstanceType"),
        )
    )
    assert summary["pipeline"]["parameters"]["ProcessingInstanceType"]["default"] == "ml.m5.2xlarge"


def test_expr_text() -> None:
    assert expr_text(True) == "true"
    assert expr_text(2) == "2"
    assert expr_text(ParamRef("X")) == "${params.X}"
    assert expr_text(ExecVar("PipelineExecutionId")) == "${execution.PipelineExecutionId}"
    assert expr_text(StepProp("S", "ModelName")) == "${steps.S.properties.ModelName}"
    assert expr_text(JsonGet("S", "Report", "a.b")) == "json_get(Report, a.b)"
    assert expr_text(Join("/", ("s3:/", ParamRef("B"), "x"))) == "s3://${params.B}/x"


@pytest.mark.parametrize("module", sorted((ROOT / "mlopsgen" / "views").glob("*.py")), ids=lambda p: p.name)
def test_views_read_only_the_plan(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    internal = {name for name in imported if name.startswith("mlopsgen")}
    assert all(name == "mlopsgen.plan.model" or name.startswith("mlopsgen.views.") for name in internal), internal
    assert not imported & {"os", "pathlib", "time", "datetime", "random", "io", "subprocess"}
