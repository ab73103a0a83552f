"""Clarify check step model (pydantic): clarify_check (data bias, model bias, model explainability baselines).

Fields follow sagemaker 3.27.0's ``ClarifyCheckStep`` with ``DataBiasCheckConfig``,
``ModelBiasCheckConfig`` and ``ModelExplainabilityCheckConfig`` (``DataConfig``, ``BiasConfig``,
``ModelConfig``, ``ModelPredictedLabelConfig``, ``SHAPConfig``) in blueprint form. Everything
that ends up in Clarify's analysis configuration is a literal: mlopsgen writes that file at render
time (content-addressed, uploaded by CI), so it cannot hold a value known only when the pipeline runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictFloat, StrictInt, StrictStr

from mlopsgen.blueprint.base import Scalar, Spec
from mlopsgen.blueprint.steps_checks import CheckStepBase

Value = Scalar
Literal_ = StrictStr | StrictInt | StrictFloat


class ClarifyBiasSpec(Spec):
    """Sensitive groups and the positive outcome (the SDK's BiasConfig)."""

    label_values_or_threshold: list[Literal_] = Field(min_length=1)
    """Label value(s) of the positive outcome, or one threshold (regression)."""
    facet_name: StrictStr | StrictInt
    """Column name or index of the sensitive attribute."""
    facet_values_or_threshold: list[Literal_] | None = None
    """Values of the sensitive group, or one threshold; default: every value."""
    group_name: StrictStr | StrictInt | None = None
    """Column of subgroups for the conditional demographic disparity metrics (CDDL, CDDPL)."""


class ClarifyModelSpec(Spec):
    """The model Clarify serves on a shadow endpoint (the SDK's ModelConfig)."""

    name: Value
    """Model name, usually ${steps.M.properties.ModelName} of a create_model step."""
    instance_type: StrictStr = "ml.m5.xlarge"
    """Instance type of the shadow endpoint (a literal: it is written into the analysis configuration)."""
    instance_count: int = Field(default=1, ge=1)
    """Instances of the shadow endpoint."""
    accept_type: Literal["text/csv", "application/jsonlines", "application/json"] | None = None
    """Format of the model's output; default: content_type."""
    content_type: Literal["text/csv", "application/jsonlines", "application/json"] | None = None
    """Format the model reads; default: the dataset's type."""
    content_template: StrictStr | None = None
    """Model input template (required for JSON Lines and JSON content), e.g. '{"features": $features}'."""
    record_template: StrictStr | None = None
    """Record template (required for JSON content), e.g. '$features_kvp'."""


class ClarifyPredictedLabelSpec(Spec):
    """How to read the predicted label from the model's output (the SDK's ModelPredictedLabelConfig)."""

    label: StrictStr | StrictInt | None = None
    """Index or JMESPath of the predicted label."""
    probability: StrictStr | StrictInt | None = None
    """Index or JMESPath of the predicted score."""
    probability_threshold: StrictFloat | StrictInt | None = None
    """Score above which the prediction is the positive label (Clarify's default 0.5)."""
    label_headers: list[StrictStr] | None = None
    """A header for each score in the output."""


class ClarifyShapSpec(Spec):
    """Kernel SHAP settings of an explainability check (the SDK's SHAPConfig)."""

    baseline: StrictStr | list[list[Literal_]] | None = None
    """S3 URI of baseline rows, or the rows themselves; default: computed by Clarify."""
    num_samples: int | None = Field(default=None, ge=1)
    """Samples of the Kernel SHAP algorithm."""
    agg_method: Literal["mean_abs", "median", "mean_sq"] | None = None
    """How local SHAP values become global ones."""
    use_logit: bool = False
    """Apply the logit function to model predictions."""
    save_local_shap_values: bool = True
    """Keep the per-record SHAP values in the output."""
    seed: int | None = None
    """Seed of the SHAP sampler, for repeatable results."""


class ClarifyCheckStepSpec(CheckStepBase):
    """Calculates a bias or explainability baseline with SageMaker Clarify and checks it against the previous one."""

    type: Literal["clarify_check"]
    """Step type."""
    check: Literal["data_bias", "model_bias", "model_explainability"]
    """data_bias (DataBiasCheckConfig), model_bias (ModelBiasCheckConfig) or model_explainability."""
    dataset: Value
    """S3 URI of the dataset, or a reference such as ${steps.S.outputs.o}."""
    dataset_type: Literal["text/csv", "application/jsonlines", "application/json", "application/x-parquet"] = "text/csv"
    """Format of the dataset."""
    label: StrictStr | StrictInt | None = None
    """Column name or index (JMESPath for JSON) of the target attribute."""
    headers: list[StrictStr] | None = None
    """Column names of the dataset."""
    features: StrictStr | None = None
    """JMESPath of the features (JSON datasets; required for application/json)."""
    output: Value | None = None
    """S3 URI for the analysis results; default: generated per execution."""
    bias: ClarifyBiasSpec | None = None
    """Bias checks only (and required there): the sensitive groups."""
    model: ClarifyModelSpec | None = None
    """Model checks only (and required there): the model to explain or measure."""
    predicted_label: ClarifyPredictedLabelSpec | None = None
    """model_bias only: how to read the predicted label; default: the model's output is the label."""
    shap: ClarifyShapSpec | None = None
    """model_explainability only (and required there): SHAP settings."""
    model_scores: StrictStr | StrictInt | None = None
    """model_explainability only: index or JMESPath of the scores in the model's output."""
    methods: list[StrictStr] | None = None
    """Bias checks only: metrics to compute (e.g. [CI, DPL]); default: all."""
