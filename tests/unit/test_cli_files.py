"""The CLI on hostile file systems: symlinks in pull requests, odd blueprint names, errors named with exit 1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlopsgen.cli import app
from tests.conftest import ROOT

runner = CliRunner()
SECRET = "AWS_SECRET_ACCESS_KEY=do-not-print-me"


def _project(tmp_path: Path, *names: str) -> Path:
    """A Git checkout holding the example blueprints (all of them, or those named)."""
    shutil.copytree(ROOT / "blueprints", tmp_path / "blueprints")
    (tmp_path / ".git").mkdir()
    for blueprint in (tmp_path / "blueprints").glob("*.yaml"):
        if names and blueprint.name not in names:
            blueprint.unlink()
    return tmp_path


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path.parent / f"{tmp_path.name}-outside" / "environ"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(SECRET + "\n")
    return secret


def test_check_does_not_print_what_a_symlinked_buildspec_points_at(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    buildspec = tmp_path / "generated/abalone/model-build/buildspec.yml"
    buildspec.unlink()
    buildspec.symlink_to(_secret(tmp_path))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert "generated/abalone/model-build/buildspec.yml: symlink (replaced by a symlink)" in result.stdout
    refused = runner.invoke(app, ["render"])
    assert refused.exit_code == 1 and SECRET not in refused.output
    assert buildspec.is_symlink()


def test_sample_payload_outside_the_repository_is_a_located_diagnostic(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    blueprint = tmp_path / "blueprints/abalone.yaml"
    text = blueprint.read_text()
    for payload in (str(_secret(tmp_path)), "../../etc/passwd"):
        blueprint.write_text(text.replace("sample_payload: tests/abalone-sample.csv", f"sample_payload: {payload}"))
        result = runner.invoke(app, ["validate"])
        assert result.exit_code == 1
        assert f"blueprints/abalone.yaml:90:19: MLG308 sample payload '{payload}' must stay inside" in result.stdout


@pytest.mark.parametrize("what", ["code", "payload"])
def test_a_symlink_inside_the_repository_pointing_outside_is_refused(tmp_path: Path, monkeypatch, what: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    relative = "pipelines/abalone/preprocess.py" if what == "code" else "tests/abalone-sample.csv"
    inside = tmp_path / "blueprints" / relative
    inside.unlink()
    inside.symlink_to(_secret(tmp_path))
    result = runner.invoke(app, ["render"])
    assert result.exit_code == 1
    assert "MLG308" in result.stdout and "resolving outside the repository" in result.stdout
    assert SECRET not in result.output and not (tmp_path / "generated").exists()


def test_a_blueprint_linked_out_of_the_repository_is_not_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    (tmp_path / "blueprints/evil.yaml").symlink_to(_secret(tmp_path))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "blueprints/evil.yaml:1:1: MLG105 blueprint is a symlink resolving outside the repository" in result.stdout
    assert SECRET not in result.output


def test_a_symlink_inside_the_repository_staying_inside_is_fine(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    payload = tmp_path / "blueprints/tests/abalone-sample.csv"
    payload.rename(tmp_path / "sample.csv")
    payload.symlink_to(tmp_path / "sample.csv")
    assert runner.invoke(app, ["render"]).exit_code == 0


def test_a_crlf_sample_payload_is_not_hand_edited_after_render(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    payload = tmp_path / "blueprints/tests/abalone-sample.csv"
    payload.write_bytes(payload.read_bytes().replace(b"\n", b"\r\n"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    assert runner.invoke(app, ["check"]).exit_code == 0
    assert runner.invoke(app, ["render"]).exit_code == 0


def test_check_reports_leftovers_of_an_interrupted_render(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "abalone.yaml"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    (tmp_path / "generated/.abalone.new-k1ll3d").mkdir()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "generated/.abalone.new-k1ll3d: leftover" in result.stdout
    assert runner.invoke(app, ["render"]).exit_code == 0
    assert runner.invoke(app, ["check"]).exit_code == 0


@pytest.mark.parametrize(("first", "second"), [("x.yaml", "x.yml"), ("a/x.yaml", "b/x.yaml"), ("x.yaml", "X.yaml")])
def test_two_blueprints_rendering_into_one_folder_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    for name in (first, second):
        if "/" in name:  # a blueprint in a subfolder needs its code beside it
            code = tmp_path / "blueprints" / name.split("/")[0] / "pipelines"
            shutil.copytree(tmp_path / "blueprints/pipelines", code)
        shutil.copy(tmp_path / "blueprints/churn.yaml", tmp_path / "blueprints" / name)
    result = runner.invoke(app, ["render", f"blueprints/{first}", f"blueprints/{second}"])
    assert result.exit_code == 1
    assert f"blueprints/{second}: renders into the same output folder" in result.output
    assert f"blueprints/{first}" in result.output
    as_json = runner.invoke(app, ["render", "--format", "json", f"blueprints/{first}", f"blueprints/{second}"])
    assert json.loads(as_json.stdout)["errors"][0]["path"] == f"blueprints/{second}"
    assert not (tmp_path / "generated").exists()


@pytest.mark.parametrize("name", ["..yaml", "...yaml", "a\nb.yaml", "del\x7f.yaml", "-x.yaml"])
def test_blueprint_names_outside_the_safe_set_are_refused(tmp_path: Path, monkeypatch, name: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    (tmp_path / "blueprints/churn.yaml").rename(tmp_path / "blueprints" / name)
    result = runner.invoke(app, ["render", f"blueprints/{name}"])
    assert result.exit_code == 1
    assert "MLG106 blueprint file name" in result.stdout and "\x7f" not in result.stdout
    assert not (tmp_path / "generated").exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        ".git",
        "blueprints",
    ]


def test_a_non_utf8_blueprint_name_is_refused_not_a_crash(tmp_path: Path) -> None:
    project = _project(tmp_path, "churn.yaml")
    os.rename(project / "blueprints/churn.yaml", os.fsencode(project / "blueprints") + b"/ch\xffrn.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "mlopsgen", "render", "blueprints"], cwd=project, capture_output=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert b"MLG106" in result.stdout


def test_an_upper_case_extension_names_the_folder_ci_uses(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    (tmp_path / "blueprints/churn.yaml").rename(tmp_path / "blueprints/mybp.YAML")
    assert runner.invoke(app, ["render"]).exit_code == 0
    assert (tmp_path / "generated/mybp/model-build/buildspec.yml").is_file()
    assert "generated/mybp/" in (tmp_path / "generated/mybp/model-build/buildspec.yml").read_text()


def test_output_pointing_at_a_file_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    (tmp_path / "out").write_text("a file\n")
    result = runner.invoke(app, ["render", "-o", "out"])
    assert result.exit_code == 1
    assert "error: out: is not a folder" in result.output


def test_a_read_only_file_system_is_a_clear_error_and_keeps_the_output(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    before = (tmp_path / "generated/churn/infrastructure/project.yml").read_bytes()
    blueprint = tmp_path / "blueprints/churn.yaml"
    blueprint.write_text(blueprint.read_text().replace("ml.m5.xlarge", "ml.m5.2xlarge"))

    def read_only(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(30, os.strerror(30), str(path))  # EROFS, injected: tests run as root, so chmod cannot tell

    monkeypatch.setattr(os, "mkdir", read_only)
    result = runner.invoke(app, ["render"])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "generated" in result.output and "Read-only file system" in result.output
    assert (tmp_path / "generated/churn/infrastructure/project.yml").read_bytes() == before


def test_a_corrupted_manifest_is_exit_1_in_every_command(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    (tmp_path / "generated/churn/mlopsgen.manifest.json").write_text('{"ejected": 5}')
    for command in (["render"], ["check"], ["diff"], ["eject", "blueprints/churn.yaml", "model-build/buildspec.yml"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        assert "generated/churn/mlopsgen.manifest.json: corrupted manifest" in result.output


def test_render_json_reports_refused_hand_edits_as_json(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    assert runner.invoke(app, ["render"]).exit_code == 0
    target = tmp_path / "generated/churn/model-build/buildspec.yml"
    target.write_text(target.read_text() + "# mine\n")
    result = runner.invoke(app, ["render", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["refused"] == [
        {"path": "generated/churn/model-build/buildspec.yml", "kind": "hand-edited"}
    ]


def test_graph_and_schema_replace_their_file_atomically(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path, "churn.yaml"))
    for command, path in ((["graph", "blueprints/churn.yaml", "--write"], "graph.md"), (["schema", "-o"], "s.json")):
        (tmp_path / path).write_text("old\n")
        os.link(tmp_path / path, tmp_path / "reader")  # a reader holding the old file sees old or new, never half
        assert runner.invoke(app, [*command, path]).exit_code == 0
        assert (tmp_path / "reader").read_text() == "old\n" and (tmp_path / path).read_text() != "old\n"
        (tmp_path / "reader").unlink()
