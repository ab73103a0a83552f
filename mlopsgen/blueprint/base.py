"""Shared pieces of the blueprint models: the strict base class, name patterns and small validators."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-_]{0,63}$"
INSTANCE_PATTERN = r"^ml\.[a-z0-9\-]+\.[a-z0-9]+$"

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool
"""A literal exactly as YAML typed it: 6.0 stays a float, "1" stays text."""


class Spec(BaseModel):
    """Base for every blueprint model: unknown keys are errors, values are not coerced across types."""

    # Field docstrings become schema descriptions in blueprint/schema_docs.py, not here: pydantic's
    # use_attribute_docstrings parses every model's source on each import (~40 ms per CLI run).
    # defer_build: a model's validator is built when first used, not when its class is defined; a render
    # validates through BlueprintSpec only, so the ~110 nested models no longer each build their own.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, strict=True, defer_build=True)


def no_items() -> list[Any]:
    """Default for list fields: a new empty list.

    Why not ``default_factory=list``: pydantic inspects each default factory's signature when the model
    class is created, and for a builtin such as ``list`` that means parsing its text signature with
    ``tokenize`` at every CLI start (measured: ~2 % of a render's instructions over the ~40 fields); a
    Python function's signature is read directly.
    """
    return []


def no_entries() -> dict[str, Any]:
    """Default for mapping fields: a new empty dict (see ``no_items`` for why not ``dict``)."""
    return {}


def flag_or_model(value: Any) -> Any:
    """``true`` means the model with defaults, ``false`` means off."""
    if value is True:
        return {}
    if value is False:
        return None
    return value
