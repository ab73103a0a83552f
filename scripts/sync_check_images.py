"""Regenerate mlopsgen/plan/check_images.json: the model monitor and Clarify images of every region.

Run with the sdk extra installed: ``python scripts/sync_check_images.py``. Check steps (quality_check,
clarify_check) run these AWS images; the SDK resolves them with ``image_uris.retrieve`` at definition
time, the render path reads this table instead. tests/unit/plan/test_check_images.py compares the
committed table with the SDK again. A separate table from images.json so that the framework images'
sync script and this one never edit the same file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from sagemaker.core import image_uris  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "mlopsgen" / "plan" / "check_images.json"
CONFIG = Path(image_uris.__file__).resolve().parent / "image_uri_config"
IMAGES = ("model-monitor", "clarify")


def generate() -> str:
    """The table's JSON text: image → region → URI, for the regions the SDK resolves."""
    table: dict[str, dict[str, str]] = {}
    for name in IMAGES:
        config = json.loads((CONFIG / f"{name}.json").read_text())
        regions: set[str] = set()
        versions = config["processing"]["versions"] if "processing" in config else config["versions"]
        for spec in versions.values():
            regions.update(spec.get("registries", {}))
        found: dict[str, str] = {}
        for region in sorted(regions):
            try:
                found[region] = image_uris.retrieve(name, region=region)
            except Exception:  # the SDK refuses some regions; leave them out  # noqa: S112
                continue
        table[name] = found
    out = {"source": "sagemaker==3.27.0 sagemaker.core.image_uris.retrieve(name, region)", "images": table}
    return json.dumps(out, indent=1, sort_keys=True) + "\n"


def main() -> int:
    """Write the table."""
    TARGET.write_text(generate(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
