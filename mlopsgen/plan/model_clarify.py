"""Plan item of the clarify_check step (frozen, fully resolved; literals where Clarify's file holds them).

Split out of ``model.py`` like ``model_checks.py``. The step carries the settings of Clarify's
analysis configuration as data; the definition target writes that configuration (and the
monitoring configuration a registered model's drift baselines point at) as files addressed by
their content under ``code_prefix``, the same layout as the code files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.frozen import frozen

if TYPE_CHECKING:
    from mlopsgen.plan.model import Common, Expr
    from mlopsgen.plan.model_checks import CheckJob, CheckSwitches

Literal_ = str | int | float


@frozen
class ClarifyData:
    """The dataset and where the results go (the SDK's DataConfig)."""

    dataset: Expr
    output: Expr
    dataset_type: str
    label: str | int | None
    headers: tuple[str, ...] | None
    features: str | None


@frozen
class ClarifyBias:
    """The sensitive groups (the SDK's BiasConfig)."""

    label_values_or_threshold: tuple[Literal_, ...]
    facet_name: str | int
    facet_values_or_threshold: tuple[Literal_, ...] | None
    group_name: str | int | None


@frozen
class ClarifyModel:
    """The model on Clarify's shadow endpoint (the SDK's ModelConfig); ``name`` may be a step property."""

    name: Expr
    instance_type: str
    instance_count: int
    accept_type: str | None
    content_type: str | None
    content_template: str | None
    record_template: str | None


@frozen
class ClarifyPredictedLabel:
    """How the predicted label is read from the model's output (the SDK's ModelPredictedLabelConfig)."""

    label: str | int | None
    probability: str | int | None
    probability_threshold: float | int | None
    label_headers: tuple[str, ...] | None


@frozen
class ClarifyShap:
    """Kernel SHAP settings (the SDK's SHAPConfig)."""

    baseline: str | tuple[tuple[Literal_, ...], ...] | None
    num_samples: int | None
    agg_method: str | None
    use_logit: bool
    save_local_shap_values: bool
    seed: int | None


@frozen
class ClarifyCheckStep:
    """A data bias, model bias or model explainability check (SageMaker ClarifyCheck step)."""

    common: Common
    job: CheckJob
    switches: CheckSwitches
    check: str
    """DATA_BIAS, MODEL_BIAS or MODEL_EXPLAINABILITY."""
    data: ClarifyData
    bias: ClarifyBias | None
    """Bias checks only."""
    methods: tuple[str, ...] | None
    """Bias metrics to compute; None for all."""
    model: ClarifyModel | None
    """Model checks only."""
    predicted_label: ClarifyPredictedLabel | None
    """model_bias only (None: an empty ModelPredictedLabelConfig)."""
    shap: ClarifyShap | None
    """model_explainability only."""
    model_scores: str | int | None
    code_prefix: str
    """``s3://<bucket>/<pipeline>/code``: the generated configurations go to ``<prefix>/<sha256>/<file>``."""
