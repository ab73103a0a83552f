"""Placeholders are filled into scalars as data: a hostile value stays one string, comments stay."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlopsgen.seed.changes import blob_id, changes
from mlopsgen.seed.handler import load_template
from mlopsgen.seed.template import TemplateError, fill_blueprint
from tests.unit.seed.conftest import template_bundle

TEXT = """# a comment kept
project:
  name: ${Name}   # trailing comment kept
  tags:
    owner: "team ${Owner}"
    plain: ${Owner}
"""


@pytest.mark.parametrize("hostile", ["a: b\n- c", '"]}\n# x', "${Name}", "x' : {y", "\u2028line"])
def test_a_value_never_becomes_yaml_syntax(hostile: str) -> None:
    filled = fill_blueprint(TEXT, {"Name": "churn", "Owner": hostile})
    assert yaml.safe_load(filled) == {
        "project": {"name": "churn", "tags": {"owner": f"team {hostile}", "plain": hostile}}
    }
    assert filled.startswith("# a comment kept\n") and "# trailing comment kept" in filled


def test_naive_replacement_would_have_broken_it() -> None:
    """The reason for the token rewrite: a text replace lets a value add keys."""
    value = "x\n    admin: true"
    naive = TEXT.replace('"team ${Owner}"', "team").replace("${Name}", "churn").replace("${Owner}", value)
    assert yaml.safe_load(naive)["project"]["tags"].get("admin") is True
    filled = fill_blueprint(TEXT, {"Name": "churn", "Owner": value})
    assert "admin" not in yaml.safe_load(filled)["project"]["tags"]


def test_unknown_placeholder_and_block_scalars_are_refused() -> None:
    with pytest.raises(TemplateError, match=r"unknown template parameter \$\{Owner\}"):
        fill_blueprint(TEXT, {"Name": "churn"})
    with pytest.raises(TemplateError, match="block scalars"):
        fill_blueprint("a: |\n  ${Name}\n", {"Name": "x"})


def test_other_blueprints_in_a_template_folder_are_not_seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mlopsgen check`` renders every blueprint in blueprints/: a second one would fail the seeded repository."""
    folder = tmp_path / "examples"
    for path, content in {**template_bundle(), "other.yaml": b"version: 1\n"}.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
    monkeypatch.setenv("MLOPSGEN_SEED_TEMPLATES", str(tmp_path))
    bundle = load_template({"Shipped": "examples"}, "abalone.yaml")
    assert "abalone.yaml" in bundle and "other.yaml" not in bundle and "pipelines/abalone/evaluate.py" in bundle


def test_only_the_seeded_output_folder_loses_files() -> None:
    present = {p: blob_id(b"old") for p in ("generated/a/stale.json", "generated/b/other.json", "README.md")}
    todo = changes({"generated/a/new.json": b"new", "blueprints/a.yaml": b"x"}, present)
    assert todo.delete == ["generated/a/stale.json"]
    assert sorted(todo.put) == ["blueprints/a.yaml", "generated/a/new.json"]
    assert not changes({"README.md": b"old"}, {"README.md": blob_id(b"old")})
