"""Blueprint sections whose models are defined when a blueprint first uses them (``lazy``).

Why: defining a pydantic model costs ~2 ms at import (fields, annotations, validators), and most
blueprints use few of the optional constructs (serving modes, batch, rollouts, monitoring,
schedules, notifications, registries, check and external steps, training options). A holder
module names such a section with a stand-in from ``lazy(module, name)`` at runtime and with the
real type for the type checker::

    if TYPE_CHECKING:
        from mlopsgen.blueprint.stage_batch import BatchSpec
    else:
        BatchSpec = lazy("mlopsgen.blueprint.stage_batch", "BatchSpec")

The stand-in validates a value by importing the module and validating with the real type (a
model or an annotated union), once per process; its errors keep their locations, so diagnostics
are unchanged, and the value is an instance of the real model. For the JSON Schema export the
blueprint model is rebuilt with every stand-in replaced by its real schema (``eager_schema``),
so the published schema is exactly the one of the real types. Code that walks annotations
(``blueprint/validate.py``, ``importing/defaults.py``) sees through stand-ins with ``unwrap``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, Discriminator, Field, GetCoreSchemaHandler, Tag, TypeAdapter
from pydantic_core import core_schema

_eager = False
"""True while ``eager_schema`` builds the export schema: stand-ins give their real schemas."""


class Lazy:
    """Base of the stand-ins ``lazy`` makes; ``target()`` is the real type."""

    module: ClassVar[str]
    name: ClassVar[str]

    @classmethod
    def target(cls) -> Any:
        """The real type (importing its module on first use)."""
        return getattr(importlib.import_module(cls.module), cls.name)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        if _eager:
            return handler.generate_schema(cls.target())
        return core_schema.no_info_plain_validator_function(_validator(cls))


def _validator(cls: type[Lazy]) -> Callable[[Any], Any]:
    adapter: TypeAdapter[Any] | None = None

    def validate(value: Any) -> Any:
        nonlocal adapter
        if adapter is None:
            adapter = TypeAdapter(cls.target())
        return adapter.validate_python(value)

    return validate


def lazy(module: str, name: str) -> Any:
    """A stand-in for ``module.name`` (a model or an annotated union) that loads it on first use."""
    return type(f"Lazy[{name}]", (Lazy,), {"module": module, "name": name, "__module__": __name__})


class LazyUnion(Lazy):
    """Base of the stand-ins ``tagged_union`` makes; ``target()`` is the real discriminated union."""

    key: ClassVar[str]
    members: ClassVar[dict[str, Any]]

    @classmethod
    def target(cls) -> Any:
        """``Annotated[A | B | ..., Field(discriminator=key)]`` over the real members (loading them)."""
        choices = tuple(unwrap(member) for member in cls.members.values())
        return Annotated[Union[choices], Field(discriminator=cls.key)]  # noqa: UP007 - a runtime tuple of types

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        if _eager:
            return handler.generate_schema(cls.target())
        # The same choice by tag, made by a function, so a stand-in member (not a model) can take part; it
        # reports an unknown or missing tag with the same error types (``union_tag_invalid``/``_not_found``).
        choices = tuple(Annotated[member, Tag(tag)] for tag, member in cls.members.items())
        key = cls.key
        return handler.generate_schema(
            Annotated[Union[choices], Discriminator(lambda value: _tag(value, key))]  # noqa: UP007
        )


def _tag(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)


def tagged_union(key: str, members: dict[str, Any]) -> Any:
    """A stand-in for a union discriminated by ``key``; ``members`` maps each tag to a model or a stand-in."""
    name = "|".join(members)
    return type(f"LazyUnion[{name}]", (LazyUnion,), {"key": key, "members": members, "__module__": __name__})


def unwrap(annotation: Any) -> Any:
    """``annotation`` with a stand-in replaced by its real type (anything else unchanged)."""
    if isinstance(annotation, type) and issubclass(annotation, Lazy):
        return annotation.target()
    return annotation


@contextmanager
def eager_schema(root: type[BaseModel]) -> Iterator[None]:
    """Within the block, ``root`` is built from the real types of every stand-in (JSON Schema export).

    pydantic reuses a nested model's built core schema, which may hold stand-ins, so every built
    model's core schema is set aside for the block (its validator and serializer stay) and put back
    after it; the root gets its lazy build back, so validation afterwards is as in any other process.
    """
    global _eager
    schemas = {cls: cls.__dict__[_SCHEMA] for cls in _models(root) if _SCHEMA in cls.__dict__}
    rooted = {key: root.__dict__[key] for key in _BUILT if key in root.__dict__}
    for cls in schemas:
        delattr(cls, _SCHEMA)
    _eager = True
    try:
        root.model_rebuild(force=True)
        yield
    finally:
        _eager = False
        for cls, schema in schemas.items():
            setattr(cls, _SCHEMA, schema)
        for key, value in rooted.items():
            setattr(root, key, value)


_SCHEMA = "__pydantic_core_schema__"
_BUILT = (_SCHEMA, "__pydantic_validator__", "__pydantic_serializer__", "__pydantic_complete__")


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root``'s base class and all its subclasses (every blueprint model)."""
    base = next(c for c in root.__mro__ if c.__base__ is BaseModel)
    found: list[type[BaseModel]] = [base]
    for cls in found:
        found += [c for c in cls.__subclasses__() if c not in found]
    return found
