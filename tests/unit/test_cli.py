"""CLI: thin over the api; exit codes 0 ok, 1 diagnostics or drift, 2 usage."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from mlopsgen import __version__
from mlopsgen.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def _project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "blueprints", tmp_path / "blueprints")
    return tmp_path


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mlopsgen {__version__}"


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "render", "check", "schema"):
        assert command in result.stdout


def test_validate_ok_and_bad(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["validate"]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("project: {name: x, id: p-1, region: eu-west-1, account: '111111111111'}\npipelin: {}\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2:1: MLG110 unknown key 'pipelin'" in result.stdout
    assert "Did you mean 'pipeline'?" in result.stdout


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2


def test_bad_engine_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["render", "--engine", "magic"]).exit_code == 2


def test_render_then_check_then_drift(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["render"]).exit_code == 0
    assert (tmp_path / "generated/abalone/model-build/pipeline-definition.json").is_file()
    assert runner.invoke(app, ["check"]).exit_code == 0
    target = tmp_path / "generated/abalone/model-build/pipeline-definition.json"
    target.write_text(target.read_text().replace("ml.m5.xlarge", "ml.m5.24xlarge"))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "pipeline-definition.json: changed" in result.stdout


def test_render_writes_nothing_when_any_blueprint_is_invalid(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    (tmp_path / "blueprints/zz_broken.yaml").write_text("project: [\n")
    result = runner.invoke(app, ["render"])
    assert result.exit_code == 1
    assert not (tmp_path / "generated").exists()


def test_failed_render_keeps_the_previous_output(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["render"]).exit_code == 0
    before = (tmp_path / "generated/abalone/model-build/pipeline-definition.json").read_bytes()
    blueprint = tmp_path / "blueprints/abalone.yaml"
    blueprint.write_text(blueprint.read_text().replace("type: training", "type: trainin"))
    assert runner.invoke(app, ["render"]).exit_code == 1
    assert (tmp_path / "generated/abalone/model-build/pipeline-definition.json").read_bytes() == before


def test_schema_to_stdout() -> None:
    result = runner.invoke(app, ["schema", "-o", "-"])
    assert result.exit_code == 0
    assert '"title": "mlopsgen blueprint"' in result.stdout


def test_console_script_runs_without_traceback_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe not utf8")
    proc = subprocess.run([sys.executable, "-m", "mlopsgen", "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "MLG105" in proc.stdout
