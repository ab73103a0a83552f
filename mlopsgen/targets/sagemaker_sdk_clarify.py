"""Plan → clarify_check step built with the SageMaker SDK's own ClarifyCheckStep (part of the SDK engine).

sagemaker 3.27.0 uploads two JSON files while it builds the step: the job's analysis configuration
(``_upload_analysis_config``) and the monitoring configuration (``ClarifyModelMonitor.
_upload_analysis_config``, under a random uuid key). While the step is built both uploads are
replaced by a function that returns the content-addressed URI of the SDK's own bytes (re-dumped
with sorted keys, as the native engine writes them), so any difference in content between the
engines shows up as a different URI in the definition.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.sagemaker_sdk_checks import _serialisable_network, check_job_config


def _uri(prefix: str, config: Any) -> str:
    text = json.dumps(config, sort_keys=True, indent=2) + "\n"
    return f"{prefix}/{hashlib.sha256(text.encode()).hexdigest()}/analysis_config.json"


@contextmanager
def _content_addressed_uploads(prefix: str) -> Iterator[None]:
    """Replace the SDK's two uploads (private names, pinned with the SDK version) while a step is built."""
    import sagemaker.mlops.workflow.clarify_check_step as module
    from sagemaker.core.model_monitor.clarify_model_monitoring import ClarifyModelMonitor

    def job_upload(path: str, _output: Any, _session: Any, _kms: Any) -> str:
        with open(path, encoding="utf-8") as f:
            return _uri(prefix, json.load(f))

    def monitor_upload(_self: Any, config: Any, _output: Any, _name: Any, _kms: Any) -> str:
        return _uri(prefix, json.loads(json.dumps(config)))

    saved = module._upload_analysis_config, ClarifyModelMonitor._upload_analysis_config
    module._upload_analysis_config = job_upload
    ClarifyModelMonitor._upload_analysis_config = monitor_upload
    try:
        yield
    finally:
        module._upload_analysis_config, ClarifyModelMonitor._upload_analysis_config = saved


def _list(value: tuple[Any, ...] | None) -> list[Any] | None:
    return None if value is None else list(value)


def clarify_check(b: Any, s: ir.ClarifyCheckStep) -> Any:
    """A ClarifyCheckStep from the SDK, with content-addressed configuration URIs."""
    from sagemaker.core.clarify import BiasConfig, DataConfig, ModelConfig, ModelPredictedLabelConfig, SHAPConfig
    from sagemaker.mlops.workflow.clarify_check_step import (
        ClarifyCheckStep,
        DataBiasCheckConfig,
        ModelBiasCheckConfig,
        ModelExplainabilityCheckConfig,
    )

    d = s.data
    data = DataConfig(
        s3_data_input_path=b.value(d.dataset),
        s3_output_path=b.value(d.output),
        s3_analysis_config_output_path=s.code_prefix,
        label=d.label,
        headers=_list(d.headers),
        features=d.features,
        dataset_type=d.dataset_type,
    )
    bias = (
        BiasConfig(
            label_values_or_threshold=list(s.bias.label_values_or_threshold),
            facet_name=s.bias.facet_name,
            facet_values_or_threshold=_list(s.bias.facet_values_or_threshold),
            group_name=s.bias.group_name,
        )
        if s.bias
        else None
    )
    model = (
        ModelConfig(
            model_name=b.value(s.model.name),
            instance_count=s.model.instance_count,
            instance_type=s.model.instance_type,
            accept_type=s.model.accept_type,
            content_type=s.model.content_type,
            content_template=s.model.content_template,
            record_template=s.model.record_template,
        )
        if s.model
        else None
    )
    methods: Any = _list(s.methods) or "all"
    config: Any
    if s.check == "DATA_BIAS":
        config = DataBiasCheckConfig(data_config=data, data_bias_config=bias, methods=methods)
    elif s.check == "MODEL_BIAS":
        p = s.predicted_label
        label = (
            ModelPredictedLabelConfig(
                label=p.label,
                probability=p.probability,
                probability_threshold=p.probability_threshold,
                label_headers=_list(p.label_headers),
            )
            if p
            else ModelPredictedLabelConfig()
        )
        config = ModelBiasCheckConfig(
            data_config=data,
            data_bias_config=bias,
            model_config=model,
            model_predicted_label_config=label,
            methods=methods,
        )
    else:
        assert s.shap is not None
        sh = s.shap
        baseline = (
            sh.baseline if sh.baseline is None or isinstance(sh.baseline, str) else [list(r) for r in sh.baseline]
        )
        shap = SHAPConfig(
            baseline=baseline,
            num_samples=sh.num_samples,
            agg_method=sh.agg_method,
            use_logit=sh.use_logit,
            save_local_shap_values=sh.save_local_shap_values,
            seed=sh.seed,
        )
        config = ModelExplainabilityCheckConfig(
            data_config=data, model_config=model, explainability_config=shap, model_scores=s.model_scores
        )
    sw = s.switches
    with _content_addressed_uploads(s.code_prefix):
        step = ClarifyCheckStep(
            clarify_check_config=config,
            check_job_config=check_job_config(b, s.job),
            skip_check=b.value(sw.skip_check),
            fail_on_violation=b.value(sw.fail_on_violation),
            register_new_baseline=b.value(sw.register_new_baseline),
            model_package_group_name=None if sw.model_package_group is None else b.value(sw.model_package_group),
            supplied_baseline_constraints=None
            if sw.supplied_baseline_constraints is None
            else b.value(sw.supplied_baseline_constraints),
            **b.common(s.common),
        )
    _serialisable_network(step._baselining_processor)
    return step
