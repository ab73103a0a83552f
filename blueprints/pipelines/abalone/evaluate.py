"""Abalone evaluation: score the trained XGBoost model on the test split, write evaluation.json.

The built-in XGBoost 1.7-1 image writes its model with ``Booster.save_model`` as ``xgboost-model`` inside
``model.tar.gz``, so it is read back with ``Booster.load_model`` (``pickle`` only fits models of images
before 1.3-1).
"""

import json
import pathlib
import tarfile

import numpy as np
import pandas as pd
import xgboost
from sklearn.metrics import mean_squared_error

BASE = "/opt/ml/processing"


def main() -> None:
    with tarfile.open(f"{BASE}/model/model.tar.gz") as archive:
        archive.extractall(path=".")
    model = xgboost.Booster()
    model.load_model("xgboost-model")
    test = pd.read_csv(f"{BASE}/test/test.csv", header=None)
    labels = test.iloc[:, 0].to_numpy()
    predictions = model.predict(xgboost.DMatrix(test.iloc[:, 1:].values))
    mse = mean_squared_error(labels, predictions)
    report = {
        "regression_metrics": {"mse": {"value": float(mse), "standard_deviation": float(np.std(labels - predictions))}}
    }
    out = pathlib.Path(f"{BASE}/evaluation")
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
