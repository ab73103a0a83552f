"""Blueprint specs → Plan items of the check steps and of the register step's quality documents.

A mixin of the plan builder (``build.py``): it turns a quality_check step into its baselining job
and switches, and the register step's metrics, drift check baselines and metadata into Plan items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint import steps_metrics as metrics_spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_delivery import DeliveryBuilder
from mlopsgen.plan.check_images import check_image_uri
from mlopsgen.plan.images import UnknownImage

if TYPE_CHECKING:
    from mlopsgen.blueprint.steps_checks import CheckStepBase

CHECK_MAX_RUNTIME_SECONDS = 86400
"""What sagemaker 3.27.0's check steps send when no limit is given (_check_job_request.py)."""
_MODEL_QUALITY_FIELDS = (
    "problem_type",
    "inference_attribute",
    "probability_attribute",
    "ground_truth_attribute",
    "probability_threshold_attribute",
)


class ChecksBuilder(DeliveryBuilder):
    """Builds quality_check steps and the register step's documents."""

    def check_job(self, step: CheckStepBase, image: str, path: PathKey) -> ir.CheckJob:
        """The baselining job: the check image of the region, compute, keys and network of the blueprint."""
        try:
            uri = check_image_uri(image, self.bp.project.region)
        except UnknownImage as exc:
            self.issues.append(Issue("MLG309", (*path, "type"), exc.message, exc.hint, at_value=True))
            uri = ""
        return ir.CheckJob(
            image_uri=uri,
            compute=self.compute(step.instance),
            output_kms_key=self.security.output_kms_key,
            max_runtime_seconds=step.max_runtime_seconds or CHECK_MAX_RUNTIME_SECONDS,
            environment=self.env(step.environment),
            network=self.network(step.network_isolation),
        )

    def quality_check(self, step: spec.QualityCheckStepSpec, path: PathKey) -> ir.QualityCheckStep:
        """A quality_check step; scripts become content-addressed code files like a processing step's code."""
        output = (
            self.expr(step.output)
            if step.output is not None
            else ir.Join(
                "/",
                ("s3:/", self.bucket, self.names.pipeline, ir.ExecVar("PipelineExecutionId"), step.name, "results"),
            )
        )
        fmt = step.dataset_format
        options: tuple[tuple[str, bool | str], ...] = ()
        if fmt.type == "csv":
            options = (("header", True if fmt.header is None else fmt.header), ("output_columns_position", "START"))
        elif fmt.type == "json":
            options = (("lines", True if fmt.lines is None else fmt.lines),)
        quality: list[tuple[str, ir.Expr]] = []
        for key in _MODEL_QUALITY_FIELDS:
            value = getattr(step, key)
            if value is not None:
                expr = self.expr(value)
                # The SDK writes literal attributes as text (its _format_env_variable_value).
                quality.append((key, str(expr) if isinstance(expr, int | float | bool) else expr))
        return ir.QualityCheckStep(
            common=self.common(step),
            job=self.check_job(step, "model-monitor", path),
            switches=self.switches(step, step.supplied_baseline_statistics),
            check="DATA_QUALITY" if step.check == "data_quality" else "MODEL_QUALITY",
            baseline_dataset=self.expr(step.baseline_dataset),
            dataset_format=((_FORMAT_KEYS[fmt.type], options),),
            output=output,
            record_preprocessor_script=self.code(step.record_preprocessor_script, (*path, "record_preprocessor_script"))
            if step.record_preprocessor_script
            else None,
            post_analytics_processor_script=self.code(
                step.post_analytics_processor_script, (*path, "post_analytics_processor_script")
            )
            if step.post_analytics_processor_script
            else None,
            model_quality=tuple(quality),
        )

    def switches(self, step: Any, statistics: Any) -> ir.CheckSwitches:
        """The switches the pipeline service reads around the job (``statistics`` is None for Clarify)."""
        return ir.CheckSwitches(
            skip_check=self.expr(step.skip_check),
            fail_on_violation=self.expr(step.fail_on_violation),
            register_new_baseline=self.expr(step.register_new_baseline),
            model_package_group=self._optional(step.model_package_group),
            supplied_baseline_statistics=self._optional(statistics),
            supplied_baseline_constraints=self._optional(step.supplied_baseline_constraints),
        )

    def _optional(self, value: Any) -> ir.Expr | None:
        return None if value is None else self.expr(value)

    # --- register step documents --------------------------------------------------------------------

    def model_metrics(self, metrics: metrics_spec.ModelMetricsSpec | None) -> ir.ModelMetrics | None:
        """The register step's reports; None when none is set (no ModelMetrics in the request)."""
        if metrics is None:
            return None
        built = ir.ModelMetrics(
            **{name: self._metrics_source(getattr(metrics, name)) for name in type(metrics).model_fields}
        )
        return built if built != ir.ModelMetrics() else None

    def drift_check_baselines(
        self, baselines: metrics_spec.DriftCheckBaselinesSpec | None
    ) -> ir.DriftCheckBaselines | None:
        """The register step's drift check baselines; None when none is set."""
        if baselines is None:
            return None
        built = ir.DriftCheckBaselines(
            **{  # type: ignore[arg-type]  # each field's spec type decides its Plan type
                name: self._file_source(value)
                if isinstance(value := getattr(baselines, name), metrics_spec.FileSourceSpec)
                else self._metrics_source(value)
                for name in type(baselines).model_fields
            }
        )
        return built if built != ir.DriftCheckBaselines() else None

    def _metrics_source(self, source: metrics_spec.MetricsSourceSpec | None) -> ir.MetricsSource | None:
        return ir.MetricsSource(self.expr(source.source), source.content_type) if source else None

    def _file_source(self, source: metrics_spec.FileSourceSpec) -> ir.FileSource:
        if source.clarify_check is not None:
            return ir.FileSource("", source.content_type or "", source.clarify_check)
        return ir.FileSource(self.expr(source.source), source.content_type or "")


_FORMAT_KEYS = {"csv": "csv", "json": "json", "sagemaker_capture_json": "sagemakerCaptureJson"}
"""Blueprint dataset format → the key of the SDK's DatasetFormat dictionary."""
