"""How the CLI prints what it found: diagnostics, filesystem errors, drift and clashes (text, JSON, GitHub).

Split out of ``cli.py`` so the command module holds only argument parsing and the flow between api calls;
every function here prints with ``typer.echo`` and returns an exit code or a JSON-ready record, so it stays
in the CLI layer (import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from mlopsgen import api
from mlopsgen.errors import Diagnostic
from mlopsgen.output import Drift, OutputError


class Format(str, Enum):
    """How problems are printed."""

    text = "text"
    json = "json"
    github = "github"


class DiffFormat(str, Enum):
    """How a diff is printed."""

    unified = "unified"
    markdown = "markdown"


def github_annotation(properties: dict[str, object], message: str, level: str = "error") -> str:
    """One ``::error`` (or ``::warning``) workflow command, escaped so no value can end it or start another.

    GitHub's own toolkit rules (``@actions/core`` ``command.ts``): data escapes ``%``, CR and LF;
    property values escape those and ``:`` and ``,`` too. A file name or message holding a newline
    could otherwise forge a second command such as ``::warning``.
    ref: https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
    """

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(value: object) -> str:
        return data(str(value)).replace(":", "%3A").replace(",", "%2C")

    props = ",".join(f"{key}={prop(value)}" for key, value in properties.items())
    return f"::{level} {props}::{data(message)}"


def _diagnostic(d: Diagnostic, fmt: Format, level: str = "error") -> str:
    if fmt is Format.github:
        line = d.pos.line if d.pos else 1
        col = d.pos.col if d.pos else 1
        message = d.message + (f" ({d.hint})" if d.hint else "")
        return github_annotation({"file": d.file, "line": line, "col": col, "title": d.code}, message, level)
    return d.format()


def report(results: list[api.RenderResult], fmt: Format, *, json_when_clean: bool = True) -> int:
    """Print every diagnostic; with ``json_when_clean`` False, JSON is printed only if there are some.

    Warnings (a deprecated language version) are printed too but never change the exit code: as
    ``file:line:col: CODE message`` on stderr (stdout keeps only what fails the run), as ``::warning``
    annotations for GitHub, and under ``"warnings"`` in the JSON document when one is printed (else on
    stderr as text, so stdout never holds two JSON documents).
    """
    diagnostics = [d for r in results for d in r.diagnostics]
    warnings = [w for r in results for w in r.warnings]
    in_json = fmt is Format.json and bool(diagnostics or json_when_clean)
    if in_json:
        document: dict[str, object] = {"diagnostics": [d.to_dict() for d in diagnostics]}
        if warnings:
            document["warnings"] = [w.to_dict() for w in warnings]
        typer.echo(json.dumps(document, indent=2))
    elif fmt is not Format.json:
        for diagnostic in diagnostics:
            typer.echo(_diagnostic(diagnostic, fmt))
    for warning in [] if in_json else warnings:
        typer.echo(_diagnostic(warning, fmt, "warning"), err=fmt is not Format.github)
    if diagnostics:
        typer.echo(f"{len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''} found", err=True)
    return 1 if diagnostics else 0


REFUSED = {
    "hand-edited": "hand-edited, not overwritten",
    "unowned": "unowned, not overwritten",
    "edited-orphan": "hand-edited and no longer generated, not removed",
    "symlink": "replaced by a symlink, not followed nor overwritten",
}


def report_error(exc: OutputError, fmt: Format) -> dict[str, str]:
    """Print a filesystem problem naming its path (text and github now; JSON by the caller)."""
    if fmt is Format.github:
        message = exc.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        typer.echo(f"::error file={_escape(exc.path)},title=mlopsgen::{message}")
    elif fmt is Format.text:
        typer.echo(f"error: {exc}", err=True)
    return {"path": exc.path, "message": exc.message}


def _escape(text: str) -> str:
    """A GitHub workflow command property (file=...), escaped as the runner decodes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def collisions(paths: list[Path], results: list[api.RenderResult], fmt: Format) -> int:
    """Exit code 1 when two blueprints would render into one folder (``x.yaml`` and ``x.yml``, or two folders)."""
    seen: dict[str, Path] = {}
    clashes = []
    for path, result in zip(paths, results, strict=True):
        other = seen.setdefault(result.name.casefold(), path)
        if other != path:
            clashes.append(
                OutputError(path, f"renders into the same output folder '{result.name}' as {other}; rename one")
            )
    errors = [report_error(clash, fmt) for clash in clashes]
    if errors and fmt is Format.json:
        typer.echo(json.dumps({"diagnostics": [], "errors": errors}, indent=2))
    return 1 if clashes else 0


def drift_line(folder: Path, drift: Drift, fmt: Format) -> str:
    """One line of `mlopsgen check` output for a drifted file, worded for the user (or a GitHub annotation)."""
    text = {
        "changed": "out of date",
        "missing": "missing",
        "orphaned": "no longer generated",
        "hand-edited": "edited by hand",
        "unowned": "not written by mlopsgen",
        "edited-orphan": "edited by hand, no longer generated",
        "symlink": "replaced by a symlink",
        "leftover": "left by an interrupted render; the next render recovers it",
    }[drift.kind]
    if fmt is Format.github:
        return github_annotation(
            {"file": shown(folder, drift), "title": "mlopsgen check"}, f"{text}; run mlopsgen render"
        )
    return f"{shown(folder, drift)}: {drift.kind} ({text})"


def shown(folder: Path, drift: Drift) -> Path:
    """The drift's path as the user names it (a leftover sits beside the folder)."""
    return folder.parent / drift.path[3:] if drift.kind == "leftover" else folder / drift.path
