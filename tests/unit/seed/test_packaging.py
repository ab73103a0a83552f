"""The Lambda zip: Linux wheels, no CLI-only deps, hash pycs, reproducible, renders from a read-only copy."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlopsgen import packaging
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two builds of the x86_64 zip (pip's cache serves the second download)."""
    folder = tmp_path_factory.mktemp("lambda")
    try:
        for name in ("a.zip", "b.zip"):
            packaging.build(folder / name, arch="x86_64", templates=[ROOT / "blueprints"])
    except subprocess.CalledProcessError as exc:  # offline without pip's cache: nothing to build from
        pytest.skip(f"pip download failed (offline?): {exc.stderr[-300:]}")
    return folder / "a.zip", folder / "b.zip"


def test_the_zip_is_reproducible_and_small(built: tuple[Path, Path]) -> None:
    first, second = built
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size <= 15 * 1024 * 1024


def test_the_zip_holds_linux_wheels_and_no_cli_only_dependencies(built: tuple[Path, Path]) -> None:
    names = zipfile.ZipFile(built[0]).namelist()
    assert any(n.startswith("pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu") for n in names)
    assert not any(n.split("/")[0] in ("typer", "rich", "click", "sagemaker", "boto3") for n in names)
    assert "mlopsgen/cli.py" not in names and "mlopsgen/seed/handler.py" in names
    assert "mlopsgen/seed/__pycache__/handler.cpython-311.pyc" in names
    assert "seed-templates/blueprints/abalone.yaml" in names


def test_the_unpacked_zip_renders_from_a_read_only_folder_with_stdlib_only(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """As on Lambda: /var/task read-only, no site-packages; the pycs are used (nothing to write)."""
    task = tmp_path / "task"
    zipfile.ZipFile(built[0]).extractall(task)
    for here, dirs, files in os.walk(task):
        for name in [*dirs, *files, "."]:
            path = Path(here) / name
            os.chmod(path, stat.S_IMODE(path.stat().st_mode) & ~0o222)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from mlopsgen.seed.handler import load_template; from mlopsgen.seed.template import seed_repository;"
        "b = load_template({'Shipped': 'blueprints'}, 'abalone.yaml');"
        "s = seed_repository(b, 'abalone.yaml', {});"
        "assert s.ok, s.diagnostics; print(len(s.files));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'boto3', 'click')))"
    )
    env = {"LAMBDA_TASK_ROOT": str(task), "PATH": os.environ["PATH"]}
    try:
        proc = subprocess.run([sys.executable, "-S", "-c", script, str(task)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[1] == "[]"
    finally:
        for here, dirs, _ in os.walk(task):
            for name in [*dirs, "."]:
                os.chmod(Path(here) / name, 0o755)


ELF_MACHINES = {62: "x86_64", 183: "AArch64"}  # e_machine: EM_X86_64, EM_AARCH64 (System V ABI)


def elf_machines(zip_path: Path) -> dict[str, str]:
    """Each ELF file of the zip → its machine, read from the ELF header (offset 18, as the byte order says)."""
    machines = {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            head = archive.open(name).read(20)
            if head[:4] == b"\x7fELF":
                machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
                machines[name] = ELF_MACHINES.get(machine, str(machine))
    return machines


@pytest.fixture(scope="module")
def built_arm64(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lambda-arm64") / "arm64.zip"
    try:
        packaging.build(path, arch="arm64")
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"pip download failed (offline?): {exc.stderr[-300:]}")
    return path


def test_the_arm64_zip_holds_only_aarch64_binaries(built_arm64: Path) -> None:
    machines = elf_machines(built_arm64)
    assert any(n.startswith("pydantic_core/_pydantic_core.cpython-311-aarch64-linux-gnu") for n in machines)
    assert machines and set(machines.values()) == {"AArch64"}, machines
    assert built_arm64.stat().st_size <= 15 * 1024 * 1024


def test_the_x86_64_zip_holds_only_x86_64_binaries(built: tuple[Path, Path]) -> None:
    machines = elf_machines(built[0])
    assert machines and set(machines.values()) == {"x86_64"}, machines
