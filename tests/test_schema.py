"""The committed JSON Schema is what `mlopsgen schema` writes, and it accepts every example."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest
import yaml

from mlopsgen import schema
from mlopsgen.blueprint.steps import STEP_TYPES

from .conftest import BLUEPRINTS, ROOT

SCHEMA_FILE = ROOT / "schemas" / "blueprint.schema.json"


def test_committed_schema_is_fresh(update_goldens: bool) -> None:
    if update_goldens:
        SCHEMA_FILE.write_text(schema(), encoding="utf-8")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema(), "stale schema: run `mlopsgen schema`"


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_examples_validate_against_schema(blueprint) -> None:  # type: ignore[no-untyped-def]
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    errors = list(validator.iter_errors(yaml.safe_load(blueprint.read_text())))
    assert not errors, [e.message for e in errors]


def test_schema_rejects_unknown_keys() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    data = yaml.safe_load((ROOT / "blueprints" / "abalone.yaml").read_text())
    data["pipelin"] = {}
    assert list(validator.iter_errors(data))


def _walk(node: object, where: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_the_step_list_is_discriminated_by_type() -> None:
    """An editor picks the step's model by its type key: one error for a typo, not one per step kind."""
    data = json.loads(SCHEMA_FILE.read_text())
    items = data["$defs"]["PipelineSpec"]["properties"]["steps"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    assert sorted(items["discriminator"]["mapping"]) == sorted(STEP_TYPES)
    assert sorted(m["$ref"] for m in items["oneOf"]) == sorted(items["discriminator"]["mapping"].values())


def test_every_property_has_a_description() -> None:
    data = json.loads(SCHEMA_FILE.read_text())
    undescribed = [
        f"{where}/{name}"
        for where, node in _walk(data)
        if where.endswith("/properties") is False and isinstance(node, dict)
        for name, prop in (node.get("properties") or {}).items()
        if isinstance(prop, dict) and not prop.get("description")
    ]
    assert not undescribed, f"{len(undescribed)} properties without a description: {undescribed}"
