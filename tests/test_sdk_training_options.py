"""The SDK engine builds every training and tuning option as the native engine writes it (issue 13, point 3).

One blueprint with every option (tests/unit/targets/test_sagemaker_training.py pins the native values) is
built offline by both engines and compared as data; the SDK gap the engine works around (members equal to
0 dropped: random seed, shuffle seed, warm pool, target objective value) is shown separately, so a fixed
SDK release is noticed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

import mlopsgen

from .conftest import ROOT
from .test_sdk_oracle import _OFFLINE_RUNNER

URI = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3"
TRAINING = {
    "name": "Train",
    "type": "training",
    "image": {"uri": URI},
    "instance": {"type": "${params.TrainType}", "count": 2},
    "input_mode": "FastFile",
    "spot": {"max_wait_seconds": 7200},
    "checkpoint": {"s3_uri": "${params.Checkpoints}", "local_path": "/opt/ml/ck"},
    "output_compression": "NONE",
    "max_retry_attempts": 2,
    "distribution": {"type": "mpi", "processes_per_host": 8, "custom_mpi_options": "-x NCCL_DEBUG=INFO"},
    "hyperparameters": {"epochs": 3},
    "channels": {
        "train": {
            "source": "s3://acme/train",
            "input_mode": "Pipe",
            "compression": "Gzip",
            "record_wrapper": "RecordIO",
            "s3_data_distribution": "ShardedByS3Key",
            "shuffle_seed": 7,
        },
        "test": "s3://acme/test",
    },
}
TUNING = {
    "name": "Tune",
    "type": "tuning",
    "image": {"uri": URI},
    "metric_definitions": [{"name": "loss", "regex": "loss=([0-9.]+)"}],
    "objective": {"metric": "loss"},
    "ranges": {"lr": {"type": "continuous", "min": 0.001, "max": 0.1}},
    "strategy": "Hyperband",
    "early_stopping": "Off",
    "random_seed": 0,
    "max_tuning_runtime_seconds": 3600,
    "hyperband": {"min_resource": 1, "max_resource": 10},
    "completion": {"target_objective_value": 0.0, "max_jobs_not_improving": 5, "complete_on_convergence": True},
    "warm_start": {"parents": ["old-tuning-1"], "type": "IdenticalDataAndAlgorithm"},
    "spot": {"max_wait_seconds": 3600},
    "checkpoint": {"s3_uri": "s3://acme/ck"},
    "max_retry_attempts": 3,
    "distribution": {"type": "torchrun"},
    "channels": {"train": {"source": "s3://acme/t", "input_mode": "Pipe", "shuffle_seed": 0}, "val": "s3://acme/v"},
}
BLUEPRINT = {
    "version": 1,
    "project": {"name": "opts", "id": "p-opts00001", "region": "eu-west-1", "account": "111111111111"},
    "pipeline": {
        "parameters": {
            "TrainType": {"type": "string", "default": "ml.p4d.24xlarge"},
            "Checkpoints": {"type": "string", "default": "s3://acme/checkpoints"},
        },
        "steps": [
            TRAINING,
            {**TRAINING, "name": "Warm", "spot": None, "keep_alive_seconds": 0},
            TUNING,
            # Only a zero target: the SDK then drops the whole TuningJobCompletionCriteria (generator-found).
            {**TUNING, "name": "TuneToZero", "completion": {"target_objective_value": 0.0}},
        ],
    },
}


def test_every_option_renders_alike_with_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump(BLUEPRINT), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _OFFLINE_RUNNER, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    sdk = json.loads(json.loads(proc.stdout.splitlines()[-1])[str(path)])
    native = json.loads(mlopsgen.render(path).files["model-build/pipeline-definition.json"])
    assert native == sdk


def test_sdk_drops_zero_members_that_the_engine_restores(tmp_path: Path) -> None:
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump(BLUEPRINT), encoding="utf-8")
    script = f"""
import json, pathlib
from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
plan, _ = plan_blueprint(pathlib.Path({str(path)!r}))
raw = {{s["Name"]: s["Arguments"] for s in json.loads(sagemaker_sdk.build_pipeline(plan).definition())["Steps"]}}
print(json.dumps(raw))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    raw = json.loads(proc.stdout.splitlines()[-1])
    config = raw["Tune"]["HyperParameterTuningJobConfig"]
    assert "RandomSeed" not in config
    assert "TargetObjectiveMetricValue" not in config["TuningJobCompletionCriteria"]
    assert "ShuffleConfig" not in raw["Tune"]["TrainingJobDefinition"]["InputDataConfig"][0]
    assert "KeepAlivePeriodInSeconds" not in raw["Warm"]["ResourceConfig"]
    native = json.loads(mlopsgen.render(path).files["model-build/pipeline-definition.json"])
    tune = next(s for s in native["Steps"] if s["Name"] == "Tune")["Arguments"]
    assert tune["HyperParameterTuningJobConfig"]["RandomSeed"] == 0
    assert tune["HyperParameterTuningJobConfig"]["TuningJobCompletionCriteria"]["TargetObjectiveMetricValue"] == 0.0
    assert tune["TrainingJobDefinition"]["InputDataConfig"][0]["ShuffleConfig"] == {"Seed": 0}
