"""The one pipeline: load → validate → check → plan → emit; the CLI and the seed Lambda call this.

Pure apart from reading the blueprint and its code files when given a path: no writes, network,
clock or randomness. Writing and comparing against disk live in ``output.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlopsgen.blueprint.checks import CHECKS, Issue
from mlopsgen.blueprint.checks_checks import CHECK_STEP_CHECKS
from mlopsgen.blueprint.limits import LIMIT_CHECKS
from mlopsgen.blueprint.loader import Loaded, SourceMap, load_blueprint
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.partial import Salvaged, salvage
from mlopsgen.blueprint.paths import display_path
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.schema_docs import DocumentedSchema
from mlopsgen.blueprint.secrets import find_secrets
from mlopsgen.blueprint.serving import SERVING_CHECKS
from mlopsgen.blueprint.validate import validate_spec
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.plan.build import build_plan
from mlopsgen.plan.build_base import CodeRefused, ReadCode
from mlopsgen.plan.model import Plan
from mlopsgen.targets import TARGETS
from mlopsgen.targets.base import OutputFile
from mlopsgen.views.summary import summarize
from mlopsgen.views.triggers import trigger_notes as trigger_notes  # the CLI's `validate` prints these

Engine = Literal["native", "sdk"]
BlueprintInput = str | bytes | Path | Mapping[str, Any]
"""YAML text (``bytes`` are read as UTF-8), a path to a blueprint file, or already-parsed data."""


ENGINES: tuple[Engine, ...] = ("native", "sdk")


class EngineUnavailableError(ImportError):
    """The sdk engine was asked for but the SageMaker SDK (the ``sdk`` extra) is not installed."""


def _sdk_installed() -> bool:
    # find_spec locates the package without importing it (the import costs seconds).
    return importlib.util.find_spec("sagemaker") is not None


def check_engine(engine: str) -> None:
    """Refuse an engine that does not exist or cannot run here, before any work is done.

    Raises:
        ValueError: ``engine`` is not one of ``ENGINES`` (a typo must not silently mean native).
        EngineUnavailableError: ``sdk`` without the ``sdk`` extra installed.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "sdk" and not _sdk_installed():
        raise EngineUnavailableError(
            "the sdk engine needs the SageMaker SDK: install the extra with pip install 'mlopsgen[sdk]'"
        )


@dataclass(frozen=True)
class RenderResult:
    """What rendering one blueprint produced.

    Attributes:
        name: The blueprint's name: its file stem, which is also its output folder.
        files: Output path (relative to the output folder) → content; empty when there are diagnostics.
            Content is text, except for files copied as they are (a sample payload), which are bytes.
        diagnostics: Every problem found, in file order.
    """

    name: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    blueprint: str = ""
    """The blueprint's file name, as generated files and the manifest name it."""
    summary: dict[str, Any] = field(default_factory=dict)
    """The blueprint in reviewer terms (``views.summary``), kept in the manifest for later diffs."""

    @property
    def ok(self) -> bool:
        """True when the blueprint had no problems."""
        return not self.diagnostics


