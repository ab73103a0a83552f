"""Fraud pipeline step 'measure': the holdout's false positive rate, for GateOnFalsePositives.

Inputs: /opt/ml/processing/scores holds ScoreHoldout's batch transform output, one ``<input>.out`` per input
file. linear-learner answers text/csv requests with Accept application/json as one JSON document per request,
``{"predictions": [{"score": s, "predicted_label": 0|1}, ...]}`` (one prediction per record, in order); the
transform assembles the answers line by line, so a file is a sequence of JSON documents, read here with
``raw_decode`` whatever whitespace separates them. /opt/ml/processing/labels holds the holdout labels in the
same order (BuildFeatures' ``labels``).

Output: /opt/ml/processing/report/report.json with ``false_positive_rate`` (FP / (FP + TN)), which the
condition step reads through the HoldoutReport property file, and the counts behind it.
"""

from __future__ import annotations  # the images run Python 3.8/3.9: annotations stay unevaluated

import json
import pathlib

BASE = pathlib.Path("/opt/ml/processing")


def predicted_labels(path: pathlib.Path) -> list[int]:
    """Every predicted_label in a transform output file, in order."""
    text = path.read_text()
    decoder = json.JSONDecoder()
    labels: list[int] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return labels
        document, position = decoder.raw_decode(text, position)
        labels += [int(p["predicted_label"]) for p in document["predictions"]]


def main() -> None:
    outputs = sorted((BASE / "scores").rglob("*.out"))
    if not outputs:
        raise SystemExit("no batch transform output (*.out) under /opt/ml/processing/scores")
    predicted = [label for path in outputs for label in predicted_labels(path)]
    label_files = sorted((BASE / "labels").rglob("*.csv"))
    actual = [int(float(line)) for path in label_files for line in path.read_text().split() if line]
    if len(predicted) != len(actual):
        raise SystemExit(f"{len(predicted)} predictions for {len(actual)} labels: the files do not line up")
    negatives = [p for i, p in enumerate(predicted) if actual[i] == 0]  # zip(strict=) is 3.10+
    if not negatives:
        raise SystemExit("the holdout has no legitimate transactions: the false positive rate is undefined")
    false_positives = sum(negatives)
    report = {
        "false_positive_rate": false_positives / len(negatives),
        "false_positives": false_positives,
        "negatives": len(negatives),
        "records": len(actual),
    }
    out = BASE / "report"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
