"""BlueprintSpec → diagnostics: a stage's serving mode and the settings it cannot take.

Each impossible combination is reported at the line that asks for it. The rules are AWS's:
serverless endpoints take no instances, autoscaling of instances, data capture, Model Monitor, VPC or
network isolation (SageMaker developer guide, "Serverless Inference", feature exclusions); a shadow variant
stands beside exactly one production variant (CreateEndpointConfig, ShadowProductionVariants);
provisioned concurrency is at most the maximum concurrency (ProductionVariantServerlessConfig).
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.delivery import StageSpec
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_serving import AsynchronousServingSpec, RealtimeServingSpec, ServerlessServingSpec


def _written(stage: StageSpec, field: str) -> bool:
    """The blueprint sets the field itself (a default is never an error)."""
    if field not in stage.model_fields_set:
        return False
    return field != "data_capture" or stage.data_capture is not None


def _not_with(where: PathKey, stage: StageSpec, fields: dict[str, str], mode: str) -> list[Issue]:
    return [
        Issue("MLG317", (*where, field), f"stage '{stage.name}' is {mode}: it takes no {field}", hint)
        for field, hint in fields.items()
        if _written(stage, field)
    ]


def _serverless(where: PathKey, stage: StageSpec, serving: ServerlessServingSpec, spec: BlueprintSpec) -> list[Issue]:
    issues = _not_with(
        where,
        stage,
        {
            "instance_type": "remove it: a serverless endpoint has no instances (serving.memory_mb sizes it).",
            "instance_count": "remove it: serving.max_concurrency bounds a serverless endpoint.",
            "autoscaling": "remove it: a serverless endpoint scales by itself up to serving.max_concurrency.",
            "data_capture": "remove it (or set data_capture: false): serverless endpoints do not capture data.",
            "monitoring": "remove it: Model Monitor does not support serverless endpoints (they capture no data).",
        },
        "serverless",
    )
    provisioned = serving.provisioned_concurrency
    if provisioned is not None and provisioned > serving.max_concurrency:
        issues.append(
            Issue(
                "MLG318",
                (*where, "serving", "provisioned_concurrency"),
                f"stage '{stage.name}' provisions {provisioned} concurrent invocations, more than its "
                f"max_concurrency {serving.max_concurrency}",
                "provisioned_concurrency must not exceed max_concurrency.",
                at_value=True,
            )
        )
    security = spec.security
    for field, on in (("vpc", security.vpc is not None), ("network_isolation", security.network_isolation)):
        if on:
            issues.append(
                Issue(
                    "MLG322",
                    (*where, "serving", "mode"),
                    f"stage '{stage.name}' is serverless, but security.{field} applies to every model and "
                    f"serverless endpoints support no {field.replace('_', ' ')}",
                    "serve this stage in realtime or asynchronous mode, or drop the control.",
                    at_value=True,
                )
            )
    return issues


def _realtime(where: PathKey, stage: StageSpec, serving: RealtimeServingSpec) -> list[Issue]:
    issues: list[Issue] = []
    if serving.variants:
        issues += _not_with(
            where,
            stage,
            {
                "instance_type": "set instance_type on each of serving.variants instead.",
                "instance_count": "set instance_count on each of serving.variants instead.",
            },
            "served by serving.variants",
        )
    production = len(serving.variants) or 1
    if serving.shadow_variants and production > 1:
        issues.append(
            Issue(
                "MLG319",
                (*where, "serving", "shadow_variants"),
                f"stage '{stage.name}' has a shadow variant and {production} production variants; "
                "AWS allows a shadow variant beside exactly one production variant",
                "keep one production variant, or drop the shadow variant.",
            )
        )
    seen: set[str] = {"AllTraffic"} if not serving.variants else set()
    for kind in ("variants", "shadow_variants"):
        for j, variant in enumerate(getattr(serving, kind)):
            if variant.name in seen:
                issues.append(
                    Issue(
                        "MLG319",
                        (*where, "serving", kind, j, "name"),
                        f"variant name '{variant.name}' is used twice in stage '{stage.name}'",
                        at_value=True,
                    )
                )
            seen.add(variant.name)
    if serving.variants and not any(v.weight > 0 for v in serving.variants):
        issues.append(
            Issue(
                "MLG321",
                (*where, "serving", "variants"),
                f"every production variant of stage '{stage.name}' has weight 0, so no request can be routed",
                "give at least one variant a positive weight.",
            )
        )
    return issues


def _asynchronous(where: PathKey, stage: StageSpec, serving: AsynchronousServingSpec) -> list[Issue]:
    issues = _not_with(
        where,
        stage,
        {"autoscaling": "scale an asynchronous endpoint on its backlog: serving.scaling."},
        "asynchronous",
    )
    if stage.accounts or stage.organizational_units:
        issues.append(
            Issue(
                "MLG323",
                (*where, "serving", "mode"),
                f"stage '{stage.name}' deploys into other accounts; asynchronous serving is not supported "
                "there yet (the target accounts' model role would need the output paths and topics)",
                "serve this stage in realtime or serverless mode, or deploy it into the project account.",
                at_value=True,
            )
        )
    scaling = serving.scaling
    if scaling is not None and scaling.min_instances > scaling.max_instances:
        issues.append(
            Issue(
                "MLG324",
                (*where, "serving", "scaling", "min_instances"),
                f"stage '{stage.name}' scales between {scaling.min_instances} and {scaling.max_instances} "
                "instances: min_instances exceeds max_instances",
                at_value=True,
            )
        )
    return issues


def check_serving_modes(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Each stage's serving settings are ones its mode can take."""
    if spec.deploy is None:
        return []
    issues: list[Issue] = []
    for i, stage in enumerate(spec.deploy.stages):
        where: PathKey = ("deploy", "stages", i)
        serving = stage.serving
        if serving is None:
            continue
        from mlopsgen.blueprint.stage_serving import (  # loaded with a serving block (blueprint/lazy.py)
            AsynchronousServingSpec,
            RealtimeServingSpec,
            ServerlessServingSpec,
        )

        if isinstance(serving, ServerlessServingSpec):
            issues += _serverless(where, stage, serving, spec)
        elif isinstance(serving, RealtimeServingSpec):
            issues += _realtime(where, stage, serving)
        elif isinstance(serving, AsynchronousServingSpec):
            issues += _asynchronous(where, stage, serving)
    return issues


def stage_instance_types(stage: StageSpec) -> list[tuple[PathKey, str]]:
    """The instance types a stage runs on, each with its path below the stage (none when serverless)."""
    serving = stage.serving
    if serving is None:
        return [(("instance_type",), stage.instance_type)]
    from mlopsgen.blueprint.stage_serving import RealtimeServingSpec, ServerlessServingSpec  # loaded with serving

    if isinstance(serving, ServerlessServingSpec):
        return []
    if isinstance(serving, RealtimeServingSpec) and serving.variants:
        return [
            (("serving", kind, j, "instance_type"), variant.instance_type)
            for kind in ("variants", "shadow_variants")
            for j, variant in enumerate(getattr(serving, kind))
        ]
    shadows = serving.shadow_variants if isinstance(serving, RealtimeServingSpec) else []
    return [
        (("instance_type",), stage.instance_type),
        *((("serving", "shadow_variants", j, "instance_type"), v.instance_type) for j, v in enumerate(shadows)),
    ]


STAGE_SERVING_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (check_serving_modes,)