def repository_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git`` (a folder, or a file in a worktree).

    Args:
        folder: Where to start looking (an absolute path).

    Returns:
        The repository root, or None outside a Git checkout.
    """
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repository_blueprint_dir(blueprint: Path) -> str | None:
    """The blueprint's folder relative to its repository root, as CI (which runs there) must name it.

    Args:
        blueprint: The blueprint file.

    Returns:
        A POSIX relative path (``"."`` at the root), or None outside a Git checkout.
    """
    try:
        folder = blueprint.resolve().parent
    except OSError:
        return None
    root = repository_root(folder)
    return None if root is None else folder.relative_to(root).as_posix()


def _read(
    blueprint: BlueprintInput, name: str | None, code: Mapping[str, bytes] | None
) -> tuple[Loaded, str, ReadCode]:
    if isinstance(blueprint, Path):
        display = name or str(blueprint)
        if _leaves_repository(blueprint):
            message = "blueprint is a symlink resolving outside the repository; links must stay inside it"
            return _unusable(display, "MLG105", message), display, _no_code
        try:
            raw = blueprint.read_bytes()
        except OSError as exc:
            return _unusable(display, "MLG105", f"cannot read blueprint: {exc.strerror}"), display, _no_code
        root = blueprint.parent
        return _load_bytes(raw, display), display, code_reader(root) if code is None else _mapping_reader(code)
    reader = _mapping_reader(code or {})
    if isinstance(blueprint, str):
        display = name or "<string>"
        return load_blueprint(blueprint, display), display, reader
    if isinstance(blueprint, bytes | bytearray | memoryview):
        display = name or "<bytes>"
        return _load_bytes(bytes(blueprint), display), display, reader
    if not isinstance(blueprint, Mapping):
        # Anything else would serialise to a scalar and "validate" as an empty blueprint.
        raise TypeError(
            f"blueprint must be YAML text (str or UTF-8 bytes), a Path or a mapping, not {type(blueprint).__name__}"
        )
    display = name or "<mapping>"
    data = json.loads(json.dumps(blueprint, default=str))
    return Loaded(data if isinstance(data, dict) else None, SourceMap(display)), display, reader


def _leaves_repository(blueprint: Path) -> bool:
    """True for a blueprint inside a checkout that is (or passes through) a link out of it.

    ``mlopsgen check`` in CI reads every blueprint of a pull request: a committed link to
    ``/proc/self/environ`` would otherwise print the environment in YAML diagnostics.
    """
    try:
        root = repository_root(Path(os.path.abspath(blueprint.parent)))
        return root is not None and not blueprint.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def _unusable(display: str, code: str, message: str, pos: Position | None = None) -> Loaded:
    return Loaded(None, SourceMap(display), [Diagnostic(code, message, file=display, pos=pos or Position(1, 1))])


def _load_bytes(raw: bytes, display: str) -> Loaded:
    """Blueprint bytes (a file, or an S3 object in the seed Lambda) → loaded data, UTF-8 only."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"blueprint is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} is {exc.reason}"
        return _unusable(display, "MLG105", message, Position(line, col))
    return load_blueprint(text, display)


def _no_code(_: str) -> bytes | None:
    return None


def _mapping_reader(files: Mapping[str, bytes]) -> ReadCode:
    return lambda path: files.get(path)


def code_reader(root: Path) -> ReadCode:
    """Read code files relative to ``root`` (the blueprint's folder), never through a symlink out of the repository.

    The boundary is the repository holding ``root`` (nearest ``.git``), or ``root`` itself outside a
    checkout: CI hashes and uploads these files, so a link to ``/proc/self/environ`` or ``~/.aws``
    committed in a pull request must not be read.
    """
    try:
        top = root.resolve()
    except OSError:
        return _no_code
    boundary = repository_root(top) or top

    def read(path: str) -> bytes | None:
        target = root / path
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        if not real.is_relative_to(boundary):
            raise CodeRefused("is a symlink resolving outside the repository; links must stay inside it")
        try:
            return real.read_bytes() if real.is_file() else None
        except OSError:
            return None

    return read


def _issues_to_diagnostics(loaded: Loaded, issues: list[Issue]) -> list[Diagnostic]:
    return [
        Diagnostic(
            code=i.code,
            message=i.message,
            path=display_path(loaded.data, i.path),
            file=loaded.source.file,
            pos=loaded.source.locate(i.path, key=not i.at_value),
            hint=i.hint,
        )
        for i in issues
    ]


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique: dict[tuple[Any, ...], Diagnostic] = {}
    for d in diagnostics:
        unique.setdefault((d.code, d.pos, d.message), d)
    return sorted(unique.values(), key=Diagnostic.sort_key)


