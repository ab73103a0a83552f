"""Blueprint specs → Plan item of the clarify_check step (a mixin of the plan builder, like build_checks).

The settings Clarify reads from its analysis configuration are copied as literals (validation
made sure they are); the dataset, output and model name stay expressions of the definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_checks import ChecksBuilder

_CHECK_TYPES = {"data_bias": "DATA_BIAS", "model_bias": "MODEL_BIAS", "model_explainability": "MODEL_EXPLAINABILITY"}

if TYPE_CHECKING:
    from mlopsgen.blueprint.steps_clarify import ClarifyCheckStepSpec


class ClarifyBuilder(ChecksBuilder):
    """Builds clarify_check steps."""

    def clarify_check(self, step: ClarifyCheckStepSpec, path: PathKey) -> ir.ClarifyCheckStep:
        """A clarify_check step: the Clarify processing job, its switches and its analysis settings."""
        output = (
            self.expr(step.output)
            if step.output is not None
            else ir.Join(
                "/",
                ("s3:/", self.bucket, self.names.pipeline, ir.ExecVar("PipelineExecutionId"), step.name, "results"),
            )
        )
        bias = step.bias if step.check != "model_explainability" else None
        model = step.model if step.check != "data_bias" else None
        label = step.predicted_label
        shap = step.shap if step.check == "model_explainability" else None
        return ir.ClarifyCheckStep(
            common=self.common(step),
            job=self.check_job(step, "clarify", path),
            switches=self.switches(step, None),
            check=_CHECK_TYPES[step.check],
            data=ir.ClarifyData(
                dataset=self.expr(step.dataset),
                output=output,
                dataset_type=step.dataset_type,
                label=step.label,
                headers=tuple(step.headers) if step.headers is not None else None,
                features=step.features,
            ),
            bias=ir.ClarifyBias(
                label_values_or_threshold=tuple(bias.label_values_or_threshold),
                facet_name=bias.facet_name,
                facet_values_or_threshold=tuple(bias.facet_values_or_threshold)
                if bias.facet_values_or_threshold is not None
                else None,
                group_name=bias.group_name,
            )
            if bias is not None
            else None,
            methods=tuple(step.methods) if step.methods is not None and bias is not None else None,
            model=ir.ClarifyModel(
                name=self.expr(model.name),
                instance_type=model.instance_type,
                instance_count=model.instance_count,
                accept_type=model.accept_type,
                content_type=model.content_type,
                content_template=model.content_template,
                record_template=model.record_template,
            )
            if model is not None
            else None,
            predicted_label=ir.ClarifyPredictedLabel(
                label=label.label,
                probability=label.probability,
                probability_threshold=label.probability_threshold,
                label_headers=tuple(label.label_headers) if label.label_headers is not None else None,
            )
            if label is not None and step.check == "model_bias"
            else None,
            shap=ir.ClarifyShap(
                baseline=shap.baseline
                if shap.baseline is None or isinstance(shap.baseline, str)
                else tuple(tuple(row) for row in shap.baseline),
                num_samples=shap.num_samples,
                agg_method=shap.agg_method,
                use_logit=shap.use_logit,
                save_local_shap_values=shap.save_local_shap_values,
                seed=shap.seed,
            )
            if shap is not None
            else None,
            model_scores=step.model_scores if step.check == "model_explainability" else None,
            code_prefix=f"s3://{self.bucket}/{self.names.pipeline}/code",
        )
