"""The library gives a seeded repository what the CLI writes: same folder name, files and manifest, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.cli import app
from mlopsgen.manifest import MANIFEST
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "blueprints").glob("*.yaml"))


def _code() -> dict[str, bytes]:
    """Every file beside the blueprints, by blueprint-relative path (what a seed bundle ships)."""
    folder = ROOT / "blueprints"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _encoded(tree: dict[str, str | bytes]) -> dict[str, bytes]:
    return {path: c.encode("utf-8") if isinstance(c, str) else c for path, c in tree.items()}


@pytest.mark.parametrize("blueprint", EXAMPLES, ids=lambda p: p.stem)
def test_library_tree_equals_what_the_cli_writes(blueprint: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    written = CliRunner().invoke(app, ["render", str(blueprint), "-o", str(out)])
    assert written.exit_code == 0, written.output
    result = mlopsgen.render(blueprint.read_bytes(), name=blueprint.name, code=_code())
    assert result.ok, result.diagnostics
    assert result.name == blueprint.stem
    assert MANIFEST in result.tree
    assert _encoded(result.tree) == _read_tree(out / blueprint.stem)


def test_a_tree_written_from_the_library_passes_check(tmp_path: Path) -> None:
    """The seed Lambda's case: files committed from the result as they are, then ``mlopsgen check`` in CI."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "blueprints", repo / "blueprints")
    source = repo / "blueprints" / "abalone.yaml"
    result = mlopsgen.render(source.read_text(), name="abalone.yaml", code=_code())
    for path, content in _encoded(result.tree).items():
        target = repo / "generated" / result.name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    checked = CliRunner().invoke(app, ["check", str(source), "-o", str(repo / "generated")])
    assert checked.exit_code == 0, checked.output


def test_name_sets_the_output_folder_as_the_cli_does(tmp_path: Path) -> None:
    """A blueprint file named otherwise than its project: the CLI's folder is the file stem."""
    renamed = tmp_path / "blueprints" / "team-seed.yaml"
    shutil.copytree(ROOT / "blueprints", renamed.parent)
    (renamed.parent / "abalone.yaml").rename(renamed)
    result = mlopsgen.render(renamed.read_text(), name="team-seed.yaml", code=_code())
    assert result.ok and result.name == mlopsgen.render(renamed).name == "team-seed"


def test_no_manifest_without_files() -> None:
    result = mlopsgen.render("version: 1\n", name="broken.yaml")
    assert not result.ok and result.manifest == "" and result.tree == {}