def plan_blueprint(
    blueprint: BlueprintInput, *, name: str | None = None, code: Mapping[str, bytes] | None = None
) -> tuple[Plan | None, list[Diagnostic]]:
    """Run load → validate → check → plan for one blueprint.

    Args:
        blueprint: YAML text (str, or UTF-8 bytes), a path, or parsed data.
        name: Display name for diagnostics (default: the path, ``<string>`` or ``<mapping>``).
        code: Code file contents by blueprint-relative path; default for a path: read beside it.

    Returns:
        The Plan (None when there are diagnostics) and every diagnostic found.

    Raises:
        TypeError: ``blueprint`` is none of text, bytes, a path or a mapping.
    """
    refused = _unsafe_name(blueprint, name)
    if refused:
        return None, [refused]
    loaded, display, read_code = _read(blueprint, name, code)
    diagnostics = list(loaded.diagnostics)
    if loaded.data is None:
        return None, _sorted(diagnostics)
    # Credentials are looked for in everything that loaded, so they are reported even beside schema errors.
    diagnostics += _issues_to_diagnostics(loaded, find_secrets(loaded.data))
    spec, schema_errors, error_paths = validate_spec(loaded)
    diagnostics += schema_errors
    # Every part that validated is still checked, so independent problems all come in this one run.
    salvaged = salvage(loaded.data, error_paths) if spec is None else Salvaged(spec)
    if salvaged.spec is None:
        return None, _sorted(diagnostics)
    spec = salvaged.spec
    issues = _check(spec)
    kept = [restored for restored in map(salvaged.restore, issues) if restored is not None]
    diagnostics += _issues_to_diagnostics(loaded, kept)
    if issues:  # the plan is built only from a consistent spec (references resolve, names are unique)
        return None, _sorted(diagnostics)
    # Only the file name reaches generated files: a directory would make output depend on the cwd.
    # CI runs at the repository root, so it names the blueprint's folder from there (code paths hang off it).
    located = repository_blueprint_dir(blueprint) if isinstance(blueprint, Path) else None
    plan, issues = build_plan(spec, display.replace("\\", "/").rsplit("/", 1)[-1], read_code, blueprint_dir=located)
    diagnostics += _issues_to_diagnostics(loaded, issues)
    if plan is None or diagnostics:
        return None, _sorted(diagnostics)
    return plan, []


SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}\.(?:yaml|yml)$", re.IGNORECASE)
"""Blueprint file names: they name the output folder and appear in comments of every generated file."""


def _unsafe_name(blueprint: BlueprintInput, name: str | None) -> Diagnostic | None:
    """MLG106 when the blueprint's file name could break generated files or escape the output root."""
    if name is None and not isinstance(blueprint, Path):
        return None
    display = name if name is not None else str(blueprint)
    base = display.replace("\\", "/").rsplit("/", 1)[-1]
    if SAFE_NAME.fullmatch(base):
        return None
    shown = ascii(display)[1:-1]  # newlines, DEL and undecodable bytes shown escaped, never printed raw
    return Diagnostic(
        "MLG106",
        f"blueprint file name '{ascii(base)[1:-1]}' is not allowed: it names the output folder and appears "
        "in generated files",
        file=shown,
        pos=Position(1, 1),
        hint="use letters, digits, '.', '_' and '-', starting with a letter, digit or '_', ending in .yaml or .yml",
    )


def _check(spec: BlueprintSpec) -> list[Issue]:
    scope = Scope.of(spec)
    issues: list[Issue] = []
    for check in (*CHECKS, *SERVING_CHECKS, *LIMIT_CHECKS, *CHECK_STEP_CHECKS):
        issues += check(spec, scope)
    return issues


