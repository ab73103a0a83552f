"""Plan batch stage → its pipeline definition built with the SageMaker SDK's own classes (the oracle).

The native emitter (``endpoint_batch.definition``) writes the batch stage's one-step pipeline; this
builds the same pipeline with sagemaker 3.27.0's ``Transformer`` + ``TransformStep`` + ``Pipeline``,
offline, so ``tests/test_batch_stage.py`` can assert both agree as data for generated batch settings.
Loaded only by tests and the SDK engine, like every ``sagemaker_sdk*`` module.
"""

from __future__ import annotations

import json
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.endpoint_batch import MODEL_PLACEHOLDER, STEP
from mlopsgen.targets.sagemaker_sdk import _offline, _share_botocore_loader


def build_batch_definition(batch: ir.BatchTransform, region: str, bucket: str) -> dict[str, Any]:
    """The batch pipeline's definition as the SDK writes it (parsed JSON)."""
    _offline(region)
    _share_botocore_loader()
    import warnings

    import boto3
    import sagemaker.core.telemetry.telemetry_logging as telemetry

    telemetry._send_telemetry_request = lambda *a, **k: None  # no network while building
    from sagemaker.core.transformer import Transformer
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.parameters import ParameterString
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.pipeline_experiment_config import PipelineExperimentConfig
    from sagemaker.mlops.workflow.steps import TransformStep

    warnings.filterwarnings("ignore", module="sagemaker")
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=bucket)
    session._default_bucket = bucket
    model = ParameterString(name="ModelName", default_value=MODEL_PLACEHOLDER)
    source = ParameterString(name="InputDataUri", default_value=batch.input)
    output = ParameterString(name="OutputDataUri", default_value=batch.output)
    transformer = Transformer(
        model_name=model,
        instance_count=batch.instance_count,
        instance_type=batch.instance_type,
        assemble_with=None if batch.assemble_with == "None" else batch.assemble_with,
        output_path=output,
        output_kms_key=batch.output_kms_key or None,
        accept=batch.accept or None,
        max_concurrent_transforms=batch.max_concurrent_transforms,
        max_payload=batch.max_payload_mb,
        volume_kms_key=batch.volume_kms_key or None,
        sagemaker_session=session,
    )
    args = transformer.transform(
        data=source,
        content_type=batch.content_type or None,
        split_type=None if batch.split_type == "None" else batch.split_type,
        input_filter=batch.input_filter or None,
        output_filter=batch.output_filter or None,
        join_source=None if batch.join_source == "None" else batch.join_source,
    )
    pipeline = Pipeline(
        name=batch.pipeline_name,
        parameters=[model, source, output],
        steps=[TransformStep(name=STEP, step_args=args)],
        pipeline_experiment_config=PipelineExperimentConfig(
            ExecutionVariables.PIPELINE_NAME, ExecutionVariables.PIPELINE_EXECUTION_ID
        ),
        sagemaker_session=session,
    )
    return dict(json.loads(pipeline.definition()))
