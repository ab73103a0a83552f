"""Credit-risk preparation: drop the identifier, scale the features, split 70/15/15 (label first, with a header).

The header stays on every split because the quality and bias checks read the columns by name (the
``default`` label, the ``age`` facet). The scaling is fitted on the training split only and written to
its own output (``scaling.json``), so that the checks reading the training split see only CSV and anyone
building a request for the endpoint scales a raw row the same way. The input is an ``s3://`` URI,
downloaded with boto3 (the scikit-learn image has no s3fs).
"""

import argparse
import json
import os
import pathlib

import boto3
import pandas as pd
from sklearn.preprocessing import StandardScaler

BASE = "/opt/ml/processing"
LABEL = "default"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-data", required=True)
    args = parser.parse_args()
    bucket, _, key = args.input_data.removeprefix("s3://").partition("/")
    pathlib.Path(f"{BASE}/data").mkdir(parents=True, exist_ok=True)
    local = f"{BASE}/data/applicants.csv"
    boto3.resource("s3").Bucket(bucket).download_file(key, local)
    frame = pd.read_csv(local).drop(columns=["applicant_id"])
    frame = frame.sample(frac=1.0, random_state=int(os.environ.get("SPLIT_SEED", "42"))).reset_index(drop=True)
    n = len(frame)
    cut = (int(0.7 * n), int(0.85 * n))
    parts = {"train": frame[: cut[0]], "validation": frame[cut[0] : cut[1]], "test": frame[cut[1] :]}
    features = [c for c in frame.columns if c != LABEL]
    scaler = StandardScaler().fit(parts["train"][features])
    for name, part in parts.items():
        scaled = pd.DataFrame(scaler.transform(part[features]), columns=features).round(6)
        out = pd.concat([part[LABEL].reset_index(drop=True).astype(int), scaled], axis=1)
        pathlib.Path(f"{BASE}/{name}").mkdir(parents=True, exist_ok=True)
        out.to_csv(f"{BASE}/{name}/{name}.csv", index=False)
    scaling = {"features": features, "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}
    pathlib.Path(f"{BASE}/scaling").mkdir(parents=True, exist_ok=True)
    pathlib.Path(f"{BASE}/scaling/scaling.json").write_text(json.dumps(scaling))
    print(f"{n} applicants: " + ", ".join(f"{len(part)} {name}" for name, part in parts.items()))


if __name__ == "__main__":
    main()
