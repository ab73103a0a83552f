"""The one pipeline: load → validate → check → plan → emit; the CLI and the seed Lambda call this.

Pure apart from reading the blueprint and its code files when given a path: no writes, network,
clock or randomness. Writing and comparing against disk live in ``output.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from mlopsgen.blueprint.checks import CHECKS, Issue
from mlopsgen.blueprint.checks_checks import CHECK_STEP_CHECKS
from mlopsgen.blueprint.checks_clarify import CLARIFY_CHECKS
from mlopsgen.blueprint.checks_external import EXTERNAL_CHECKS
from mlopsgen.blueprint.checks_monitoring import MONITORING_CHECKS
from mlopsgen.blueprint.checks_rollout import ROLLOUT_CHECKS
from mlopsgen.blueprint.lazy import eager_schema
from mlopsgen.blueprint.limits import LIMIT_CHECKS
from mlopsgen.blueprint.loader import Loaded
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.partial import Salvaged, salvage
from mlopsgen.blueprint.paths import display_path
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.schema_docs import DocumentedSchema
from mlopsgen.blueprint.secrets import find_secrets
from mlopsgen.blueprint.serving import SERVING_CHECKS
from mlopsgen.blueprint.stage_batch_checks import BATCH_CHECKS
from mlopsgen.blueprint.stage_serving_checks import STAGE_SERVING_CHECKS
from mlopsgen.blueprint.training_checks import TRAINING_CHECKS
from mlopsgen.blueprint.validate import validate_spec
from mlopsgen.blueprint.versions import upgrade
from mlopsgen.errors import Diagnostic
from mlopsgen.frozen import frozen
from mlopsgen.manifest import MANIFEST, Manifest, sha256
from mlopsgen.plan.build import build_plan
from mlopsgen.plan.model import Plan
from mlopsgen.reading import (
    BlueprintInput,
    code_lister,
    mapping_lister,
    read_input,
    repository_blueprint_dir,
    unsafe_name,
)
from mlopsgen.targets import TARGETS
from mlopsgen.targets.base import OutputFile
from mlopsgen.views.summary import summarize
from mlopsgen.views.triggers import trigger_notes as trigger_notes  # the CLI's `validate` prints these

Engine = Literal["native", "sdk"]


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


@frozen
class RenderResult:
    """What rendering one blueprint produced.

    Attributes:
        name: The blueprint's file stem (of the path, or of ``name=``), which is also its output
            folder; the project name when text or data is rendered without ``name=``.
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
    warnings: list[Diagnostic] = field(default_factory=list)
    """Problems that do not stop rendering (a deprecated language version, MLG130); printed, exit code 0."""

    @property
    def ok(self) -> bool:
        """True when the blueprint had no problems."""
        return not self.diagnostics

    @property
    def manifest(self) -> str:
        """The manifest (``mlopsgen.manifest.json``) that ``mlopsgen render`` writes beside the files.

        ``mlopsgen check`` reads it to tell mlopsgen's files from the user's; a folder seeded without
        it fails the check. Empty when there are diagnostics.
        """
        if not self.ok:
            return ""
        owned = {path: sha256(content) for path, content in self.files.items()}
        return Manifest(self.blueprint, owned, [], self.summary).to_text()

    @property
    def tree(self) -> dict[str, str | bytes]:
        """Every file of a fresh output folder, manifest included, as ``mlopsgen render`` writes it.

        Write these under ``generated/<name>/`` (text as UTF-8) and the folder passes ``mlopsgen check``.
        """
        return {**self.files, MANIFEST: self.manifest} if self.ok else {}


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
    blueprint: BlueprintInput,
    *,
    name: str | None = None,
    code: Mapping[str, bytes] | None = None,
    warnings: list[Diagnostic] | None = None,
) -> tuple[Plan | None, list[Diagnostic]]:
    """Run load → upgrade → validate → check → plan for one blueprint.

    Args:
        blueprint: YAML text (str, or UTF-8 bytes), a path, or parsed data.
        name: Display name for diagnostics (default: the path, ``<string>`` or ``<mapping>``).
        code: Code file contents by blueprint-relative path; default for a path: read beside it.
        warnings: When given, warnings are appended to it (an older language version, MLG130). They
            never stop the plan, so the returned diagnostics stay "empty means it renders".

    Returns:
        The Plan (None when there are diagnostics) and every diagnostic found.

    Raises:
        TypeError: ``blueprint`` is none of text, bytes, a path or a mapping.
    """
    refused = unsafe_name(blueprint, name)
    if refused:
        return None, [refused]
    loaded, display, read_code = read_input(blueprint, name, code)
    diagnostics = list(loaded.diagnostics)
    if loaded.data is None:
        return None, _sorted(diagnostics)
    upgraded = upgrade(loaded)  # an older language version is read as the current one, positions kept
    if warnings is not None:
        warnings += upgraded.warnings
    if upgraded.errors:
        return None, _sorted(diagnostics + upgraded.errors)
    loaded = upgraded.loaded
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
    from_disk = isinstance(blueprint, Path) and code is None
    lister = code_lister(blueprint.parent) if isinstance(blueprint, Path) and from_disk else mapping_lister(code or {})
    plan, issues = build_plan(
        spec, display.replace("\\", "/").rsplit("/", 1)[-1], read_code, blueprint_dir=located, list_code=lister
    )
    diagnostics += _issues_to_diagnostics(loaded, issues)
    if plan is None or diagnostics:
        return None, _sorted(diagnostics)
    return plan, []


def _check(spec: BlueprintSpec) -> list[Issue]:
    scope = Scope.of(spec)
    issues: list[Issue] = []
    for check in (
        *CHECKS,
        *SERVING_CHECKS,
        *STAGE_SERVING_CHECKS,
        *TRAINING_CHECKS,
        *LIMIT_CHECKS,
        *EXTERNAL_CHECKS,
        *CHECK_STEP_CHECKS,
        *CLARIFY_CHECKS,
        *ROLLOUT_CHECKS,
        *BATCH_CHECKS,
        *MONITORING_CHECKS,
    ):
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
        name: The blueprint's file name (``abalone.yaml``) when ``blueprint`` is not a path. It is not
            only a label: diagnostics start with it, every generated file's header and the manifest
            name it, and its stem is the output folder (``result.name``). Give the name the file
            has in the repository to get the files ``mlopsgen render`` writes there, byte for byte;
            without it, text is named ``<string>`` and the folder after the project.
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
    warnings: list[Diagnostic] = []
    plan, diagnostics = plan_blueprint(blueprint, name=name, code=code, warnings=warnings)
    if name is not None:
        stem = Path(name).stem  # the CLI's output folder: the file stem
    elif isinstance(blueprint, Path):
        stem = blueprint.stem
    else:
        stem = plan.project.name if plan else "blueprint"
    if plan is None:
        return RenderResult(stem, {}, diagnostics, warnings=warnings)
    files = emit_all(plan, engine=engine)
    return RenderResult(stem, {f.path: f.content for f in files}, [], plan.blueprint, summarize(plan), warnings)


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
    with eager_schema(BlueprintSpec):  # the real models of every lazily loaded section (blueprint/lazy.py)
        data = BlueprintSpec.model_json_schema(by_alias=True, schema_generator=DocumentedSchema)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "mlopsgen blueprint"
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
