"""Abalone preprocessing: download the CSV, one-hot encode sex, scale features, split 70/15/15."""

import argparse
import os
import pathlib

import boto3
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

BASE = "/opt/ml/processing"
COLUMNS = [
    "sex",
    "length",
    "diameter",
    "height",
    "whole_weight",
    "shucked_weight",
    "viscera_weight",
    "shell_weight",
    "rings",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-data", required=True)
    args = parser.parse_args()
    bucket, _, key = args.input_data.removeprefix("s3://").partition("/")
    pathlib.Path(f"{BASE}/data").mkdir(parents=True, exist_ok=True)
    local = f"{BASE}/data/abalone-dataset.csv"
    boto3.resource("s3").Bucket(bucket).download_file(key, local)
    frame = pd.read_csv(local, header=None, names=COLUMNS)
    labels = frame.pop("rings")
    numeric = [c for c in COLUMNS if c not in ("sex", "rings")]
    transform = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"), OneHotEncoder(handle_unknown="ignore")
                ),
                ["sex"],
            ),
        ]
    )
    features = transform.fit_transform(frame)
    data = np.random.default_rng(42).permutation(np.column_stack([labels.to_numpy(), features]))
    train, validation, test = np.split(data, [int(0.7 * len(data)), int(0.85 * len(data))])
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        os.makedirs(f"{BASE}/{name}", exist_ok=True)
        pd.DataFrame(part).to_csv(f"{BASE}/{name}/{name}.csv", header=False, index=False)


if __name__ == "__main__":
    main()
