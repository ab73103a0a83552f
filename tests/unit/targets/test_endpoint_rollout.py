"""Stage rollouts: the DeploymentConfig CloudFormation sends for each stage is the one the blueprint says,
and a valid UpdateEndpoint request by botocore's own service model; the review flags weakened rollouts.

The endpoint template picks a stage's form with conditions, so the tests resolve it as CloudFormation
does (each stage's ``<stage>-config.json`` over the template's defaults) before comparing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator

import mlopsgen
from mlopsgen.views.graph import deploy_mermaid
from mlopsgen.views.review_risks import risks
from tests.unit.views.support import _code, edit, plan_of, summary_of

TEMPLATES = ("model-deploy/endpoint-config-template.yml", "model-deploy/endpoint-stackset-template.yml")
STAGING = "    - name: staging\n      instance_type: ml.m5.large\n"
PROD = "      autoscaling: {min_instances: 1, max_instances: 4, target_invocations_per_instance: 100}\n"


def _blueprint(staging: str = "", prod: str = "") -> str:
    return edit("abalone", (STAGING, STAGING + staging), (PROD, PROD + prod))


def _render(text: str) -> dict[str, Any]:
    result = mlopsgen.render(text, name="abalone.yaml", code=_code())
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


class Stack:
    """One stage's stack as CloudFormation evaluates it: parameters, conditions, Fn::If, Ref, Fn::Sub."""

    NO_VALUE = object()

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.template = template
        self.values = {
            name: parameters.get(name, str(spec.get("Default", ""))) for name, spec in template["Parameters"].items()
        }
        self.numbers = {name for name, spec in template["Parameters"].items() if spec["Type"] == "Number"}
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = self._test(self.template["Conditions"][name])
        return self.conditions[name]

    def _test(self, node: dict[str, Any]) -> bool:
        ((kind, arg),) = node.items()
        if kind == "Condition":
            return self.condition(arg)
        if kind == "Fn::Equals":
            left, right = (self.value(v) for v in arg)
            return str(left) == str(right)
        if kind == "Fn::Not":
            return not self._test(arg[0])
        if kind == "Fn::Or":
            return any(self._test(a) for a in arg)
        if kind == "Fn::And":
            return all(self._test(a) for a in arg)
        raise AssertionError(f"condition {kind} is not modelled")

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not self.NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((kind, arg),) = node.items()
            if kind == "Ref":
                if arg == "AWS::NoValue":
                    return self.NO_VALUE
                if arg in self.values:
                    text = self.values[arg]
                    return int(text) if arg in self.numbers else text
                # Ref of an alarm is its name; other resources' physical ids do not matter here.
                properties = self.template["Resources"][arg].get("Properties", {})
                return self.value(properties["AlarmName"]) if "AlarmName" in properties else f"<{arg}>"
            if kind == "Fn::If":
                name, yes, no = arg
                return self.value(yes if self.condition(name) else no)
            if kind == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.values.get(m.group(1), m.group(0))), arg)
        out = {key: self.value(v) for key, v in node.items()}
        return {key: v for key, v in out.items() if v is not self.NO_VALUE}

    def resources(self) -> dict[str, Any]:
        """Resources this stage's stack creates (their Condition holds), properties resolved."""
        return {
            logical_id: self.value(resource.get("Properties", {}))
            for logical_id, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }


def _stacks(files: dict[str, Any], template: str = TEMPLATES[0]) -> dict[str, Stack]:
    parsed = yaml.safe_load(files[template])
    stages = [p.removeprefix("model-deploy/").removesuffix("-config.json") for p in files if p.endswith("-config.json")]
    return {
        stage: Stack(parsed, json.loads(files[f"model-deploy/{stage}-config.json"])["Parameters"]) for stage in stages
    }


