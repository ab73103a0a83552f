"""The provenance writers: line maps that match the bytes the real writers produce."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsgen import provenance
from mlopsgen.provenance import Origins, json_rows, yaml_pointers
from mlopsgen.targets.base import dump_json, dump_yaml

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)


@settings(max_examples=300, derandomize=True, database=None)
@given(data=_JSON)
def test_json_rows_are_exactly_the_lines_dump_json_writes(data: Any) -> None:
    assert "\n".join(row for row, _ in json_rows(data)) + "\n" == dump_json(data)


def test_json_rows_point_at_the_value_on_each_line() -> None:
    rows = json_rows({"b": [1, {"c": "x"}], "a": {}})
    assert rows == [
        ("{", ()),
        ('  "a": {},', ("a",)),
        ('  "b": [', ("b",)),
        ("    1,", ("b", 0)),
        ("    {", ("b", 1)),
        ('      "c": "x"', ("b", 1, "c")),
        ("    }", ("b", 1)),
        ("  ]", ("b",)),
        ("}", ()),
    ]


def test_yaml_pointers_cover_block_text_and_skip_the_header() -> None:
    data = {"Resources": {"Fn": {"Code": "line one\nline two\n", "Names": ["a", "b"]}}}
    text = dump_yaml(data, "one\ntwo")
    pointers = yaml_pointers(text, 2)
    lines = text.splitlines()
    assert pointers[:2] == [(), ()]
    assert pointers[lines.index("      line two")] == ("Resources", "Fn", "Code")
    assert pointers[lines.index("    - b")] == ("Resources", "Fn", "Names", 1)


class _Item:
    """Stands in for a Plan item (identity is what counts)."""


def test_tags_scopes_and_markers_attribute_lines_only_while_recording() -> None:
    step, stage, other = _Item(), _Item(), _Item()
    origins = Origins()
    origins.add(step, "step A", ("pipeline", "steps", 0))
    origins.add(stage, "deploy stage s", ("deploy", "stages", 0))
    origins.add(stage, "stack name", ("project", "name"), ("deploy", "stages", 0, "name"), field="stack_name")
    inner = {"x": 1}
    assert provenance.tag(inner, step) is inner and provenance.marker(step) == ""  # off: no effect, no text
    with provenance.recording(origins) as recorder:
        data = {"Steps": [provenance.tag({"x": 1}, step)], "Other": provenance.tag({"y": 2}, other)}
        provenance.tag_key(data, "Other", stage, "stack_name")
        with provenance.item(stage):
            text = dump_json(data)
        rendered = provenance.note_template(f"a\n{provenance.marker(step)}b\nc\n{provenance.marker(None)}d\n")
    assert rendered == "a\nb\nc\nd\n"
    by_line = {line.pointer: line.origin for line in recorder.fragments[0].lines}
    assert text.startswith("{") and by_line[("Steps", 0, "x")] == origins.get(step)
    assert by_line[("Other", "y")] == origins.get(stage, "stack_name")  # an untagged item falls to the key tag
    assert by_line[()] is None and recorder.fragments[0].scope == origins.get(stage)
    assert [line.origin for line in recorder.fragments[1].lines] == [None, origins.get(step), origins.get(step), None]
    assert json.loads(text) == data


def test_equal_texts_of_two_items_stay_in_their_own_files() -> None:
    from mlopsgen.targets.base import OutputFile

    staging, prod = _Item(), _Item()
    origins = Origins()
    origins.add(staging, "deploy stage staging", ("deploy", "stages", 0))
    origins.add(prod, "deploy stage prod", ("deploy", "stages", 1))
    with provenance.recording(origins) as recorder:
        for name, stage in (("staging", staging), ("prod", prod)):
            with provenance.item(stage):
                OutputFile(f"{name}-targets.json", dump_json({"accounts": ["111111111111"]}))
    for name, stage in (("staging", staging), ("prod", prod)):
        ((first, fragment),) = recorder.placed[f"{name}-targets.json"]
        assert first == 0 and fragment.scope == origins.get(stage)
