"""Credit-risk evaluation: score the trained network on the test split, write evaluation.json.

Runs in the PyTorch image through the framework processor (this source directory, ``runproc.sh``), so it
imports the same ``model.py`` as training. The report uses the model-quality layout SageMaker's model
registry shows (``binary_classification_metrics`` with ``value`` and ``standard_deviation``): the
condition step reads the AUC from it and the register step attaches it as the model statistics.
"""

import json
import pathlib
import tarfile

import torch
from inference import model_fn
from model import auc, read_split

BASE = "/opt/ml/processing"


def main() -> None:
    unpacked = pathlib.Path(f"{BASE}/unpacked")
    with tarfile.open(f"{BASE}/model/model.tar.gz") as archive:
        # The archive is the training job's own output; the "data" filter where this Python has it.
        archive.extractall(unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    net = model_fn(str(unpacked))
    features, labels = read_split(f"{BASE}/test")
    with torch.no_grad():
        scores = torch.sigmoid(net(features))
    predicted = (scores >= 0.5).float()
    accuracy = float((predicted == labels).float().mean())
    report = {
        "binary_classification_metrics": {
            "auc": {"value": auc(scores, labels), "standard_deviation": "NaN"},
            "accuracy": {"value": accuracy, "standard_deviation": "NaN"},
        }
    }
    out = pathlib.Path(f"{BASE}/evaluation")
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(report))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
