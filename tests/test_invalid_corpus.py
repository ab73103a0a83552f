"""Invalid blueprints: each tests/invalid/<case>.yaml must give exactly <case>.diagnostics.txt.

Cases are discovered by globbing; ``pytest --update-goldens`` rewrites the expected text, which is
reviewed like code. The first line of every case is a comment naming the error it exercises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mlopsgen

CASES = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


def _render(case: Path) -> str:
    diagnostics = mlopsgen.validate(case, name=f"{case.name}")
    return "".join(d.format() + "\n" for d in diagnostics)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_blueprint_gives_expected_diagnostics(case: Path, update_goldens: bool) -> None:
    expected_file = case.with_suffix(".diagnostics.txt")
    actual = _render(case)
    assert actual, f"{case.name} is in the invalid corpus but produced no diagnostics"
    if update_goldens:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file.name}; run pytest --update-goldens and review it"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_corpus_covers_every_error_kind() -> None:
    codes = set()
    for case in CASES:
        expected = case.with_suffix(".diagnostics.txt")
        if expected.exists():
            codes |= {
                line.split(": ", 2)[1].split(" ")[0] for line in expected.read_text().splitlines() if ": MLG" in line
            }
    required = {
        "MLG100",  # YAML syntax
        "MLG102",  # alias expansion / nesting
        "MLG103",  # duplicate key
        "MLG110",  # unknown key
        "MLG111",  # missing field
        "MLG112",  # wrong type
        "MLG113",  # bad enum
        "MLG114",  # bad value
        "MLG115",  # unknown step type
        "MLG120",  # several tuning objectives
        "MLG121",  # an SDK word for a training option
        "MLG131",  # a language version newer than this mlopsgen
        "MLG201",  # dangling step reference
        "MLG202",  # dangling parameter reference
        "MLG203",  # unknown output
        "MLG204",  # unknown property file
        "MLG205",  # wrong kind of step referenced
        "MLG301",  # duplicate names
        "MLG302",  # cycles
        "MLG312",  # duplicate target account / OU
        "MLG313",  # cross-account model outside the artifact bucket
        "MLG314",  # stack set role names too long
        "MLG320",  # required security control missing
        "MLG357",  # processing code with entry_point, or requirements without source_dir
        "MLG358",  # processing entry_point below source_dir's top, requirements not in it
        "MLG359",  # text runproc.sh cannot hold unquoted
        "MLG360",  # spot wait shorter than the run
        "MLG361",  # warm pool on spot
        "MLG362",  # Pipe-only channel option in another mode
        "MLG363",  # distribution on an image without a launcher
        "MLG364",  # distribution options of another type
        "MLG365",  # Hyperband settings
        "MLG399",  # registry names over 64 characters
        "MLG404",  # both CI backends, no trigger owner
        "MLG405",  # trigger owner not a backend
        "MLG406",  # CodePipeline file path filter too long
        "MLG445",  # deploy_from_hub into OUs
        "MLG446",  # promotion principals with the CodePipeline backend
    }
    assert len(CASES) >= 30
    assert required <= codes, f"corpus lacks {sorted(required - codes)}"
