"""The examples' pipeline code runs, end to end, on the library versions its images carry.

Every other test proves the generated files parse; this one proves the example code *works*: each example's
generated pipeline definition is executed locally (tests/support/local_pipeline.py): processing scripts in a
venv pinned to the images' scikit-learn 1.2.1 / xgboost 1.7.4 with /opt/ml bound as in the container, the
built-in XGBoost training emulated with its file contract (string hyperparameters from the definition,
label-first headerless CSV channels, ``xgboost-model`` saved with ``save_model`` into ``model.tar.gz``), the
evaluation report read through the property file and JSON path the condition step uses. Then the smoke-test
payload the deploy CI sends is predicted by the model so trained, decoded as the XGBoost serving container
decodes CSV. The data are small synthetic look-alikes (tests/data/make_example_data.py): the real datasets
cannot be fetched offline.

``--update-goldens`` rewrites the abalone smoke payload from the preprocessing output (then re-render).
"""

from __future__ import annotations

import json
import logging
import math
import re
import socket
import tarfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from mlopsgen.runtime import run_pipeline
from tests.support import framework_container
from tests.support.example_runtime import REPO, ensure_venv, run_job, sandbox_available
from tests.support.local_pipeline import ALGORITHM, LocalPipeline, Run, json_get

GENERATED = REPO / "generated"
DATA = REPO / "tests" / "data"
ABALONE_PAYLOAD = REPO / "blueprints" / "tests" / "abalone-sample.csv"


@pytest.fixture(scope="module")
def example_python() -> Path:
    reason = sandbox_available()
    if reason:
        pytest.skip(reason)
    return ensure_venv()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _s3(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run_example(
    name: str,
    data: dict[str, Path],
    endpoint: str,
    python: Path,
    workdir: Path,
    python_images: tuple[str, ...] = (),
) -> tuple[LocalPipeline, Run | Exception]:
    """Upload the code (as the generated CI does) and the data, then run the definition's jobs."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    s3 = _s3(endpoint)
    model_build = GENERATED / name / "model-build"
    definition = json.loads((model_build / "pipeline-definition.json").read_text())
    for bucket in sorted(set(re.findall(r"s3://([a-z0-9.\-]+)", json.dumps(definition) + json.dumps(list(data))))):
        s3.create_bucket(Bucket=bucket)
    # The generated CI's own code: verify every file and source directory against the manifest, pack the
    # source directories with the planner's packer, upload (a stale tree fails here: regenerate goldens).
    run_pipeline.upload_files(s3, run_pipeline.verify_manifest(model_build / "code-manifest.json", REPO / "blueprints"))
    for uri, path in data.items():
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        s3.upload_file(str(path), bucket, key)
    pipeline = LocalPipeline(definition, s3, endpoint, workdir, python, python_images)
    try:
        return pipeline, pipeline.run()
    except AssertionError as failed:  # JobFailed: reported by each test that needs the run
        return pipeline, failed


def _ok(result: Run | Exception) -> Run:
    if isinstance(result, Exception):
        pytest.fail(f"the example's pipeline code failed: {result}")
    return result


def predict(pipeline: LocalPipeline, step: str, payload: Path, workdir: Path) -> dict[str, Any]:
    """Serve the step's model.tar.gz as the XGBoost serving container does and predict the payload."""
    root = workdir / "serve" / "ml"
    model_dir = root / "model"
    model_dir.mkdir(parents=True)
    archive = workdir / "serve" / "model.tar.gz"
    bucket, _, key = (
        str(pipeline.resolve({"Get": f"Steps.{step}.ModelArtifacts.S3ModelArtifacts"}))
        .removeprefix("s3://")
        .partition("/")
    )
    pipeline.s3.download_file(bucket, key, str(archive))
    with tarfile.open(archive) as tar:
        tar.extractall(model_dir)
    done = run_job(root, [str(pipeline.python), str(ALGORITHM), "serve", str(payload)], {})
    assert done.returncode == 0, f"the serving container would reject the payload:\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---- abalone -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def abalone(
    example_python: Path, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LocalPipeline, Run | Exception, Path]:
    workdir = tmp_path_factory.mktemp("abalone")
    data = {"s3://sagemaker-servicecatalog-seedcode-eu-west-1/dataset/abalone-dataset.csv": DATA / "abalone-small.csv"}
    pipeline, result = run_example("abalone", data, s3_endpoint, example_python, workdir)
    return pipeline, result, workdir


