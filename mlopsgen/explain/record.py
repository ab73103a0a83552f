"""Blueprint → Plan → every target's files, with the provenance the emitters kept, as one origin per line.

The map is made by re-rendering on demand rather than stored beside the output: ``generated/`` stays
exactly what ``mlopsgen render`` writes (no sidecar to commit, review and merge), and a render takes a
fraction of a second. ``explain`` checks the file on disk equals the re-rendered one before it trusts
the line numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlopsgen import api, provenance
from mlopsgen.blueprint.loader import SourceMap, load_blueprint
from mlopsgen.errors import Diagnostic
from mlopsgen.frozen import frozen
from mlopsgen.manifest import MANIFEST
from mlopsgen.plan import model as ir
from mlopsgen.provenance import Line, Origin
from mlopsgen.targets import TARGETS
from mlopsgen.views.summary import summarize

SECTIONS: dict[str, Callable[[ir.Plan], object]] = {
    "sagemaker": lambda plan: plan.pipeline,
    "pipeline_policy": lambda plan: plan.pipeline,
    "endpoint": lambda plan: plan.deploy,
    "multi_account": lambda plan: plan.deploy,
    "codebuild": lambda plan: plan.ci,
    "codepipeline": lambda plan: plan.ci,
    "scripts": lambda plan: plan.ci,
    "jenkins": lambda plan: plan.ci,
    "jenkins_trigger": lambda plan: plan.ci,
    "guardrails": lambda plan: plan.security,
    "hub": lambda plan: plan.registry,
}
"""The Plan section each target emits from: the scope of a line no finer scope claims. A target not
listed here (a new one) falls back to the project, which every blueprint has."""

MANIFEST_ORIGIN = Origin("output folder manifest (the whole blueprint)", (("project",),))


@frozen
class Recorded:
    """A recorded render: each file's content and per-line origins, and the blueprint's positions."""

    files: dict[str, str | bytes]
    lines: dict[str, list[Line]]
    source: SourceMap
    data: Any


def record(
    blueprint: Path | str, *, name: str | None = None, code: Mapping[str, bytes] | None = None
) -> tuple[Recorded | None, list[Diagnostic]]:
    """Render ``blueprint`` with provenance recording on.

    Args:
        blueprint: The blueprint file, or its YAML text (positions need the text).
        name: The blueprint's file name, for text (as ``api.render`` takes it).
        code: Code files by blueprint-relative path, for text.

    Returns:
        The recorded render, or None with the blueprint's diagnostics when it does not render.
    """
    plan, diagnostics = api.plan_blueprint(blueprint, name=name, code=code)
    if plan is None:
        return None, diagnostics
    text = blueprint.read_text(encoding="utf-8") if isinstance(blueprint, Path) else blueprint
    loaded = load_blueprint(text, str(blueprint) if isinstance(blueprint, Path) else name or "<string>")
    project = plan.origins.get(plan.project) or Origin("project", (("project",),))
    lines: dict[str, list[Line]] = {}
    files: dict[str, str | bytes] = {}
    with provenance.recording(plan.origins) as recorder:
        for target_name, target in TARGETS.items():
            emitted = target.emit(plan)
            section = SECTIONS.get(target_name)
            fallback = (plan.origins.get(section(plan)) if section else None) or project
            for out in emitted:
                files[out.path] = out.content
                default = recorder.files.get(out.path) or fallback
                lines[out.path] = _lines(out.content, default, recorder.placed.get(out.path, []))
    result = api.RenderResult("", files, [], plan.blueprint, summarize(plan))
    manifest = result.manifest
    files[MANIFEST] = manifest
    lines[MANIFEST] = [Line(MANIFEST_ORIGIN) for _ in manifest.splitlines()]
    return Recorded(files, lines, loaded.source, loaded.data), []


def _lines(content: str | bytes, default: Origin, placed: list[tuple[int, provenance.Fragment]]) -> list[Line]:
    """Each line's origin: the writers' fragments the file claimed, over the file's own scope."""
    if isinstance(content, bytes):
        count = len(content.decode("utf-8", errors="replace").splitlines())
        return [Line(default) for _ in range(count)]
    out = [Line(default) for _ in content.splitlines()]
    # Claimed latest first (outer text is written after the inner text it holds): apply in that order,
    # so the finer, earlier fragments win where both cover a line.
    for first, fragment in placed:
        scope = fragment.scope or default
        for n, line in enumerate(fragment.lines):
            if first + n < len(out):
                out[first + n] = Line(line.origin or scope, line.pointer)
    return out
