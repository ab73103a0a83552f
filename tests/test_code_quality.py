"""The project's own habits, enforced in the suite: ruff lint + format and mypy --strict."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint() -> None:
    proc = _run("ruff", "check", "mlopsgen", "tests", "scripts", "bench")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_format() -> None:
    proc = _run("ruff", "format", "--check", "mlopsgen", "tests", "scripts", "bench")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_mypy_strict() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout[-4000:]
