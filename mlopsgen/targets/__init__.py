"""Targets: one module per generated artifact family, listed in one literal registry."""

from __future__ import annotations

from mlopsgen.targets import sagemaker
from mlopsgen.targets.base import Target

TARGETS: dict[str, Target] = {
    "sagemaker": sagemaker,
}
