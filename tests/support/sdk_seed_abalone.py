"""AWS's abalone seed pipeline as a team writes it with the SageMaker SDK (3.27.0), for the import tests.

The SageMaker project template's pipelines/abalone/pipeline.py ported to SDK v3, with its own choices,
not mlopsgen's: the SDK's default bucket (sagemaker-<region>-<account>), the pipeline name
AbalonePipeline, the group AbalonePackageGroup, literal output URIs, code already in S3 under the
SDK's layout, an MSE threshold parameter, and a Fail step in the else branch whose message is a
Std:Join on " ". Built offline (toolchain.md section 1.3); prints the definition JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "offline")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "offline")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["SAGEMAKER_VALIDATE_ROLE"] = "false"

import boto3  # noqa: E402
import sagemaker.core.telemetry.telemetry_logging as telemetry  # noqa: E402

telemetry._send_telemetry_request = lambda *a, **k: None

from sagemaker.core import image_uris  # noqa: E402
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics  # noqa: E402
from sagemaker.core.processing import ScriptProcessor  # noqa: E402
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output  # noqa: E402
from sagemaker.core.workflow.conditions import ConditionLessThanOrEqualTo  # noqa: E402
from sagemaker.core.workflow.functions import Join, JsonGet  # noqa: E402
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString  # noqa: E402
from sagemaker.core.workflow.pipeline_context import PipelineSession  # noqa: E402
from sagemaker.core.workflow.properties import PropertyFile  # noqa: E402
from sagemaker.mlops.workflow.condition_step import ConditionStep  # noqa: E402
from sagemaker.mlops.workflow.fail_step import FailStep  # noqa: E402
from sagemaker.mlops.workflow.model_step import ModelStep  # noqa: E402
from sagemaker.mlops.workflow.pipeline import Pipeline  # noqa: E402
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep  # noqa: E402
from sagemaker.serve.model_builder import ModelBuilder  # noqa: E402
from sagemaker.train.configs import Compute, InputData, OutputDataConfig, StoppingCondition  # noqa: E402
from sagemaker.train.model_trainer import ModelTrainer  # noqa: E402

REGION = "eu-west-1"
NAME = "AbalonePipeline"
GROUP = "AbalonePackageGroup"
BUCKET = "sagemaker-eu-west-1-111111111111"
ROLE = "arn:aws:iam::111111111111:role/service-role/AmazonSageMakerProjectsExecutionRole"


def code_uri(path: str) -> str:
    return f"s3://{BUCKET}/{NAME}/code/0123abcd/{Path(path).name}"


def output(step: str, name: str) -> ProcessingOutput:
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=f"s3://{BUCKET}/{NAME}/{name}", local_path=f"/opt/ml/processing/{name}", s3_upload_mode="EndOfJob"
        ),
    )


def get_pipeline() -> Pipeline:
    session = PipelineSession(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET)
    session._default_bucket = BUCKET
    count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    processing_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.xlarge")
    training_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    approval = ParameterString(
        name="ModelApprovalStatus",
        default_value="PendingManualApproval",
        enum_values=["PendingManualApproval", "Approved", "Rejected"],
    )
    mse_threshold = ParameterFloat(name="MseThreshold", default_value=6.0)
    input_data = ParameterString(
        name="InputDataUrl",
        default_value="s3://sagemaker-servicecatalog-seedcode-eu-west-1/dataset/abalone-dataset.csv",
    )
    sklearn_image = image_uris.retrieve("sklearn", region=REGION, version="1.2-1", instance_type="ml.m5.xlarge")
    xgb_image = image_uris.retrieve("xgboost", region=REGION, version="1.7-1")

    preprocess = ScriptProcessor(
        image_uri=sklearn_image,
        command=["python3"],
        instance_type=processing_type,
        instance_count=count,
        volume_size_in_gb=30,
        role=ROLE,
        sagemaker_session=session,
    )
    step_process = ProcessingStep(
        name="PreprocessAbaloneData",
        step_args=preprocess.run(
            outputs=[output("PreprocessAbaloneData", n) for n in ("train", "validation", "test")],
            arguments=["--input-data", input_data],
            code=code_uri("pipelines/abalone/preprocess.py"),
        ),
    )
    trainer = ModelTrainer(
        training_image=xgb_image,
        role=ROLE,
        sagemaker_session=session,
        compute=Compute(instance_type=training_type, instance_count=1, volume_size_in_gb=30),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=3600),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{BUCKET}/{NAME}/TrainAbaloneModel"),
        hyperparameters={
            "eta": "0.2",
            "gamma": "4",
            "max_depth": "5",
            "min_child_weight": "6",
            "num_round": "50",
            "objective": "reg:squarederror",
            "subsample": "0.7",
        },
    )
    outputs = step_process.properties.ProcessingOutputConfig.Outputs
    step_train = TrainingStep(
        name="TrainAbaloneModel",
        step_args=trainer.train(
            input_data_config=[
                InputData(channel_name="train", data_source=outputs["train"].S3Output.S3Uri, content_type="text/csv"),
                InputData(
                    channel_name="validation", data_source=outputs["validation"].S3Output.S3Uri, content_type="text/csv"
                ),
            ]
        ),
    )
    evaluate = ScriptProcessor(
        image_uri=xgb_image,
        command=["python3"],
        instance_type=processing_type,
        instance_count=1,
        volume_size_in_gb=30,
        role=ROLE,
        sagemaker_session=session,
    )
    report = PropertyFile(name="AbaloneEvaluationReport", output_name="evaluation", path="evaluation.json")
    step_eval = ProcessingStep(
        name="EvaluateAbaloneModel",
        step_args=evaluate.run(
            inputs=[
                ProcessingInput(
                    input_name="model",
                    s3_input=ProcessingS3Input(
                        s3_uri=step_train.properties.ModelArtifacts.S3ModelArtifacts,
                        local_path="/opt/ml/processing/model",
                        s3_data_type="S3Prefix",
                    ),
                ),
                ProcessingInput(
                    input_name="test",
                    s3_input=ProcessingS3Input(
                        s3_uri=outputs["test"].S3Output.S3Uri,
                        local_path="/opt/ml/processing/test",
                        s3_data_type="S3Prefix",
                    ),
                ),
            ],
            outputs=[output("EvaluateAbaloneModel", "evaluation")],
            code=code_uri("pipelines/abalone/evaluate.py"),
        ),
        property_files=[report],
    )
    metrics = ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=Join(
                on="",
                values=[
                    step_eval.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri,
                    "/evaluation.json",
                ],
            ),
            content_type="application/json",
        )
    )
    step_register = ModelStep(
        name="RegisterAbaloneModel",
        step_args=ModelBuilder(
            image_uri=xgb_image,
            s3_model_data_url=step_train.properties.ModelArtifacts.S3ModelArtifacts,
            role_arn=ROLE,
            sagemaker_session=session,
        ).register(
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.t2.medium", "ml.m5.large"],
            transform_instances=["ml.m5.large"],
            model_package_group_name=GROUP,
            approval_status=approval,
            model_metrics=metrics,
        ),
    )
    step_cond = ConditionStep(
        name="CheckMSEAbaloneEvaluation",
        conditions=[
            ConditionLessThanOrEqualTo(
                left=JsonGet(step_name=step_eval.name, property_file=report, json_path="regression_metrics.mse.value"),
                right=mse_threshold,
            )
        ],
        if_steps=[step_register],
        else_steps=[
            FailStep(
                name="AbaloneMSEFail",
                error_message=Join(on=" ", values=["Execution failed due to MSE >", mse_threshold]),
            )
        ],
    )
    return Pipeline(
        name=NAME,
        parameters=[count, processing_type, training_type, approval, input_data, mse_threshold],
        steps=[step_process, step_train, step_eval, step_cond],
        sagemaker_session=session,
    )


if __name__ == "__main__":
    definition = json.loads(get_pipeline().definition())
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    text = json.dumps(definition, indent=2, sort_keys=True) + "\n"
    if out:
        out.write_text(text)
    else:
        sys.stdout.write(text)
