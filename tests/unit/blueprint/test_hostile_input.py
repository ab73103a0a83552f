"""Hostile but plausible blueprints (issue 11): located diagnostics or output, never a crash."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mlopsgen
from mlopsgen import api
from mlopsgen.blueprint.limits import MAX_CONDITION_DEPTH
from mlopsgen.blueprint.loader import load_blueprint
from mlopsgen.cli import app
from mlopsgen.targets.base import dump_json
from tests.conftest import ROOT
from tests.unit.views.support import _code

ABALONE = (ROOT / "blueprints" / "abalone.yaml").read_text()
HEAD = ABALONE[: ABALONE.index("  steps:")]
CI = ABALONE[ABALONE.index("\nci:") :]


def _steps(lines: list[str]) -> str:
    """The abalone project and CI around other steps (no deploy: it needs a register_model step)."""
    return HEAD + "  steps:\n" + "\n".join(f"    - {line}" for line in lines) + "\n" + CI


def test_merging_anchors_that_share_a_key_is_valid_yaml_and_earlier_wins() -> None:
    text = "a: &a {k: 1, x: 1}\nb: &b {k: 2, y: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n"
    loaded = load_blueprint(text)
    assert loaded.diagnostics == []
    assert loaded.data["c"] == {"k": 1, "x": 1, "y": 3}


def test_a_thousand_step_depends_on_chain_validates_without_recursion() -> None:
    count = 1200
    lines = [
        f"{{name: S{i}, type: fail, message: m{i}" + (f", depends_on: [S{i + 1}]}}" if i + 1 < count else "}")
        for i in range(count)
    ]
    assert mlopsgen.validate(_steps(lines)) == []


def test_a_long_depends_on_cycle_is_reported_once() -> None:
    count = 1100
    lines = [f"{{name: S{i}, type: fail, message: m, depends_on: [S{(i + 1) % count}]}}" for i in range(count)]
    codes = [d.code for d in mlopsgen.validate(_steps(lines))]
    assert codes == ["MLG302"]


def _nested_conditions(depth: int) -> str:
    lines = [
        f"{{name: C{i}, type: condition, if: {{eq: [1, 1]}}, then: [{f'C{i + 1}' if i + 1 < depth else 'F'}]}}"
        for i in range(depth)
    ]
    return _steps([*lines, "{name: F, type: fail, message: done}"])


def test_conditions_nested_beyond_the_limit_are_a_located_diagnostic() -> None:
    result = mlopsgen.render(_nested_conditions(331), code={})
    assert [d.code for d in result.diagnostics] == ["MLG316"]
    assert result.diagnostics[0].pos is not None


def test_conditions_nested_up_to_the_limit_render() -> None:
    result = mlopsgen.render(_nested_conditions(MAX_CONDITION_DEPTH), code={})
    assert result.ok, [d.format() for d in result.diagnostics]


def test_non_finite_numbers_from_library_data_are_refused() -> None:
    import yaml

    data = yaml.safe_load(ABALONE)
    data["pipeline"]["parameters"]["Threshold"] = {"type": "float", "default": math.inf}
    diagnostics = mlopsgen.validate(data, code=_code())  # the code files, or their absence is reported too
    assert [d.code for d in diagnostics] == ["MLG117"]


def test_json_output_refuses_nan_as_a_backstop() -> None:
    with pytest.raises(ValueError):
        dump_json({"x": math.nan})


def test_an_unknown_engine_is_an_error_not_native() -> None:
    with pytest.raises(ValueError, match="bogus"):
        mlopsgen.render(ABALONE, engine="bogus")  # type: ignore[arg-type]


def test_sdk_engine_without_the_extra_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(api, "_sdk_installed", lambda: False)
    result = CliRunner().invoke(
        app, ["render", str(ROOT / "blueprints" / "abalone.yaml"), "--engine", "sdk", "--output", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "mlopsgen[sdk]" in result.output
    with pytest.raises(api.EngineUnavailableError):
        mlopsgen.render(ABALONE, engine="sdk")


def test_a_surrogate_in_a_nested_key_is_one_located_line_from_the_cli(tmp_path: Path) -> None:
    blueprint = tmp_path / "b.yaml"
    blueprint.write_text(HEAD.replace("    team: ml-platform\n", '    team: ml-platform\n    "x\\udc00y": z\n'))
    result = CliRunner().invoke(app, ["validate", str(blueprint)])
    assert result.exit_code == 1, result.output
    assert "MLG100" in result.output and "surrogate" in result.output


FRAUD = (ROOT / "blueprints" / "fraud_secure.yaml").read_text()
BLUEPRINTS = ROOT / "blueprints"
CODE = {str(f.relative_to(BLUEPRINTS)): f.read_bytes() for f in BLUEPRINTS.rglob("*") if f.is_file()}
BUCKET = "sagemaker-project-p-secure0001"


def _register_explicit_model(model_data: str) -> str:
    assert f"id: {BUCKET.removeprefix('sagemaker-project-')}" in FRAUD
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"
    explicit = f"      image: {{uri: {image}}}\n      model_data: {model_data}\n"
    return FRAUD.replace("      model_from: TrainFraudModel\n      content_types", explicit + "      content_types")


@pytest.mark.parametrize(
    ("model_data", "granted"),
    [
        (f"s3://{BUCKET}/models/model.tar.gz", "models/model.tar.gz*"),
        ("${steps.TrainFraudModel.model_artifacts}", "TrainFraudModel/*"),
    ],
)
def test_an_explicit_model_deployed_to_other_accounts_is_granted_not_an_empty_resource(
    model_data: str, granted: str
) -> None:
    result = mlopsgen.render(_register_explicit_model(model_data), code=CODE)
    assert result.ok, [d.format() for d in result.diagnostics]
    for path, content in result.files.items():
        assert "Resource: []" not in content and '"Resource": []' not in content, path
    assert granted in result.files["infrastructure/target-account.yml"]


def test_an_explicit_model_outside_the_artifact_bucket_is_refused_for_other_accounts() -> None:
    diagnostics = mlopsgen.validate(_register_explicit_model("s3://elsewhere/model.tar.gz"), code=CODE)
    assert [d.code for d in diagnostics] == ["MLG313"]
    assert diagnostics[0].path.endswith("model_data")


def test_yaml_output_quotes_ascii_numbers_only() -> None:
    """YAML resolves only ASCII digits as numbers; Arabic-Indic digits are text and need no quotes."""
    from mlopsgen.targets.base import dump_yaml

    assert dump_yaml({"a": "١٢٣", "b": "123"}) == "a: ١٢٣\nb: '123'\n"


def test_unwritable_text_from_library_data_is_a_diagnostic_that_prints() -> None:
    import yaml

    data = yaml.safe_load(ABALONE)
    data["project"]["tags"]["t\ud800"] = "x"
    data["project"]["tags"]["u"] = "a\uffff"
    diagnostics = mlopsgen.render(data, code=_code()).diagnostics
    assert [d.code for d in diagnostics] == ["MLG100", "MLG100"]
    for diagnostic in diagnostics:
        diagnostic.format().encode("utf-8")
