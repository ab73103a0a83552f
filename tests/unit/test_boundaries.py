"""Layering: the render path never loads the SDK, boto3 or typer; import-linter contracts hold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from tests.conftest import ROOT


def test_render_path_imports_no_heavy_dependencies() -> None:
    script = (
        "import sys, json, pathlib, mlopsgen;"
        "r = mlopsgen.render(pathlib.Path('blueprints/abalone.yaml'));"
        "assert r.ok;"
        # A version 1 blueprint is upgraded in memory, without ruamel.yaml (only `mlopsgen migrate` needs it).
        "old = pathlib.Path('blueprints/abalone.yaml').read_text().replace('version: 2', 'version: 1');"
        "assert mlopsgen.render(old, name='abalone.yaml').warnings;"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sagemaker', 'boto3', 'botocore', 'typer', 'click', 'ruamel'))))"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(ROOT / ".venv" / "bin")) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency"
    proc = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
