"""Plan → definition JSON of the clarify_check step and its generated analysis configurations (native engine).

Shapes follow sagemaker 3.27.0's ``ClarifyCheckStep`` (mlops/workflow/clarify_check_step.py): the
job configuration of ``_generate_processing_job_analysis_config`` and the monitoring configuration
of ``_upload_monitoring_analysis_config`` (``BiasAnalysisConfig`` / ``ExplainabilityAnalysisConfig``).
The SDK uploads both under random keys while it builds the definition; here each is a generated
file addressed by its content (``<code prefix>/<sha256>/analysis_config.json``) that CI uploads from
the code manifest, so the definition stays offline and deterministic. tests/test_engines_agree.py
compares the definition, and so the digests of both files, with the SDK's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from mlopsgen.frozen import frozen
from mlopsgen.plan import model as ir
from mlopsgen.targets.sagemaker_checks import Expr, check_job

CONFIG_INPUT_DIR = "/opt/ml/processing/input/config"
DATA_INPUT_DIR = "/opt/ml/processing/input/data"
CONFIG_NAME = "analysis_config.json"
_REPORT = {"name": "report", "title": "Analysis Report"}


@frozen
class ConfigFile:
    """A generated Clarify configuration: where it is written, its digest and its S3 URI."""

    path: str
    """Relative to ``model-build/`` (the code manifest's folder)."""
    sha256: str
    s3_uri: str
    text: str


def canonical(config: dict[str, Any]) -> str:
    """The bytes both engines hash: sorted keys, two-space indent, a final newline (Clarify ignores key order)."""
    return json.dumps(config, sort_keys=True, indent=2) + "\n"


def _set(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = list(value) if isinstance(value, tuple) else value


def _bias(b: ir.ClarifyBias) -> dict[str, Any]:
    facet: dict[str, Any] = {"name_or_index": b.facet_name}
    _set(facet, "value_or_threshold", b.facet_values_or_threshold)
    out: dict[str, Any] = {"label_values_or_threshold": list(b.label_values_or_threshold), "facet": [facet]}
    _set(out, "group_variable", b.group_name)
    return out


def _predictor(m: ir.ClarifyModel) -> dict[str, Any]:
    out: dict[str, Any] = {"instance_type": m.instance_type, "initial_instance_count": m.instance_count}
    for key in ("accept_type", "content_type", "content_template", "record_template"):
        _set(out, key, getattr(m, key))
    return out


def _shap(s: ir.ClarifyShap) -> dict[str, Any]:
    shap: dict[str, Any] = {"use_logit": s.use_logit, "save_local_shap_values": s.save_local_shap_values}
    baseline = s.baseline if s.baseline is None or isinstance(s.baseline, str) else [list(r) for r in s.baseline]
    _set(shap, "baseline", baseline)
    for key in ("num_samples", "agg_method", "seed"):
        _set(shap, key, getattr(s, key))
    return {"shap": shap}


def analysis_config(s: ir.ClarifyCheckStep) -> dict[str, Any]:
    """The configuration the Clarify job reads (``/opt/ml/processing/input/config/analysis_config.json``)."""
    d = s.data
    out: dict[str, Any] = {"dataset_type": d.dataset_type}
    _set(out, "features", d.features)
    _set(out, "headers", d.headers)
    _set(out, "label", d.label)
    methods = list(s.methods) if s.methods is not None else "all"
    if s.check == "DATA_BIAS":
        assert s.bias is not None
        out.update(_bias(s.bias))
        out["methods"] = {"pre_training_bias": {"methods": methods}}
    elif s.check == "MODEL_BIAS":
        assert s.bias is not None and s.model is not None
        out.update(_bias(s.bias))
        predictor: dict[str, Any] = {}
        label = s.predicted_label
        if label is not None:
            for key in ("label", "probability", "label_headers"):
                _set(predictor, key, getattr(label, key))
        predictor.update(_predictor(s.model))
        out["methods"] = {"post_training_bias": {"methods": methods}}
        out["predictor"] = predictor
        if label is not None:
            _set(out, "probability_threshold", label.probability_threshold)
    else:
        assert s.model is not None and s.shap is not None
        predictor = _predictor(s.model)
        _set(predictor, "label", s.model_scores)
        out["methods"] = _shap(s.shap)
        out["predictor"] = predictor
    out["methods"]["report"] = dict(_REPORT)
    return out


def monitoring_config(s: ir.ClarifyCheckStep) -> dict[str, Any]:
    """The configuration a monitoring schedule reads: what drift baselines' ``*_config_file`` point at."""
    d = s.data
    if s.check == "MODEL_EXPLAINABILITY":
        assert s.model is not None and s.shap is not None
        out: dict[str, Any] = {"methods": _shap(s.shap), "predictor": _predictor(s.model)}
        if d.headers is not None:
            out["headers"] = [h for h in d.headers if h != d.label] if d.label in d.headers else list(d.headers)
        return out
    assert s.bias is not None
    out = _bias(s.bias)
    _set(out, "headers", d.headers)
    _set(out, "label", d.label)
    return out


def _file(s: ir.ClarifyCheckStep, kind: str, config: dict[str, Any]) -> ConfigFile:
    text = canonical(config)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ConfigFile(
        f"clarify/{s.common.name}/{kind}_{CONFIG_NAME}", digest, f"{s.code_prefix}/{digest}/{CONFIG_NAME}", text
    )


def job_config_file(s: ir.ClarifyCheckStep) -> ConfigFile:
    """The job's analysis configuration as a generated file."""
    return _file(s, "job", analysis_config(s))


def monitoring_config_file(s: ir.ClarifyCheckStep) -> ConfigFile:
    """The monitoring analysis configuration as a generated file."""
    return _file(s, "monitoring", monitoring_config(s))


def clarify_steps(steps: tuple[ir.Step, ...]) -> list[ir.ClarifyCheckStep]:
    """Every clarify_check step, condition branches included, in definition order."""
    return ir.steps_of(steps, ir.ClarifyCheckStep)


def config_files(plan: ir.Plan) -> list[ConfigFile]:
    """Both configurations of every clarify_check step, sorted by path."""
    files = [f for s in clarify_steps(plan.pipeline.steps) for f in (job_config_file(s), monitoring_config_file(s))]
    return sorted(files, key=lambda f: f.path)


def _input(name: str, uri: Any, local: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {"S3Uri": uri, "LocalPath": local, "S3DataType": "S3Prefix", "S3InputMode": "File"},
    }


def clarify_check(s: ir.ClarifyCheckStep, role: str, expr: Expr) -> tuple[dict[str, Any], dict[str, Any]]:
    """A clarify check step: its Arguments (the Clarify job) and its top-level keys (check type, switches)."""
    inputs = [
        _input("analysis_config", job_config_file(s).s3_uri, CONFIG_INPUT_DIR),
        _input("dataset", expr(s.data.dataset), DATA_INPUT_DIR),
    ]
    env = {k: expr(v) for k, v in s.job.environment}
    args = check_job(s.job, inputs, "analysis_result", expr(s.data.output), env, role, expr)
    sw = s.switches
    top: dict[str, Any] = {
        "CheckType": s.check,
        "ModelPackageGroupName": None if sw.model_package_group is None else expr(sw.model_package_group),
        "SkipCheck": expr(sw.skip_check),
        "FailOnViolation": expr(sw.fail_on_violation),
        "RegisterNewBaseline": expr(sw.register_new_baseline),
        "SuppliedBaselineConstraints": None
        if sw.supplied_baseline_constraints is None
        else expr(sw.supplied_baseline_constraints),
    }
    if s.model is not None:
        top["ModelName"] = expr(s.model.name)
    return args, top


def with_config_uris(s: ir.RegisterModelStep, plan: ir.Plan) -> ir.RegisterModelStep:
    """The register step with each drift baseline ``*_config_file`` naming a clarify_check given its file's URI."""
    d = s.drift_check_baselines
    if d is None:
        return s
    named = {c.common.name: c for c in clarify_steps(plan.pipeline.steps)}
    changes: dict[str, ir.FileSource] = {}
    for key in ("bias_config_file", "explainability_config_file"):
        source: ir.FileSource | None = getattr(d, key)
        if source is not None and source.clarify_check:
            uri = monitoring_config_file(named[source.clarify_check]).s3_uri
            changes[key] = replace(source, s3_uri=uri)
    return replace(s, drift_check_baselines=replace(d, **changes)) if changes else s  # type: ignore[arg-type]
