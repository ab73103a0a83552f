"""Hypothesis strategy of clarify_check steps for the engines-agree generator (blueprint_strategy.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def clarify_check(draw: st.DrawFn, state: Any, name: str, common: Any, s3_source: Any, switch: Any) -> dict[str, Any]:
    """A valid clarify_check step of any kind; the model is a created model's name or a literal one."""
    check = draw(st.sampled_from(["data_bias", "model_bias", "model_explainability"]))
    step: dict[str, Any] = {"name": name, "type": "clarify_check", "check": check, "dataset": s3_source(draw, state)}
    common(draw, step, state, retry=False)
    json_lines = draw(st.integers(0, 3)) == 0
    if json_lines:
        step["dataset_type"] = "application/jsonlines"
        if draw(st.booleans()):
            step["features"] = "features"
    if draw(st.booleans()):
        step["label"] = draw(st.sampled_from(["y", 0]))
    if draw(st.booleans()):
        step["headers"] = draw(st.sampled_from([["y", "age", "city"], ["age", "city"]]))
    for key in ("skip_check", "fail_on_violation", "register_new_baseline"):
        if draw(st.booleans()):
            step[key] = switch(draw, state)
    if draw(st.booleans()):
        step["output"] = draw(st.sampled_from(["s3://bucket/clarify", "s3://bucket/c/${execution.id}"]))
    if draw(st.booleans()):
        step["model_package_group"] = draw(st.sampled_from(["gen-p-gen000001", "shared-models"]))
    if draw(st.booleans()):
        step["supplied_baseline_constraints"] = "s3://bucket/baseline/constraints.json"
    if draw(st.integers(0, 3)) == 0:
        step["max_runtime_seconds"] = draw(st.sampled_from([60, 3600]))
    if check != "model_explainability":
        bias: dict[str, Any] = {
            "label_values_or_threshold": draw(st.sampled_from([[1], [0.5], ["yes", "maybe"]])),
            "facet_name": draw(st.sampled_from(["age", 1])),
        }
        if draw(st.booleans()):
            bias["facet_values_or_threshold"] = draw(st.sampled_from([[40], ["a", "b"]]))
        if draw(st.booleans()):
            bias["group_name"] = "city"
        step["bias"] = bias
        if draw(st.booleans()):
            step["methods"] = draw(st.sampled_from([["CI"], ["DPPL", "DI"]]))
    if check != "data_bias":
        created = state.created
        model: dict[str, Any] = {
            "name": f"${{steps.{draw(st.sampled_from(created))}.properties.ModelName}}"
            if created and draw(st.booleans())
            else draw(
                st.sampled_from(
                    ["my-model", f"${{params.{state.of_type('string')[0]}}}"]
                    if state.of_type("string")
                    else ["my-model"]
                )
            )
        }
        if draw(st.booleans()):
            model["instance_type"] = "ml.c5.xlarge"
        if draw(st.booleans()):
            model["instance_count"] = draw(st.integers(1, 3))
        content = draw(st.sampled_from([None, "text/csv", "application/jsonlines", "application/json"]))
        if content is not None:
            model["content_type"] = content
        if content == "application/jsonlines":
            model["content_template"] = '{"features": $features}'
        if content == "application/json":
            model["content_template"] = "$records"
            model["record_template"] = "$features_kvp"
        if draw(st.booleans()):
            model["accept_type"] = draw(st.sampled_from(["text/csv", "application/json"]))
        step["model"] = model
    if check == "model_bias" and draw(st.booleans()):
        label: dict[str, Any] = {}
        label_options: tuple[tuple[str, list[Any]], ...] = (
            ("label", ["predicted", 0]),
            ("probability", ["score", 1]),
            ("probability_threshold", [0.6, 1]),
            ("label_headers", [["no", "yes"]]),
        )
        for key, values in label_options:
            if draw(st.booleans()):
                label[key] = draw(st.sampled_from(values))
        step["predicted_label"] = label
    if check == "model_explainability":
        shap: dict[str, Any] = {}
        if draw(st.booleans()):
            shap["baseline"] = draw(st.sampled_from(["s3://bucket/baseline.csv", [[40, 1]], [[1, "a"], [2, "b"]]]))
        options: tuple[tuple[str, list[Any]], ...] = (
            ("num_samples", [1, 100]),
            ("agg_method", ["mean_abs", "median", "mean_sq"]),
            ("use_logit", [True, False]),
            ("save_local_shap_values", [True, False]),
            ("seed", [0, 7]),
        )
        for key, values in options:
            if draw(st.booleans()):
                shap[key] = draw(st.sampled_from(values))
        step["shap"] = shap
        if draw(st.booleans()):
            step["model_scores"] = draw(st.sampled_from(["score", 0]))
    state.clarify.append((name, check))
    return step
