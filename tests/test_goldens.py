"""generated/ equals a fresh render of every example blueprint (the same comparison `mlopsgen check` runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlopsgen
from mlopsgen.output import diff_files, write_files

from .conftest import BLUEPRINTS, ROOT


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_generated_matches_fresh_render(blueprint: Path, update_goldens: bool) -> None:
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    folder = ROOT / "generated" / blueprint.stem
    if update_goldens:
        write_files(result.files, folder, blueprint=result.blueprint, summary=result.summary, force=True)
    drift = diff_files(result.files, folder, blueprint=result.blueprint, summary=result.summary)
    assert not drift, "\n".join(f"{d.kind} {d.path}\n{d.diff}" for d in drift)


def test_every_generated_folder_has_a_blueprint() -> None:
    folders = {p.name for p in (ROOT / "generated").iterdir() if p.is_dir()}
    assert folders == {b.stem for b in BLUEPRINTS}


def test_examples_are_the_three_documented_ones() -> None:
    assert {b.stem for b in BLUEPRINTS} >= {"abalone", "churn", "fraud_secure"}


def _render_with_seed(seed: str, out: Path) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "mlopsgen", "render", "-o", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_render_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    first = _render_with_seed("0", tmp_path / "a")
    second = _render_with_seed("4242", tmp_path / "b")
    third = _render_with_seed("random", tmp_path / "c")
    assert first, "render wrote nothing"
    assert first == second == third


def test_generated_files_use_lf_and_end_with_newline() -> None:
    for path in (ROOT / "generated").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"\r" not in data, path
            assert data.endswith(b"\n"), path
