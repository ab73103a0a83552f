"""``--format github``: no file name or message can end the annotation or forge another workflow command."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mlopsgen.cli import app
from mlopsgen.cli_report import github_annotation

runner = CliRunner()


def test_properties_and_data_are_escaped_by_githubs_rules() -> None:
    line = github_annotation({"file": "a,b:c\r\n::warning x", "title": "T"}, "50%\r::warning::forged\nend")
    assert line == "::error file=a%2Cb%3Ac%0D%0A%3A%3Awarning x,title=T::50%25%0D::warning::forged%0Aend"


def test_a_hostile_file_name_and_key_stay_inside_one_annotation(tmp_path: Path) -> None:
    bad = tmp_path / "x,line=9\r\n::warning file=evil.yaml"
    bad.write_text('project: {name: x, id: p-1, region: eu-west-1, account: "111111111111"}\n"a\\rb": {}\n')
    result = runner.invoke(app, ["validate", str(bad), "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines), lines
    assert "\r" not in result.stdout
    # The properties (between "::error " and the next "::") carry no forged line; the message may quote the name.
    assert all(",line=9" not in line.split("::")[1] for line in lines)
