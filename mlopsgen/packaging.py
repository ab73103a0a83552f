"""mlopsgen sources + Linux wheels of its runtime dependencies → a reproducible AWS Lambda zip.

For ``mlopsgen package-lambda``: the zip holds what the seed Lambda imports and nothing the CLI
alone needs (typer, rich, click, the SDK engine, the Guard audit). Compiled dependencies
(pydantic-core, PyYAML, MarkupSafe) come as manylinux wheels for the runtime's architecture and
Python, downloaded with pip. Every source is byte-compiled with unchecked-hash pycs, because
``/var/task`` is read-only (Python could not cache them) and a hash pyc does not depend on file
times. Entries are sorted with fixed times and modes: the same inputs give the same bytes.
Not on the render path; the only module besides the CLI that runs a subprocess.
"""

from __future__ import annotations

import compileall
import importlib.metadata
import io
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from mlopsgen.frozen import frozen

ARCHITECTURES = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
# Runtime dependencies of the render path, pinned to the versions installed here, so the Lambda
# renders exactly what this machine's `mlopsgen render` does.
RUNTIME_DISTRIBUTIONS = ("pydantic", "PyYAML", "Jinja2")
# CLI-only or optional parts of the package: never imported by the handler.
EXCLUDED = (
    "mlopsgen/cli.py",
    "mlopsgen/cli_report.py",
    "mlopsgen/__main__.py",
    "mlopsgen/audit/",
    "mlopsgen/targets/sagemaker_sdk",  # the SDK engine and its helper modules (sagemaker_sdk_*.py)
    "mlopsgen/packaging.py",
    "mlopsgen/project_template.py",
)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
HANDLER = "mlopsgen.seed.handler.handler"


@frozen
class Package:
    """A built zip: where, how big, and the size of each top-level part (uncompressed bytes)."""

    path: Path
    size: int
    parts: dict[str, int]


def requirements() -> list[str]:
    """``name==version`` for each runtime dependency, as installed alongside this mlopsgen."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in RUNTIME_DISTRIBUTIONS]


def download_wheels(dest: Path, arch: str, python: str, pip_args: Iterable[str] = ()) -> list[Path]:
    """Download the runtime dependencies' wheels for Lambda's Linux (binary wheels only).

    Raises:
        subprocess.CalledProcessError: pip failed (no network and no cache, or no such wheel).
    """
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--only-binary=:all:", "--platform", ARCHITECTURES[arch], "--python-version", python,
        "--implementation", "cp", "--dest", str(dest), *pip_args, *requirements(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, text=True)
    return sorted(dest.glob("*.whl"))


def _stage_sources(stage: Path) -> None:
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*")):
        rel = "mlopsgen/" + source.relative_to(package).as_posix()
        if source.is_dir() or "__pycache__" in rel or any(rel.startswith(x) for x in EXCLUDED):
            continue
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, stage / rel)


def _stage_wheels(stage: Path, wheels: list[Path]) -> None:
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith("/RECORD") or name.endswith("/"):
                    continue  # RECORD lists hashes of files we then byte-compile beside; nothing reads it
                target = stage / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))


def _stage_templates(stage: Path, templates: Iterable[Path]) -> None:
    for folder in templates:
        for source in sorted(p for p in folder.rglob("*") if p.is_file()):
            target = stage / "seed-templates" / folder.name / source.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _zip(stage: Path, output: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, path.read_bytes())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(buffer.getvalue())


def build(
    output: Path,
    *,
    arch: str = "x86_64",
    templates: Iterable[Path] = (),
    wheels: list[Path] | None = None,
    pip_args: Iterable[str] = (),
) -> Package:
    """Build the Lambda zip for the running Python's version (the Lambda runtime must match it).

    Args:
        output: The zip to write.
        arch: ``x86_64`` or ``arm64`` (the function's architecture).
        templates: Template folders to ship under ``seed-templates/<folder name>/``.
        wheels: Wheels to use instead of downloading (tests, air-gapped builds).
        pip_args: Extra ``pip download`` arguments (``--find-links``, ``--no-index``).

    Returns:
        The zip and its size report.

    Raises:
        ValueError: An unknown architecture.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"--arch must be one of {', '.join(ARCHITECTURES)}, not {arch!r}")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory(prefix="mlopsgen-lambda-") as work:
        stage = Path(work) / "stage"
        stage.mkdir()
        found = wheels if wheels is not None else download_wheels(Path(work) / "wheels", arch, python, pip_args)
        _stage_wheels(stage, found)
        _stage_sources(stage)
        _stage_templates(stage, templates)
        # Unchecked-hash pycs: used as they are on a read-only /var/task, whatever the files' times.
        compileall.compile_dir(
            stage, quiet=2, optimize=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            workers=1, ddir="",
        )  # fmt: skip
        parts: dict[str, int] = {}
        for path in stage.rglob("*"):
            if path.is_file():
                top = path.relative_to(stage).parts[0]
                parts[top] = parts.get(top, 0) + path.stat().st_size
        _zip(stage, output)
    return Package(output, os.path.getsize(output), dict(sorted(parts.items(), key=lambda kv: -kv[1])))
