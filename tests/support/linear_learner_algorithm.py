"""The SageMaker built-in linear-learner container, as far as the fraud example relies on it; run in .venv-examples.

This emulates the algorithm's *file contract*, not the algorithm: the example-code test needs to know that
the fraud code writes what linear-learner reads and reads what it answers, not to reproduce its SGD. The model
is scikit-learn's LogisticRegression. What is faithful (SageMaker developer guide, "Linear Learner
Algorithm": input/output interface, hyperparameters, inference formats):

``train``
    reads ``/opt/ml/input/config/hyperparameters.json`` (all strings) and ``inputdataconfig.json``; requires
    ``predictor_type`` (only ``binary_classifier`` is emulated) and ``feature_dim``; reads each channel's
    files under ``/opt/ml/input/data/<channel>/`` as ``text/csv``: no header, the label first, then exactly
    ``feature_dim`` features (a different width fails the job, as it does the algorithm), labels 0 or 1. The
    decision threshold is chosen on the validation channel (train when there is none) by
    ``binary_classifier_model_selection_criteria`` (default ``accuracy``; ``precision_at_target_recall`` with
    ``target_recall``, ``recall_at_target_precision`` with ``target_precision``, ``f_beta`` with ``beta``),
    as the algorithm does. The model is written to ``/opt/ml/model/model_algo-1``, the algorithm's file name,
    but as JSON (weights, bias, threshold), readable only by this stand-in. Tuning-only hyperparameters
    (``learning_rate``, ``mini_batch_size``, ...) must parse as numbers and are otherwise ignored.

``transform INPUT_DIR OUTPUT_DIR``
    serves ``/opt/ml/model/model_algo-1`` as a batch transform with ``ContentType`` text/csv, ``SplitType``
    Line and ``Accept`` application/json (environment ``CONTENT_TYPE``, ``SPLIT_TYPE``, ``ACCEPT``,
    ``ASSEMBLE_WITH``): every record (line) is one request of ``feature_dim`` numbers, answered with
    ``{"predictions": [{"score": s, "predicted_label": 0|1}]}``; each input file ``f`` gets ``f.out`` with the
    answers joined by a newline (``AssembleWith`` Line) or nothing (None).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

ML = Path("/opt/ml")
MODEL = ML / "model" / "model_algo-1"
_NUMERIC = ("learning_rate", "mini_batch_size", "epochs", "l1", "wd", "target_recall", "target_precision", "beta")


def _channel(name: str, feature_dim: int) -> tuple[np.ndarray, np.ndarray]:
    files = sorted(p for p in (ML / "input" / "data" / name).rglob("*") if p.is_file())
    if not files:
        raise SystemExit(f"channel {name!r} has no data")
    frame = pd.concat([pd.read_csv(p, header=None) for p in files], ignore_index=True)
    if frame.shape[1] != feature_dim + 1:
        raise SystemExit(f"channel {name}: {frame.shape[1] - 1} features per row, feature_dim is {feature_dim}")
    labels = frame.iloc[:, 0].to_numpy(dtype=float)
    if not set(np.unique(labels)) <= {0.0, 1.0}:
        raise SystemExit(f"channel {name}: binary_classifier labels must be 0 or 1")
    return frame.iloc[:, 1:].to_numpy(dtype=float), labels


def _threshold(scores: np.ndarray, labels: np.ndarray, hyper: dict[str, str]) -> float:
    """The decision threshold the model selection criterion picks on these scores."""
    criterion = hyper.get("binary_classifier_model_selection_criteria", "accuracy")
    best, best_value = 0.5, -1.0
    for threshold in sorted(set(scores.tolist()) | {0.5}):
        predicted = scores >= threshold
        tp = float(np.sum(predicted & (labels == 1)))
        precision = tp / max(float(np.sum(predicted)), 1.0)
        recall = tp / max(float(np.sum(labels == 1)), 1.0)
        if criterion == "accuracy":
            value = float(np.mean(predicted == (labels == 1)))
        elif criterion == "precision_at_target_recall":
            value = precision if recall >= float(hyper.get("target_recall", "0.8")) else -1.0
        elif criterion == "recall_at_target_precision":
            value = recall if precision >= float(hyper.get("target_precision", "0.8")) else -1.0
        elif criterion == "f_beta":
            beta2 = float(hyper.get("beta", "1.0")) ** 2
            value = (1 + beta2) * precision * recall / max(beta2 * precision + recall, 1e-12)
        else:  # loss_function, cross_entropy_loss: no threshold tuning
            return 0.5
        if value > best_value:
            best, best_value = threshold, value
    return best


def train() -> None:
    """Fit on the train channel, pick the threshold, save the model where the algorithm saves it."""
    config = ML / "input" / "config"
    hyper = json.loads((config / "hyperparameters.json").read_text())
    if not all(isinstance(v, str) for v in hyper.values()):
        raise SystemExit("hyperparameters.json values must be strings")
    if hyper.get("predictor_type") != "binary_classifier":
        raise SystemExit(f"predictor_type {hyper.get('predictor_type')!r}: only binary_classifier is emulated")
    if "feature_dim" not in hyper:
        raise SystemExit("feature_dim is required")
    for name in _NUMERIC:
        if name in hyper:
            float(hyper[name])
    channels = json.loads((config / "inputdataconfig.json").read_text())
    for name, spec in channels.items():
        if spec.get("ContentType", "").split(";")[0] != "text/csv":
            raise SystemExit(f"channel {name}: only text/csv is emulated")
    feature_dim = int(hyper["feature_dim"])
    x, y = _channel("train", feature_dim)
    model = LogisticRegression(max_iter=1000, class_weight="balanced").fit(x, y)
    vx, vy = _channel("validation", feature_dim) if "validation" in channels else (x, y)
    threshold = _threshold(model.predict_proba(vx)[:, 1], vy, hyper)
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    weights = {"weights": model.coef_[0].tolist(), "bias": float(model.intercept_[0]), "threshold": threshold}
    MODEL.write_text(json.dumps({**weights, "feature_dim": feature_dim}))


def transform(source: Path, target: Path) -> None:
    """Answer every line of every input file as the algorithm's JSON response, one document per record."""
    if os.environ.get("CONTENT_TYPE") != "text/csv" or os.environ.get("SPLIT_TYPE") != "Line":
        raise SystemExit("only text/csv split by Line is emulated")
    if os.environ.get("ACCEPT", "application/json") != "application/json":
        raise SystemExit(f"Accept {os.environ.get('ACCEPT')}: only application/json is emulated")
    joiner = "\n" if os.environ.get("ASSEMBLE_WITH") == "Line" else ""
    model = json.loads(MODEL.read_text())
    weights = np.array(model["weights"])
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        answers = []
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            row = np.array(line.split(","), dtype=float)
            if row.shape != weights.shape:
                raise SystemExit(f"{path.name}:{number}: {row.size} features, the model has {weights.size}")
            score = float(1 / (1 + np.exp(-(row @ weights + model["bias"]))))
            prediction = {"score": score, "predicted_label": int(score >= model["threshold"])}
            answers.append(json.dumps({"predictions": [prediction]}))
        out = target / f"{path.relative_to(source).as_posix()}.out"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(joiner.join(answers) + (joiner if answers else ""))


if __name__ == "__main__":
    if sys.argv[1:2] == ["train"]:
        train()
    elif sys.argv[1:2] == ["transform"] and len(sys.argv) == 4:
        transform(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit("usage: linear_learner_algorithm.py train | transform INPUT_DIR OUTPUT_DIR")
