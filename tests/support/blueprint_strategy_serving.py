"""Hypothesis strategy for stages' ``serving`` blocks, in every mode, valid by construction.

The one place serving blocks are drawn: ``deploy`` here draws a whole deploy section for the SDK oracle
of endpoint configs (tests/test_serving_sdk_oracle.py), and tests/support/deploy_strategy.py puts the
same ``realtime``/``serverless``/``asynchronous`` blocks on stages that also roll out, scale, capture
and monitor. Drawn when the pipeline registers a model (a deploy needs one, MLG311). Instance types are
taken from what every register step lists in inference_instances (MLG332); serverless stages are drawn
only without a VPC or network isolation (MLG322); a stage served by named variants has no instance type
or count of its own (MLG317), and a shadow stands beside one production variant only (MLG319).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def variant(draw: st.DrawFn, name: str, types: list[str]) -> dict[str, Any]:
    variant: dict[str, Any] = {"name": name, "instance_type": draw(st.sampled_from(types))}
    if draw(st.booleans()):
        variant["instance_count"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        variant["weight"] = draw(st.sampled_from([0.5, 1, 3]))
    return variant


def realtime(draw: st.DrawFn, stage: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """A real-time block: a shadow beside the stage's own variant, named weighted variants, or neither.

    Named variants take the stage's instance_type and instance_count away (MLG317).
    """
    serving: dict[str, Any] = {"mode": "realtime"}
    shape = draw(st.sampled_from(["shadow", "variants", "plain"]))
    if shape == "shadow":
        serving["shadow_variants"] = [variant(draw, "shadow", types)]
        if "instance_type" not in stage:
            stage["instance_type"] = draw(st.sampled_from(types))
    elif shape == "variants":
        count = draw(st.integers(1, 3))
        serving["variants"] = [variant(draw, f"v{i}", types) for i in range(count)]
        serving["variants"][0]["weight"] = 1  # one positive weight (MLG321)
        stage.pop("instance_type", None)
        stage.pop("instance_count", None)
    elif "instance_type" not in stage:
        stage["instance_type"] = draw(st.sampled_from(types))
    for key, low, high in (
        ("volume_size_gb", 1, 512),
        ("model_data_download_timeout_seconds", 60, 3600),
        ("container_startup_health_check_timeout_seconds", 60, 3600),
    ):
        if draw(st.booleans()):
            serving[key] = draw(st.integers(low, high))
    return serving


def serverless(draw: st.DrawFn) -> dict[str, Any]:
    """A serverless block (the stage sets no instances, autoscaling or data capture: MLG317)."""
    concurrency = draw(st.integers(1, 200))
    serving: dict[str, Any] = {
        "mode": "serverless",
        "memory_mb": draw(st.sampled_from([1024, 2048, 3072, 4096, 5120, 6144])),
        "max_concurrency": concurrency,
    }
    if draw(st.booleans()):
        serving["provisioned_concurrency"] = draw(st.integers(1, concurrency))
    return serving


def asynchronous(draw: st.DrawFn) -> dict[str, Any]:
    """An asynchronous block (the stage sets no autoscaling, MLG317, and stays in this account, MLG323)."""
    serving: dict[str, Any] = {"mode": "asynchronous"}
    if draw(st.booleans()):
        serving["output_path"] = "s3://generated-results/async/out"
        serving["failure_path"] = "s3://generated-results/async/failed"
    if draw(st.booleans()):
        serving["success_topic"] = "arn:aws:sns:eu-west-1:111111111111:done"
    if draw(st.booleans()):
        serving["error_topic"] = "arn:aws:sns:eu-west-1:111111111111:failed"
    if draw(st.booleans()):
        serving["max_concurrent_invocations_per_instance"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        low = draw(st.integers(0, 2))
        serving["scaling"] = {"min_instances": low, "max_instances": draw(st.integers(max(low, 1), 5))}
    return serving


def deploy(draw: st.DrawFn, registers: list[dict[str, Any]], security: dict[str, Any] | None) -> dict[str, Any]:
    """A deploy section whose stages use every serving mode the blueprint allows."""
    types = sorted(set.intersection(*(set(r["inference_instances"]) for r in registers)))
    modes = ["none", "realtime", "asynchronous"]
    if not security or ("vpc" not in security and not security.get("network_isolation")):
        modes.append("serverless")
    stages = []
    # Distinct modes in a drawn order: every mode is drawn about as often (sampled_from favours its ends).
    chosen = draw(st.permutations(modes))[: draw(st.integers(1, 3))]
    for i, mode in enumerate(chosen):
        stage: dict[str, Any] = {"name": f"stage{i}"}
        if mode == "serverless":
            stage["serving"] = serverless(draw)
        elif mode == "asynchronous":
            stage["instance_type"] = draw(st.sampled_from(types))
            stage["serving"] = asynchronous(draw)
        elif mode == "realtime":
            stage["serving"] = realtime(draw, stage, types)
        else:
            stage["instance_type"] = draw(st.sampled_from(types))
        stages.append(stage)
    return {"stages": stages}
