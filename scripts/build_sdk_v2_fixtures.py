"""Build AWS's abalone seed pipeline with the SageMaker SDK v2, offline, for the import tests (issue 17).

The test suite pins SDK v3 (tests/support/sdk_seed_abalone.py builds the v3 port at test time); v2 cannot
live in the same venv, so its definition is a committed fixture that this script regenerates. Run it with
a separate venv holding SDK v2, never the project's:

    python3 -m venv /tmp/venv-sdkv2
    /tmp/venv-sdkv2/bin/pip install 'sagemaker>=2.200,<3'
    /tmp/venv-sdkv2/bin/python scripts/build_sdk_v2_fixtures.py

It writes tests/data/sdk_v2/abalone-definition.json and abalone-legacy-definition.json (pretty, sorted
keys) and README.md (naming the exact SDK version). The pipeline is the SageMaker project template's
pipelines/abalone/pipeline.py, line for line in what it builds: ParameterString/Integer parameters, an
SKLearnProcessor (0.23-1) ProcessingStep with local code, an xgboost 1.0-1 Estimator TrainingStep, a
ScriptProcessor evaluation with a PropertyFile, a ConditionLessThanOrEqualTo on a JsonGet, and a
RegisterModel StepCollection in the if branch. Steps take the PipelineSession's ``step_args`` (the
template's later form); abalone-legacy-definition.json holds the first form (``processor=``,
``estimator=``), which uploads code at construction under a job name stamped with the clock, frozen here
so the file is repeatable. The model statistics URI is a ``Join`` on the evaluation output's property:
the template's ``"{}/evaluation.json".format(step_eval.arguments[...])`` reads a timestamped job path the
same way. The else branch holds the FailStep of AWS's abalone pipelines example (its MseThreshold
parameter and Join(on=" ") message), since the template's else branch is empty and FailStep is part of
what a typical v2 project uses.

Offline: sockets refuse to connect (as tests/test_sdk_oracle.py does), the session has a fixed default
bucket and region eu-west-1, and the session's upload_data is replaced by one that returns the S3 URI the
SDK asked for (s3://<bucket>/<key_prefix>/<file>, what the real call returns for one file) without
uploading; the SDK still computes its own code hash from the local files (the example's scripts in
blueprints/pipelines/abalone/), so the code URIs are the SDK's own layout.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from importlib.metadata import version as installed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "sdk_v2"
BASE_DIR = ROOT / "blueprints" / "pipelines" / "abalone"


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise OSError("network access attempted while building offline")


socket.socket.connect = _refuse  # type: ignore[method-assign]
socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
socket.create_connection = _refuse
socket.getaddrinfo = _refuse

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "offline")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "offline")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["SAGEMAKER_DISABLE_TELEMETRY"] = "true"
os.environ["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"

import boto3  # noqa: E402

SDK_VERSION = installed("sagemaker")
if not SDK_VERSION.startswith("2."):
    sys.exit(f"needs SageMaker SDK v2, found {SDK_VERSION}: run with a v2 venv (see the docstring)")

import sagemaker  # noqa: E402
from sagemaker.estimator import Estimator  # noqa: E402
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.model_metrics import MetricsSource, ModelMetrics  # noqa: E402
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor  # noqa: E402
from sagemaker.sklearn.processing import SKLearnProcessor  # noqa: E402
from sagemaker.workflow.condition_step import ConditionStep  # noqa: E402
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo  # noqa: E402
from sagemaker.workflow.fail_step import FailStep  # noqa: E402
from sagemaker.workflow.functions import Join, JsonGet  # noqa: E402
from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString  # noqa: E402
from sagemaker.workflow.pipeline import Pipeline  # noqa: E402
from sagemaker.workflow.pipeline_context import PipelineSession  # noqa: E402
from sagemaker.workflow.properties import PropertyFile  # noqa: E402
from sagemaker.workflow.step_collections import RegisterModel  # noqa: E402
from sagemaker.workflow.steps import ProcessingStep, TrainingStep  # noqa: E402

REGION = "eu-west-1"
FROZEN_TIMESTAMP = "2024-01-01-00-00-00-000"
BUCKET = "sagemaker-eu-west-1-111111111111"
ROLE = "arn:aws:iam::111111111111:role/service-role/AmazonSageMakerProjectsExecutionRole"


class OfflineSession(PipelineSession):  # type: ignore[misc]  # SDK v2 is untyped here
    """A pipeline session whose uploads return the URI the SDK asked for and touch nothing."""

    def upload_data(self, path: str, bucket: str | None = None, key_prefix: str = "data", **kwargs: Any) -> str:
        return f"s3://{bucket or self.default_bucket()}/{key_prefix}/{Path(path).name}"


def _processing(legacy: bool, name: str, processor: Any, property_files: Any = None, **run: Any) -> ProcessingStep:
    """A ProcessingStep in either form: ``processor=`` with the run's keywords, or ``step_args=processor.run``."""
    if legacy:
        arguments = run.pop("arguments", None)
        return ProcessingStep(
            name=name, processor=processor, job_arguments=arguments, property_files=property_files, **run
        )
    return ProcessingStep(name=name, step_args=processor.run(**run), property_files=property_files)


