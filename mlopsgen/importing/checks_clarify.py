"""Definition ``ClarifyCheck`` steps → ``clarify_check`` blueprint steps, read from their downloaded configuration.

The inverse of ``targets/sagemaker_clarify.py``: the step's job (dataset, output, compute, switches) is in
the definition, but its settings (label, facets, methods, model, SHAP) are in the analysis configuration
JSON the job reads from S3. ``mlopsgen import --download`` fetches that file (like a framework processor's
runproc.sh) and this module reads it back key by key; a key the language has no place for is a finding
at its JSON pointer inside the file, never dropped. The configuration's URI is then compared by content
(its canonical digest), so a setting read wrongly shows up as a difference when the import is verified.
Without the file the step is refused (MLG603), as before.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mlopsgen.importing.context import Context

CHECKS = {"DATA_BIAS": "data_bias", "MODEL_BIAS": "model_bias", "MODEL_EXPLAINABILITY": "model_explainability"}
CONFIG_INPUT = "analysis_config"
REPORT = {"name": "report", "title": "Analysis Report"}
"""The report section mlopsgen (and the SDK's check steps) always write."""
MODEL_KEYS = ("accept_type", "content_type", "content_template", "record_template")
SHAP_KEYS = ("baseline", "num_samples", "agg_method", "use_logit", "save_local_shap_values", "seed")
BASELINE_KINDS = {
    "bias_config_file": ("data_bias", "model_bias"),
    "explainability_config_file": ("model_explainability",),
}


def canonical_digest(config: Any) -> str:
    """The sha256 of the text mlopsgen writes for a configuration (sorted keys, two-space indent, newline).

    The same form as ``targets/sagemaker_clarify.canonical`` (this package may not import the targets):
    a file uploaded by the SDK with other formatting compares equal when its content is.
    """
    return hashlib.sha256((json.dumps(config, sort_keys=True, indent=2) + "\n").encode()).hexdigest()


def config_uri(node: dict[str, Any]) -> Any:
    """The S3 URI of a Clarify step's job configuration (its ``analysis_config`` input), if any."""
    for i in node.get("Arguments", {}).get("ProcessingInputs", []) or []:
        if isinstance(i, dict) and i.get("InputName") == CONFIG_INPUT:
            return i.get("S3Input", {}).get("S3Uri")
    return None


def read_config(node: dict[str, Any], ctx: Context) -> dict[str, Any] | None:
    """The step's downloaded job configuration as data, or None when it was not downloaded or is not JSON."""
    uri = config_uri(node)
    raw = ctx.helpers.get(uri) if isinstance(uri, str) else None
    if raw is None:
        return None
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None


def refusal(node: dict[str, Any], ctx: Context, base: str) -> None:
    """MLG603: the settings are in S3 and were not read (not downloaded, or not a JSON object)."""
    uri = config_uri(node)
    downloaded = isinstance(uri, str) and uri in ctx.helpers
    why = "is not a JSON object" if downloaded else "was not downloaded (import with --download to read it)"
    where = f" ({uri})" if isinstance(uri, str) else ""
    ctx.lose(
        node["Name"],
        f"{base}.Arguments.ProcessingInputs[{CONFIG_INPUT}]",
        f"a Clarify check's settings (label, facets, methods) are in its analysis configuration in S3{where}, "
        f"not in the definition; the file {why}",
        "MLG603",
    )


class _Reader:
    """Pops the configuration's keys into blueprint keys; what is left over becomes findings."""

    def __init__(self, ctx: Context, step: str, path: str) -> None:
        self.ctx, self.step, self.path = ctx, step, path

    def lose(self, pointer: str, why: str) -> None:
        self.ctx.lose(self.step, f"{self.path}#{pointer}", why)

    def mapping(self, node: Any, pointer: str) -> dict[str, Any]:
        if isinstance(node, dict):
            return dict(node)
        self.lose(pointer, f"expected an object in the analysis configuration, found {json.dumps(node)[:60]}")
        return {}

    def rest(self, node: dict[str, Any], pointer: str) -> None:
        for key in node:
            self.lose(f"{pointer}/{key}", "a Clarify setting the clarify_check step has no key for")


def monitoring_config(config: dict[str, Any], check: str) -> dict[str, Any]:
    """The monitoring configuration mlopsgen derives from a job configuration (``monitoring_config``'s inverse).

    Used only to recognise a register step's drift baseline ``ConfigFile`` as the one a clarify_check step
    generates; the verification compares the rendered file's digest with the downloaded one's.
    """
    if check == "model_explainability":
        out: dict[str, Any] = {
            "methods": {"shap": config.get("methods", {}).get("shap")},
            "predictor": {k: v for k, v in config.get("predictor", {}).items() if k != "label"},
        }
        headers, label = config.get("headers"), config.get("label")
        if isinstance(headers, list):
            out["headers"] = [h for h in headers if h != label] if label in headers else list(headers)
        return out
    keys = ("label_values_or_threshold", "facet", "group_variable", "headers", "label")
    return {k: config[k] for k in keys if k in config}


def remember(node: dict[str, Any], ctx: Context) -> None:
    """Note the monitoring configuration digest a readable Clarify step implies (before any step is built)."""
    config = read_config(node, ctx)
    check = CHECKS.get(str(node.get("CheckType")))
    if config is not None and check is not None:
        ctx.clarify_monitoring[node["Name"]] = (check, canonical_digest(monitoring_config(config, check)))


def clarify_check(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``ClarifyCheck`` step → a ``clarify_check`` step's keys (its configuration must have been read)."""
    from mlopsgen.importing.checks import job_keys, switches

    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments"
    config = read_config(node, ctx)
    assert config is not None  # the importer refuses the step first otherwise
    ctx.role(args.get("RoleArn"))
    check = CHECKS.get(str(node.get("CheckType")))
    if check is None:
        ctx.lose(name, f"{base}.CheckType", f"check type {node.get('CheckType')!r} has no clarify_check form")
        check = "data_bias"
    out: dict[str, Any] = {"check": check, **switches(node, ctx, base)}
    inputs = {i.get("InputName"): i.get("S3Input", {}).get("S3Uri") for i in args.get("ProcessingInputs", [])}
    uri = inputs.pop(CONFIG_INPUT)
    out["dataset"] = ctx.value(inputs.pop("dataset", None), name, f"{path}.ProcessingInputs[dataset].S3Input.S3Uri")
    for input_name in inputs:
        ctx.lose(name, f"{path}.ProcessingInputs[{input_name}]", "an input a Clarify check does not have")
    reader = _Reader(ctx, name, f"{path}.ProcessingInputs[{CONFIG_INPUT}]")
    out.update(_settings(dict(config), check, node, reader))
    out["environment"] = ctx.mapping(args.get("Environment") or {}, name, f"{path}.Environment")
    out.update(job_keys(args, ctx, name, path))
    # Compared by content: a setting read wrongly renders another file, so another digest.
    ctx.aliases[uri] = f"<helper:clarify/{name}/job_analysis_config.json:{canonical_digest(config)}>"
    return out


def _settings(cfg: dict[str, Any], check: str, node: dict[str, Any], r: _Reader) -> dict[str, Any]:
    """The analysis configuration's keys → the step's settings; leftovers are findings."""
    out: dict[str, Any] = {}
    if "dataset_type" in cfg:
        out["dataset_type"] = cfg.pop("dataset_type")
    for key in ("label", "headers", "features"):
        if key in cfg:
            out[key] = cfg.pop(key)
    methods = r.mapping(cfg.pop("methods", {}), "/methods")
    if methods.pop("report", None) != REPORT:
        r.lose("/methods/report", f"a report other than {json.dumps(REPORT)}")
    if check != "model_explainability":
        out["bias"] = _bias(cfg, r)
        key = "pre_training_bias" if check == "data_bias" else "post_training_bias"
        chosen = r.mapping(methods.pop(key, None), f"/methods/{key}")
        listed = chosen.pop("methods", None)
        r.rest(chosen, f"/methods/{key}")
        if listed != "all":
            out["methods"] = listed
    if check != "data_bias":
        predictor = r.mapping(cfg.pop("predictor", None), "/predictor")
        if check == "model_bias":
            label: dict[str, Any] = {
                k: predictor.pop(k) for k in ("label", "probability", "label_headers") if k in predictor
            }
            if "probability_threshold" in cfg:
                label["probability_threshold"] = cfg.pop("probability_threshold")
            if label:
                out["predicted_label"] = label
        elif "label" in predictor:
            out["model_scores"] = predictor.pop("label")
        out["model"] = _model(predictor, node, r)
    if check == "model_explainability":
        shap = r.mapping(methods.pop("shap", None), "/methods/shap")
        out["shap"] = {k: shap.pop(k) for k in SHAP_KEYS if k in shap}
        r.rest(shap, "/methods/shap")
    r.rest(methods, "/methods")
    r.rest(cfg, "")
    return out


def _bias(cfg: dict[str, Any], r: _Reader) -> dict[str, Any]:
    out: dict[str, Any] = {"label_values_or_threshold": cfg.pop("label_values_or_threshold", None)}
    facets = cfg.pop("facet", None)
    if not (isinstance(facets, list) and len(facets) == 1):
        r.lose("/facet", "a clarify_check step has exactly one facet (sensitive attribute)")
        facets = [{}]
    facet = r.mapping(facets[0], "/facet/0")
    out["facet_name"] = facet.pop("name_or_index", None)
    if "value_or_threshold" in facet:
        out["facet_values_or_threshold"] = facet.pop("value_or_threshold")
    r.rest(facet, "/facet/0")
    if "group_variable" in cfg:
        out["group_name"] = cfg.pop("group_variable")
    return out


def _model(predictor: dict[str, Any], node: dict[str, Any], r: _Reader) -> dict[str, Any]:
    out: dict[str, Any] = {"name": r.ctx.value(node.get("ModelName"), r.step, f"Steps[{r.step}].ModelName")}
    if "instance_type" in predictor:
        out["instance_type"] = predictor.pop("instance_type")
    if "initial_instance_count" in predictor:
        out["instance_count"] = predictor.pop("initial_instance_count")
    for key in MODEL_KEYS:
        if key in predictor:
            out[key] = predictor.pop(key)
    r.rest(predictor, "/predictor")
    return out


def baseline_source(key: str, uri: Any, ctx: Context) -> str | None:
    """The clarify_check step whose generated monitoring configuration a drift baseline ``ConfigFile`` is.

    Recognised by content: the downloaded file's canonical digest equals the one the step's job
    configuration implies (two steps implying the same file render the same URI, so the first is taken).
    """
    raw = ctx.helpers.get(uri) if isinstance(uri, str) else None
    if raw is None or key not in BASELINE_KINDS:
        return None
    try:
        digest = canonical_digest(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    for name, (check, implied) in ctx.clarify_monitoring.items():
        if check in BASELINE_KINDS[key] and implied == digest:
            ctx.aliases[uri] = f"<helper:clarify/{name}/monitoring_analysis_config.json:{digest}>"
            return name
    return None
