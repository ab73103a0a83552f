"""Stages naming their production variants (issue 16's review): autoscaling and rollout steps per variant.

In the style of test_deploy_generated_cases.py (the smallest blueprint showing each fault, built from an
example); each test here failed before its fix. The deploy generator (test_deploy_generated.py) checks the
same per-variant autoscaling on every drawn stage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from tests import test_permissions as permission_checks
from tests.support.cfn import lint
from tests.support.endpoint_stack import StageStack
from tests.test_deploy_generated_cases import _example, _render, _tree


def _churn_prod_rollout(rollout: dict[str, Any], counts: dict[str, int]) -> mlopsgen.RenderResult:
    """churn with a rollout on prod (two named variants, main and large) of the given instance counts."""
    data = _example("churn.yaml")
    prod = data["deploy"]["stages"][1]
    prod["rollout"] = {**rollout, "generated_alarms": False}  # they watch AllTraffic (MLG349)
    for variant in prod["serving"]["variants"]:
        variant["instance_count"] = counts[variant["name"]]
    return _render(data, "churn.yaml")


@pytest.mark.parametrize(
    ("rollout", "counts"),
    [
        ({"strategy": "canary", "step_instances": 1}, {"main": 2, "large": 2}),
        ({"strategy": "linear", "step_instances": 1}, {"main": 10, "large": 2}),
        ({"strategy": "linear", "step_instances": 2}, {"main": 4, "large": 20}),
    ],
)
def test_step_instances_fitting_every_named_variant_are_accepted(
    rollout: dict[str, Any], counts: dict[str, int]
) -> None:
    """Found in issue 16's review: a stage naming its variants has no instance_count of its own (MLG317), and the
    step check divided by that default 1, so every step_instances was refused as over 50 %. SageMaker sizes the
    step against each variant's instances (CanarySize/LinearStepSize), so a step fitting every variant is valid
    and reaches the template as an instance-count step."""
    result = _churn_prod_rollout(rollout, counts)
    assert result.ok, [d.format() for d in result.diagnostics]
    config = result.files["model-deploy/prod-config.json"]
    assert isinstance(config, str)
    parameters = json.loads(config)["Parameters"]
    assert (parameters["RolloutStepType"], parameters["RolloutStepSize"]) == (
        "INSTANCE_COUNT",
        str(rollout["step_instances"]),
    )


def test_step_instances_too_large_for_one_named_variant_are_refused_naming_it() -> None:
    """The same check, the other way: a canary of 1 instance is half of main's 2 but all of large's 1 (100 %),
    so it is refused at step_instances, naming the variant that cannot take it (and only that one)."""
    result = _churn_prod_rollout({"strategy": "canary", "step_instances": 1}, {"main": 2, "large": 1})
    issues = [(d.code, d.path, d.message) for d in result.diagnostics]
    assert issues == [
        (
            "MLG342",
            "deploy.stages[prod].rollout.step_instances",
            "the canary step of stage 'prod' is 1 of 1 instance of variant 'large' (100%); SageMaker takes at most "
            "50% of the variant's instances (CanarySize)",
        )
    ]


def test_a_linear_step_below_ten_percent_of_a_large_variant_is_refused() -> None:
    """LinearStepSize is at least 10 % of each variant: 1 instance is 50 % of large's 2 but 5 % of main's 20."""
    result = _churn_prod_rollout({"strategy": "linear", "step_instances": 1}, {"main": 20, "large": 2})
    assert [(d.code, d.path) for d in result.diagnostics] == [("MLG342", "deploy.stages[prod].rollout.step_instances")]
    assert "variant 'main'" in result.diagnostics[0].message


def _scaled_variants(result: mlopsgen.RenderResult, stage: str) -> tuple[str, dict[str, list[str]]]:
    template = result.files["model-deploy/endpoint-config-template.yml"]
    config = result.files[f"model-deploy/{stage}-config.json"]
    assert isinstance(template, str) and isinstance(config, str)
    stack = StageStack(yaml.safe_load(template), json.loads(config)["Parameters"])
    return stack.endpoint, stack.scaled_variants()


def test_autoscaling_scales_every_named_production_variant(tmp_path: Path) -> None:
    """Found in issue 16's review: churn's prod autoscales and names two variants (main, large), but the template's
    one scalable target registered ``endpoint/<name>/variant/${VariantName}``, the first variant only, so large
    stayed at its initial count whatever the load. Now each production variant has its own scalable target with
    one target-tracking policy (on its own invocations per instance); staging (serverless) scales nothing."""
    data = _example("churn.yaml")
    data["deploy"]["stages"][1]["serving"]["variants"].append({"name": "third", "instance_type": "ml.m5.large"})
    result = _render(data, "churn.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    endpoint, scaled = _scaled_variants(result, "prod")
    assert {target: len(policies) for target, policies in scaled.items()} == {
        f"endpoint/{endpoint}/variant/{name}": 1 for name in ("main", "large", "third")
    }
    assert _scaled_variants(result, "staging")[1] == {}
    text = result.files["model-deploy/endpoint-config-template.yml"]
    assert isinstance(text, str)
    assert lint(text, "us-east-1") == []
    tree = _tree(result.files, tmp_path)
    permission_checks.test_deploying_roles_hold_what_the_resource_providers_need(tree)
    permission_checks.test_deploying_roles_are_granted_nothing_no_check_needs(tree)


def test_variants_of_a_stage_without_autoscaling_add_no_scaling_resources() -> None:
    """The other way: when no stage both autoscales and names several variants, the template holds no per-variant
    scaling resource (one no stage creates), and the autoscaled stage still scales its one variant."""
    data = _example("churn.yaml")
    prod = data["deploy"]["stages"][1]
    del prod["autoscaling"]
    data["deploy"]["stages"][0] = {"name": "staging", "autoscaling": {"min_instances": 1, "max_instances": 2}}
    result = _render(data, "churn.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    text = result.files["model-deploy/endpoint-config-template.yml"]
    assert isinstance(text, str)
    assert not [name for name in yaml.safe_load(text)["Resources"] if name.startswith("ScalableTargetVariant")]
    endpoint, scaled = _scaled_variants(result, "staging")
    assert scaled == {f"endpoint/{endpoint}/variant/AllTraffic": ["ScalingPolicy"]}
    assert _scaled_variants(result, "prod")[1] == {}
    assert lint(text, "us-east-1") == []
