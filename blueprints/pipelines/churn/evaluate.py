"""Churn evaluation: AUC of the tuned model on the test split, written to evaluation.json.

The best training job's ``model.tar.gz`` holds ``xgboost-model`` written by the XGBoost 1.7-1 image with
``Booster.save_model``; it is read back with ``Booster.load_model``.
"""

import json
import pathlib
import tarfile

import pandas as pd
import xgboost
from sklearn.metrics import roc_auc_score


def main() -> None:
    with tarfile.open("/opt/ml/processing/model/model.tar.gz") as archive:
        archive.extractall(path=".")
    model = xgboost.Booster()
    model.load_model("xgboost-model")
    test = pd.read_csv("/opt/ml/processing/test/test.csv", header=None)
    scores = model.predict(xgboost.DMatrix(test.iloc[:, 1:].values))
    auc = roc_auc_score(test.iloc[:, 0], scores)
    out = pathlib.Path("/opt/ml/processing/evaluation")
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps({"binary_classification_metrics": {"auc": {"value": float(auc)}}}))


if __name__ == "__main__":
    main()
