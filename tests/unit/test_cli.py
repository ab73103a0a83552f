"""CLI: thin over the api; exit codes 0 ok, 1 diagnostics or drift, 2 usage."""

from __future__ import annotations

import json
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
    assert "pipeline-definition.json: hand-edited (edited by hand)" in result.stdout
    assert "+" in result.stdout and "ml.m5.24xlarge" in result.stdout  # the diff is shown
    refused = runner.invoke(app, ["render"])
    assert refused.exit_code == 1
    assert "not overwritten" in refused.stdout
    assert "ml.m5.24xlarge" in target.read_text(), "a hand edit survives a plain render"
    assert runner.invoke(app, ["render", "--force"]).exit_code == 0
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_check_formats(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["render"]).exit_code == 0
    (tmp_path / "generated/churn/model-build/buildspec.yml").unlink()
    github = runner.invoke(app, ["check", "--format", "github"])
    assert github.exit_code == 1
    assert "::error file=generated/churn/model-build/buildspec.yml,title=mlopsgen check::missing" in github.stdout
    as_json = runner.invoke(app, ["check", "--format", "json"])
    assert json.loads(as_json.stdout) == {
        "diagnostics": [],
        "drift": [{"path": "generated/churn/model-build/buildspec.yml", "kind": "missing"}],
    }


def test_validate_github_annotations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("project: {name: x, id: p-1, region: eu-west-1, account: '111111111111'}\npipelin: {}\n")
    result = runner.invoke(app, ["validate", str(bad), "--format", "github"])
    assert result.exit_code == 1
    assert f"::error file={bad},line=2,col=1,title=MLG110::unknown key 'pipelin'" in result.stdout


def test_eject_diff_and_graph(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(_project(tmp_path))
    assert runner.invoke(app, ["render"]).exit_code == 0
    spec = tmp_path / "generated/abalone/model-deploy/test/buildspec.yml"
    assert runner.invoke(app, ["eject", "blueprints/abalone.yaml", "model-deploy/test/buildspec.yml"]).exit_code == 0
    spec.write_text("# mine now\n")
    assert runner.invoke(app, ["check"]).exit_code == 0
    assert runner.invoke(app, ["eject", "blueprints/abalone.yaml", "no/such.file"]).exit_code == 2
    blueprint = tmp_path / "blueprints/abalone.yaml"
    blueprint.write_text(blueprint.read_text().replace("      approval: manual\n", ""))
    unified = runner.invoke(app, ["diff"])
    assert unified.exit_code == 0 and "ApproveDeployment" in unified.stdout
    markdown = runner.invoke(app, ["diff", "--format", "markdown"])
    assert markdown.exit_code == 0 and "Risk" in markdown.stdout
    graph = runner.invoke(app, ["graph", "blueprints/abalone.yaml"])
    assert graph.exit_code == 0 and "```mermaid" in graph.stdout


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


def test_progress_bar_only_on_a_terminal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from mlopsgen import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", screen)
    with cli._progress(3) as tick:
        assert tick is not None
        for _ in range(3):
            tick(None)
    assert "blueprints" in screen.getvalue()
    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    with cli._progress(3) as tick:
        assert tick is None
