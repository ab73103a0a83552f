"""Blueprint models → the JSON Schema, with each field's attribute docstring as its description.

The models document their fields with attribute docstrings (the string under a field). pydantic can
read them at class creation (``use_attribute_docstrings``), but that parses every model's source on
every import, about 40 ms of each CLI run and Lambda cold start; only the schema needs them, so they
are read here, when the schema is built.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema


@cache
def _own_docstrings(cls: type) -> dict[str, str]:
    """Field name → the docstring written under it in this class's own body."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    (node,) = ast.parse(source).body
    docs: dict[str, str] = {}
    body = node.body if isinstance(node, ast.ClassDef) else []
    for field, after in zip(body, body[1:], strict=False):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def attribute_docstrings(cls: type[BaseModel]) -> dict[str, str]:
    """Field name → docstring, the nearest class in the MRO that documents it winning (as in pydantic)."""
    docs: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if isinstance(base, type) and issubclass(base, BaseModel) and base is not BaseModel:
            docs.update(_own_docstrings(base))
    return docs


class DocumentedSchema(GenerateJsonSchema):
    """pydantic's schema generator, filling property descriptions from attribute docstrings."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        """The model's schema with a description on every documented property that has none."""
        json_schema = super().model_schema(schema)
        cls = schema["cls"]
        properties: dict[str, Any] = json_schema.get("properties", {})
        docs = attribute_docstrings(cls)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key in properties and field.description is None and name in docs:
                properties[key].setdefault("description", docs[name])
        return json_schema
