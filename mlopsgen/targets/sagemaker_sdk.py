"""Plan → pipeline definition built with the SageMaker SDK's own classes (``--engine sdk``; the test oracle).

The only module that imports ``sagemaker`` (lazily, from ``emit``): the SDK costs ~1.5 s of import
and ~300 MB, so the render path never loads it unless asked. It runs offline with the settings
measured in ``shared/reference/toolchain.md`` §1.3: a region before import, no role validation,
telemetry switched off, and the session's default bucket preset so nothing calls S3 or STS.
Code is passed as the Plan's content-addressed ``s3://`` URIs, so the SDK uploads nothing.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets import sagemaker as native
from mlopsgen.targets import sagemaker_frameproc as frameproc
from mlopsgen.targets import sagemaker_sdk_checks as checks
from mlopsgen.targets import sagemaker_sdk_clarify as sdk_clarify
from mlopsgen.targets import sagemaker_sdk_frameproc as sdk_frameproc
from mlopsgen.targets import sagemaker_sdk_training as sdk_options
from mlopsgen.targets.base import OutputFile, dump_json
from mlopsgen.targets.sagemaker_sdk_external import EXTERNAL_STEPS, build_external, output_property

NAME = "sagemaker"
SDK_VERSION = "3.27.0"
_EXECUTION_VARIABLES = {
    "PipelineExecutionId": "PIPELINE_EXECUTION_ID",
    "PipelineName": "PIPELINE_NAME",
    "PipelineArn": "PIPELINE_ARN",
    "PipelineExecutionArn": "PIPELINE_EXECUTION_ARN",
    "StartDateTime": "START_DATETIME",
    "CurrentDateTime": "CURRENT_DATETIME",
}


def _offline(region: str) -> None:
    """Settings that keep the SDK from calling AWS while it builds objects (toolchain.md §1.3)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "offline")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "offline")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["SAGEMAKER_VALIDATE_ROLE"] = "false"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the same files as the native target, with the definition built by the SDK.

    Args:
        plan: The resolved blueprint.

    Returns:
        The pipeline definition (from the SDK) and the code manifest (shared with the native target).
    """
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # the SDK logs credential lookups and popped job names
    try:
        definition = json.loads(build_pipeline(plan).definition())
    finally:
        logging.disable(previous)
    _restore_tuning_security(definition["Steps"], plan)
    _restore_processing_output_key(definition["Steps"], plan)
    _restore_transform_instance_count(definition["Steps"], plan)
    sdk_options.restore_zero_members(definition["Steps"], _all_steps(plan.pipeline.steps))
    return [
        OutputFile("model-build/pipeline-definition.json", dump_json(definition)),
        OutputFile("model-build/code-manifest.json", dump_json(native.code_manifest(plan))),
        *frameproc.helper_outputs(plan),
        *native.config_outputs(plan),
    ]


def _restore_tuning_security(steps: list[dict[str, Any]], plan: ir.Plan) -> None:
    """Put back the controls sagemaker 3.27.0's HyperparameterTuner drops from TrainingJobDefinition.

    The tuner copies the trainer's VPC and output key but not its volume KMS key, network isolation
    or inter-container encryption (measured; see the engine's tests). The blueprint's security block
    must reach every job, so the SDK engine adds them exactly where the API expects them.
    """
    tuning = {s.common.name: s for s in _all_steps(plan.pipeline.steps).values() if isinstance(s, ir.TuningStep)}
    for step in steps:
        if step["Type"] == "Condition":
            _restore_tuning_security(step["Arguments"]["IfSteps"], plan)
            _restore_tuning_security(step["Arguments"]["ElseSteps"], plan)
        if step["Type"] != "Tuning" or step["Name"] not in tuning:
            continue
        job = tuning[step["Name"]].job
        definition = step["Arguments"]["TrainingJobDefinition"]
        if job.compute.volume_kms_key:
            definition["ResourceConfig"]["VolumeKmsKeyId"] = job.compute.volume_kms_key
        if job.network.network_isolation:
            definition["EnableNetworkIsolation"] = True
        if job.network.encrypt_inter_container_traffic:
            definition["EnableInterContainerTrafficEncryption"] = True


def _restore_transform_instance_count(steps: list[dict[str, Any]], plan: ir.Plan) -> None:
    """Put back a transform's instance count given by a pipeline parameter, which sagemaker 3.27.0 refuses.

    The SDK's ``Transformer`` accepts only an int for ``instance_count`` ("Input should be a valid integer"),
    so ``transform`` builds with 1 and the parameter reference goes back here, written as the definition
    language writes every parameter (``{"Get": "Parameters.X"}``), like the native engine. Found by the
    engines-agree generator (tests/test_engines_agree.py).
    """
    transforms = {s.common.name: s for s in _all_steps(plan.pipeline.steps).values() if isinstance(s, ir.TransformStep)}
    for step in steps:
        if step["Type"] == "Condition":
            _restore_transform_instance_count(step["Arguments"]["IfSteps"], plan)
            _restore_transform_instance_count(step["Arguments"]["ElseSteps"], plan)
        spec = transforms.get(step["Name"]) if step["Type"] == "Transform" else None
        if spec is not None and not isinstance(spec.compute.instance_count, int):
            step["Arguments"]["TransformResources"]["InstanceCount"] = native.expr(spec.compute.instance_count)


def _restore_processing_output_key(steps: list[dict[str, Any]], plan: ir.Plan) -> None:
    """Put back the output key of a processing job without outputs, which sagemaker 3.27.0 drops.

    The SDK sends ProcessingOutputConfig only when the outputs list is non-empty, so a job without outputs
    loses ``KmsKeyId`` and with it ``sagemaker:OutputKmsKey``, which the guardrails require (why the
    native engine sends it: ``sagemaker.processing_output_config``). The SDK's own config is kept
    whenever it emits one; only the dropped one is added, as the API takes it: ``Outputs: []`` and the key.
    """
    processing = {
        s.common.name: s for s in _all_steps(plan.pipeline.steps).values() if isinstance(s, ir.ProcessingStep)
    }
    for step in steps:
        if step["Type"] == "Condition":
            _restore_processing_output_key(step["Arguments"]["IfSteps"], plan)
            _restore_processing_output_key(step["Arguments"]["ElseSteps"], plan)
        spec = processing.get(step["Name"]) if step["Type"] == "Processing" else None
        if spec is None or spec.outputs or not spec.output_kms_key:
            continue
        if "ProcessingOutputConfig" not in step["Arguments"]:
            step["Arguments"]["ProcessingOutputConfig"] = {"Outputs": [], "KmsKeyId": spec.output_kms_key}


def _share_botocore_loader() -> None:
    """Give every botocore session in this process one data loader (and so one cache of service models).

    The SDK creates a fresh boto3 session for each step's helper sessions (two or more per step), and
    each new session decodes the service models again: ~90 % of an SDK build's second was JSON parsing
    of the same files. botocore's loader cache is per instance, so sessions share one instance here.
    Private API, pinned by the sdk extra (botocore via sagemaker's pin); the models are read-only data.
    """
    import botocore.loaders
    import botocore.session

    if getattr(botocore.session, "_mlopsgen_shared_loader", False):
        return
    loaders: dict[str | None, Any] = {}
    original = botocore.loaders.create_loader

    def shared(search_path_string: str | None = None) -> Any:
        if search_path_string not in loaders:
            loaders[search_path_string] = original(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared
    botocore.session._mlopsgen_shared_loader = True


def build_pipeline(plan: ir.Plan) -> Any:
    """Build the SDK ``Pipeline`` object for a plan (offline)."""
    _offline(plan.project.region)
    _share_botocore_loader()
    import warnings

    import boto3
    import sagemaker.core.telemetry.telemetry_logging as telemetry

    # Private API, pinned by the sdk extra: without this the SDK sends telemetry over the network.
    telemetry._send_telemetry_request = lambda *a, **k: None
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.mlops.workflow.pipeline import Pipeline

    warnings.filterwarnings("ignore", module="sagemaker")
    session = PipelineSession(
        boto_session=boto3.Session(region_name=plan.project.region), default_bucket=plan.project.artifact_bucket
    )
    # Private attribute: a preset bucket skips the S3 head/create-bucket calls (toolchain.md §1.3.3).
    session._default_bucket = plan.project.artifact_bucket
    sdk_frameproc.keep_uploads(session)
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.mlops.workflow.pipeline_experiment_config import PipelineExperimentConfig

    builder = _SdkBuilder(plan, session)
    # Passed explicitly: the SDK's default depends on the region being in its Experiments GA list.
    experiment = (
        PipelineExperimentConfig(ExecutionVariables.PIPELINE_NAME, ExecutionVariables.PIPELINE_EXECUTION_ID)
        if plan.pipeline.experiment_tracking
        else None
    )
    return Pipeline(
        name=plan.pipeline.name,
        parameters=list(builder.params.values()),
        steps=[builder.step(s) for s in plan.pipeline.steps],
        pipeline_experiment_config=experiment,
        sagemaker_session=session,
    )


def _all_steps(steps: tuple[ir.Step, ...]) -> dict[str, ir.Step]:
    found: dict[str, ir.Step] = {}
    for s in steps:
        found[s.common.name] = s
        if isinstance(s, ir.ConditionStep):
            found.update(_all_steps(s.if_steps + s.else_steps))
    return found


class _SdkBuilder:
    """Builds SDK step objects on demand, so a step exists before another reads its properties."""

    def __init__(self, plan: ir.Plan, session: Any) -> None:
        from sagemaker.core.workflow.parameters import (
            ParameterBoolean,
            ParameterFloat,
            ParameterInteger,
            ParameterString,
        )

        self.plan = plan
        self.session = session
        self.role = plan.project.pipeline_role_arn
        self.specs = _all_steps(plan.pipeline.steps)
        self.built: dict[str, Any] = {}
        self.property_files: dict[str, Any] = {}
        kinds = {
            "String": ParameterString,
            "Integer": ParameterInteger,
            "Float": ParameterFloat,
            "Boolean": ParameterBoolean,
        }
        self.params: dict[str, Any] = {}
        for p in plan.pipeline.parameters:
            kwargs: dict[str, Any] = {"name": p.name}
            if p.default is not None:
                kwargs["default_value"] = p.default
            if p.allowed:
                kwargs["enum_values"] = list(p.allowed)
            self.params[p.name] = kinds[p.kind](**kwargs)

    # --- values -----------------------------------------------------------------------------------

    def value(self, expr: ir.Expr) -> Any:
        from sagemaker.core.workflow.execution_variables import ExecutionVariables
        from sagemaker.core.workflow.functions import Join, JsonGet

        if isinstance(expr, ir.ParamRef):
            return self.params[expr.name]
        if isinstance(expr, ir.ExecVar):
            return getattr(ExecutionVariables, _EXECUTION_VARIABLES[expr.name])
        if isinstance(expr, ir.Join):
            return Join(on=expr.on, values=[self.value(v) for v in expr.values])
        if isinstance(expr, ir.JsonGet):
            self.step_named(expr.step)
            return JsonGet(
                step_name=expr.step, property_file=self.property_files[expr.property_file], json_path=expr.path
            )
        if isinstance(expr, ir.StepProp):
            step = self.step_named(expr.step)
            output = output_property(step, expr.path) if isinstance(self.specs[expr.step], EXTERNAL_STEPS) else None
            return output if output is not None else _navigate(step.properties, expr.path)
        return expr

    def values(self, pairs: tuple[tuple[str, ir.Expr], ...]) -> dict[str, Any]:
        return {k: self.value(v) for k, v in pairs}

    # --- shared -----------------------------------------------------------------------------------

    def common(self, common: ir.Common, *, cache: bool = True) -> dict[str, Any]:
        from sagemaker.mlops.workflow.retry import (
            SageMakerJobExceptionTypeEnum,
            SageMakerJobStepRetryPolicy,
            StepExceptionTypeEnum,
            StepRetryPolicy,
        )
        from sagemaker.mlops.workflow.steps import CacheConfig

        for name in common.depends_on:
            self.step_named(name)
        kwargs: dict[str, Any] = {
            "name": common.name,
            "display_name": common.display_name or None,
            "description": common.description or None,
            "depends_on": list(common.depends_on) or None,
        }
        policies = []
        for r in common.retry:
            if r.exceptions[0].startswith("Step."):
                policies.append(
                    StepRetryPolicy(
                        exception_types=[_member(StepExceptionTypeEnum, e) for e in r.exceptions],
                        max_attempts=r.max_attempts,
                        interval_seconds=r.interval_seconds,
                        backoff_rate=r.backoff_rate,
                    )
                )
            else:
                policies.append(
                    SageMakerJobStepRetryPolicy(
                        failure_reason_types=[_member(SageMakerJobExceptionTypeEnum, e) for e in r.exceptions],
                        max_attempts=r.max_attempts,
                        interval_seconds=r.interval_seconds,
                        backoff_rate=r.backoff_rate,
                    )
                )
        if policies:
            kwargs["retry_policies"] = policies
        if cache and common.cache_expire_after:
            kwargs["cache_config"] = CacheConfig(enable_caching=True, expire_after=common.cache_expire_after)
        return kwargs

    def step_named(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = self._build(self.specs[name])
        return self.built[name]

    def step(self, s: ir.Step) -> Any:
        return self.step_named(s.common.name)

    def _build(self, s: ir.Step) -> Any:
        if isinstance(s, ir.ProcessingStep):
            return self.processing(s)
        if isinstance(s, ir.TrainingStep):
            return self.training(s)
        if isinstance(s, ir.TuningStep):
            return self.tuning(s)
        if isinstance(s, ir.RegisterModelStep):
            return self.register(s)
        if isinstance(s, ir.CreateModelStep):
            return self.create_model(s)
        if isinstance(s, ir.TransformStep):
            return self.transform(s)
        if isinstance(s, EXTERNAL_STEPS):
            return build_external(s, self.value, self.common(s.common), self.session)
        if isinstance(s, ir.QualityCheckStep):
            return checks.quality_check(self, s)
        if isinstance(s, ir.ClarifyCheckStep):
            return sdk_clarify.clarify_check(self, s)
        if isinstance(s, ir.FailStep):
            from sagemaker.mlops.workflow.fail_step import FailStep

            return FailStep(error_message=self.value(s.message), **self.common(s.common, cache=False))
        return self.condition(s)

    # --- steps ------------------------------------------------------------------------------------

    def processing(self, s: ir.ProcessingStep) -> Any:
        from sagemaker.core.network import NetworkConfig
        from sagemaker.core.processing import FrameworkProcessor, Processor, ScriptProcessor
        from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
        from sagemaker.core.workflow.properties import PropertyFile
        from sagemaker.mlops.workflow.steps import ProcessingStep

        n = s.network
        network = None
        if n.has_controls:
            network = NetworkConfig(
                subnets=list(n.subnets) or None,
                security_group_ids=list(n.security_groups) or None,
                encrypt_inter_container_traffic=n.encrypt_inter_container_traffic,
                enable_network_isolation=n.network_isolation,
            )
        # Without code, the SDK's base Processor: the image's entrypoint, or the command as the whole entrypoint.
        kind = FrameworkProcessor if s.framework else ScriptProcessor if s.code else Processor
        processor = kind(
            image_uri=s.image_uri,
            **({"command": list(s.command)} if s.code or s.framework else {"entrypoint": list(s.command) or None}),
            instance_type=self.value(s.compute.instance_type),
            instance_count=self.value(s.compute.instance_count),
            volume_size_in_gb=s.compute.volume_size_gb,
            volume_kms_key=s.compute.volume_kms_key or None,
            output_kms_key=s.output_kms_key or None,
            max_runtime_in_seconds=s.max_runtime_seconds or None,
            env=self.values(s.environment) or None,
            network_config=network,
            role=self.role,
            sagemaker_session=self.session,
        )
        args = processor.run(
            inputs=[
                ProcessingInput(
                    input_name=i.name,
                    s3_input=ProcessingS3Input(
                        s3_uri=self.value(i.source), local_path=i.destination, s3_data_type="S3Prefix"
                    ),
                )
                for i in s.inputs
            ]
            or None,
            outputs=[
                ProcessingOutput(
                    output_name=o.name,
                    s3_output=ProcessingS3Output(
                        s3_uri=self.value(o.destination), local_path=o.source, s3_upload_mode="EndOfJob"
                    ),
                )
                for o in s.outputs
            ]
            or None,
            arguments=[self.value(a) for a in s.arguments] or None,
            **({"code": s.code.s3_uri} if s.code else {}),
            **(sdk_frameproc.run_arguments(processor, s.framework) if s.framework else {}),
        )
        files = []
        for p in s.property_files:
            self.property_files[p.name] = PropertyFile(name=p.name, output_name=p.output, path=p.path)
            files.append(self.property_files[p.name])
        return ProcessingStep(step_args=args, property_files=files or None, **self.common(s.common))

    def trainer(self, job: ir.TrainingJob) -> Any:
        from sagemaker.train.configs import (
            Compute,
            MetricDefinition,
            Networking,
            OutputDataConfig,
            StoppingCondition,
        )
        from sagemaker.train.model_trainer import ModelTrainer

        n = job.network
        networking = None
        if n.has_controls:
            networking = Networking(
                subnets=list(n.subnets) or None,
                security_group_ids=list(n.security_groups) or None,
                enable_inter_container_traffic_encryption=n.encrypt_inter_container_traffic or None,
                enable_network_isolation=n.network_isolation or None,
            )
        trainer = ModelTrainer(
            training_image=job.image_uri,
            role=self.role,
            sagemaker_session=self.session,
            compute=Compute(
                instance_type=self.value(job.compute.instance_type),
                instance_count=self.value(job.compute.instance_count),
                volume_size_in_gb=job.compute.volume_size_gb,
                volume_kms_key_id=job.compute.volume_kms_key or None,
                **sdk_options.compute_kwargs(job),
            ),
            stopping_condition=StoppingCondition(
                max_runtime_in_seconds=job.max_runtime_seconds, **sdk_options.stopping_kwargs(job)
            ),
            output_data_config=OutputDataConfig(
                s3_output_path=self.value(job.output_path),
                kms_key_id=job.output_kms_key or None,
                compression_type=job.options.output_compression,
            ),
            **sdk_options.trainer_kwargs(job, self.value),
            networking=networking,
            hyperparameters={**self.values(job.hyperparameters), **_script_hyperparameters(job.script)} or None,
            environment=self.values(job.environment) or None,
        )
        sdk_options.with_retry(trainer, job)
        if job.metric_definitions:
            trainer.with_metric_definitions(
                [MetricDefinition(name=m.name, regex=m.regex) for m in job.metric_definitions]
            )
        return trainer

    def inputs(self, job: ir.TrainingJob, *, tuning: bool = False) -> list[Any]:
        from sagemaker.train.configs import InputData

        channels = []
        for c in job.channels:
            if c.has_options:
                channels.append(sdk_options.channel(c, self.value, tuning=tuning))
                continue
            kwargs: dict[str, Any] = {"channel_name": c.name, "data_source": self.value(c.source)}
            if c.content_type:
                kwargs["content_type"] = c.content_type
            channels.append(InputData(**kwargs))
        return channels

    def training(self, s: ir.TrainingStep) -> Any:
        from sagemaker.mlops.workflow.steps import TrainingStep

        args = self.trainer(s.job).train(input_data_config=self.inputs(s.job))
        if s.job.options.debug_hook is not None or s.job.options.profiler is not None:
            from mlopsgen.targets import sagemaker_sdk_debugger

            extra = sagemaker_sdk_debugger.members(s.job, self.value)
            return sagemaker_sdk_debugger.training_step(extra, step_args=args, **self.common(s.common))
        return TrainingStep(step_args=args, **self.common(s.common))

    def tuning(self, s: ir.TuningStep) -> Any:
        from sagemaker.core.parameter import CategoricalParameter, ContinuousParameter, IntegerParameter
        from sagemaker.mlops.workflow.steps import TuningStep
        from sagemaker.train.tuner import HyperparameterTuner

        ranges: dict[str, Any] = {}
        for r in s.ranges:
            if r.kind == "categorical":
                ranges[r.name] = CategoricalParameter(list(r.values))
            elif r.kind == "integer":
                ranges[r.name] = IntegerParameter(int(r.min_value), int(r.max_value), scaling_type=r.scaling)
            else:
                ranges[r.name] = ContinuousParameter(float(r.min_value), float(r.max_value), scaling_type=r.scaling)
        tuner = HyperparameterTuner(
            model_trainer=self.trainer(s.job),
            objective_metric_name=s.objective_metric,
            objective_type=s.objective_goal,
            hyperparameter_ranges=ranges,
            strategy=s.strategy,
            max_jobs=s.max_jobs,
            max_parallel_jobs=s.max_parallel_jobs,
            # The tuner reads metric definitions from its own argument, not from the trainer.
            metric_definitions=[{"Name": m.name, "Regex": m.regex} for m in s.job.metric_definitions] or None,
            **sdk_options.tuner_kwargs(s),
        )
        return TuningStep(step_args=tuner.tune(inputs=self.inputs(s.job, tuning=True)), **self.common(s.common))

    def register(self, s: ir.RegisterModelStep) -> Any:
        from sagemaker.mlops.workflow.model_step import ModelStep
        from sagemaker.serve.model_builder import ModelBuilder

        # The SDK adds its own SAGEMAKER_* container variables; pass only what the blueprint set.
        user_env = {k: v for k, v in s.model.environment if k not in _SDK_MODEL_ENV}
        builder = ModelBuilder(
            image_uri=s.model.image_uri,
            s3_model_data_url=self.value(s.model.model_data),
            role_arn=self.role,
            sagemaker_session=self.session,
            env_vars={**{k: self.value(v) for k, v in user_env.items()}, **self.serving_env(s.model)} or None,
        )
        args = builder.register(
            content_types=list(s.content_types),
            response_types=list(s.response_types),
            inference_instances=list(s.inference_instances),
            transform_instances=list(s.transform_instances) or None,
            model_package_group_name=self.value(s.model_package_group),
            approval_status=self.value(s.approval_status),
            model_metrics=checks.model_metrics(self, s.metrics),
            drift_check_baselines=checks.drift_check_baselines(self, s.drift_check_baselines),
            customer_metadata_properties=self.values(s.customer_metadata) or None,
            description=s.description or None,
        )
        return ModelStep(step_args=args, **self.common(s.common, cache=False))

    def create_model(self, s: ir.CreateModelStep) -> Any:
        from sagemaker.mlops.workflow.model_step import ModelStep
        from sagemaker.serve.model_builder import ModelBuilder
        from sagemaker.train.configs import Networking

        n = s.network
        network = None
        if n.has_vpc or n.network_isolation:
            network = Networking(
                subnets=list(n.subnets) or None,
                security_group_ids=list(n.security_groups) or None,
                enable_network_isolation=n.network_isolation or None,
            )
        builder = ModelBuilder(
            image_uri=s.model.image_uri,
            s3_model_data_url=self.value(s.model.model_data),
            role_arn=s.execution_role_arn,
            sagemaker_session=self.session,
            network=network,
            env_vars={
                **{
                    k: self.value(v)
                    for k, v in s.model.environment
                    if not s.model.serving_script or k not in _SDK_MODEL_ENV
                },
                **self.serving_env(s.model),
            }
            or None,
        )
        return ModelStep(step_args=builder.build(), **self.common(s.common, cache=False))

    def serving_env(self, model: ir.ModelSource) -> dict[str, Any]:
        """A framework model's container variables, as sagemaker 3.27.0's ModelBuilder derives them.

        The serving code is inside the model archive (code/), which is what the SDK's repack makes of a
        ``source_code``; its ``_script_mode_env_vars`` (private API, pinned by the sdk extra) then names the
        script and ``/opt/ml/model/code``. It is asked on a builder of its own: the repack itself would add
        a training step and upload code at definition time, neither offline nor deterministic.
        """
        if not model.serving_script:
            return {}
        from sagemaker.core.fw_utils import UploadedCode
        from sagemaker.serve.model_builder import ModelBuilder

        data = self.value(model.model_data)
        probe = ModelBuilder(
            image_uri=model.image_uri, s3_model_data_url=data, role_arn=self.role, sagemaker_session=self.session
        )
        probe.uploaded_code = UploadedCode(s3_prefix=data, script_name=model.serving_script)
        probe.repacked_model_data = data
        env: dict[str, Any] = probe._script_mode_env_vars()
        return env

    def transform(self, s: ir.TransformStep) -> Any:
        from sagemaker.core.transformer import Transformer
        from sagemaker.mlops.workflow.steps import TransformStep

        transformer = Transformer(
            model_name=self.step_named(s.model_step).properties.ModelName,
            instance_type=self.value(s.compute.instance_type),
            # A parameter count is put back by _restore_transform_instance_count (the SDK takes ints only).
            instance_count=count if isinstance(count := s.compute.instance_count, int) else 1,
            output_path=self.value(s.output_path),
            accept=s.accept or None,
            assemble_with=s.assemble_with or None,
            output_kms_key=s.output_kms_key or None,
            volume_kms_key=s.compute.volume_kms_key or None,
            sagemaker_session=self.session,
        )
        args = transformer.transform(
            data=self.value(s.source), content_type=s.content_type or None, split_type=s.split_type or None
        )
        return TransformStep(step_args=args, **self.common(s.common))

    def condition(self, s: ir.ConditionStep) -> Any:
        from sagemaker.mlops.workflow.condition_step import ConditionStep

        return ConditionStep(
            conditions=[self.sdk_condition(c) for c in s.conditions],
            if_steps=[self.step(b) for b in s.if_steps],
            else_steps=[self.step(b) for b in s.else_steps],
            **self.common(s.common, cache=False),
        )

    def sdk_condition(self, c: ir.Condition) -> Any:
        from sagemaker.core.workflow import conditions as sdk

        if isinstance(c, ir.Comparison):
            cls = getattr(sdk, f"Condition{c.kind}")
            return cls(left=self.value(c.left), right=self.value(c.right))
        if isinstance(c, ir.InCondition):
            return sdk.ConditionIn(value=self.value(c.value), in_values=[self.value(v) for v in c.choices])
        if isinstance(c, ir.NotCondition):
            return sdk.ConditionNot(expression=self.sdk_condition(c.condition))
        return sdk.ConditionOr(conditions=[self.sdk_condition(x) for x in c.conditions])


def _script_hyperparameters(script: ir.ScriptMode | None) -> dict[str, str]:
    """Script mode as sagemaker 3.27.0's HyperparameterTuner sets it for an S3 ``source_dir``.

    The tuner (``_build_driver_and_code_channels``) writes ``sagemaker_program`` = the entry script and
    ``sagemaker_submit_directory`` = the S3 archive, under the SDK's own names (``sagemaker.core.constants``).
    The SDK is not asked to do it itself because it also uploads an ``sm_drivers`` channel to a
    timestamped key at definition time (and ModelTrainer's training path runs that driver instead of
    the framework container's contract), which is neither offline nor deterministic.
    """
    if script is None:
        return {}
    from sagemaker.core.constants import DIR_PARAM_NAME, SCRIPT_PARAM_NAME

    return {SCRIPT_PARAM_NAME: script.entry_point, DIR_PARAM_NAME: script.source.s3_uri}


_SDK_MODEL_ENV = {
    "SAGEMAKER_CONTAINER_LOG_LEVEL",
    "SAGEMAKER_PROGRAM",
    "SAGEMAKER_REGION",
    "SAGEMAKER_SUBMIT_DIRECTORY",
}


def _member(enum: Any, value: str) -> Any:
    """Enum member by value. The SDK's retry enums use a metaclass whose call returns the default member."""
    return next(m for m in enum if m.value == value)


def _navigate(properties: Any, path: str) -> Any:
    """Walk an SDK Properties object along a SageMaker property path such as ``Outputs['x'].S3Uri``.

    Going through the SDK's own property model (not building the ``Get`` string ourselves) means
    the oracle also checks that every path the Plan uses exists in the SDK's shapes.
    """
    node = properties
    token = ""
    i = 0
    while i < len(path):
        char = path[i]
        if char == ".":
            if token:
                node = getattr(node, token)
            token = ""
        elif char == "[":
            if token:
                node = getattr(node, token)
            token = ""
            end = path.index("]", i)
            key = path[i + 1 : end].strip("'\"")
            node = node[int(key)] if key.isdigit() else node[key]
            i = end
        else:
            token += char
        i += 1
    if token:
        node = getattr(node, token)
    return node
