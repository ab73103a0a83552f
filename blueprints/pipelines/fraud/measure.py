"""Fraud pipeline step 'measure': reads /opt/ml/processing inputs and writes its outputs (example code)."""

import json
import os
import pathlib


def main() -> None:
    base = pathlib.Path("/opt/ml/processing")
    inputs = sorted(str(p) for p in base.glob("*/*") if p.is_file())
    print(json.dumps({"step": "measure", "inputs": inputs, "region": os.environ.get("AWS_REGION", "")}))


if __name__ == "__main__":
    main()


def write_report(false_positive_rate: float) -> None:
    """Write the report the pipeline's condition reads (false_positive_rate)."""
    out = pathlib.Path("/opt/ml/processing/report")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"false_positive_rate": false_positive_rate}))
