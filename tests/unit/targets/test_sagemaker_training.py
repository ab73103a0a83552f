"""Training and tuning options as the native engine writes them (issue 13, point 3).

Expected bodies are botocore's member names (CreateTrainingJob / CreateHyperParameterTuningJob) with the
values the blueprint gives; that the SDK engine writes the same is the engines-agree test's job, and that
every body fits botocore's shapes is ``tests/test_request_shapes.py``'s.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import mlopsgen

URI = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3"
BASE: dict[str, Any] = {
    "version": 1,
    "project": {"name": "opts", "id": "p-opts00001", "region": "eu-west-1", "account": "111111111111"},
    "pipeline": {
        "parameters": {"TrainType": {"type": "string", "default": "ml.p4d.24xlarge"}},
        "steps": [
            {
                "name": "Train",
                "type": "training",
                "image": {"uri": URI},
                "instance": {"type": "${params.TrainType}", "count": 2},
                "channels": {"train": "s3://acme/train"},
            }
        ],
    },
}


def _step(**fields: Any) -> dict[str, Any]:
    blueprint = copy.deepcopy(BASE)
    blueprint["pipeline"]["steps"][0].update(fields)
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    step: dict[str, Any] = json.loads(result.files["model-build/pipeline-definition.json"])["Steps"][0]
    return step["Arguments"]  # type: ignore[no-any-return]


def test_a_job_without_options_is_written_as_before() -> None:
    args = _step()
    assert args["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    assert args["OutputDataConfig"]["CompressionType"] == "GZIP"
    assert args["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    for absent in ("EnableManagedSpotTraining", "CheckpointConfig", "RetryStrategy"):
        assert absent not in args
    assert "KeepAlivePeriodInSeconds" not in args["ResourceConfig"]
    assert args["InputDataConfig"][0]["InputMode"] == "File"


def test_spot_checkpoints_warm_pool_compression_and_retries() -> None:
    args = _step(
        spot={"max_wait_seconds": 7200},
        checkpoint={"s3_uri": "s3://acme/ck/${execution.id}"},
        output_compression="NONE",
        max_retry_attempts=4,
        input_mode="FastFile",
    )
    assert args["EnableManagedSpotTraining"] is True
    assert args["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert args["CheckpointConfig"] == {
        "LocalPath": "/opt/ml/checkpoints",
        "S3Uri": {"Std:Join": {"On": "", "Values": ["s3://acme/ck/", {"Get": "Execution.PipelineExecutionId"}]}},
    }
    assert args["OutputDataConfig"]["CompressionType"] == "NONE"
    assert args["RetryStrategy"] == {"MaximumRetryAttempts": 4}
    assert args["AlgorithmSpecification"]["TrainingInputMode"] == "FastFile"
    assert _step(keep_alive_seconds=0)["ResourceConfig"]["KeepAlivePeriodInSeconds"] == 0


def test_channel_read_options() -> None:
    channels = {
        "train": {
            "source": "s3://acme/train",
            "input_mode": "Pipe",
            "compression": "Gzip",
            "record_wrapper": "RecordIO",
            "s3_data_distribution": "ShardedByS3Key",
            "shuffle_seed": 0,
        }
    }
    assert _step(channels=channels)["InputDataConfig"] == [
        {
            "ChannelName": "train",
            "CompressionType": "Gzip",
            "DataSource": {
                "S3DataSource": {
                    "S3DataDistributionType": "ShardedByS3Key",
                    "S3DataType": "S3Prefix",
                    "S3Uri": "s3://acme/train",
                }
            },
            "InputMode": "Pipe",
            "RecordWrapperType": "RecordIO",
            "ShuffleConfig": {"Seed": 0},
        }
    ]


def test_distribution_writes_the_framework_containers_hyperparameters() -> None:
    torchrun = _step(distribution={"type": "torchrun"}, hyperparameters={"epochs": 3})["HyperParameters"]
    assert torchrun == {
        "epochs": "3",
        "sagemaker_instance_type": {"Get": "Parameters.TrainType"},
        "sagemaker_torch_distributed_enabled": "true",
    }
    mpi = _step(distribution={"type": "mpi", "processes_per_host": 8, "custom_mpi_options": "-x NCCL_DEBUG=INFO"})
    assert mpi["HyperParameters"] == {
        "sagemaker_mpi_custom_mpi_options": "-x NCCL_DEBUG=INFO",
        "sagemaker_mpi_enabled": "true",
        "sagemaker_mpi_num_of_processes_per_host": "8",
    }
    assert _step(distribution={"type": "parameter_server"})["HyperParameters"] == {
        "sagemaker_parameter_server_enabled": "true"
    }
    assert _step(distribution={"type": "smdistributed_data_parallel"})["HyperParameters"] == {
        "sagemaker_distributed_dataparallel_custom_mpi_options": "",
        "sagemaker_distributed_dataparallel_enabled": "true",
        "sagemaker_instance_type": {"Get": "Parameters.TrainType"},
    }


def test_tuning_job_options() -> None:
    blueprint = copy.deepcopy(BASE)
    blueprint["pipeline"]["steps"][0] = {
        "name": "Tune",
        "type": "tuning",
        "image": {"uri": URI},
        "metric_definitions": [{"name": "loss", "regex": "loss=([0-9.]+)"}],
        "objective": {"metric": "loss"},
        "ranges": {"lr": {"type": "continuous", "min": 0.001, "max": 0.1}},
        "strategy": "Hyperband",
        "early_stopping": "Off",
        "random_seed": 0,
        "max_tuning_runtime_seconds": 86400,
        "hyperband": {"min_resource": 1, "max_resource": 50},
        "completion": {"target_objective_value": 0.05, "max_jobs_not_improving": 5, "complete_on_convergence": False},
        "warm_start": {"parents": ["tune-a", "tune-b"], "type": "TransferLearning"},
        "spot": {"max_wait_seconds": 3600},
        "channels": {"train": {"source": "s3://acme/train", "input_mode": "Pipe"}, "test": "s3://acme/test"},
    }
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    args = json.loads(result.files["model-build/pipeline-definition.json"])["Steps"][0]["Arguments"]
    config = args["HyperParameterTuningJobConfig"]
    assert config["TrainingJobEarlyStoppingType"] == "Off"
    assert config["RandomSeed"] == 0
    assert config["ResourceLimits"]["MaxRuntimeInSeconds"] == 86400
    assert config["StrategyConfig"] == {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 50}}
    assert config["TuningJobCompletionCriteria"] == {
        "TargetObjectiveMetricValue": 0.05,
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
        "ConvergenceDetected": {"CompleteOnConvergence": "Disabled"},
    }
    assert args["WarmStartConfig"] == {
        "ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": "tune-a"},
            {"HyperParameterTuningJobName": "tune-b"},
        ],
        "WarmStartType": "TransferLearning",
    }
    job = args["TrainingJobDefinition"]
    assert job["EnableManagedSpotTraining"] is True
    assert job["StoppingCondition"]["MaxWaitTimeInSeconds"] == 3600
    # A tuning job's channel names its input mode only when the blueprint sets one (as the SDK's tuner).
    assert [c.get("InputMode") for c in job["InputDataConfig"]] == ["Pipe", None]
