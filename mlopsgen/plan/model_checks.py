"""Plan items of the check steps and of the register step's quality documents (frozen, fully resolved).

Split out of ``model.py``; ``model.py`` imports the step classes into its ``Step`` union. A check
step is a processing job on an AWS image (model monitor for quality checks) plus the switches the
pipeline service reads (skip, fail on violation, register a new baseline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.frozen import frozen

if TYPE_CHECKING:
    from mlopsgen.plan.model import CodeFile, Common, Compute, Expr, Network


@frozen
class MetricsSource:
    """A metrics document attached to a model package."""

    s3_uri: Expr
    content_type: str


@frozen
class FileSource:
    """A configuration file attached to a model package; ``content_type`` empty when unset."""

    s3_uri: Expr
    content_type: str
    clarify_check: str = ""
    """A clarify_check step whose generated monitoring configuration this is (``s3_uri`` then empty:
    the definition target addresses the file by its content)."""


@frozen
class ModelMetrics:
    """The SDK's ModelMetrics: every report is optional (None when the blueprint leaves it out)."""

    model_statistics: MetricsSource | None = None
    model_constraints: MetricsSource | None = None
    model_data_statistics: MetricsSource | None = None
    model_data_constraints: MetricsSource | None = None
    bias: MetricsSource | None = None
    bias_pre_training: MetricsSource | None = None
    bias_post_training: MetricsSource | None = None
    explainability: MetricsSource | None = None


@frozen
class DriftCheckBaselines:
    """The SDK's DriftCheckBaselines: every baseline is optional (None when left out)."""

    model_statistics: MetricsSource | None = None
    model_constraints: MetricsSource | None = None
    model_data_statistics: MetricsSource | None = None
    model_data_constraints: MetricsSource | None = None
    bias_config_file: FileSource | None = None
    bias_pre_training_constraints: MetricsSource | None = None
    bias_post_training_constraints: MetricsSource | None = None
    explainability_constraints: MetricsSource | None = None
    explainability_config_file: FileSource | None = None


@frozen
class CheckSwitches:
    """What the pipeline service reads around a check job (the step's top-level keys)."""

    skip_check: Expr
    fail_on_violation: Expr
    register_new_baseline: Expr
    model_package_group: Expr | None
    supplied_baseline_statistics: Expr | None
    """Quality checks only; None for Clarify checks (which have no such key)."""
    supplied_baseline_constraints: Expr | None


@frozen
class CheckJob:
    """The baselining processing job of a check step."""

    image_uri: str
    compute: Compute
    output_kms_key: str
    max_runtime_seconds: int
    """The SDK's default 86400 when the blueprint leaves it out."""
    environment: tuple[tuple[str, Expr], ...]
    """The blueprint's extra variables (the check's own variables are derived by the emitter)."""
    network: Network


@frozen
class QualityCheckStep:
    """A data or model quality check (SageMaker QualityCheck step)."""

    common: Common
    job: CheckJob
    switches: CheckSwitches
    check: str
    """DATA_QUALITY or MODEL_QUALITY."""
    baseline_dataset: Expr
    dataset_format: tuple[tuple[str, tuple[tuple[str, bool | str], ...]], ...]
    """The SDK's DatasetFormat as pairs, e.g. (("csv", (("header", True), ("output_columns_position", "START"))),)."""
    output: Expr
    record_preprocessor_script: CodeFile | None
    post_analytics_processor_script: CodeFile | None
    model_quality: tuple[tuple[str, Expr], ...]
    """problem_type and the attribute variables the model quality container reads, when set."""
