"""The library entry points: text, mapping or path in; files and diagnostics out, nothing on disk."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

import mlopsgen
from mlopsgen.errors import Diagnostic
from tests.conftest import ROOT

ABALONE = ROOT / "blueprints" / "abalone.yaml"
CODE = {
    "pipelines/abalone/preprocess.py": (ROOT / "blueprints/pipelines/abalone/preprocess.py").read_bytes(),
    "pipelines/abalone/evaluate.py": (ROOT / "blueprints/pipelines/abalone/evaluate.py").read_bytes(),
    "tests/abalone-sample.csv": (ROOT / "blueprints/tests/abalone-sample.csv").read_bytes(),
}


def test_text_mapping_and_path_give_the_same_definition() -> None:
    from_path = mlopsgen.render(ABALONE)
    from_text = mlopsgen.render(ABALONE.read_text(), code=CODE, name="abalone.yaml")
    from_mapping = mlopsgen.render(yaml.safe_load(ABALONE.read_text()), code=CODE, name="abalone.yaml")
    assert from_path.ok and from_text.ok and from_mapping.ok
    assert from_path.files == from_text.files == from_mapping.files


def test_render_writes_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = mlopsgen.render(ABALONE.read_text(), code=CODE)
    assert result.ok
    assert list(tmp_path.iterdir()) == []


def test_missing_code_in_memory_is_a_diagnostic() -> None:
    result = mlopsgen.render(ABALONE.read_text())
    assert not result.ok and result.files == {}
    assert {d.code for d in result.diagnostics} == {"MLG308"}
    assert len(result.diagnostics) == 3  # two scripts and the sample payload
    assert all(d.pos is not None for d in result.diagnostics)


def test_diagnostics_are_data() -> None:
    (diag,) = mlopsgen.validate("project: {name: x}\npipelin: {}\n", name="x.yaml")[:1]
    assert isinstance(diag, Diagnostic)
    as_dict = diag.to_dict()
    assert set(as_dict) == {"code", "message", "path", "file", "line", "col", "hint"}
    json.dumps(as_dict)


def test_all_errors_reported_at_once_in_file_order() -> None:
    text = ABALONE.read_text().replace("id: p-abc123def456", "id: P_BAD").replace("type: training", "type: trainign")
    diagnostics = mlopsgen.validate(text, code=CODE)
    codes = [d.code for d in diagnostics]
    assert codes == ["MLG114", "MLG115"], [d.format() for d in diagnostics]
    lines = [d.pos.line for d in diagnostics if d.pos]
    assert lines == sorted(lines)


def test_errors_after_defaults_point_at_the_owning_key() -> None:
    # approval_status is defaulted; the reference problem is in a key the user wrote.
    text = ABALONE.read_text().replace("${params.ModelApprovalStatus}", "${params.ApprovalStatus}")
    (diag,) = mlopsgen.validate(text, code=CODE, name="abalone.yaml")
    assert diag.code == "MLG202"
    assert "Did you mean 'ModelApprovalStatus'" in diag.hint
    assert diag.path == "pipeline.steps[RegisterAbaloneModel].approval_status"
    line = ABALONE.read_text().splitlines()[diag.pos.line - 1] if diag.pos else ""
    assert "approval_status" in line


def test_unknown_image_version_lists_versions() -> None:
    text = ABALONE.read_text().replace(
        'version: "1.7-1"}\n      instance: {type: "${params.Training',
        'version: "9.9"}\n      instance: {type: "${params.Training',
    )
    (diag,) = mlopsgen.validate(text, code=CODE)
    assert diag.code == "MLG309"
    assert "1.7-1" in diag.hint


def test_public_api_is_small() -> None:
    assert set(mlopsgen.__all__) == {
        "Diagnostic",
        "MlopsgenError",
        "RenderResult",
        "__version__",
        "render",
        "schema",
        "validate",
    }
