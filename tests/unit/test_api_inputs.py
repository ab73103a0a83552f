"""The library refuses what is not a blueprint instead of reporting success with no files."""

from __future__ import annotations

from typing import Any

import pytest

import mlopsgen
from mlopsgen.errors import Position
from tests.unit.test_api import ABALONE, CODE


def test_utf8_bytes_render_like_text() -> None:
    from_bytes = mlopsgen.render(ABALONE.read_bytes(), code=CODE, name="abalone.yaml")
    from_text = mlopsgen.render(ABALONE.read_text(), code=CODE, name="abalone.yaml")
    assert from_bytes.ok and from_bytes.files and from_bytes.files == from_text.files


@pytest.mark.parametrize("data", [b"", b"project: 1\n", b"[1]"])
def test_bytes_that_are_no_blueprint_are_diagnosed(data: bytes) -> None:
    result = mlopsgen.render(data)
    assert not result.ok and not result.files
    assert mlopsgen.validate(data)


def test_invalid_utf8_is_located_at_the_bad_byte() -> None:
    data = ABALONE.read_bytes().replace(b"team: ml-platform", b"team: ml-\xffplatform")
    (diagnostic,) = mlopsgen.validate(data, name="abalone.yaml")
    assert diagnostic.code == "MLG105" and "0xff" in diagnostic.message
    line = data.split(b"\n").index(next(x for x in data.split(b"\n") if b"\xff" in x)) + 1
    assert diagnostic.pos == Position(line, len("    team: ml-") + 1)


@pytest.mark.parametrize("value", [None, 123, 1.5, [1], ("a",), {1, 2}, object()])
def test_other_types_are_a_usage_error(value: Any) -> None:
    with pytest.raises(TypeError, match="blueprint must be"):
        mlopsgen.render(value)
    with pytest.raises(TypeError, match="blueprint must be"):
        mlopsgen.validate(value)
