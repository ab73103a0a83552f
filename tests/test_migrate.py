"""Language versions: older blueprints load as the current version, and `mlopsgen migrate` rewrites them.

The golden pair tests/migrate/<case>.yaml → <case>.migrated.yaml is written by the code
(``--update-goldens``) and reviewed like the other goldens.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.blueprint.versions import CURRENT, MIGRATIONS
from mlopsgen.cli import app
from mlopsgen.migrate import migrate_text
from mlopsgen.seed.template import seed_repository

from .support.blueprint_strategy import blueprints

HERE = Path(__file__).parent
CASES = sorted(p for p in (HERE / "migrate").glob("*.yaml") if not p.name.endswith(".migrated.yaml"))
ROOT = HERE.parent
V1_CI = """
ci:
  backends: [codepipeline, jenkins]
  triggers: {owner}   # who starts runs
  jenkins: {{url: https://jenkins.example.com}}
  source: {{provider: codecommit, repository: repo}}
"""
MINIMAL = """version: 1
project: {name: tiny, id: p-tiny0001, region: eu-west-1, account: "111111111111"}
pipeline:
  steps:
    - name: Train
      type: training
      image: {framework: xgboost, version: "1.7-1"}
      instance: {type: ml.m5.xlarge}
      channels: {train: {source: "s3://example-bucket/train/", content_type: text/csv}}
"""


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_migrate_keeps_comments_and_layout(case: Path, update_goldens: bool) -> None:
    result = migrate_text(case.read_text(encoding="utf-8"), case.name)
    assert not result.diagnostics, [d.format() for d in result.diagnostics]
    expected = case.with_name(case.stem + ".migrated.yaml")
    if update_goldens:
        expected.write_text(result.new, encoding="utf-8")
    assert result.new == expected.read_text(encoding="utf-8"), result.diff()
    # Every comment line of the input survives, and only the renamed keys and `version` changed.
    old_lines, new_lines = case.read_text().splitlines(), result.new.splitlines()
    assert [line for line in old_lines if line.lstrip().startswith("#")] == [
        line for line in new_lines if line.lstrip().startswith("#")
    ]
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    renamed = {r.old[-1] for rs in MIGRATIONS.values() for r in rs}
    assert all(a.lstrip().split(":")[0] in renamed | {"version"} for a, _ in changed), changed


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_migrate_is_idempotent_and_means_the_same(case: Path) -> None:
    first = migrate_text(case.read_text(encoding="utf-8"), case.name)
    second = migrate_text(first.new, case.name)
    assert not second.changed and not second.diagnostics
    old = mlopsgen.render(case.read_text(), name="case.yaml")
    new = mlopsgen.render(first.new, name="case.yaml")
    assert old.ok and new.ok, [d.format() for d in old.diagnostics + new.diagnostics]
    assert old.files == new.files
    assert [w.code for w in old.warnings] == ["MLG130"] and new.warnings == []


def test_examples_are_at_the_current_version() -> None:
    for path in sorted((ROOT / "blueprints").glob("*.yaml")):
        assert not migrate_text(path.read_text(), path.name).changed, path.name
        assert mlopsgen.render(path).warnings == [], path.name


def test_v1_diagnostics_point_at_the_lines_written() -> None:
    text = MINIMAL + V1_CI.format(owner="gitlab")
    (diag,) = mlopsgen.validate(text, name="old.yaml")
    assert diag.code == "MLG113"
    assert diag.pos is not None and text.splitlines()[diag.pos.line - 1].strip().startswith("triggers: gitlab")
    text = MINIMAL + V1_CI.format(owner="jenkins").replace("[codepipeline, jenkins]", "[codepipeline]")
    codes = {d.code: d for d in mlopsgen.validate(text, name="old.yaml")}
    assert set(codes) >= {"MLG405"}
    pos = codes["MLG405"].pos
    assert pos is not None and text.splitlines()[pos.line - 1].strip().startswith("triggers: jenkins")


def test_v1_warning_does_not_fail_validate_or_render() -> None:
    text = MINIMAL + V1_CI.format(owner="codepipeline")
    assert mlopsgen.validate(text) == []
    result = mlopsgen.render(text, name="old.yaml")
    assert result.ok
    (warning,) = result.warnings
    assert warning.code == "MLG130" and "`mlopsgen migrate old.yaml`" in warning.hint
    assert warning.pos is not None and warning.pos.line == 1
    unversioned = mlopsgen.render(text.replace("version: 1\n", ""), name="old.yaml")
    assert unversioned.files == result.files and [w.code for w in unversioned.warnings] == ["MLG130"]


def test_both_spellings_are_an_error() -> None:
    text = MINIMAL + V1_CI.format(owner="codepipeline") + "  trigger_owner: jenkins\n"
    text = text.replace("\nci:\n", "\nci:\n  trigger_owner: jenkins\n").rsplit("  trigger_owner: jenkins\n", 1)[0]
    (diag,) = mlopsgen.validate(text, name="both.yaml")
    assert diag.code == "MLG132"
    assert diag.pos is not None and text.splitlines()[diag.pos.line - 1].strip().startswith("triggers:")
    assert migrate_text(text, "both.yaml").diagnostics[0].code == "MLG132"


def test_newer_version_is_refused_by_load_and_migrate() -> None:
    text = MINIMAL.replace("version: 1", f"version: {CURRENT + 1}")
    assert [d.code for d in mlopsgen.validate(text)] == ["MLG131"]
    assert [d.code for d in migrate_text(text).diagnostics] == ["MLG131"]
    assert [d.code for d in migrate_text(MINIMAL.replace("version: 1", "version: '1'")).diagnostics] == ["MLG113"]
    assert [d.code for d in migrate_text(MINIMAL.replace("version: 1", "version: 0")).diagnostics] == ["MLG133"]


def test_cli_migrate_check_then_write_then_idempotent(tmp_path: Path) -> None:
    runner = CliRunner()
    blueprint = tmp_path / "old.yaml"
    original = MINIMAL + V1_CI.format(owner="codepipeline")
    blueprint.write_text(original)
    checked = runner.invoke(app, ["migrate", "--check", str(blueprint)])
    assert checked.exit_code == 1 and "+  trigger_owner: codepipeline" in checked.stdout
    assert blueprint.read_text() == original  # --check writes nothing
    written = runner.invoke(app, ["migrate", str(blueprint)])
    assert written.exit_code == 0, written.output
    assert "version: 2" in blueprint.read_text() and "# who starts runs" in blueprint.read_text()
    again = runner.invoke(app, ["migrate", "--check", str(blueprint)])
    assert again.exit_code == 0 and again.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["old.yaml"]  # no temporary file left behind
    newer = tmp_path / "newer.yaml"
    newer.write_text(MINIMAL.replace("version: 1", "version: 9"))
    refused = runner.invoke(app, ["migrate", str(newer), str(blueprint)])
    assert refused.exit_code == 1 and f"{newer}:1:10: MLG131 " in refused.stdout
    assert newer.read_text() == MINIMAL.replace("version: 1", "version: 9")


def test_cli_prints_the_warning_and_exits_zero(tmp_path: Path) -> None:
    blueprint = tmp_path / "old.yaml"
    blueprint.write_text(MINIMAL + V1_CI.format(owner="codepipeline"))
    result = CliRunner().invoke(app, ["validate", str(blueprint)])
    assert result.exit_code == 0
    assert f"{blueprint}:1:10: MLG130 blueprint language version 1 is deprecated" in result.stderr
    github = CliRunner().invoke(app, ["validate", "--format", "github", str(blueprint)])
    assert github.exit_code == 0 and github.stdout.startswith("::warning ")
    as_json = CliRunner().invoke(app, ["validate", "--format", "json", str(blueprint)])
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert document["diagnostics"] == [] and [w["code"] for w in document["warnings"]] == ["MLG130"]
    rendered = CliRunner().invoke(app, ["render", str(blueprint), "-o", str(tmp_path / "out")])
    assert rendered.exit_code == 0 and "MLG130" in rendered.stderr


def test_seed_lambda_renders_a_v1_blueprint() -> None:
    text = MINIMAL.replace("name: tiny", 'name: "${SageMakerProjectName}"') + V1_CI.format(owner="codepipeline")
    seeded = seed_repository({"old.yaml": text.encode()}, "old.yaml", {"SageMakerProjectName": "seeded"})
    assert seeded.ok, [d.format() for d in seeded.diagnostics]
    assert [w.code for w in seeded.warnings] == ["MLG130"]
    migrated = migrate_text(text).new
    again = seed_repository({"old.yaml": migrated.encode()}, "old.yaml", {"SageMakerProjectName": "seeded"})
    generated = {k: v for k, v in seeded.files.items() if k.startswith("generated/")}
    assert generated == {k: v for k, v in again.files.items() if k.startswith("generated/")}


@st.composite
def _ci(draw: st.DrawFn) -> dict[str, Any]:
    """A ci section in the current language (the strategy for the pipeline has none)."""
    backends = draw(st.sampled_from([["codepipeline"], ["jenkins"], ["codepipeline", "jenkins"]]))
    ci: dict[str, Any] = {"backends": backends, "source": {"provider": "codecommit", "repository": "gen-repo"}}
    if len(backends) > 1 or draw(st.booleans()):
        ci["trigger_owner"] = draw(st.sampled_from(backends))
    if "jenkins" in backends:
        ci["jenkins"] = {"url": "https://jenkins.example.com"}
    return ci


def _as_v1(blueprint: dict[str, Any], drop_version: bool) -> dict[str, Any]:
    """The same blueprint written in language version 1 (the inverse of MIGRATIONS[1])."""
    old = {**blueprint, "version": 1}
    if drop_version:
        del old["version"]
    if "ci" in old:
        old["ci"] = {("triggers" if k == "trigger_owner" else k): v for k, v in old["ci"].items()}
    return old


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=blueprints(), ci=st.none() | _ci(), drop_version=st.booleans())
def test_generated_v1_blueprints_migrate_to_what_the_loader_reads(
    generated: tuple[dict[str, Any], dict[str, bytes]], ci: dict[str, Any] | None, drop_version: bool
) -> None:
    current, code = generated
    if ci is not None:
        current = {**current, "ci": ci}
    v1_text = yaml.safe_dump(_as_v1(current, drop_version), sort_keys=False)
    migrated = migrate_text(v1_text, "gen.yaml")
    assert not migrated.diagnostics, [d.format() for d in migrated.diagnostics]
    assert yaml.safe_load(migrated.new) == {"version": CURRENT, **{k: v for k, v in current.items() if k != "version"}}
    in_memory = mlopsgen.render(v1_text, name="gen.yaml", code=code)
    rewritten = mlopsgen.render(migrated.new, name="gen.yaml", code=code)
    assert in_memory.ok and rewritten.ok, [d.format() for d in in_memory.diagnostics + rewritten.diagnostics]
    assert in_memory.files == rewritten.files
    assert [w.code for w in in_memory.warnings] == ["MLG130"] and rewritten.warnings == []
    assert not migrate_text(migrated.new, "gen.yaml").changed


def test_seed_lambda_logs_the_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mlopsgen.seed import handler

    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "old.yaml").write_text(MINIMAL + V1_CI.format(owner="codepipeline"))
    monkeypatch.setenv("MLOPSGEN_SEED_TEMPLATES", str(tmp_path))
    properties = {
        "ProjectName": "seeded",
        "ProjectId": "p-seed0001",
        "Blueprint": "old.yaml",
        "Template": {"Shipped": "old"},
    }
    with caplog.at_level("WARNING", logger="mlopsgen.seed"):
        files = handler.render(properties)
    assert any(path.startswith("generated/old/") for path in files)
    assert "MLG130 blueprint language version 1 is deprecated" in caplog.text


CORPUS = sorted((HERE / "invalid").glob("*.yaml"))


def test_migrate_changes_only_the_renamed_and_version_lines_across_the_corpus() -> None:
    """Every version 1 file of the invalid corpus that loads: the other lines stay byte for byte.

    ruamel.yaml alone rewrites some of them (``TRUE``, keys over 128 characters, unused anchors);
    before ``keep_untouched`` those lines changed too.
    """
    renamed = {r.old[-1] for rs in MIGRATIONS.values() for r in rs} | {"version"}
    migrated = 0
    for case in CORPUS:
        try:
            text = case.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        result = migrate_text(text, case.name)
        if result.diagnostics or not result.changed:
            continue
        migrated += 1
        old_lines, new_lines = text.splitlines(keepends=True), result.new.splitlines(keepends=True)
        if "version" not in yaml.safe_load(text):
            assert new_lines.count(f"version: {CURRENT}\n") == 1, case.name
            new_lines.remove(f"version: {CURRENT}\n")
        assert len(old_lines) == len(new_lines), case.name
        for a, b in zip(old_lines, new_lines, strict=True):
            assert a == b or a.strip().split(":")[0].lstrip("- ") in renamed, (case.name, a, b)
        assert not migrate_text(result.new, case.name).changed, case.name
    assert migrated > 150


def test_migrate_adds_a_missing_version_after_the_header_and_renames_in_flow_style() -> None:
    text = "# header\n\nproject: {name: x}   # c\nci: {backends: [jenkins], triggers: jenkins}\n"
    result = migrate_text(text, "x.yaml")
    assert not result.diagnostics
    assert (
        result.new
        == "# header\n\nversion: 2\nproject: {name: x}   # c\nci: {backends: [jenkins], trigger_owner: jenkins}\n"
    )


def test_an_old_spelling_in_a_current_blueprint_names_the_new_key() -> None:
    text = MINIMAL.replace("version: 1", "version: 2") + V1_CI.format(owner="codepipeline")
    (diag,) = mlopsgen.validate(text, name="new.yaml")
    assert diag.code == "MLG110" and diag.message == "unknown key 'triggers' in ci"
    assert diag.hint == "Did you mean 'trigger_owner'? Language version 2 renamed it (see mlopsgen migrate)."
