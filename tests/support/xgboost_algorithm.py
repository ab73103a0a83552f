"""The SageMaker built-in XGBoost container (1.7-1), as far as the examples rely on it; run in .venv-examples.

Built-in training is not a script we own, so the example-code test runs this stand-in in the sandbox where
/opt/ml is bound, with the container's file contract (SageMaker developer guide, "Use XGBoost as a built-in
algorithm" and "How Amazon SageMaker Provides Training Information"):

``train``
    reads ``/opt/ml/input/config/hyperparameters.json`` (every value a string, as CreateTrainingJob passes
    them) and ``inputdataconfig.json``; reads each channel's files under ``/opt/ml/input/data/<channel>/``
    as ``text/csv``: no header, the label in the first column; trains with ``xgboost.train`` for
    ``num_round`` rounds with the other hyperparameters as booster parameters, evaluating on ``train`` and
    ``validation``; writes the model with ``Booster.save_model`` to ``/opt/ml/model/xgboost-model``, the
    file name and format the 1.7-1 image uses (SageMaker packs ``/opt/ml/model`` into ``model.tar.gz``).

``serve PAYLOAD``
    loads ``/opt/ml/model/xgboost-model`` as the serving container does (pickle first, for models of old
    images, then ``Booster.load_model``), decodes the payload as its ``text/csv`` decoder does (strip, UTF-8,
    delimiter sniffed from the first line, one row per line, an empty field is NaN, every field converted to
    float: no label column, numbers only), predicts and prints the predictions, the payload's column count
    and the model's feature count as JSON.
"""

from __future__ import annotations

import csv
import json
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost

ML = Path("/opt/ml")
#: Hyperparameters that are not booster parameters.
_NOT_BOOSTER = {"num_round", "csv_weights", "early_stopping_rounds", "save_model_on_termination"}


def _channel(name: str) -> xgboost.DMatrix:
    files = sorted(p for p in (ML / "input" / "data" / name).rglob("*") if p.is_file())
    if not files:
        raise SystemExit(f"channel {name!r} has no data")
    frame = pd.concat([pd.read_csv(p, header=None) for p in files], ignore_index=True)
    return xgboost.DMatrix(frame.iloc[:, 1:].to_numpy(dtype=float), label=frame.iloc[:, 0].to_numpy(dtype=float))


def _typed(value: str) -> object:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def train() -> None:
    """Train as the built-in algorithm does and save the model where and how the image saves it."""
    config = ML / "input" / "config"
    hyper = json.loads((config / "hyperparameters.json").read_text())
    if not all(isinstance(v, str) for v in hyper.values()):
        raise SystemExit("hyperparameters.json values must be strings")
    channels = json.loads((config / "inputdataconfig.json").read_text())
    for name, spec in channels.items():
        if spec.get("ContentType", "text/csv").split(";")[0] != "text/csv":
            raise SystemExit(f"channel {name}: only text/csv is emulated")
    params = {k: _typed(v) for k, v in hyper.items() if k not in _NOT_BOOSTER}
    dtrain = _channel("train")
    evals = [(dtrain, "train")] + ([(_channel("validation"), "validation")] if "validation" in channels else [])
    booster = xgboost.train(params, dtrain, num_boost_round=int(hyper["num_round"]), evals=evals, verbose_eval=False)
    (ML / "model").mkdir(parents=True, exist_ok=True)
    booster.save_model(str(ML / "model" / "xgboost-model"))


def decode_csv(body: bytes) -> np.ndarray:
    """The serving container's text/csv decoding."""
    text = body.strip().decode("utf-8")
    delimiter = csv.Sniffer().sniff(text.split("\n")[0][:512]).delimiter
    delimiter = "," if delimiter.isalnum() else delimiter
    rows = [["nan" if field == "" else field for field in line.split(delimiter)] for line in text.split("\n")]
    return np.array(rows).astype(float)


def serve(payload: Path) -> None:
    """Load the model, decode the payload and print the predictions."""
    path = ML / "model" / "xgboost-model"
    try:
        with path.open("rb") as handle:
            booster = pickle.load(handle)
    except Exception:
        booster = xgboost.Booster()
        booster.load_model(str(path))
    features = decode_csv(payload.read_bytes())
    predictions = [float(x) for x in booster.predict(xgboost.DMatrix(features))]
    answer = {"predictions": predictions, "columns": features.shape[1], "model_features": booster.num_features()}
    print(json.dumps(answer))


if __name__ == "__main__":
    if sys.argv[1:2] == ["train"]:
        train()
    elif sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        serve(Path(sys.argv[2]))
    else:
        raise SystemExit("usage: xgboost_algorithm.py train | serve PAYLOAD")