def get_pipeline(
    region: str = REGION,
    role: str = ROLE,
    default_bucket: str = BUCKET,
    model_package_group_name: str = "AbalonePackageGroup",
    pipeline_name: str = "AbalonePipeline",
    base_job_prefix: str = "Abalone",
    legacy: bool = False,
) -> Pipeline:
    """The seed code's get_pipeline (the template's defaults), with an offline session.

    ``legacy`` builds the steps in the template's first form (``processor=``, ``estimator=``).
    """
    pipeline_session = OfflineSession(boto_session=boto3.Session(region_name=region), default_bucket=default_bucket)
    pipeline_session._default_bucket = default_bucket  # known to exist: no HeadBucket/CreateBucket call

    processing_instance_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    processing_instance_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.xlarge")
    training_instance_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    model_approval_status = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    input_data = ParameterString(
        name="InputDataUrl",
        default_value=f"s3://sagemaker-servicecatalog-seedcode-{region}/dataset/abalone-dataset.csv",
    )
    mse_threshold = ParameterFloat(name="MseThreshold", default_value=6.0)

    sklearn_processor = SKLearnProcessor(
        framework_version="0.23-1",
        instance_type=processing_instance_type,
        instance_count=processing_instance_count,
        base_job_name=f"{base_job_prefix}/sklearn-abalone-preprocess",
        sagemaker_session=pipeline_session,
        role=role,
    )
    step_process = _processing(
        legacy,
        "PreprocessAbaloneData",
        sklearn_processor,
        outputs=[
            ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
            ProcessingOutput(output_name="validation", source="/opt/ml/processing/validation"),
            ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
        ],
        code=str(BASE_DIR / "preprocess.py"),
        arguments=["--input-data", input_data],
    )

    model_path = f"s3://{pipeline_session.default_bucket()}/{base_job_prefix}/AbaloneTrain"
    image_uri = sagemaker.image_uris.retrieve(
        framework="xgboost",
        region=region,
        version="1.0-1",
        py_version="py3",
        instance_type=training_instance_type,
    )
    xgb_train = Estimator(
        image_uri=image_uri,
        instance_type=training_instance_type,
        instance_count=1,
        output_path=model_path,
        base_job_name=f"{base_job_prefix}/abalone-train",
        sagemaker_session=pipeline_session,
        role=role,
    )
    xgb_train.set_hyperparameters(
        objective="reg:linear",
        num_round=50,
        max_depth=5,
        eta=0.2,
        gamma=4,
        min_child_weight=6,
        subsample=0.7,
        silent=0,
    )
    outputs = step_process.properties.ProcessingOutputConfig.Outputs
    inputs = {
        "train": TrainingInput(s3_data=outputs["train"].S3Output.S3Uri, content_type="text/csv"),
        "validation": TrainingInput(s3_data=outputs["validation"].S3Output.S3Uri, content_type="text/csv"),
    }
    if legacy:
        step_train = TrainingStep(name="TrainAbaloneModel", estimator=xgb_train, inputs=inputs)
    else:
        step_train = TrainingStep(name="TrainAbaloneModel", step_args=xgb_train.fit(inputs=inputs))

    script_eval = ScriptProcessor(
        image_uri=image_uri,
        command=["python3"],
        instance_type=processing_instance_type,
        instance_count=1,
        base_job_name=f"{base_job_prefix}/script-abalone-eval",
        sagemaker_session=pipeline_session,
        role=role,
    )
    evaluation_report = PropertyFile(name="AbaloneEvaluationReport", output_name="evaluation", path="evaluation.json")
    step_eval = _processing(
        legacy,
        "EvaluateAbaloneModel",
        script_eval,
        inputs=[
            ProcessingInput(
                source=step_train.properties.ModelArtifacts.S3ModelArtifacts,
                destination="/opt/ml/processing/model",
            ),
            ProcessingInput(source=outputs["test"].S3Output.S3Uri, destination="/opt/ml/processing/test"),
        ],
        outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
        code=str(BASE_DIR / "evaluate.py"),
        property_files=[evaluation_report],
    )

    model_metrics = ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=Join(
                on="/",
                values=[
                    step_eval.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri,
                    "evaluation.json",
                ],
            ),
            content_type="application/json",
        )
    )
    step_register = RegisterModel(
        name="RegisterAbaloneModel",
        estimator=xgb_train,
        model_data=step_train.properties.ModelArtifacts.S3ModelArtifacts,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.t2.medium", "ml.m5.large"],
        transform_instances=["ml.m5.large"],
        model_package_group_name=model_package_group_name,
        approval_status=model_approval_status,
        model_metrics=model_metrics,
    )
    step_fail = FailStep(
        name="AbaloneMSEFail",
        error_message=Join(on=" ", values=["Execution failed due to MSE >", mse_threshold]),
    )
    cond_lte = ConditionLessThanOrEqualTo(
        left=JsonGet(
            step_name=step_eval.name, property_file=evaluation_report, json_path="regression_metrics.mse.value"
        ),
        right=mse_threshold,
    )
    step_cond = ConditionStep(
        name="CheckMSEAbaloneEvaluation",
        conditions=[cond_lte],
        if_steps=[step_register],
        else_steps=[step_fail],
    )
    return Pipeline(
        name=pipeline_name,
        parameters=[
            processing_instance_type,
            processing_instance_count,
            training_instance_type,
            model_approval_status,
            input_data,
            mse_threshold,
        ],
        steps=[step_process, step_train, step_eval, step_cond],
        sagemaker_session=pipeline_session,
    )


def main() -> None:
    """Write both definitions and the SDK version beside them."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "abalone-definition.json").write_text(_text(get_pipeline()))
    # The first form names each job (and its code's S3 key) with the clock; a fixed clock makes it repeatable.
    sagemaker.utils.sagemaker_timestamp = lambda: FROZEN_TIMESTAMP
    (OUT / "abalone-legacy-definition.json").write_text(_text(get_pipeline(legacy=True)))
    (OUT / "README.md").write_text(
        "abalone-definition.json (step_args) and abalone-legacy-definition.json (processor=/estimator=, job\n"
        f"names timestamped {FROZEN_TIMESTAMP}): AWS's abalone seed pipeline built offline with\n"
        f"sagemaker=={SDK_VERSION} by scripts/build_sdk_v2_fixtures.py (run it with a v2 venv to regenerate;\n"
        "the tests never install v2).\n"
    )
    print(f"wrote {OUT.relative_to(ROOT)} with sagemaker {SDK_VERSION}")


def _text(pipeline: Pipeline) -> str:
    return json.dumps(json.loads(pipeline.definition()), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    main()
