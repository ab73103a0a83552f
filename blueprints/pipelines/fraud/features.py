"""Fraud pipeline step 'features': reads /opt/ml/processing inputs and writes its outputs (example code)."""

import json
import os
import pathlib


def main() -> None:
    base = pathlib.Path("/opt/ml/processing")
    inputs = sorted(str(p) for p in base.glob("*/*") if p.is_file())
    print(json.dumps({"step": "features", "inputs": inputs, "region": os.environ.get("AWS_REGION", "")}))


if __name__ == "__main__":
    main()