def test_abalone_code_runs_and_reports_what_the_condition_reads(abalone: tuple[LocalPipeline, Any, Path]) -> None:
    pipeline, result, _ = abalone
    run = _ok(result)
    assert run.ran == ["PreprocessAbaloneData", "TrainAbaloneModel", "EvaluateAbaloneModel"]
    report = json.loads(run.property_files["AbaloneEvaluationReport"].read_text())
    mse = json_get(report, "regression_metrics.mse.value")
    assert isinstance(mse, float) and math.isfinite(mse) and mse >= 0
    assert "CheckMSEAbaloneEvaluation" in run.conditions


def test_abalone_smoke_payload_is_a_preprocessed_feature_row(
    abalone: tuple[LocalPipeline, Any, Path], update_goldens: bool
) -> None:
    """The payload is a test row as preprocess.py writes it, without the label: what the model was trained on."""
    pipeline, result, workdir = abalone
    _ok(result)
    test_rows = (workdir / "PreprocessAbaloneData" / "ml" / "processing" / "test" / "test.csv").read_text().splitlines()
    features = [row.split(",", 1)[1] for row in test_rows]
    if update_goldens:
        ABALONE_PAYLOAD.write_text(features[0] + "\n")
    assert ABALONE_PAYLOAD.read_text().strip() in features


def test_abalone_smoke_payload_gets_a_prediction(abalone: tuple[LocalPipeline, Any, Path]) -> None:
    """The payload CI sends (the generated deploy tree's copy) is served by the model the pipeline trained."""
    pipeline, result, workdir = abalone
    _ok(result)
    payload = GENERATED / "abalone" / "model-deploy" / "test" / "sample-payload.csv"
    served = predict(pipeline, "TrainAbaloneModel", payload, workdir)
    assert served["columns"] == served["model_features"]
    assert len(served["predictions"]) == len(payload.read_text().strip().splitlines())
    assert all(math.isfinite(p) for p in served["predictions"])


# ---- churn -------------------------------------------------------------------------------------------------


def test_churn_code_runs_and_reports_what_the_condition_reads(
    example_python: Path, s3_endpoint: str, tmp_path: Path
) -> None:
    data = {"s3://acme-churn-data/raw/churn.csv": DATA / "churn-small.csv"}
    pipeline, result = run_example("churn", data, s3_endpoint, example_python, tmp_path)
    run = _ok(result)
    assert run.ran == ["PrepareChurnData", "TuneChurnModel", "EvaluateChurnModel"]
    auc = json_get(
        json.loads(run.property_files["ChurnEvaluation"].read_text()), "binary_classification_metrics.auc.value"
    )
    assert isinstance(auc, float) and 0.0 <= auc <= 1.0
    assert "CheckChurnQuality" in run.conditions


# ---- fraud -------------------------------------------------------------------------------------------------


#: The team's schema-check image: its script needs only the standard library, so the pinned venv's python runs it.
SCHEMA_CHECK_IMAGE = "/fraud-schema-check:2.4.1"
FRAUD_DATA = "s3://fraud-data-333333333333/transactions/transactions.csv"


@pytest.fixture(scope="module")
def fraud(
    example_python: Path, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LocalPipeline, Run | Exception, Path]:
    workdir = tmp_path_factory.mktemp("fraud")
    data = {FRAUD_DATA: DATA / "fraud-transactions-small.csv"}
    pipeline, result = run_example("fraud_secure", data, s3_endpoint, example_python, workdir, (SCHEMA_CHECK_IMAGE,))
    return pipeline, result, workdir


def test_fraud_code_runs_and_reports_what_the_condition_reads(fraud: tuple[LocalPipeline, Any, Path]) -> None:
    """Schema check, features, linear-learner training and tuning, model, holdout transform, measure, gate.

    linear-learner is emulated by its file contract (tests/support/linear_learner_algorithm.py), so the
    false positive rate is the stand-in's, not the algorithm's: what is checked is that the report exists, is a
    rate, and counts every legitimate holdout transaction, and that the condition step can read it.
    """
    pipeline, result, workdir = fraud
    run = _ok(result)
    assert run.ran == [
        "ValidateSchema",
        "BuildFeatures",
        "TrainFraudModel",
        "TuneFraudModel",
        "CreateFraudModel",
        "ScoreHoldout",
        "MeasureHoldout",
    ]
    report = json.loads(run.property_files["HoldoutReport"].read_text())
    rate = json_get(report, "false_positive_rate")
    assert isinstance(rate, float) and 0.0 <= rate <= 1.0
    labels = (workdir / "BuildFeatures" / "ml" / "processing" / "labels" / "labels.csv").read_text().split()
    assert report["negatives"] == labels.count("0") > 0
    limit = float(pipeline.parameters["MaxFalsePositiveRate"])
    assert run.conditions["GateOnFalsePositives"] == (rate <= limit)


