"""Image URIs → the blueprint's ``image`` key: ``{framework, version}`` when the offline table names it.

The reverse of ``plan/images.py``'s lookup over the same pinned table, so the name renders back to the very
URI; any other image (a framework container with Python version and processor, a private image) stays
``{uri: ...}``, which renders unchanged.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from mlopsgen.importing.context import Context
from mlopsgen.plan.check_images import check_image_uri
from mlopsgen.plan.images import UnknownImage, frameworks, image_uri

_REGION = re.compile(r"\.dkr\.ecr\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com/")


@cache
def _by_uri(region: str) -> dict[str, tuple[str, str]]:
    from mlopsgen.plan.images import _table  # the table's versions per framework; private to the lookup

    names: dict[str, tuple[str, str]] = {}
    for framework in frameworks():
        for version in _table()["images"][framework]:
            try:
                uri = image_uri(framework, version, region)
            except UnknownImage:
                continue
            names.setdefault(uri, (framework, version))
    for check in ("model-monitor", "clarify"):  # the check steps' images name the region too
        try:
            names.setdefault(check_image_uri(check, region), ("", ""))
        except (UnknownImage, KeyError):
            continue
    return names


def is_table_image(uri: str, region: str) -> bool:
    """Whether ``uri`` is the image the offline table names for some framework in ``region``."""
    match = _REGION.search(uri)
    return bool(match and match.group(1) == region and uri in _by_uri(region))


def image_spec(uri: Any, ctx: Context) -> dict[str, Any]:
    """The ``image`` mapping for one image URI.

    Args:
        uri: The definition's image URI.
        ctx: The import (unused for now beyond the call shape every importer shares).

    Returns:
        ``{framework, version}`` for an image of the pinned table, else ``{uri}``.
    """
    del ctx
    if not isinstance(uri, str):
        return {"uri": uri}
    match = _REGION.search(uri)
    named = _by_uri(match.group(1)).get(uri) if match else None
    if named is None or not named[0]:
        return {"uri": uri}
    return {"framework": named[0], "version": named[1]}
