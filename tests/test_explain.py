"""``mlopsgen explain``: every generated line of every example maps to a key inside its blueprint."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from typer.testing import CliRunner

from mlopsgen import api
from mlopsgen.cli import app
from mlopsgen.explain import explain
from mlopsgen.explain.query import _answer, parse_target
from mlopsgen.explain.record import record
from mlopsgen.manifest import MANIFEST
from tests.conftest import BLUEPRINTS, ROOT
from tests.support.blueprint_strategy import blueprints

EXAMPLES = int(os.environ.get("MLOPSGEN_EXPLAIN_EXAMPLES", "25"))


def _line_of(blueprint: Path, text: str) -> int:
    return next(n for n, line in enumerate(blueprint.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_every_line_of_every_generated_file_has_a_blueprint_key(blueprint: Path) -> None:
    recorded, diagnostics = record(blueprint)
    assert recorded is not None, diagnostics
    folder = ROOT / "generated" / blueprint.stem
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(recorded.files) == on_disk  # the recorded render writes exactly the committed tree
    total = len(blueprint.read_text().splitlines())
    for path in on_disk:
        content = recorded.files[path]
        raw = (folder / path).read_bytes()
        assert (content.encode() if isinstance(content, str) else content) == raw, f"recording changed {path}"
        texts = raw.decode("utf-8", errors="replace").splitlines()
        assert len(recorded.lines[path]) == len(texts), path
        for n, (text, line) in enumerate(zip(texts, recorded.lines[path], strict=True), 1):
            answer = _answer(path, n, text, line, recorded)
            assert answer.keys, f"{path}:{n} has no blueprint key"
            for key in answer.keys:
                assert key.file == str(blueprint) and 1 <= key.line <= total, f"{path}:{n} → {key}"


ABALONE = ROOT / "blueprints" / "abalone.yaml"
OUT = ROOT / "generated" / "abalone"


def test_a_definition_value_is_explained_by_its_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    answers, diagnostics = explain("generated/abalone/model-build/pipeline-definition.json#/Steps/1/Arguments")
    assert not diagnostics
    (answer,) = answers
    assert answer.item == "step TrainAbaloneModel" and answer.pointer == "/Steps/1/Arguments"
    (key,) = answer.keys
    assert (key.path, key.line) == ("pipeline.steps[TrainAbaloneModel]", _line_of(ABALONE, "name: TrainAbaloneModel"))
    assert '"Arguments": {' in answer.text


def test_a_branch_step_and_a_parameter_have_their_own_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    definition = json.loads((OUT / "model-build/pipeline-definition.json").read_text())
    condition = next(i for i, s in enumerate(definition["Steps"]) if s["Type"] == "Condition")
    branch, _ = explain(
        f"generated/abalone/model-build/pipeline-definition.json#/Steps/{condition}/Arguments/IfSteps/0"
    )
    assert [k.path for k in branch[0].keys] == ["pipeline.steps[RegisterAbaloneModel]"]
    param, _ = explain("generated/abalone/model-build/pipeline-definition.json#/Parameters/0/Name")
    name = definition["Parameters"][0]["Name"]
    assert [(k.path, k.line) for k in param[0].keys] == [(f"pipeline.parameters.{name}", _line_of(ABALONE, f"{name}:"))]


def test_a_derived_name_lists_every_key_it_is_derived_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    line = _line_of(OUT / "model-deploy/jenkins/seed_job.groovy", "pipelineJob(")
    (answer,), _ = explain(f"generated/abalone/model-deploy/jenkins/seed_job.groovy:{line}")
    assert answer.derived and [k.path for k in answer.keys] == ["project.name", "project.id"]


def test_stage_files_and_jenkins_stage_blocks_map_to_their_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    prod = _line_of(ABALONE, "name: prod")
    (config,), _ = explain("generated/abalone/model-deploy/prod-config.json:3")
    assert [(k.path, k.line) for k in config.keys] == [("deploy.stages[prod]", prod)]
    jenkinsfile = OUT / "model-deploy/jenkins/Jenkinsfile"
    line = _line_of(jenkinsfile, "Manual Approval for Prod")
    (block,), _ = explain(f"generated/abalone/model-deploy/jenkins/Jenkinsfile:{line}")
    assert block.item == "deploy stage prod"
    last = len(jenkinsfile.read_text().splitlines())
    (closing,), _ = explain(f"generated/abalone/model-deploy/jenkins/Jenkinsfile:{last}")
    assert closing.item == "ci"  # the region of the last stage ends with the loop


def test_a_yaml_line_carries_its_pointer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    template = OUT / "model-deploy/endpoint-config-template.yml"
    line = _line_of(template, "Resources:")
    (answer,), _ = explain(f"generated/abalone/model-deploy/endpoint-config-template.yml:{line}")
    assert answer.pointer == "/Resources" and answer.item == "deploy"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("a/b.json:12", (Path("a/b.json"), 12, None)),
        ("a/b.json#/Steps/0", (Path("a/b.json"), None, "/Steps/0")),
        ("a/b.json", (Path("a/b.json"), None, None)),
        ("c:/x/b.json", (Path("c:/x/b.json"), None, None)),
    ],
)
def test_parse_target(target: str, expected: tuple[Path, int | None, str | None]) -> None:
    assert parse_target(target) == expected


def test_cli_answers_in_text_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    text = runner.invoke(app, ["explain", "generated/abalone/model-build/pipeline-definition.json:2"])
    assert text.exit_code == 0, text.output
    assert "blueprints/abalone.yaml:" in text.output
    as_json = runner.invoke(app, ["explain", "generated/abalone/model-build/buildspec.yml:5", "--format", "json"])
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 0 and data["diagnostics"] == [] and data["answers"][0]["keys"]


def test_cli_refuses_with_diagnostics_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(ROOT)
    past = runner.invoke(app, ["explain", "generated/abalone/model-build/pipeline-definition.json:99999"])
    assert past.exit_code == 1 and "MLG703" in past.stderr
    loose = runner.invoke(app, ["explain", "README.md:1"])
    assert loose.exit_code == 1 and "README.md:1:1: MLG700" in loose.stderr
    # A hand-edited copy of the output folder: its lines no longer match the blueprint's render.
    shutil.copytree(OUT, tmp_path / "generated" / "abalone")
    shutil.copytree(ROOT / "blueprints", tmp_path / "blueprints")
    (tmp_path / ".git").mkdir()  # the repository root, as the render of the committed tree assumes
    edited = tmp_path / "generated/abalone/model-build/buildspec.yml"
    edited.write_text(edited.read_text() + "# edited\n")
    monkeypatch.chdir(tmp_path)
    stale = runner.invoke(app, ["explain", "generated/abalone/model-build/buildspec.yml:1"])
    assert stale.exit_code == 1 and "MLG701" in stale.stderr
    fresh = runner.invoke(app, ["explain", "generated/abalone/model-build/pipeline-definition.json:1"])
    assert fresh.exit_code == 0 and "abalone.yaml:" in fresh.stdout
    manifest = runner.invoke(app, ["explain", f"generated/abalone/{MANIFEST}:3"])
    assert manifest.exit_code == 0


def test_recording_changes_no_byte() -> None:
    recorded, _ = record(ABALONE)
    assert recorded is not None
    plain = api.render(ABALONE).tree
    assert recorded.files == plain


def test_a_stack_name_is_derived_from_project_and_stage_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    keys = ["project.name", "project.id", "deploy.stages[staging].name"]
    project = OUT.parent.parent / "generated/abalone/infrastructure/project.yml"
    line = _line_of(project, "StackName: sagemaker-abalone-p-abc123def456-deploy-staging")
    (cfn,), _ = explain(f"generated/abalone/infrastructure/project.yml:{line}")
    assert cfn.derived and [k.path for k in cfn.keys] == keys and cfn.pointer.endswith("/Configuration/StackName")
    jenkinsfile = OUT / "model-deploy/jenkins/Jenkinsfile"
    line = _line_of(jenkinsfile, "cfnUpdate(stack: 'sagemaker-abalone-p-abc123def456-deploy-staging'")
    (groovy,), _ = explain(f"generated/abalone/model-deploy/jenkins/Jenkinsfile:{line}")
    assert groovy.derived and [k.path for k in groovy.keys] == keys
    (after,), _ = explain(f"generated/abalone/model-deploy/jenkins/Jenkinsfile:{line + 1}")
    assert after.item == "deploy stage staging"  # the derived region is one line; the stage's resumes
    line = _line_of(jenkinsfile, "ENDPOINT_NAME = 'abalone-staging'")
    (endpoint,), _ = explain(f"generated/abalone/model-deploy/jenkins/Jenkinsfile:{line}")
    assert [k.path for k in endpoint.keys] == ["project.name", "deploy.stages[staging].name"]


def test_a_code_file_entry_points_at_the_step_that_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    manifest = OUT / "model-build/code-manifest.json"
    line = _line_of(manifest, '"path": "pipelines/abalone/preprocess.py"')
    (answer,), _ = explain(f"generated/abalone/model-build/code-manifest.json:{line}")
    assert [k.path for k in answer.keys] == ["pipeline.steps[PreprocessAbaloneData]"]


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=blueprints())
def test_generated_blueprints_explain_every_line(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    """Every construct the generator draws (other features' too, once they extend it) is covered."""
    data, code = drawn
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    note("blueprint:\n" + text)
    recorded, diagnostics = record(text, name="drawn.yaml", code=code)
    assert recorded is not None, [d.format() for d in diagnostics]
    assert recorded.files == api.render(text, name="drawn.yaml", code=code).tree  # recording changes no byte
    total = len(text.splitlines())
    for path, lines in recorded.lines.items():
        for n, line in enumerate(lines, 1):
            answer = _answer(path, n, "", line, recorded)
            assert answer.keys and all(1 <= k.line <= total for k in answer.keys), f"{path}:{n}"
    definition = json.loads(recorded.files["model-build/pipeline-definition.json"])
    steps = recorded.lines["model-build/pipeline-definition.json"]
    for index, step in enumerate(definition["Steps"]):
        opening = next(line for line in steps if line.pointer == ("Steps", index))
        assert opening.origin is not None and opening.origin.item == f"step {step['Name']}"
