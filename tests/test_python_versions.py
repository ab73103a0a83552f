"""Same bytes on every Python the package supports that this machine has (3.10+): each interpreter
gets a fresh virtualenv with mlopsgen installed from this checkout and renders every example."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def _interpreters() -> dict[str, str]:
    """Python 3.10+ interpreters other than the running one, by minor version."""
    found: dict[str, str] = {}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(10, 15)]
    candidates += sorted(glob.glob("/root/.pyenv/versions/3.1[0-9]*/bin/python3"))
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    for path in filter(None, candidates):
        proc = subprocess.run(
            [path, "-c", "import sys; print(f'{sys.version_info.major}.{sys.version_info.minor}')"],
            capture_output=True,
            text=True,
        )
        version = proc.stdout.strip()
        if proc.returncode == 0 and version != running and version not in found:
            found[version] = path
    return found


INTERPRETERS = _interpreters()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not INTERPRETERS, reason="no other Python 3.10+ interpreter on this machine")
@pytest.mark.parametrize("version", sorted(INTERPRETERS))
def test_render_is_byte_identical_on_other_pythons(version: str, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([INTERPRETERS[version], "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, install.stderr[-2000:]
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(venv / "bin" / "mlopsgen"), "render", "-o", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _tree(out) == _tree(ROOT / "generated"), f"Python {version} renders different bytes"
