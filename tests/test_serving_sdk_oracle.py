"""Each stage's endpoint configuration, as CloudFormation resolves it, equals what the SageMaker SDK builds.

The endpoint template serves every stage through parameters and conditions (``targets/endpoint.py``,
``targets/endpoint_serving.py``). Here the template is resolved the way CloudFormation does for one
stage (``Ref`` to the stage's parameters or the defaults, ``Fn::If`` on the conditions,
``AWS::NoValue`` dropped) and its ProductionVariants, ShadowProductionVariants and
AsyncInferenceConfig are compared, as data, with the request the SDK (sagemaker 3.27.0) builds from
the same Plan: ``session_helper.production_variant``, ``ServerlessInferenceConfig`` and
``AsyncInferenceConfig``. CloudFormation passes Number parameters as numbers, so numeric text is read
as a number on our side.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note, settings

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.plan import model as ir

from .conftest import BLUEPRINTS
from .support.blueprint_strategy import blueprints

pytest.importorskip("sagemaker")
from sagemaker.core.helper.session_helper import production_variant  # noqa: E402
from sagemaker.core.inference_config import AsyncInferenceConfig, ServerlessInferenceConfig  # noqa: E402

MODEL = "model-of-the-stack"
NO_VALUE = object()


class Resolver:
    """Resolves the intrinsic functions the endpoint template uses, for one stage's parameters."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.values = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
        self.values |= parameters
        self.types = {name: spec["Type"] for name, spec in template["Parameters"].items()}
        self.conditions = template.get("Conditions", {})

    def condition(self, name: str) -> bool:
        return bool(self.value(self.conditions[name]))

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((kind, arg),) = node.items()
            if kind == "Ref":
                if arg == "AWS::NoValue":
                    return NO_VALUE
                value = self.values[arg]
                return float(value) if self.types[arg] == "Number" else value
            if kind == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if kind == "Fn::Equals":
                left, right = (self.value(v) for v in arg)
                return str(left).removesuffix(".0") == str(right).removesuffix(".0")
            if kind == "Fn::Not":
                return not self.value(arg[0])
            if kind == "Fn::Or":
                return any(self.value(v) for v in arg)
            if kind == "Condition":
                return self.condition(arg)
            if kind == "Fn::GetAtt" and arg == ["Model", "ModelName"]:
                return MODEL
        out = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}


def _numbers(value: Any) -> Any:
    """Numbers as floats on both sides (CloudFormation converts Number parameters; the SDK keeps ints)."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, bool):
        return value
    return float(value) if isinstance(value, int | float) else value


def _variant(serving: ir.Serving, variant: ir.model_serving.Variant) -> dict[str, Any]:
    less = serving.serverless
    return production_variant(
        model_name=MODEL,
        instance_type=variant.instance_type,
        initial_instance_count=variant.instance_count,
        variant_name=variant.name,
        initial_weight=variant.weight,
        serverless_inference_config=ServerlessInferenceConfig(
            memory_size_in_mb=less.memory_mb,
            max_concurrency=less.max_concurrency,
            provisioned_concurrency=less.provisioned_concurrency,
        )._to_request_dict()
        if less
        else None,
        volume_size=serving.volume_size_gb,
        model_data_download_timeout=serving.model_data_download_timeout_seconds,
        container_startup_health_check_timeout=serving.container_startup_health_check_timeout_seconds,
    )


def _sdk_config(stage: ir.Stage) -> dict[str, Any]:
    serving = stage.serving
    out: dict[str, Any] = {"ProductionVariants": [_variant(serving, v) for v in serving.variants]}
    if serving.shadow_variants:
        out["ShadowProductionVariants"] = [_variant(serving, v) for v in serving.shadow_variants]
    queue = serving.asynchronous
    if queue is not None:
        topics = {"SuccessTopic": queue.success_topic, "ErrorTopic": queue.error_topic}
        out["AsyncInferenceConfig"] = AsyncInferenceConfig(
            output_path=queue.output_path,
            failure_path=queue.failure_path,
            max_concurrent_invocations_per_instance=queue.max_concurrent_invocations_per_instance,
            kms_key_id=queue.kms_key or None,
            notification_config={k: v for k, v in topics.items() if v} or None,
        )._to_request_dict()
    return out


def _stages(
    blueprint: Path | dict[str, Any], code: dict[str, bytes] | None = None
) -> list[tuple[ir.Plan, ir.Stage, dict[str, str]]]:
    plan, diagnostics = plan_blueprint(blueprint, code=code)
    assert plan is not None and plan.deploy is not None, diagnostics
    files = mlopsgen.render(blueprint, code=code).files
    return [
        (plan, stage, json.loads(files[f"model-deploy/{stage.name}-config.json"])["Parameters"])
        for stage in plan.deploy.stages
        if stage.batch is None  # a batch stage has no endpoint (its stack is the batch template)
    ]


DEPLOYING = [b for b in BLUEPRINTS if "\ndeploy:" in b.read_text()]


def _check_stages(blueprint: Path | dict[str, Any], code: dict[str, bytes] | None = None) -> None:
    files = mlopsgen.render(blueprint, code=code).files
    template = yaml.safe_load(files["model-deploy/endpoint-config-template.yml"])
    for _, stage, parameters in _stages(blueprint, code):
        resolved = Resolver(template, parameters | {"ModelPackageName": "arn"}).value(
            template["Resources"]["EndpointConfig"]["Properties"]
        )
        ours = {
            k: resolved[k]
            for k in ("ProductionVariants", "ShadowProductionVariants", "AsyncInferenceConfig")
            if k in resolved
        }
        assert _numbers(ours) == _numbers(_sdk_config(stage)), stage.name


@pytest.mark.parametrize("blueprint", DEPLOYING, ids=[b.stem for b in DEPLOYING])
def test_every_stage_configures_its_endpoint_as_the_sdk_does(blueprint: Path) -> None:
    _check_stages(blueprint)


@settings(
    max_examples=int(os.environ.get("MLOPSGEN_ENGINE_EXAMPLES", "40")), derandomize=True, database=None, deadline=None
)
@given(drawn=blueprints())
def test_generated_stages_configure_their_endpoints_as_the_sdk_does(
    drawn: tuple[dict[str, Any], dict[str, bytes]],
) -> None:
    """Every serving mode and variant shape the generator draws (tests/support/blueprint_strategy_serving.py)."""
    blueprint, code = drawn
    if "deploy" in blueprint:
        note("deploy:\n" + yaml.safe_dump(blueprint["deploy"], sort_keys=False))
        _check_stages(blueprint, code)


def test_the_examples_cover_every_mode_and_variant_shape() -> None:
    """Without them the oracle above would compare nothing new."""
    seen = [stage.serving for b in DEPLOYING for _, stage, _ in _stages(b)]
    assert {s.mode for s in seen if s.declared} == {"realtime", "serverless", "asynchronous"}
    assert any(len(s.variants) > 1 for s in seen) and any(s.shadow_variants for s in seen)
    assert any(s.volume_size_gb for s in seen) and any(s.asynchronous and s.asynchronous.kms_key for s in seen)
