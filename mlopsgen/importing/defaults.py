"""Drop keys whose value is the language's default, read from the blueprint's own pydantic models.

Driven by the models rather than by a list, so a field another part of the language adds (with its
default) is pruned without any change here: the step importers write every key they read, and this
walk removes those a reader does not need.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mlopsgen.blueprint.lazy import unwrap
from mlopsgen.blueprint.steps import StepSpec


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Annotated, unions, Optional, lazy stand-ins)."""
    annotation = unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models(arg)
    return found


def _container(annotation: Any) -> tuple[str, list[type[BaseModel]]]:
    """("list" | "dict" | "", the models of its items) for list[Model] / dict[str, Model] annotations."""
    annotation = unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _container(typing.get_args(annotation)[0])
    if origin in (list, tuple):
        return "list", _models(typing.get_args(annotation)[0]) if typing.get_args(annotation) else []
    if origin is dict:
        return "dict", _models(typing.get_args(annotation)[1])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(annotation):
            kind, models = _container(arg)
            if kind:
                return kind, models
    return "", []


def _default(info: Any) -> Any:
    if info.default is not PydanticUndefined:
        default = info.default
    elif info.default_factory is not None:
        default = info.default_factory()
    else:
        return PydanticUndefined
    return default.model_dump(by_alias=True, exclude_unset=False) if isinstance(default, BaseModel) else default


def prune(data: Any, model: type[BaseModel]) -> Any:
    """Remove default-valued keys from ``data`` (a mapping for ``model``), recursively; returns ``data``.

    Args:
        data: The mapping the importer built.
        model: The pydantic model it validates as.

    Returns:
        The same mapping, pruned in place.
    """
    if not isinstance(data, dict):
        return data
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            continue
        if data[key] is None or data[key] == _default(info):
            if not info.is_required():
                del data[key]
                continue
        _descend(data[key], info.annotation)
    return data


def _descend(value: Any, annotation: Any) -> None:
    kind, items = _container(annotation)
    if not kind:
        models = _models(annotation)
        if isinstance(value, dict) and len(models) == 1:
            prune(value, models[0])
        return
    if len(items) != 1:
        return
    if kind == "list" and isinstance(value, list):
        for item in value:
            prune(item, items[0])
    elif kind == "dict" and isinstance(value, dict):
        for item in value.values():
            prune(item, items[0])


def step_model(step_type: str) -> type[BaseModel] | None:
    """The step spec class of a ``type``."""
    for model in _models(StepSpec):
        field = model.model_fields.get("type")
        if field is not None and typing.get_args(field.annotation) == (step_type,):
            return model
    return None
