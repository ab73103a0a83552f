"""Script-mode framework containers (PyTorch, TensorFlow, Hugging Face) → ECR image URI, offline.

These images are chosen by version, Python version and processor (and, for Hugging Face, the base
framework), so they have their own table (``framework_images.json``), generated from the pinned SDK's
``image_uris.retrieve`` by ``scripts/sync_framework_images.py`` and checked against it by a test.
The processor follows the SDK's rule (``image_uris._processor``): a g* or p* instance family is a GPU.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

from mlopsgen.errors import did_you_mean
from mlopsgen.plan.images import UnknownImage

_FAMILY = re.compile(r"^ml[._]([a-z\d]+)\.?\w*$")
"""The SDK's ``get_instance_type_family`` pattern."""

Scope = Literal["training", "inference"]
_TABLES: dict[Scope, str] = {"training": "frameworks", "inference": "inference"}

GRAVITON_FAMILIES = ("m6g", "m6gd", "c6g", "c6gd", "c6gn", "c7g", "r6g", "r6gd")
"""sagemaker 3.27.0's ``GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY``: inference there uses arm64 images."""


@cache
def _table() -> dict[str, Any]:
    text = resources.files("mlopsgen.plan").joinpath("framework_images.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def frameworks() -> list[str]:
    """Names resolved by this table (``image.framework``)."""
    return sorted(_table()["frameworks"])


def processor_of(instance_type: str, scope: Scope = "training") -> str | None:
    """The processor (cpu or gpu) of an instance type, as the SDK decides; None for families with their own images.

    Args:
        instance_type: e.g. ``ml.g5.xlarge``.
        scope: ``inference`` also gives None for the Graviton families (the SDK picks arm64 serving images).

    Returns:
        ``gpu`` for g* and p* families, ``cpu`` for the rest, None for inf*/trn* (Neuron images).
    """
    match = _FAMILY.match(instance_type)
    family = match.group(1) if match else ""
    if not family or family.startswith(("inf", "trn")):
        return None
    if scope == "inference" and family in GRAVITON_FAMILIES:
        return None
    return "gpu" if family[0] in ("g", "p") else "cpu"


def only_py_version(framework: str, version: str, base_framework: str | None) -> str | None:
    """The Python version of a training container given without one (its version has a single one), else None.

    A model trained there is served by the inference container of that same Python version.
    """
    key = f"{version}-{base_framework}" if framework == "huggingface" else version
    pythons = _table()["frameworks"].get(framework, {}).get(key, {})
    return next(iter(pythons)) if len(pythons) == 1 else None


def framework_image_uri(
    framework: str,
    version: str,
    py_version: str | None,
    processor: str,
    region: str,
    base_framework: str | None,
    scope: Scope = "training",
) -> str:
    """Resolve a framework container.

    Args:
        framework: ``pytorch``, ``tensorflow`` or ``huggingface``.
        version: The framework version (for Hugging Face, the transformers version).
        py_version: e.g. ``py310``; may be omitted when the version has one.
        processor: ``cpu`` or ``gpu``.
        region: The AWS region the pipeline runs in.
        base_framework: Hugging Face only: ``pytorch2.1.0`` or ``tensorflow2.6.3``.
        scope: ``training`` or ``inference`` (the serving container of the same framework and version).

    Returns:
        The regional ECR image URI.

    Raises:
        UnknownImage: When the combination is not in the table; the hint lists the choices.
    """
    table = _table()
    versions = table[_TABLES[scope]][framework]
    kind = f"{framework} inference" if scope == "inference" else framework
    if framework == "huggingface":
        bases = sorted(k.split("-", 1)[1] for k in versions if k.split("-", 1)[0] == version)
        if base_framework is None or f"{version}-{base_framework}" not in versions:
            if not bases:
                known = sorted({k.split("-", 1)[0] for k in versions}, key=_version_key)
                raise UnknownImage(f"{kind} has no version '{version}'", "versions: " + ", ".join(known) + ".")
            what = "needs image.base_framework" if base_framework is None else f"has no base '{base_framework}'"
            raise UnknownImage(f"{kind} {version} {what}", "base frameworks: " + ", ".join(bases) + ".")
        key = f"{version}-{base_framework}"
    else:
        key = version
        if key not in versions:
            hint = did_you_mean(version, list(versions)).strip()
            choices = ", ".join(sorted(versions, key=_version_key))
            raise UnknownImage(f"{kind} has no version '{version}'", f"{hint} versions: {choices}.".strip())
    pythons = versions[key]
    if set(pythons) == {""}:  # TensorFlow Serving images have no Python version: any training one fits
        py_version = ""
    if py_version is None:
        if len(pythons) != 1:
            raise UnknownImage(
                f"{kind} {version} needs image.py_version", "py_versions: " + ", ".join(sorted(pythons)) + "."
            )
        py_version = next(iter(pythons))
    if py_version not in pythons:
        miss = UnknownImage(
            f"{kind} {version} has no py_version '{py_version}'",
            "py_versions: " + ", ".join(sorted(pythons)) + ".",
        )
        miss.field = "py_version"
        raise miss
    by_processor = pythons[py_version]
    if processor not in by_processor:
        raise UnknownImage(
            f"{kind} {version} {py_version or ''} has no {processor} image".replace("  ", " "),
            "processors: " + ", ".join(sorted(by_processor)) + " (from the instance type, or image.processor).",
        )
    registry, repository, tag = by_processor[processor]
    account = table["registries"][registry].get(region)
    if account is None:
        raise UnknownImage(f"{kind} {version} is not published in {region}", "set image.uri explicitly.")
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.-]", text))
