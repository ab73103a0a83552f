"""Regenerate mlopsgen/plan/images.json from the pinned SageMaker SDK's own image_uris.retrieve.

Run with the sdk extra installed: ``python scripts/sync_images.py``. The table lets the render path
resolve framework images offline without importing the SDK; tests/unit/plan/test_images.py checks it
against the SDK again.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from sagemaker.core import image_uris  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(image_uris.__file__).resolve().parent / "image_uri_config"
FRAMEWORKS = ("sklearn", "xgboost")
ALGORITHMS = (
    "blazingtext",
    "factorization-machines",
    "forecasting-deepar",
    "image-classification",
    "ipinsights",
    "kmeans",
    "knn",
    "lda",
    "linear-learner",
    "ntm",
    "object-detection",
    "object2vec",
    "pca",
    "randomcutforest",
    "semantic-segmentation",
    "seq2seq",
)


def _versions(name: str) -> dict[str, dict]:
    config = json.loads((CONFIG / f"{name}.json").read_text())
    return config["training"]["versions"] if "training" in config else config["versions"]


def main() -> int:
    table: dict[str, dict] = {}
    accounts: dict[str, dict[str, str]] = {}
    for name in FRAMEWORKS + ALGORITHMS:
        entry: dict[str, dict] = {}
        for version, spec in sorted(_versions(name).items()):
            regions = {}
            tag = None
            for region in sorted(spec.get("registries", {})):
                if region.startswith(("cn-", "us-iso", "eu-isoe")):
                    continue
                try:
                    uri = image_uris.retrieve(
                        name, region=region, version=version, image_scope="training", instance_type="ml.m5.xlarge"
                    )
                except Exception:  # the SDK refuses some combinations; leave them out
                    continue
                host, _, image = uri.partition("/")
                account = host.split(".")[0]
                repo, _, this_tag = image.partition(":")
                if host != f"{account}.dkr.ecr.{region}.amazonaws.com":
                    continue
                tag = tag or this_tag
                if this_tag != tag:
                    raise SystemExit(f"{name} {version}: tag differs by region")
                regions[region] = account
                entry.setdefault(version, {"repository": repo, "tag": tag})
            if version in entry:
                key = json.dumps(regions, sort_keys=True)
                accounts.setdefault(key, {"id": f"r{len(accounts)}", "regions": regions})
                entry[version]["registries"] = accounts[key]["id"]
        table[name] = entry
    out = {
        "source": "sagemaker==3.27.0 sagemaker.core.image_uris.retrieve(image_scope='training')",
        "registries": {v["id"]: v["regions"] for v in accounts.values()},
        "images": table,
    }
    path = ROOT / "mlopsgen" / "plan" / "images.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
