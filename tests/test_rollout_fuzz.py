"""Generative test of stage rollouts: any rollout either fails validation at its line, or every stage's
stack sends a DeploymentConfig that botocore's UpdateEndpoint accepts and that SageMaker's documented
step bounds allow, in templates cfn-lint passes with no finding.

Rollouts (strategy, step in percent or instances, waits, timeout, named and generated alarms with
hostile names) go onto the abalone example's stages. Seeded; ``MLOPSGEN_FUZZ_EXAMPLES`` scales the
budget as in test_hostile_fuzz.py.
"""

from __future__ import annotations

import json
import os
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen
from tests.support.cfn import lint
from tests.unit.targets.test_endpoint_rollout import TEMPLATES, Stack, _validate_update_endpoint
from tests.unit.views.support import _code, text

EXAMPLES = max(15, int(os.environ.get("MLOPSGEN_FUZZ_EXAMPLES", "300")) // 20)
BOUNDS = {"CANARY": (0, 50), "LINEAR": (10, 50), "ROLLING": (5, 50)}
SAFE_CHARS = st.sampled_from(["a", "Z", "0", "-", "_", ".", " ", ":", "/"])
HOSTILE_CHARS = st.sampled_from(["$", "{", "}", "*", "'", '"', "\\", "é", "\n"])
ALARM_NAMES = st.one_of(
    st.text(SAFE_CHARS, min_size=1, max_size=12).filter(lambda t: t[0].isalnum()),
    st.text(st.one_of(SAFE_CHARS, HOSTILE_CHARS), min_size=1, max_size=12),
)


@st.composite
def valid_rollouts(draw: st.DrawFn) -> dict[str, Any]:
    """Rollouts AWS takes: the step its strategy needs within its bounds, safe alarm names."""
    strategy = draw(st.sampled_from(["all_at_once", "canary", "linear", "rolling"]))
    rollout: dict[str, Any] = {"strategy": strategy, "wait_seconds": draw(st.integers(0, 3600))}
    if strategy != "all_at_once":
        low, high = BOUNDS[strategy.upper()]
        rollout["step_percent"] = draw(st.integers(max(low, 1), high))
    if strategy != "rolling" and draw(st.booleans()):
        rollout["termination_wait_seconds"] = draw(st.integers(0, 3600))
    if draw(st.booleans()):
        rollout["max_execution_timeout_seconds"] = draw(st.integers(600, 28800))
    rollout["alarms"] = draw(
        st.lists(st.text(SAFE_CHARS, min_size=1, max_size=12).filter(lambda t: t[0].isalnum()), max_size=8, unique=True)
    )
    rollout["generated_alarms"] = draw(st.booleans())
    return rollout


@st.composite
def any_rollouts(draw: st.DrawFn) -> dict[str, Any]:
    """Rollouts of any shape: a missing or extra step, a bound broken, a hostile alarm name, too many alarms."""
    rollout: dict[str, Any] = {"strategy": draw(st.sampled_from(["all_at_once", "canary", "linear", "rolling"]))}
    step = draw(st.sampled_from(["percent", "percent", "instances", "instances", "none", "both"]))
    if step in ("percent", "both"):
        rollout["step_percent"] = draw(st.integers(1, 60))
    if step in ("instances", "both"):
        rollout["step_instances"] = draw(st.integers(1, 4))
    for key, low, high in (
        ("wait_seconds", 0, 3600),
        ("termination_wait_seconds", 0, 3600),
        ("max_execution_timeout_seconds", 600, 28800),
    ):
        if draw(st.booleans()):
            rollout[key] = draw(st.integers(low, high))
    if draw(st.booleans()):
        rollout["alarms"] = draw(st.lists(ALARM_NAMES, max_size=10))
    rollout["generated_alarms"] = draw(
        st.one_of(
            st.booleans(),
            st.fixed_dictionaries(
                {"errors_5xx": st.integers(1, 50), "latency_ms": st.integers(1, 5000)},
                optional={"evaluation_minutes": st.integers(1, 60)},
            ),
        )
    )
    return rollout


ROLLOUTS = st.one_of(valid_rollouts(), valid_rollouts(), any_rollouts())


def _blueprint(staging: dict[str, Any] | None, prod: dict[str, Any] | None, count: int) -> str:
    data = yaml.safe_load(text("abalone"))
    staging_stage, prod_stage = data["deploy"]["stages"]
    staging_stage["instance_count"] = count
    for stage, rollout in ((staging_stage, staging), (prod_stage, prod)):
        if rollout is not None:
            stage["rollout"] = rollout
    data["ci"]["jenkins"]["deploy_timeout_minutes"] = 720  # MLG346 has its own corpus case
    return yaml.safe_dump(data, sort_keys=False)


def _check_stage(parameters: dict[str, str], config: dict[str, Any], count: int) -> None:
    _validate_update_endpoint(config)
    traffic = parameters.get("RolloutTraffic", "NONE")
    if traffic == "NONE":
        return
    policy = config.get("RollingUpdatePolicy") or config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    size = policy.get("MaximumBatchSize") or policy.get("CanarySize") or policy.get("LinearStepSize")
    if traffic == "ALL_AT_ONCE":
        assert size is None
        return
    low, high = BOUNDS[traffic]
    share = size["Value"] if size["Type"] == "CAPACITY_PERCENT" else size["Value"] * 100 / count
    assert low <= share <= high, (traffic, size, count)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), ROLLOUTS), st.one_of(st.none(), ROLLOUTS), st.integers(1, 8))
def test_rollouts_are_refused_at_their_line_or_valid_for_aws(
    staging: dict[str, Any] | None, prod: dict[str, Any] | None, count: int
) -> None:
    result = mlopsgen.render(_blueprint(staging, prod, count), name="abalone.yaml", code=_code())
    if not result.ok:
        for diagnostic in result.diagnostics:
            assert diagnostic.code.startswith(("MLG1", "MLG34")), diagnostic.format()
            # Located at the rollout that caused it (the stage path names the stage, then the rollout key).
            assert ".rollout" in diagnostic.path and diagnostic.pos is not None, diagnostic
        return
    files = result.files
    counts = {"staging": count, "prod": 1}
    template = yaml.safe_load(files[TEMPLATES[0]])
    for stage, instances in counts.items():
        parameters = json.loads(files[f"model-deploy/{stage}-config.json"])["Parameters"]
        resources = Stack(template, parameters).resources()
        _check_stage(parameters, resources["Endpoint"].get("DeploymentConfig", {}), instances)
        alarms = resources["Endpoint"].get("DeploymentConfig", {}).get("AutoRollbackConfiguration", {})
        assert len(alarms.get("Alarms", [])) <= 10
    endpoint_template = files[TEMPLATES[0]]
    assert isinstance(endpoint_template, str)
    assert lint(endpoint_template, "eu-west-1") == []