def validate(
    blueprint: BlueprintInput, *, name: str | None = None, code: Mapping[str, bytes] | None = None
) -> list[Diagnostic]:
    """Validate a blueprint; an empty list means it renders.

    Args:
        blueprint: YAML text (str, or UTF-8 bytes), a path, or parsed data.
        name: Display name for diagnostics.
        code: Code file contents by blueprint-relative path (default for a path: read beside it).

    Returns:
        Every diagnostic found, in file order.

    Raises:
        TypeError: ``blueprint`` is none of text, bytes, a path or a mapping.
    """
    return plan_blueprint(blueprint, name=name, code=code)[1]


def render(
    blueprint: BlueprintInput,
    *,
    name: str | None = None,
    code: Mapping[str, bytes] | None = None,
    engine: Engine = "native",
) -> RenderResult:
    """Render every target of a blueprint in memory.

    Args:
        blueprint: YAML text (str, or UTF-8 bytes), a path, or parsed data.
        name: Display name for diagnostics.
        code: Code file contents by blueprint-relative path (default for a path: read beside it).
        engine: ``native`` (default) or ``sdk`` to build the pipeline definition with the SageMaker SDK
            (needs the ``sdk`` extra).

    Returns:
        The files, or the diagnostics explaining why there are none.

    Raises:
        TypeError: ``blueprint`` is none of text, bytes, a path or a mapping.
        ValueError: An unknown engine.
        EngineUnavailableError: ``engine="sdk"`` without the ``sdk`` extra.
    """
    check_engine(engine)
    plan, diagnostics = plan_blueprint(blueprint, name=name, code=code)
    stem = Path(blueprint).stem if isinstance(blueprint, Path) else (plan.project.name if plan else "blueprint")
    if plan is None:
        return RenderResult(stem, {}, diagnostics)
    files = emit_all(plan, engine=engine)
    return RenderResult(stem, {f.path: f.content for f in files}, [], plan.blueprint, summarize(plan))


def _render_path(args: tuple[Path, Engine]) -> RenderResult:
    return render(args[0], engine=args[1])


def render_many(
    paths: list[Path],
    *,
    engine: Engine = "native",
    jobs: int | None = None,
    progress: Callable[[RenderResult], None] | None = None,
) -> list[RenderResult]:
    """Render many blueprints, on all cores when there are enough to pay for the processes.

    Args:
        paths: Blueprint files.
        engine: As for ``render``.
        jobs: Worker processes (default: the CPU count; 1 renders in this process).
        progress: Called with each result as it completes (in completion order).

    Returns:
        The results, in the order of ``paths``.
    """
    check_engine(engine)
    workers = min(jobs or os.cpu_count() or 1, len(paths))
    if workers <= 1 or len(paths) < 8:  # a process pool costs ~0.3 s to start; not worth it for a few
        results = []
        for path in paths:
            results.append(render(path, engine=engine))
            if progress:
                progress(results[-1])
        return results
    from concurrent.futures import ProcessPoolExecutor, as_completed  # ~20 ms of imports; only needed here

    ordered: dict[int, RenderResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_render_path, (path, engine)): i for i, path in enumerate(paths)}
        for future in as_completed(futures):
            ordered[futures[future]] = future.result()
            if progress:
                progress(ordered[futures[future]])
    return [ordered[i] for i in range(len(paths))]


def emit_all(plan: Plan, *, engine: Engine = "native") -> list[OutputFile]:
    """Run every target on a plan; paths are unique across targets."""
    files: list[OutputFile] = []
    for target_name, target in TARGETS.items():
        if target_name == "sagemaker" and engine == "sdk":
            from mlopsgen.targets import sagemaker_sdk  # lazy: the SDK costs seconds and 300 MB

            files += sagemaker_sdk.emit(plan)
        else:
            files += target.emit(plan)
    return sorted(files, key=lambda f: f.path)


def schema() -> str:
    """The blueprint JSON Schema, as committed to ``schemas/blueprint.schema.json``."""
    data = BlueprintSpec.model_json_schema(by_alias=True, schema_generator=DocumentedSchema)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "mlopsgen blueprint"
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
