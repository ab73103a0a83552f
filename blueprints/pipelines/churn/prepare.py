"""Churn preparation: drop identifiers, one-hot encode categories, split 70/15/15 (label first).

The input is an ``s3://`` URI. It is downloaded with boto3, which the scikit-learn image carries; pandas
would need s3fs/fsspec to read S3 directly, and the image has neither.
"""

import argparse
import os
import pathlib

import boto3
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--run-id", default="local")
    args = parser.parse_args()
    bucket, _, key = args.input.removeprefix("s3://").partition("/")
    pathlib.Path("/opt/ml/processing/data").mkdir(parents=True, exist_ok=True)
    local = "/opt/ml/processing/data/input.csv"
    boto3.resource("s3").Bucket(bucket).download_file(key, local)
    frame = pd.read_csv(local)
    target = os.environ.get("TARGET_COLUMN", "churned")
    frame = frame.drop(columns=[c for c in ("customer_id", "phone") if c in frame])
    labels = frame.pop(target).astype(int)
    features = pd.get_dummies(frame, dtype=float)
    data = pd.concat([labels, features], axis=1).sample(frac=1.0, random_state=int(os.environ.get("SPLIT_SEED", 42)))
    n = len(data)
    parts = {
        "train": data[: int(0.7 * n)],
        "validation": data[int(0.7 * n) : int(0.85 * n)],
        "test": data[int(0.85 * n) :],
    }
    for name, part in parts.items():
        os.makedirs(f"/opt/ml/processing/{name}", exist_ok=True)
        part.to_csv(f"/opt/ml/processing/{name}/{name}.csv", header=False, index=False)
    print(f"run {args.run_id}: {n} rows")


if __name__ == "__main__":
    main()
