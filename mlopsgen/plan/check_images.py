"""Check step kind + region → the AWS image it runs (model monitor or Clarify), offline, from a pinned table.

The table (``check_images.json``) is generated from the pinned SageMaker SDK by
``scripts/sync_check_images.py``; tests/unit/plan/test_check_images.py compares it with the SDK again.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from mlopsgen.plan.images import UnknownImage


@cache
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("mlopsgen.plan").joinpath("check_images.json").read_text(encoding="utf-8")
    images: dict[str, dict[str, str]] = json.loads(text)["images"]
    return images


def check_image_uri(image: str, region: str) -> str:
    """The regional URI of ``model-monitor`` or ``clarify``.

    Args:
        image: ``model-monitor`` (quality checks) or ``clarify`` (bias and explainability checks).
        region: The AWS region the pipeline runs in.

    Returns:
        The ECR image URI the SDK would use in that region.

    Raises:
        UnknownImage: When AWS does not publish the image in that region.
    """
    uri = _table()[image].get(region)
    if uri is None:
        raise UnknownImage(f"the {image} image is not published in {region}", "pick another project.region.")
    return uri
