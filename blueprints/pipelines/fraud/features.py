"""Fraud pipeline step 'features': transactions in, linear-learner channels and a labelled holdout out.

Reads every transaction CSV (with a header, as ValidateSchema checked) under /opt/ml/processing/input and
turns each row into a fixed-width vector of FEATURE_DIM numbers, because linear-learner's ``feature_dim``
hyperparameter fixes the model's width before any data are seen. The categorical fields are hashed into a
fixed number of buckets (the hashing trick) rather than one-hot encoded over the values seen, so the width
does not depend on which merchants or countries one day's data happen to hold.

Outputs, in linear-learner's text/csv input format (no header; for training the label in the first column):

* ``train/train.csv`` and ``validation/validation.csv``: ``label,f1..f64``.
* ``holdout/holdout.csv``: ``f1..f64`` only, as the model is served: the batch transform sends these rows.
* ``labels/labels.csv``: the holdout labels, one a line, in the same order, for the measure step.
"""

from __future__ import annotations  # the images run Python 3.8/3.9: annotations stay unevaluated

import csv
import math
import pathlib
import random
import zlib

BASE = pathlib.Path("/opt/ml/processing")
#: Must equal the blueprint's ``feature_dim`` for TrainFraudModel and TuneFraudModel.
FEATURE_DIM = 64
NUMERIC = ["log_amount", "card_present", "hour_sin", "hour_cos"]
HOURS = 24
BUCKETS = FEATURE_DIM - len(NUMERIC) - HOURS
CATEGORICAL = ["merchant_category", "country"]
LABEL = "is_fraud"
SPLIT = {"train": 0.7, "validation": 0.15}  # the rest is the holdout
SEED = 20240603


def read_transactions() -> list[dict[str, str]]:
    """Every row of every CSV under the input directory (the code directory holds no CSV)."""
    files = sorted((BASE / "input").rglob("*.csv"))
    if not files:
        raise SystemExit("no transaction CSV under /opt/ml/processing/input")
    rows: list[dict[str, str]] = []
    for path in files:
        with path.open(newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def features(row: dict[str, str]) -> list[float]:
    """The FEATURE_DIM numbers for one transaction."""
    hour = int(row["hour"]) % HOURS
    vector = [
        math.log1p(max(float(row["amount"]), 0.0)),
        float(int(row["card_present"])),
        math.sin(2 * math.pi * hour / HOURS),
        math.cos(2 * math.pi * hour / HOURS),
    ]
    vector += [1.0 if h == hour else 0.0 for h in range(HOURS)]
    buckets = [0.0] * BUCKETS
    for name in CATEGORICAL:
        # crc32, not hash(): Python salts str hashes per process, and the buckets must be stable across runs.
        buckets[zlib.crc32(f"{name}={row[name]}".encode()) % BUCKETS] += 1.0
    vector += buckets
    assert len(vector) == FEATURE_DIM
    return vector


def write(path: pathlib.Path, rows: list[list[float]]) -> None:
    """Write headerless CSV rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def main() -> None:
    transactions = read_transactions()
    random.Random(SEED).shuffle(transactions)
    labelled = [[float(int(t[LABEL]))] + features(t) for t in transactions]
    n_train = int(len(labelled) * SPLIT["train"])
    n_validation = int(len(labelled) * SPLIT["validation"])
    train = labelled[:n_train]
    validation = labelled[n_train : n_train + n_validation]
    holdout = labelled[n_train + n_validation :]
    if not (train and validation and holdout):
        raise SystemExit(f"{len(labelled)} transactions are too few to split")
    write(BASE / "train" / "train.csv", train)
    write(BASE / "validation" / "validation.csv", validation)
    write(BASE / "holdout" / "holdout.csv", [row[1:] for row in holdout])
    write(BASE / "labels" / "labels.csv", [[int(row[0])] for row in holdout])
    print(f"train={len(train)} validation={len(validation)} holdout={len(holdout)} feature_dim={FEATURE_DIM}")


if __name__ == "__main__":
    main()
