"""Plan → check steps and the register step's quality documents built with the SageMaker SDK's own classes.

Part of the SDK engine (``sagemaker_sdk.py``, loaded only for ``--engine sdk`` and the tests): the
SDK's ``QualityCheckStep`` with ``DataQualityCheckConfig`` / ``ModelQualityCheckConfig`` and
``CheckJobConfig``, and ``ModelMetrics`` / ``DriftCheckBaselines`` for the register step. Scripts are
passed as the Plan's content-addressed ``s3://`` URIs, so the SDK uploads nothing.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir


def check_job_config(b: Any, job: ir.CheckJob) -> Any:
    """The SDK's CheckJobConfig for a check step's baselining job."""
    from sagemaker.core.network import NetworkConfig
    from sagemaker.mlops.workflow.check_job_config import CheckJobConfig

    n = job.network
    network = None
    if n.has_controls:
        network = NetworkConfig(
            subnets=list(n.subnets) or None,
            security_group_ids=list(n.security_groups) or None,
            encrypt_inter_container_traffic=n.encrypt_inter_container_traffic,
            enable_network_isolation=n.network_isolation,
        )
    return CheckJobConfig(
        role=b.role,
        instance_count=b.value(job.compute.instance_count),
        instance_type=b.value(job.compute.instance_type),
        volume_size_in_gb=job.compute.volume_size_gb,
        volume_kms_key=job.compute.volume_kms_key or None,
        output_kms_key=job.output_kms_key or None,
        max_runtime_in_seconds=job.max_runtime_seconds,
        sagemaker_session=b.session,
        env=b.values(job.environment) or None,
        network_config=network,
    )


def _optional(b: Any, value: ir.Expr | None) -> Any:
    return None if value is None else b.value(value)


def quality_check(b: Any, s: ir.QualityCheckStep) -> Any:
    """A QualityCheckStep from the SDK."""
    from sagemaker.core.model_monitor.dataset_format import DatasetFormat
    from sagemaker.mlops.workflow.quality_check_step import (
        DataQualityCheckConfig,
        ModelQualityCheckConfig,
        QualityCheckStep,
    )

    ((kind, options),) = s.dataset_format
    fmt = {
        "csv": lambda: DatasetFormat.csv(header=dict(options)["header"]),
        "json": lambda: DatasetFormat.json(lines=dict(options)["lines"]),
        "sagemakerCaptureJson": DatasetFormat.sagemaker_capture_json,
    }[kind]()
    common: dict[str, Any] = {
        "baseline_dataset": b.value(s.baseline_dataset),
        "dataset_format": fmt,
        "output_s3_uri": b.value(s.output),
        "post_analytics_processor_script": s.post_analytics_processor_script.s3_uri
        if s.post_analytics_processor_script
        else None,
    }
    if s.check == "DATA_QUALITY":
        config: Any = DataQualityCheckConfig(
            record_preprocessor_script=s.record_preprocessor_script.s3_uri if s.record_preprocessor_script else None,
            **common,
        )
    else:
        config = ModelQualityCheckConfig(**common, **{k: b.value(v) for k, v in s.model_quality})
    sw = s.switches
    step = QualityCheckStep(
        quality_check_config=config,
        check_job_config=check_job_config(b, s.job),
        skip_check=b.value(sw.skip_check),
        fail_on_violation=b.value(sw.fail_on_violation),
        register_new_baseline=b.value(sw.register_new_baseline),
        model_package_group_name=_optional(b, sw.model_package_group),
        supplied_baseline_statistics=_optional(b, sw.supplied_baseline_statistics),
        supplied_baseline_constraints=_optional(b, sw.supplied_baseline_constraints),
        **b.common(s.common),
    )
    _serialisable_network(step._baselining_processor)
    return step


def _serialisable_network(processor: Any) -> None:
    """Let the check step's request carry its NetworkConfig as the request dict the SDK itself defines.

    sagemaker 3.27.0's ``_build_check_job_request`` puts the processor's ``NetworkConfig`` object into
    the request as is, so ``Pipeline.definition()`` fails ("Object of type NetworkConfig is not JSON
    serializable") for any check step with a VPC, isolation or encryption. The SDK's own
    ``NetworkConfig._to_request_dict`` gives the shape its processing steps send; the private
    attribute is pinned with the SDK version.
    """
    if processor.network_config is not None:
        processor.network_config = processor.network_config._to_request_dict()


def _metrics_source(b: Any, source: ir.MetricsSource | None) -> Any:
    from sagemaker.core.model_metrics import MetricsSource

    return MetricsSource(s3_uri=b.value(source.s3_uri), content_type=source.content_type) if source else None


def model_metrics(b: Any, m: ir.ModelMetrics | None) -> Any:
    """The SDK's ModelMetrics (None when the Plan attaches no report)."""
    from sagemaker.core.model_metrics import ModelMetrics

    if m is None:
        return None
    return ModelMetrics(**{name: _metrics_source(b, getattr(m, name)) for name in m.__dataclass_fields__})


def drift_check_baselines(b: Any, d: ir.DriftCheckBaselines | None) -> Any:
    """The SDK's DriftCheckBaselines (None when the Plan attaches no baseline)."""
    from sagemaker.core.drift_check_baselines import DriftCheckBaselines
    from sagemaker.core.model_metrics import FileSource

    if d is None:
        return None
    kwargs: dict[str, Any] = {}
    for name in d.__dataclass_fields__:
        value = getattr(d, name)
        if isinstance(value, ir.FileSource):
            # A generated Clarify configuration: the URI the SDK's own ClarifyCheckStep gave it.
            uri = (
                b.step_named(value.clarify_check).clarify_check_config.monitoring_analysis_config_uri
                if value.clarify_check
                else b.value(value.s3_uri)
            )
            kwargs[name] = FileSource(s3_uri=uri, content_type=value.content_type or None)
        else:
            kwargs[name] = _metrics_source(b, value)
    return DriftCheckBaselines(**kwargs)
