"""The monitoring part of the endpoint stack: the job definitions equal what the SageMaker SDK's monitors
request (the SDK is the oracle), schedule names fit AWS's limits, stages switch their monitors, and the
module is loaded only for blueprints that monitor."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import cfnlint
import pytest
import yaml

from mlopsgen.plan.model_monitoring import KINDS
from mlopsgen.targets import endpoint_monitoring

ROOT = Path(__file__).resolve().parents[3]
NO_VALUE = object()


@cache
def _generated(example: str, name: str) -> Any:
    text = (ROOT / "generated" / example / "model-deploy" / name).read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith(".yml") else json.loads(text)


class Stack:
    """Evaluates a template's values for one stage's parameters, as CloudFormation would."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.template = template
        self.values: dict[str, Any] = {}
        for name, spec in template["Parameters"].items():
            value = parameters.get(name, spec.get("Default"))
            # CloudFormation hands a Number parameter to the resource as a number.
            self.values[name] = int(value) if spec["Type"] == "Number" and value is not None else value

    def condition(self, name: str) -> bool:
        return bool(self.evaluate(self.template["Conditions"][name]))

    def evaluate(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.evaluate(v) for v in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return NO_VALUE if arg == "AWS::NoValue" else self.values[arg]
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::If":
                return self.evaluate(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Equals":
                return self.evaluate(arg[0]) == self.evaluate(arg[1])
            if key == "Fn::Not":
                return not self.evaluate(arg[0])
            if key == "Fn::Or":
                return any(self.evaluate(a) for a in arg)
            if key == "Fn::And":
                return all(self.evaluate(a) for a in arg)
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.values[m.group(1)]), arg)
            if key == "Fn::GetAtt" and arg == ["Endpoint", "EndpointName"]:
                return f"{self.values['SageMakerProjectName']}-{self.values['StageName']}"
        out = {k: self.evaluate(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}


def _stack(example: str, stage: str) -> Stack:
    parameters = dict(_generated(example, f"{stage}-config.json")["Parameters"])
    parameters.setdefault("ModelExecutionRoleArn", "arn:aws:iam::111111111111:role/model")
    return Stack(_generated(example, "endpoint-config-template.yml"), parameters)


def _session() -> Any:
    session = MagicMock()
    session.sagemaker_config = None
    session.boto_session.region_name = "eu-west-1"
    return session


def _ours(stack: Stack, kind: str) -> dict[str, Any]:
    """The job definition as CloudFormation creates it, less what only CloudFormation takes."""
    properties = stack.evaluate(stack.template["Resources"][f"{KINDS[kind][0]}JobDefinition"]["Properties"])
    for cloudformation_only in ("EndpointName", "Tags"):
        del properties[cloudformation_only]
    return dict(properties)


def _network(stack: Stack, kind: str) -> Any:
    from sagemaker.core.network import NetworkConfig

    network = _ours(stack, kind)["NetworkConfig"]
    vpc = network.get("VpcConfig", {})
    return NetworkConfig(
        enable_network_isolation=network["EnableNetworkIsolation"],
        encrypt_inter_container_traffic=network["EnableInterContainerTrafficEncryption"],
        security_group_ids=vpc.get("SecurityGroupIds"),
        subnets=vpc.get("Subnets"),
    )


def _common(stack: Stack, kind: str) -> dict[str, Any]:
    """The SDK arguments read from the stage (so the comparison checks the shape, keys and constants)."""
    values = stack.values
    ours = _ours(stack, kind)
    cluster = ours["JobResources"]["ClusterConfig"]
    output = ours[f"{KINDS[kind][0]}JobOutputConfig"]
    return {
        "monitoring_schedule_name": "schedule",
        "job_definition_name": "job",
        "output_s3_uri": f"{values['MonitoringOutputUri']}/{kind.replace('_', '-')}",
        "enable_cloudwatch_metrics": True,
        "role": values["ModelExecutionRoleArn"],
        "instance_count": 1,
        "instance_type": values["MonitoringInstanceType"],
        "volume_size_in_gb": values["MonitoringVolumeSizeInGB"],
        "volume_kms_key": cluster.get("VolumeKmsKeyId"),
        "output_kms_key": output.get("KmsKeyId"),
        "max_runtime_in_seconds": values["MonitoringMaxRuntimeInSeconds"],
        "network_config": _network(stack, kind),
    }


def _sdk_request(request: dict[str, Any]) -> dict[str, Any]:
    del request["JobDefinitionName"]
    return json.loads(json.dumps(request))


@pytest.mark.parametrize(("example", "stage"), [("credit", "staging"), ("credit", "prod"), ("fraud_secure", "staging")])
def test_data_quality_job_definition_equals_the_sdks(example: str, stage: str) -> None:
    from sagemaker.core.model_monitor.model_monitoring import DefaultModelMonitor
    from sagemaker.core.model_monitor.monitoring_files import Constraints, Statistics

    stack = _stack(example, stage)
    values = stack.values
    monitor = DefaultModelMonitor(role=values["ModelExecutionRoleArn"], sagemaker_session=_session())
    # A package reference stands for the URI deploy_config.py puts there; any text is compared alike.
    request = monitor._build_create_data_quality_job_definition_request(
        endpoint_input=f"{values['SageMakerProjectName']}-{stage}",
        image_uri=_ours(stack, "data_quality")["DataQualityAppSpecification"]["ImageUri"],
        statistics=Statistics({}, values["DataQualityStatisticsUri"]),
        constraints=Constraints({}, values["DataQualityConstraintsUri"]),
        **_common(stack, "data_quality"),
    )
    assert _ours(stack, "data_quality") == _sdk_request(request)


def test_model_quality_job_definition_equals_the_sdks() -> None:
    from sagemaker.core.model_monitor.model_monitoring import EndpointInput, ModelQualityMonitor
    from sagemaker.core.model_monitor.monitoring_files import Constraints

    stack = _stack("credit", "staging")
    values = stack.values
    monitor = ModelQualityMonitor(role=values["ModelExecutionRoleArn"], sagemaker_session=_session())
    request = monitor._build_create_model_quality_job_definition_request(
        endpoint_input=EndpointInput(
            endpoint_name="credit-staging",
            destination="/opt/ml/processing/input/endpoint",
            inference_attribute=values["ModelQualityInferenceAttribute"],
            probability_threshold_attribute=float(values["ModelQualityProbabilityThreshold"]),
        ),
        ground_truth_input=values["ModelQualityGroundTruthUri"],
        problem_type=values["ModelQualityProblemType"],
        image_uri=_ours(stack, "model_quality")["ModelQualityAppSpecification"]["ImageUri"],
        constraints=Constraints({}, values["ModelQualityConstraintsUri"]),
        **_common(stack, "model_quality"),
    )
    ours = _ours(stack, "model_quality")
    # CloudFormation converts the String parameter to the schema's number.
    endpoint_input = ours["ModelQualityJobInput"]["EndpointInput"]
    endpoint_input["ProbabilityThresholdAttribute"] = float(endpoint_input["ProbabilityThresholdAttribute"])
    assert ours == _sdk_request(request)


@pytest.mark.parametrize("kind", ["model_bias", "model_explainability"])
def test_clarify_job_definitions_equal_the_sdks(kind: str) -> None:
    from sagemaker.core.model_monitor import clarify_model_monitoring as clarify
    from sagemaker.core.model_monitor.monitoring_files import Constraints

    stack = _stack("credit", "staging")
    values = stack.values
    part = KINDS[kind][0]
    monitor_class = clarify.ModelBiasMonitor if kind == "model_bias" else clarify.ModelExplainabilityMonitor
    monitor = monitor_class(role=values["ModelExecutionRoleArn"], sagemaker_session=_session())
    constraints = values[f"{part}ConstraintsUri"]
    request = monitor._build_create_job_definition_request(
        endpoint_input="credit-staging",
        ground_truth_input=values.get(f"{part}GroundTruthUri"),
        analysis_config=values[f"{part}AnalysisConfigUri"],
        constraints=Constraints({}, constraints) if constraints else None,
        image_uri=_ours(stack, kind)[f"{part}AppSpecification"]["ImageUri"],
        **_common(stack, kind),
    )
    assert _ours(stack, kind) == _sdk_request(request)


def test_monitoring_images_are_the_sdks() -> None:
    from sagemaker.core.model_monitor.clarify_model_monitoring import ModelBiasMonitor
    from sagemaker.core.model_monitor.model_monitoring import DefaultModelMonitor

    stack = _stack("credit", "staging")
    session = _session()
    assert _ours(stack, "data_quality")["DataQualityAppSpecification"]["ImageUri"] == (
        DefaultModelMonitor(role="r", sagemaker_session=session).image_uri
    )
    clarify = ModelBiasMonitor(role="r", sagemaker_session=session).image_uri
    assert _ours(stack, "model_bias")["ModelBiasAppSpecification"]["ImageUri"] == clarify
    assert _ours(stack, "model_explainability")["ModelExplainabilityAppSpecification"]["ImageUri"] == clarify


def test_stages_switch_their_own_monitors() -> None:
    staging, prod = _stack("credit", "staging"), _stack("credit", "prod")
    assert [kind for kind in KINDS if staging.condition(f"{KINDS[kind][0]}Monitor")] == list(KINDS)
    assert [kind for kind in KINDS if prod.condition(f"{KINDS[kind][0]}Monitor")] == ["data_quality"]
    # One alarm resource per metric, each stage with its own threshold.
    assert staging.values["DataQualityAlarm1Threshold"] == "0.2" and prod.values["DataQualityAlarm1Threshold"] == "0.1"
    assert prod.condition("DataQualityAlarm1") and not prod.condition("ModelQualityAlarm1")
    assert staging.evaluate({"Ref": "DataQualityScheduleExpression"}) == "cron(0 0 ? * * *)"
    assert prod.evaluate({"Ref": "DataQualityScheduleExpression"}) == "cron(0 * ? * * *)"


def test_schedule_names_fit_the_longest_project_and_stage() -> None:
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    digest = json.loads((schemas / "providers" / "eu-west-1.json").read_text())["AWS::SageMaker::MonitoringSchedule"]
    name = json.loads((schemas / "resources" / f"{digest}.json").read_text())["definitions"]["MonitoringScheduleName"]
    for suffix in endpoint_monitoring.SUFFIXES.values():
        longest = f"{'p' * 32}-{'s' * 20}-{suffix}"  # project names ≤ 32, stage names ≤ 20
        assert len(longest) <= name["maxLength"] and re.fullmatch(name["pattern"], longest)


def test_blueprints_without_monitoring_do_not_load_it() -> None:
    code = (
        "import sys, mlopsgen; mlopsgen.render('blueprints/abalone.yaml'); "
        "print(sorted(m for m in sys.modules if 'monitoring' in m))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    # The checks (validation runs every check) and the Plan's classes; not the blueprint models (they load
    # when a blueprint has a monitoring block, blueprint/lazy.py), the plan builder nor the emitter.
    loaded = done.stdout.strip()
    assert loaded == str(["mlopsgen.blueprint.checks_monitoring", "mlopsgen.plan.model_monitoring"])


def _statements(document: Any) -> dict[str, Any]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_target_account_monitoring_jobs_reach_their_inputs_and_outputs() -> None:
    """fraud_secure monitors its stack-set stage: the jobs run as the target model role, which (and the
    artifact bucket's policy) lets them read the capture and baselines and write the reports there."""
    root = ROOT / "generated" / "fraud_secure" / "infrastructure"
    target = yaml.safe_load((root / "target-account.yml").read_text())
    role = target["Resources"]["ModelExecutionRole"]
    (policy,) = role["Properties"]["Policies"]
    granted = _statements(policy["PolicyDocument"])
    bucket = "arn:aws:s3:::sagemaker-project-p-secure0001"
    assert f"{bucket}/datacapture-staging/*" in granted["ReadMonitoringInputs"]["Resource"]
    assert f"{bucket}/baselines/fraud/statistics.json" in granted["ReadMonitoringInputs"]["Resource"]
    assert granted["WriteMonitoringReports"]["Resource"] == [f"{bucket}/monitoring-staging/*"]
    assert granted["ListMonitoringInputs"]["Condition"] == {"StringLike": {"s3:prefix": ["datacapture-staging/*"]}}
    assert any("sagemaker-model-monitor-analyzer" in arn for arn in granted["PullImages"]["Resource"])
    project = yaml.safe_load((root / "project.yml").read_text())
    bucket_policy = _statements(project["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"])
    assert {"TargetMonitoringReadAccounts", "TargetMonitoringWriteAccounts", "TargetMonitoringListAccounts"} <= set(
        bucket_policy
    )