def test_fraud_holdout_is_scored_without_its_label(fraud: tuple[LocalPipeline, Any, Path]) -> None:
    """The transform sends holdout rows as the model is served (feature_dim fields); the labels travel apart."""
    pipeline, result, workdir = fraud
    _ok(result)
    feature_dim = int(pipeline.steps["TrainFraudModel"]["Arguments"]["HyperParameters"]["feature_dim"])
    processing = workdir / "BuildFeatures" / "ml" / "processing"
    rows = (processing / "holdout" / "holdout.csv").read_text().splitlines()
    labels = (processing / "labels" / "labels.csv").read_text().split()
    assert {len(r.split(",")) for r in rows} == {feature_dim}
    assert len(rows) == len(labels) and set(labels) <= {"0", "1"}
    outputs = sorted((workdir / "ScoreHoldout" / "ml" / "transform" / "out").rglob("*.out"))
    answers = [json.loads(line) for f in outputs for line in f.read_text().splitlines() if line]
    assert len(answers) == len(rows)
    assert all(set(a["predictions"][0]) == {"score", "predicted_label"} for a in answers)


def test_fraud_schema_check_rejects_a_malformed_file(example_python: Path, s3_endpoint: str, tmp_path: Path) -> None:
    """ValidateSchema fails the pipeline on a transaction file without the label column, before any training."""
    broken = tmp_path / "broken.csv"
    lines = (DATA / "fraud-transactions-small.csv").read_text().splitlines()
    broken.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    _, result = run_example(
        "fraud_secure", {FRAUD_DATA: broken}, s3_endpoint, example_python, tmp_path / "run", (SCHEMA_CHECK_IMAGE,)
    )
    assert isinstance(result, Exception) and "missing columns ['is_fraud']" in str(result)


def test_fraud_features_feed_the_linear_learner_channels(
    fraud: tuple[LocalPipeline, Any, Path],
) -> None:
    """BuildFeatures writes what TrainFraudModel reads: label-first headerless CSV with feature_dim features.

    Checked against the algorithm's documented CSV input contract, with feature_dim from the definition,
    independently of the stand-in that trains on it.
    """
    pipeline, result, tmp_path = fraud
    run = _ok(result)
    assert "BuildFeatures" in run.ran
    train = pipeline.steps["TrainFraudModel"]["Arguments"]
    feature_dim = int(train["HyperParameters"]["feature_dim"])
    outputs = {
        str(pipeline.resolve(o["S3Output"]["S3Uri"])): o["S3Output"]["LocalPath"]
        for o in pipeline.steps["BuildFeatures"]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    }
    for channel in train["InputDataConfig"]:
        local = outputs[str(pipeline.resolve(channel["DataSource"]["S3DataSource"]["S3Uri"]))]
        files = sorted((tmp_path / "BuildFeatures" / "ml" / local.removeprefix("/opt/ml/")).rglob("*.csv"))
        rows = [line.split(",") for f in files for line in f.read_text().splitlines() if line]
        assert rows, f"channel {channel['ChannelName']}: BuildFeatures wrote no rows to {local}"
        assert {len(r) - 1 for r in rows} == {feature_dim}
        assert {float(r[0]) for r in rows} <= {0.0, 1.0}


# ---- credit (PyTorch script mode) --------------------------------------------------------------------------

CREDIT_DATA = "s3://credit-risk-data-111111111111/applicants/applicants.csv"
#: The PyTorch images: their code runs under the pinned venv's torch (tests/example-runtime-requirements.txt).
PYTORCH_IMAGES = ("/pytorch-training:2.3.0-cpu-py311", "/pytorch-training:2.3.0-gpu-py311")


@pytest.fixture(scope="module")
def credit(
    example_python: Path, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LocalPipeline, Run | Exception, Path]:
    workdir = tmp_path_factory.mktemp("credit")
    data = {CREDIT_DATA: DATA / "credit-small.csv"}
    pipeline, result = run_example("credit", data, s3_endpoint, example_python, workdir, PYTORCH_IMAGES)
    return pipeline, result, workdir


