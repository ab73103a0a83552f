"""CI finds its files wherever the blueprint lives in the repository (issue 10, finding 9).

A blueprint at ``ml/project/bp.yaml`` of a repository, its code beside it, is rendered the way a user
does it (``mlopsgen render`` from the repository root); then every file the generated CI reads is
looked up from the repository root, where CodeBuild and Jenkins run, with the runtime scripts' own
path logic where they have it (the code manifest check of ``run_pipeline.py``, the stage configuration
loader of ``deploy_config.py``).
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mlopsgen.cli import app
from mlopsgen.runtime import deploy_config, run_pipeline

from .conftest import ROOT
from .support.groovy import calls, parse_groovy

# Options whose value is a file the command reads from the checkout (not one an earlier CI step writes).
INPUT_OPTIONS = ("--definition", "--manifest", "--stage-config", "--stage-targets", "--payload-file")


def _option_values(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == name]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Git checkout with the abalone blueprint and its code at ml/project/, rendered from its root."""
    root = tmp_path_factory.mktemp("repo")
    (root / ".git").mkdir()
    project = root / "ml" / "project"
    project.mkdir(parents=True)
    source = ROOT / "blueprints"
    shutil.copy(source / "abalone.yaml", project / "bp.yaml")
    for folder in ("pipelines", "tests"):
        shutil.copytree(source / folder, project / folder)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(root)
    try:
        result = CliRunner().invoke(app, ["render", "ml/project/bp.yaml"])
    finally:
        monkeypatch.undo()
    assert result.exit_code == 0, result.output
    return root


def _commands(root: Path) -> list[list[str]]:
    """Every shell command of the buildspecs and the Jenkinsfiles, as argument lists."""
    out = root / "generated" / "bp"
    commands: list[str] = []
    for buildspec in sorted(out.rglob("buildspec.yml")):
        for phase in yaml.safe_load(buildspec.read_text())["phases"].values():
            commands += phase.get("commands", [])
    jenkinsfiles = {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("Jenkinsfile"))}
    assert len(jenkinsfiles) == 2
    for name, result in parse_groovy(jenkinsfiles).items():
        assert result.ok, result.describe(name)
        commands += [node["args"][0] for node in calls(result.tree, "sh")]
    return [shlex.split(command) for command in commands]


def test_every_path_the_ci_reads_exists_from_the_repository_root(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repository)  # where CodeBuild and Jenkins run the commands
    commands = _commands(repository)
    checked: list[str] = []
    for argv in commands:
        if argv[0] == "python3" and argv[1] != "-m":
            assert Path(argv[1]).is_file(), argv[1]
            checked.append(argv[1])
        if argv[0] == "cp":
            assert Path(argv[1]).is_file(), argv[1]
            checked.append(argv[1])
        for option in INPUT_OPTIONS:
            for value in _option_values(argv, option):
                assert Path(value).is_file(), f"{option} {value}"
                checked.append(value)
        for manifest, repo_root in zip(
            _option_values(argv, "--manifest"), _option_values(argv, "--repo-root"), strict=True
        ):
            files = run_pipeline.verify_manifest(Path(manifest), Path(repo_root))  # raises on a missing file
            assert files, manifest
            checked += [f.path for f in files]
        configs = _option_values(argv, "--stage-config")
        if configs:
            assert deploy_config.load_stage_configs([Path(p) for p in configs])
    assert any("run_pipeline.py" in path for path in checked)
    assert any(path.endswith("preprocess.py") for path in checked), "the code manifest was checked"
    assert any("sample-payload" in path for path in checked)


def test_pipeline_definitions_of_both_backends_exist(repository: Path) -> None:
    """CodePipeline's BuildSpec paths and the Jenkins seed jobs' scriptPath name files of the checkout."""
    out = repository / "generated" / "bp"
    stack: dict[str, Any] = yaml.safe_load((out / "infrastructure" / "project.yml").read_text())
    buildspecs = [
        r["Properties"]["Source"]["BuildSpec"]
        for r in stack["Resources"].values()
        if r["Type"] == "AWS::CodeBuild::Project"
    ]
    assert buildspecs
    seeds = {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("seed_job.groovy"))}
    script_paths = [
        node["args"][0] for result in parse_groovy(seeds).values() for node in calls(result.tree, "scriptPath")
    ]
    assert len(script_paths) == 2
    for path in buildspecs + script_paths:
        assert (repository / path).is_file(), path
