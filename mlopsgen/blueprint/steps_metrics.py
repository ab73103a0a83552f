"""The register step's quality documents (pydantic): ModelMetrics and DriftCheckBaselines, every kind.

Split out of ``steps.py`` so the register step's growing list of reports stays readable. The names
follow the SageMaker SDK's ``ModelMetrics`` and ``DriftCheckBaselines`` arguments one to one, and
the documents usually come from a quality_check or clarify_check step's properties
(``${steps.S.properties.CalculatedBaselineStatistics}``).
"""

from __future__ import annotations

from mlopsgen.blueprint.base import Scalar, Spec

Value = Scalar


class MetricsSourceSpec(Spec):
    """A model metrics document in S3."""

    source: Value
    """S3 URI of the document, or a reference to a step output or property."""
    content_type: str = "application/json"
    """MIME type of the document."""


class FileSourceSpec(Spec):
    """A configuration file in S3 (a Clarify analysis configuration): ``source`` or ``clarify_check``."""

    source: Value | None = None
    """S3 URI of the file, or a reference."""
    clarify_check: str | None = None
    """Name of a clarify_check step: the monitoring configuration mlopsgen generates for it."""
    content_type: str | None = None
    """MIME type of the file; left out of the request when unset, as the SDK does."""


class ModelMetricsSpec(Spec):
    """Reports attached to a registered model version (SageMaker ModelMetrics)."""

    model_statistics: MetricsSourceSpec | None = None
    """Model quality statistics report."""
    model_constraints: MetricsSourceSpec | None = None
    """Model quality constraints report."""
    model_data_statistics: MetricsSourceSpec | None = None
    """Data quality statistics report."""
    model_data_constraints: MetricsSourceSpec | None = None
    """Data quality constraints report."""
    bias: MetricsSourceSpec | None = None
    """Bias report."""
    bias_pre_training: MetricsSourceSpec | None = None
    """Pre-training bias report."""
    bias_post_training: MetricsSourceSpec | None = None
    """Post-training bias report."""
    explainability: MetricsSourceSpec | None = None
    """Explainability report."""


class DriftCheckBaselinesSpec(Spec):
    """Baselines later check steps compare against (SageMaker DriftCheckBaselines)."""

    model_statistics: MetricsSourceSpec | None = None
    """Model quality statistics baseline."""
    model_constraints: MetricsSourceSpec | None = None
    """Model quality constraints baseline."""
    model_data_statistics: MetricsSourceSpec | None = None
    """Data quality statistics baseline."""
    model_data_constraints: MetricsSourceSpec | None = None
    """Data quality constraints baseline."""
    bias_config_file: FileSourceSpec | None = None
    """Bias analysis configuration."""
    bias_pre_training_constraints: MetricsSourceSpec | None = None
    """Pre-training bias constraints baseline."""
    bias_post_training_constraints: MetricsSourceSpec | None = None
    """Post-training bias constraints baseline."""
    explainability_constraints: MetricsSourceSpec | None = None
    """Explainability constraints baseline."""
    explainability_config_file: FileSourceSpec | None = None
    """Explainability analysis configuration."""


CUSTOMER_METADATA = {"max_entries": 50, "max_key": 128, "max_value": 256}
"""botocore 1.44.8's CustomerMetadataMap (max 50), CustomerMetadataKey (1-128), CustomerMetadataValue (1-256)."""