def test_credit_trains_distributed_in_script_mode_and_evaluates(credit: tuple[LocalPipeline, Any, Path]) -> None:
    """Preparation, torchrun training from the packed source directory (2 Gloo ranks), evaluation, AUC gate.

    The training job gets what the PyTorch container gets: the source archive CI packed and uploaded,
    unpacked into /opt/ml/code, requirements.txt installed, hyperparameters as ``--name value``, the
    channels in ``SM_CHANNEL_*``, and the torchrun launcher the distribution hyperparameter asks for.
    """
    pipeline, result, _ = credit
    run = _ok(result)
    assert "TrainCreditModel" in run.ran and "EvaluateCreditModel" in run.ran
    log = run.logs["TrainCreditModel"]
    assert f"training on {framework_container.PROCESSES_PER_HOST} process(es)" in log  # torchrun started the ranks
    assert "validation_auc=" in log
    metric = re.compile(
        next(
            m["Regex"]
            for m in _training_args(pipeline)["AlgorithmSpecification"]["MetricDefinitions"]
            if m["Name"] == "validation:auc"
        )
    )
    assert metric.search(log), "the metric definition's regex does not match what the script prints"
    report = json.loads(run.property_files["CreditEvaluationReport"].read_text())
    auc = json_get(report, "binary_classification_metrics.auc.value")
    assert isinstance(auc, float) and 0.5 < auc <= 1.0
    assert "CheckCreditAuc" in run.conditions


def _training_args(pipeline: LocalPipeline) -> dict[str, Any]:
    args: dict[str, Any] = pipeline.steps["TrainCreditModel"]["Arguments"]
    return args


def test_credit_training_resumes_from_its_spot_checkpoint(credit: tuple[LocalPipeline, Any, Path]) -> None:
    """A restarted spot job finds the checkpoint SageMaker synced to S3 and continues after its last epoch."""
    pipeline, result, _ = credit
    _ok(result)
    args = _training_args(pipeline)
    assert args["EnableManagedSpotTraining"] is True
    hyper = {k: str(pipeline.resolve(v)) for k, v in args["HyperParameters"].items()}
    hyper["epochs"] = str(int(hyper["epochs"]) + 2)  # the same job restarted, asked for two more epochs
    pipeline._train(
        "TrainCreditModel:restarted",
        "traincreditmodel-restarted",
        args,
        hyper,
        pipeline._output_path(pipeline.steps["TrainCreditModel"]),
    )
    log = pipeline.run_state.logs["TrainCreditModel:restarted"]
    last = int(hyper["epochs"]) - 3
    assert f"resuming after epoch {last}" in log
    assert "epoch=0 " not in log


CREDIT_PAYLOAD = REPO / "blueprints" / "tests" / "credit-sample.csv"
PYTORCH_SERVING = Path(__file__).resolve().parent / "support" / "pytorch_serving.py"


def test_credit_smoke_payload_is_a_prepared_feature_row(
    credit: tuple[LocalPipeline, Any, Path], update_goldens: bool
) -> None:
    """The payload is a test row as preprocess.py writes it (scaled, header and label dropped)."""
    _, result, workdir = credit
    _ok(result)
    test_rows = (workdir / "PrepareApplicants" / "ml" / "processing" / "test" / "test.csv").read_text().splitlines()
    features = [row.split(",", 1)[1] for row in test_rows[1:]]
    if update_goldens:
        CREDIT_PAYLOAD.write_text(features[0] + "\n")
    assert CREDIT_PAYLOAD.read_text().strip() in features


def test_credit_registered_model_serves_the_smoke_payload(credit: tuple[LocalPipeline, Any, Path]) -> None:
    """The trained archive, served with the registered container's environment, answers the payload CI sends.

    The environment is the register step's own (SAGEMAKER_PROGRAM, SAGEMAKER_SUBMIT_DIRECTORY): the handler
    must be found where the training script packed it (``code/inference.py`` inside ``model.tar.gz``).
    """
    pipeline, result, workdir = credit
    _ok(result)
    container = pipeline.steps["RegisterCreditModel"]["Arguments"]["InferenceSpecification"]["Containers"][0]
    assert "/pytorch-inference:" in container["Image"]
    env = {k: str(pipeline.resolve(v)) for k, v in container.get("Environment", {}).items()}
    root = workdir / "serve-credit" / "ml"
    (root / "model").mkdir(parents=True)
    model_data = str(pipeline.resolve(container["ModelDataUrl"]))
    bucket, _, key = model_data.removeprefix("s3://").partition("/")
    archive = root.parent / "model.tar.gz"
    pipeline.s3.download_file(bucket, key, str(archive))
    with tarfile.open(archive) as tar:
        tar.extractall(root / "model", filter="data")
    payload = GENERATED / "credit" / "model-deploy" / "test" / "sample-payload.csv"
    done = run_job(
        root, [str(pipeline.python), str(PYTORCH_SERVING), str(payload), "text/csv", "application/json"], env
    )
    assert done.returncode == 0, f"the serving container would fail on the payload:\n{done.stderr[-3000:]}"
    predictions = json.loads(done.stdout.strip().splitlines()[-1])["predictions"]
    assert len(predictions) == len(payload.read_text().strip().splitlines())
    assert all(0.0 <= p <= 1.0 for p in predictions)
