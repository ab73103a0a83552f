"""Loader: positions, duplicate keys, YAML 1.1 keys kept as text, and limits on hostile input."""

from __future__ import annotations

from mlopsgen.blueprint.loader import MAX_BYTES, MAX_DEPTH, load_blueprint
from mlopsgen.errors import Position


def test_records_key_and_value_positions() -> None:
    loaded = load_blueprint("project:\n  name: abalone\n  id: p-1\n", "bp.yaml")
    assert loaded.data == {"project": {"name": "abalone", "id": "p-1"}}
    assert loaded.source.keys[("project", "name")] == Position(2, 3)
    assert loaded.source.values[("project", "name")] == Position(2, 9)
    assert loaded.source.locate(("project", "name", "missing")) == Position(2, 3)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    loaded = load_blueprint("a: 1\nb: 2\na: 3\n", "bp.yaml")
    (diag,) = loaded.diagnostics
    assert diag.code == "MLG103"
    assert diag.pos == Position(3, 1)
    assert "first defined at line 1" in diag.message
    assert loaded.data == {"a": 1, "b": 2}


def test_keys_keep_their_text_but_values_follow_yaml() -> None:
    loaded = load_blueprint("on: yes\n'1': 1.10\n", "bp.yaml")
    assert loaded.data == {"on": True, "1": 1.1}


def test_merge_keys_expand_and_explicit_keys_win() -> None:
    loaded = load_blueprint("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n")
    assert loaded.data["item"] == {"x": 1, "y": 3}


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    loaded = load_blueprint("\n".join(lines) + "\n", "bomb.yaml")
    assert loaded.data is None
    assert [d.code for d in loaded.diagnostics] == ["MLG102"]


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    loaded = load_blueprint(text)
    assert [d.code for d in loaded.diagnostics] == ["MLG102"]


def test_very_deep_nesting_does_not_crash_the_parser() -> None:
    loaded = load_blueprint("[" * 100_000)
    assert loaded.data is None
    assert loaded.diagnostics[0].code in {"MLG100", "MLG102"}


def test_huge_file_is_refused_before_parsing() -> None:
    loaded = load_blueprint("#" * (MAX_BYTES + 1))
    assert [d.code for d in loaded.diagnostics] == ["MLG101"]


def test_syntax_error_has_position_and_hint() -> None:
    loaded = load_blueprint("project:\n  name: 'abalone\n")
    (diag,) = loaded.diagnostics
    assert diag.code == "MLG100"
    assert diag.pos is not None and diag.pos.line >= 2
    assert diag.format().startswith("<string>:")


def test_python_tags_are_refused() -> None:
    loaded = load_blueprint("x: !!python/object/apply:os.system ['true']\n")
    assert [d.code for d in loaded.diagnostics] == ["MLG100"]


def test_empty_and_non_mapping_documents() -> None:
    assert load_blueprint("").diagnostics[0].code == "MLG104"
    assert load_blueprint("- a\n- b\n").diagnostics[0].code == "MLG104"


def test_lone_surrogates_are_refused() -> None:
    loaded = load_blueprint('x: "\\ud83d\\ude80"\n')
    assert [d.code for d in loaded.diagnostics] == ["MLG100"]
    assert load_blueprint('x: "\\U0001F680"\n').data == {"x": "\U0001f680"}
