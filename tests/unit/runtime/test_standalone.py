"""The runtime scripts are copied verbatim into generated repositories: stdlib + boto3 only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[3] / "mlopsgen" / "runtime"
SCRIPTS = ["run_pipeline.py", "deploy_config.py", "test_endpoint.py", "deploy_stackset.py", "notify.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_imports_only_stdlib_and_boto3(script: str) -> None:
    tree = ast.parse((RUNTIME / script).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports in a standalone script"
            imported.add((node.module or "").split(".")[0])
    # run_pipeline.py packs source directories with sourcedir.py, copied beside it into generated trees
    # (tests/unit/test_source_dirs.py); inside the package it falls back to mlopsgen.runtime.sourcedir.
    allowed = {"boto3", "sourcedir", "mlopsgen"} if script == "run_pipeline.py" else {"boto3"}
    assert imported - set(sys.stdlib_module_names) <= allowed


def test_the_packer_is_stdlib_only() -> None:
    tree = ast.parse((RUNTIME / "sourcedir.py").read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module != "__future__"}
    assert {m.split(".")[0] for m in modules} <= set(sys.stdlib_module_names)


def test_run_pipeline_packs_with_the_copy_beside_it(tmp_path: Path) -> None:
    """In a generated tree, the sibling sourcedir.py is the packer (no mlopsgen installed there)."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("run_pipeline.py", "sourcedir.py"):
        (scripts / name).write_bytes((RUNTIME / name).read_bytes())
    (scripts / "sourcedir.py").write_text((RUNTIME / "sourcedir.py").read_text() + "\nSIBLING = True\n")
    probe = "import sys; sys.path.insert(0, 'scripts'); import run_pipeline; print(run_pipeline._sourcedir().SIBLING)"
    proc = subprocess.run([sys.executable, "-I", "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert proc.stdout.strip() == "True", proc.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_runs_as_a_file_outside_the_package(script: str, tmp_path: Path) -> None:
    copy = tmp_path / "scripts" / script
    copy.parent.mkdir()
    copy.write_bytes((RUNTIME / script).read_bytes())
    proc = subprocess.run(
        [sys.executable, "-I", f"scripts/{script}", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: {script}")
    assert "Exit codes: 0" in " ".join(proc.stdout.split())


def _block(script: str, start: str, end: str) -> str:
    text = (RUNTIME / script).read_text()
    return text[text.index(start) : text.index(end, text.index(start))]


def test_project_tag_block_is_the_same_in_both_scripts() -> None:
    """run_pipeline.py and deploy_config.py each carry the project-tag code (they stand alone): one copy."""
    start, end = "# ---- project tags", "def merge_project_tags"
    assert _block("run_pipeline.py", start, end) == _block("deploy_config.py", start, end)
    start, end = "def merge_project_tags", "return merged\n"
    assert _block("run_pipeline.py", start, end) == _block("deploy_config.py", start, end)
