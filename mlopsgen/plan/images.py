"""Framework / algorithm name + version + region → ECR image URI, offline, from a pinned table.

The table (``images.json``) is generated from the pinned SageMaker SDK by ``scripts/sync_images.py``,
so the render path never imports the SDK; a test compares it with ``image_uris.retrieve`` again.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from mlopsgen.errors import did_you_mean


class UnknownImage(Exception):  # noqa: N818 - a lookup miss, reported as a diagnostic by the caller
    """The framework, version or region is not in the table; ``hint`` lists what is."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint
        self.field = "version"
        """The image key the miss is reported at."""
        self.field = "version"
        """The image key the miss is reported at."""


@cache
def _table() -> dict[str, Any]:
    text = resources.files("mlopsgen.plan").joinpath("images.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


FRAMEWORK_CONTAINERS = frozenset({"sklearn", "xgboost"})
"""Table entries that are framework containers (run a user's script); every other entry is a built-in algorithm."""


def is_algorithm(name: str) -> bool:
    """Whether ``image.framework`` names a built-in algorithm (which runs its own program, never a script)."""
    return name in _table()["images"] and name not in FRAMEWORK_CONTAINERS


def frameworks() -> list[str]:
    """Names accepted as ``image.framework``."""
    return sorted(_table()["images"])


def image_uri(framework: str, version: str, region: str) -> str:
    """Resolve a framework or built-in algorithm image.

    Args:
        framework: ``sklearn``, ``xgboost`` or a built-in algorithm such as ``linear-learner``.
        version: The framework version, e.g. ``1.7-1``.
        region: The AWS region the pipeline runs in.

    Returns:
        The regional ECR image URI.

    Raises:
        UnknownImage: When the combination is not in the table.
    """
    table = _table()
    versions = table["images"].get(framework)
    if versions is None:
        hint = did_you_mean(framework, frameworks()).strip()
        raise UnknownImage(f"unknown framework '{framework}'", hint or "frameworks: " + ", ".join(frameworks()) + ".")
    entry = versions.get(version)
    if entry is None:
        raise UnknownImage(
            f"{framework} has no version '{version}'",
            "versions: " + ", ".join(sorted(versions)) + ' (quote versions, e.g. "1.7-1").',
        )
    account = table["registries"][entry["registries"]].get(region)
    if account is None:
        raise UnknownImage(f"{framework} {version} is not published in {region}", "set image.uri explicitly.")
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{entry['repository']}:{entry['tag']}"