def _validate_update_endpoint(config: dict[str, Any]) -> None:
    """botocore's request validation for UpdateEndpoint (types, enums, ranges, required members)."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("UpdateEndpoint").input_shape
    request = {"EndpointName": "abalone-prod", "EndpointConfigName": "config", "DeploymentConfig": config}
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


CANARY = (
    "      rollout:\n        strategy: canary\n        step_percent: 10\n        wait_seconds: 600\n"
    "        termination_wait_seconds: 120\n        max_execution_timeout_seconds: 1800\n"
    "        alarms: [team-abalone-errors, team-abalone-drift]\n"
)
ROLLING = (
    "      instance_count: 4\n"
    "      rollout: {strategy: rolling, step_instances: 1, wait_seconds: 60, generated_alarms: false,"
    " alarms: [team-abalone-errors]}\n"
)


def test_each_stage_gets_its_own_deployment_config_and_botocore_accepts_it() -> None:
    """Before: stage.rollout did not exist; the endpoint had no DeploymentConfig (plain swap, no rollback)."""
    files = _render(_blueprint(staging=ROLLING, prod=CANARY))
    for template in TEMPLATES[:1]:
        stacks = _stacks(files, template)
        prod = stacks["prod"].resources()
        prod_config = prod["Endpoint"]["DeploymentConfig"]
        assert prod_config == {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "CANARY",
                    "WaitIntervalInSeconds": 600,
                    "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                },
                "TerminationWaitInSeconds": 120,
                "MaximumExecutionTimeoutInSeconds": 1800,
            },
            "AutoRollbackConfiguration": {
                "Alarms": [
                    {"AlarmName": "abalone-prod-AllTraffic-5xx-errors"},
                    {"AlarmName": "abalone-prod-AllTraffic-model-latency"},
                    {"AlarmName": "team-abalone-errors"},
                    {"AlarmName": "team-abalone-drift"},
                ]
            },
        }
        assert {"ErrorsAlarm", "LatencyAlarm"} <= set(prod)
        staging = stacks["staging"].resources()
        assert staging["Endpoint"]["DeploymentConfig"] == {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
                "WaitIntervalInSeconds": 60,
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "team-abalone-errors"}]},
        }
        # generated_alarms: false → the stage's stack creates no alarm.
        assert not {"ErrorsAlarm", "LatencyAlarm"} & set(staging)
        for stack in stacks.values():
            _validate_update_endpoint(stack.resources()["Endpoint"]["DeploymentConfig"])


@pytest.mark.parametrize(
    ("rollout", "routing"),
    [
        ("{strategy: all_at_once, wait_seconds: 0}", {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}),
        (
            "{strategy: linear, step_percent: 25, wait_seconds: 400}",
            {
                "Type": "LINEAR",
                "WaitIntervalInSeconds": 400,
                "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
            },
        ),
    ],
)
def test_blue_green_forms_resolve_per_stage(rollout: str, routing: dict[str, Any]) -> None:
    files = _render(_blueprint(prod=f"      rollout: {rollout}\n"))
    stacks = _stacks(files)
    config = stacks["prod"].resources()["Endpoint"]["DeploymentConfig"]
    assert config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] == routing
    assert config["AutoRollbackConfiguration"] == {
        "Alarms": [
            {"AlarmName": "abalone-prod-AllTraffic-5xx-errors"},
            {"AlarmName": "abalone-prod-AllTraffic-model-latency"},
        ]
    }
    _validate_update_endpoint(config)
    # A stage without a rollout keeps SageMaker's plain swap: no DeploymentConfig, no alarms.
    staging = stacks["staging"].resources()
    assert "DeploymentConfig" not in staging["Endpoint"]
    assert not {"ErrorsAlarm", "LatencyAlarm"} & set(staging)


def test_generated_alarms_watch_the_stage_endpoint_variant() -> None:
    files = _render(
        _blueprint(prod="      rollout: {strategy: all_at_once, generated_alarms: {errors_5xx: 3, latency_ms: 250}}\n")
    )
    resources = _stacks(files)["prod"].resources()
    errors, latency = resources["ErrorsAlarm"], resources["LatencyAlarm"]
    dimensions = [{"Name": "EndpointName", "Value": "abalone-prod"}, {"Name": "VariantName", "Value": "AllTraffic"}]
    assert errors["Dimensions"] == latency["Dimensions"] == dimensions
    assert resources["Endpoint"]["EndpointName"] == "abalone-prod"
    assert (errors["MetricName"], errors["Statistic"], errors["Threshold"]) == ("Invocation5XXErrors", "Sum", 3)
    # ModelLatency is reported in microseconds.
    assert (latency["MetricName"], latency["Statistic"], latency["Threshold"]) == ("ModelLatency", "Average", 250_000)
    assert errors["TreatMissingData"] == latency["TreatMissingData"] == "notBreaching"
    assert errors["AlarmName"] == "abalone-prod-AllTraffic-5xx-errors"
    # botocore's PutMetricAlarm takes what the alarm resource says.
    model = botocore.session.get_session().get_service_model("cloudwatch")
    shape = model.operation_model("PutMetricAlarm").input_shape
    for alarm in (errors, latency):
        request = {k: v for k, v in alarm.items() if k != "Tags"}
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()


def test_generated_alarms_are_accepted_by_cloudwatch_on_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's CloudFormation does not model AWS::CloudWatch::Alarm (it skips it with a warning), so each
    resolved alarm goes to moto's CloudWatch PutMetricAlarm as CloudFormation's handler would send it."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    files = _render(_blueprint(prod=CANARY))
    resources = _stacks(files)["prod"].resources()
    with moto.mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        for logical_id in ("ErrorsAlarm", "LatencyAlarm"):
            cloudwatch.put_metric_alarm(**resources[logical_id])
        alarms = cloudwatch.describe_alarms(AlarmNamePrefix="abalone-prod-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == [
        "abalone-prod-AllTraffic-5xx-errors",
        "abalone-prod-AllTraffic-model-latency",
    ]
    assert {a["TreatMissingData"] for a in alarms} == {"notBreaching"}


def test_stack_set_stages_create_their_alarms_in_the_target_account() -> None:
    files = _render(_blueprint(prod='      accounts: ["333333333333"]\n' + CANARY))
    stackset = yaml.safe_load(files[TEMPLATES[1]])
    resources = Stack(stackset, json.loads(files["model-deploy/prod-config.json"])["Parameters"]).resources()
    assert {"ErrorsAlarm", "LatencyAlarm"} <= set(resources)
    # Stack sets have no stack tags: the template tags the alarms like the endpoint.
    assert resources["ErrorsAlarm"]["Tags"] == resources["Endpoint"]["Tags"]
    _validate_update_endpoint(resources["Endpoint"]["DeploymentConfig"])


def test_projects_without_rollouts_keep_their_template() -> None:
    files = _render(_blueprint())
    template = yaml.safe_load(files[TEMPLATES[0]])
    assert not any(name.startswith(("Rollout", "Rollback")) for name in template["Parameters"])
    assert "DeploymentConfig" not in template["Resources"]["Endpoint"]["Properties"]


def test_the_sdk_builds_the_same_deployment_config() -> None:
    """The oracle: sagemaker-core's own shapes, built from the blueprint's values, serialize to what we send."""
    shapes = pytest.importorskip("sagemaker.core.shapes")
    from sagemaker.core.utils.utils import serialize

    files = _render(_blueprint(staging=ROLLING, prod=CANARY))
    stacks = _stacks(files)
    step = shapes.CapacitySize
    canary = shapes.DeploymentConfig(
        blue_green_update_policy=shapes.BlueGreenUpdatePolicy(
            traffic_routing_configuration=shapes.TrafficRoutingConfig(
                type="CANARY", wait_interval_in_seconds=600, canary_size=step(type="CAPACITY_PERCENT", value=10)
            ),
            termination_wait_in_seconds=120,
            maximum_execution_timeout_in_seconds=1800,
        ),
        auto_rollback_configuration=shapes.AutoRollbackConfig(
            alarms=[
                shapes.Alarm(alarm_name=name)
                for name in (
                    "abalone-prod-AllTraffic-5xx-errors",
                    "abalone-prod-AllTraffic-model-latency",
                    "team-abalone-errors",
                    "team-abalone-drift",
                )
            ]
        ),
    )
    rolling = shapes.DeploymentConfig(
        rolling_update_policy=shapes.RollingUpdatePolicy(
            maximum_batch_size=step(type="INSTANCE_COUNT", value=1), wait_interval_in_seconds=60
        ),
        auto_rollback_configuration=shapes.AutoRollbackConfig(alarms=[shapes.Alarm(alarm_name="team-abalone-errors")]),
    )
    assert stacks["prod"].resources()["Endpoint"]["DeploymentConfig"] == serialize(canary)
    assert stacks["staging"].resources()["Endpoint"]["DeploymentConfig"] == serialize(rolling)


# --- review and graph ------------------------------------------------------------------------------


def _risks(before: str, after: str) -> list[str]:
    return risks(summary_of(_blueprint(prod=before)), summary_of(_blueprint(prod=after)))


def test_review_flags_rollback_removed() -> None:
    found = _risks(CANARY, "")
    assert any("automatic rollback removed from stage `prod`" in r for r in found), found
    assert any("stage `prod` now shifts all traffic to a new model at once (was `canary`)" in r for r in found)


def test_review_flags_all_at_once_and_alarms_removed() -> None:
    after = (
        CANARY.replace("canary", "all_at_once")
        .replace("        step_percent: 10\n", "")
        .replace("alarms: [team-abalone-errors, team-abalone-drift]", "alarms: [team-abalone-errors]")
    )
    found = _risks(CANARY, after)
    assert found == [
        "stage `prod` now shifts all traffic to a new model at once (was `canary`): a bad model reaches every "
        "request before an alarm can fire",
        "rollback alarms removed from stage `prod`: `team-abalone-drift`",
    ]
    off = _risks(CANARY, CANARY.replace("        alarms:", "        generated_alarms: false\n        alarms:"))
    assert off == ["the generated 5xx-error and latency rollback alarms of stage `prod` were turned off"]


def test_review_has_no_rollout_risk_for_stronger_rollouts() -> None:
    assert _risks("", CANARY) == []
    assert _risks(CANARY, CANARY.replace("step_percent: 10", "step_percent: 5")) == []


def test_graph_shows_the_rollout() -> None:
    graph = deploy_mermaid(plan_of(_blueprint(staging=ROLLING, prod=CANARY)))
    assert "canary 10%, rollback on 4 alarms" in graph
    assert "rolling 1 inst., rollback on 1 alarm" in graph
