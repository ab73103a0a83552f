"""Command line → api calls → printed diagnostics and exit codes. No logic lives here.

Exit codes: 0 ok, 1 diagnostics or drift, 2 usage, 3 internal error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from mlopsgen import __version__, api
from mlopsgen.cli_report import (
    REFUSED,
    DiffFormat,
    Format,
    collisions,
    drift_line,
    report,
    report_error,
    shown,
)
from mlopsgen.errors import Diagnostic
from mlopsgen.output import Drift, HandEdited, OutputError, diff_files, eject, leftovers, read_manifest, write_files
from mlopsgen.swap import write_atomic

app = typer.Typer(
    help="Compile SageMaker MLOps blueprints (YAML) into pipeline definitions and CI/CD files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_BLUEPRINTS = Path("blueprints")
DEFAULT_OUTPUT = Path("generated")
DEFAULT_SCHEMA = Path("schemas/blueprint.schema.json")


Blueprints = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Blueprint files or folders. Default: every *.yaml in ./blueprints.",
        exists=True,
        dir_okay=True,
        readable=True,
        show_default=False,
    ),
]
Output = Annotated[Path, typer.Option("--output", "-o", help="Folder holding <blueprint name>/ for each blueprint.")]
FormatOption = Annotated[
    Format, typer.Option("--format", help="text (file:line:col), json, or github (Actions annotations).")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlopsgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Compile SageMaker MLOps blueprints into everything the project needs."""


def _collect(paths: list[Path] | None) -> list[Path]:
    targets = paths or [DEFAULT_BLUEPRINTS]
    found: list[Path] = []
    for path in targets:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
        else:
            found.append(path)
    if not found:
        typer.echo(f"error: no blueprints found in {', '.join(map(str, targets))}", err=True)
        raise typer.Exit(2)
    return found


@contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on a terminal with several blueprints; silent otherwise (CI logs, pipes)."""
    if total > 1 and sys.stderr.isatty():
        with typer.progressbar(length=total, label="blueprints", file=sys.stderr) as bar:
            yield lambda _: bar.update(1)
    else:
        yield None


def _render_all(paths: list[Path], engine: str = "native") -> list[api.RenderResult]:
    with _progress(len(paths)) as tick:
        return api.render_many(paths, engine="sdk" if engine == "sdk" else "native", progress=tick)


@app.command()
def validate(blueprints: Blueprints = None, format: FormatOption = Format.text) -> None:
    """Check blueprints and report every problem as file:line:col: CODE message."""
    paths = _collect(blueprints)
    results = []
    for path in paths:
        warnings: list[Diagnostic] = []
        plan, diagnostics = api.plan_blueprint(path, warnings=warnings)
        results.append(api.RenderResult(path.stem, {}, diagnostics, warnings=warnings))
        for note in api.trigger_notes(plan) if plan is not None else []:
            typer.echo(note, err=True)
    code = report(results, format)
    if not code:
        typer.echo(f"{len(paths)} blueprint{'s' if len(paths) != 1 else ''} valid", err=True)
    raise typer.Exit(code)


@app.command()
def render(
    blueprints: Blueprints = None,
    output: Output = DEFAULT_OUTPUT,
    engine: Annotated[
        str,
        typer.Option(help="native (default), or sdk to build the pipeline with the SageMaker SDK (extra 'sdk')."),
    ] = "native",
    force: Annotated[bool, typer.Option("--force", help="Overwrite generated files that were edited by hand.")] = False,
    format: FormatOption = Format.text,
) -> None:
    """Render blueprints into OUTPUT/<name>/. Writes nothing unless every blueprint is valid.

    Files edited by hand since mlopsgen wrote them are not overwritten (the command fails and shows
    the edits) unless --force is given; `mlopsgen eject` hands a file over for good.
    """
    if engine not in ("native", "sdk"):
        typer.echo(f"error: --engine must be native or sdk, not '{engine}'", err=True)
        raise typer.Exit(2)
    try:
        api.check_engine(engine)
    except api.EngineUnavailableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    paths = _collect(blueprints)
    results = _render_all(paths, engine)
    code = report(results, format, json_when_clean=False) or collisions(paths, results, format)
    if code:
        raise typer.Exit(code)
    refused: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    for result in results:
        folder = output / result.name
        try:
            changes = write_files(result.files, folder, blueprint=result.blueprint, summary=result.summary, force=force)
        except HandEdited as exc:
            for drift in exc.drift:
                refused.append({"path": str(folder / drift.path), "kind": drift.kind})
                if format is not Format.json:
                    typer.echo(f"{folder / drift.path}: {REFUSED[drift.kind]}")
                    typer.echo(drift.diff, nl=False)
            continue
        except OutputError as exc:
            errors.append(report_error(exc, format))
            continue
        state = f"{len(changes)} changed" if changes else "up to date"
        typer.echo(f"rendered {result.name}: {len(result.files)} files, {state} → {folder}", err=True)
    if format is Format.json and (refused or errors):
        typer.echo(json.dumps({"diagnostics": [], "errors": errors, "refused": refused}, indent=2))
    if refused:
        typer.echo(
            "hand edits found: change the blueprint instead, `mlopsgen eject` the file to keep it, "
            "or re-run with --force to overwrite",
            err=True,
        )
    if refused or errors:
        raise typer.Exit(1)


@app.command()
def check(
    blueprints: Blueprints = None,
    output: Output = DEFAULT_OUTPUT,
    format: FormatOption = Format.text,
) -> None:
    """Exit 1 when committed output differs from a fresh render: changed, missing, orphaned or hand-edited files."""
    paths = _collect(blueprints)
    results = _render_all(paths)
    code = report(results, format, json_when_clean=False) or collisions(paths, results, format)
    if code:
        raise typer.Exit(code)
    found: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    for result in results:
        folder = output / result.name
        try:
            drifts = diff_files(result.files, folder, blueprint=result.blueprint, summary=result.summary)
        except OutputError as exc:
            errors.append(report_error(exc, format))
            continue
        drifts += [Drift(str(Path("..") / p.name), "leftover") for p in leftovers(folder)]
        for drift in drifts:
            found.append({"path": str(shown(folder, drift)), "kind": drift.kind})
            if format is not Format.json:
                typer.echo(drift_line(folder, drift, format))
                if format is Format.text and drift.diff:
                    typer.echo(drift.diff, nl=False)
    if format is Format.json:
        typer.echo(json.dumps({"diagnostics": [], "drift": found, **({"errors": errors} if errors else {})}, indent=2))
    if errors:
        raise typer.Exit(1)
    if found:
        typer.echo(f"{len(found)} generated file(s) out of date; run 'mlopsgen render'", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(results)} blueprint(s) up to date", err=True)


@app.command()
def diff(
    blueprints: Blueprints = None,
    output: Output = DEFAULT_OUTPUT,
    format: Annotated[
        DiffFormat, typer.Option("--format", help="unified (the file diff) or markdown (a pull-request summary).")
    ] = DiffFormat.unified,
) -> None:
    """Show what `mlopsgen render` would change; --format markdown summarises it in blueprint terms."""
    from mlopsgen.views.review import review_markdown

    paths = _collect(blueprints)
    results = _render_all(paths)
    if report(results, Format.text) or collisions(paths, results, Format.text):
        raise typer.Exit(1)
    sections = []
    for result in results:
        folder = output / result.name
        try:
            drift = diff_files(result.files, folder, blueprint=result.blueprint, summary=result.summary)
            old = read_manifest(folder)
        except OutputError as exc:
            report_error(exc, Format.text)
            raise typer.Exit(1) from None
        if format is DiffFormat.unified:
            for item in drift:
                typer.echo(item.diff or f"{item.kind}: {folder / item.path}\n", nl=False)
            continue
        kinds = {"missing": "added", "orphaned": "removed"}
        files = [(d.path, kinds.get(d.kind, "changed")) for d in drift]
        if files:
            sections.append(review_markdown(result.blueprint, old.summary if old else None, result.summary, files))
    if format is DiffFormat.markdown:
        typer.echo("\n".join(sections) if sections else "No changes to generated output.")


@app.command(name="eject")
def eject_command(
    blueprint: Annotated[Path, typer.Argument(help="The blueprint whose output holds the files.", exists=True)],
    paths: Annotated[list[str], typer.Argument(help="Files to hand over, relative to the output folder.")],
    output: Output = DEFAULT_OUTPUT,
) -> None:
    """Hand generated files over to you: mlopsgen stops writing and checking them (recorded in the manifest)."""
    folder = output / blueprint.stem
    try:
        unknown = eject(folder, paths)
    except OutputError as exc:
        report_error(exc, Format.text)
        raise typer.Exit(1) from None
    if unknown:
        typer.echo(f"error: not generated files of {blueprint.stem}: {', '.join(unknown)}", err=True)
        raise typer.Exit(2)
    typer.echo(f"ejected {len(paths)} file(s) from {folder}; they are yours now", err=True)


@app.command()
def graph(
    blueprint: Annotated[Path, typer.Argument(help="The blueprint to draw.", exists=True)],
    write: Annotated[
        Path | None, typer.Option("--write", "-w", help="Write the Markdown to this file instead of stdout.")
    ] = None,
) -> None:
    """Mermaid diagrams of the pipeline DAG and the deploy flow (GitHub renders them in Markdown)."""
    from mlopsgen.views.graph import mermaid_markdown

    plan, diagnostics = api.plan_blueprint(blueprint)
    if plan is None:
        raise typer.Exit(report([api.RenderResult(blueprint.stem, {}, diagnostics)], Format.text))
    text = mermaid_markdown(plan)
    if write is None:
        typer.echo(text, nl=False)
    else:
        _write_file(write, text)


@app.command()
def explain(
    target: Annotated[str, typer.Argument(help="A generated file, FILE:LINE, or FILE#/json/pointer.")],
    blueprint: Annotated[
        Path | None,
        typer.Option(
            "--blueprint",
            "-b",
            help="The blueprint, if not found beside the output folder.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Which blueprint key (file:line:col) and Plan item produced a generated line."""
    from mlopsgen.explain import explain_report

    out, err, code = explain_report(target, blueprint, as_json=format is Format.json)
    sys.stdout.write(out)
    sys.stderr.write(err)
    raise typer.Exit(code)


@app.command()
def audit(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Templates or folders to audit. Default: ./generated.", exists=True, show_default=False),
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Check CloudFormation templates (generated or hand-written) against the security policy pack."""
    from mlopsgen.audit import AuditUnavailable, audit_files, rules

    try:
        findings, checked = audit_files(paths or [DEFAULT_OUTPUT])
    except AuditUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if format is Format.json:
        typer.echo(json.dumps({"findings": [f.as_dict() for f in findings]}, indent=2))
    for finding in findings if format is not Format.json else []:
        typer.echo(finding.github() if format is Format.github else finding.format())
    typer.echo(f"{len(checked)} template(s), {len(rules())} rules: {len(findings)} finding(s)", err=True)
    raise typer.Exit(1 if findings else 0)


@app.command()
def schema(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the JSON Schema ('-' for stdout).")
    ] = DEFAULT_SCHEMA,
) -> None:
    """Write the blueprint JSON Schema (for editors and yaml-language-server)."""
    text = api.schema()
    if str(output) == "-":
        sys.stdout.write(text)
        return
    _write_file(output, text)


@app.command()
def migrate(
    blueprints: Blueprints = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a blueprint would change (for CI).")
    ] = False,
) -> None:
    """Rewrite older blueprints to the current language version in place, comments and layout kept.

    Prints each change as a unified diff. Running it again changes nothing (exit 0).
    """
    from mlopsgen.migrate import migrate_files, outcome  # ruamel.yaml loads only for this command

    try:
        results = migrate_files(_collect(blueprints), write=not check)
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for result in results:
        typer.echo("".join(d.format() + "\n" for d in result.diagnostics) or result.diff(), nl=False)
    summary, code = outcome(results, check=check)
    typer.echo(summary, err=True)
    raise typer.Exit(code)


@app.command(name="import")
def import_(
    definition: Annotated[
        Path | None, typer.Argument(help="A pipeline definition JSON file.", exists=True, dir_okay=False)
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The blueprint to write.")] = Path("blueprint.yaml"),
    pipeline: Annotated[str | None, typer.Option(help="Read this deployed pipeline instead (boto3).")] = None,
    accept_loss: Annotated[bool, typer.Option(help="Write the blueprint even when it loses something.")] = False,
    download: Annotated[bool, typer.Option(help="Fetch the code files from S3 into place (boto3).")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing blueprint.")] = False,
    project_name: Annotated[str | None, typer.Option(help="Project name, when the definition does not say.")] = None,
    project_id: Annotated[str | None, typer.Option(help="Project id, when the definition does not say.")] = None,
    region: Annotated[str | None, typer.Option(help="Region, when no image names it.")] = None,
    account: Annotated[str | None, typer.Option(help="Account, when no role names it.")] = None,
) -> None:
    """Turn a SageMaker pipeline definition into a blueprint that renders it back (see the README)."""
    from mlopsgen import import_command as command  # not on the render path

    if (definition is None) == (pipeline is None):
        typer.echo("error: give a DEFINITION file or --pipeline NAME (one of them)", err=True)
        raise typer.Exit(2)
    overrides = {"project_name": project_name, "project_id": project_id, "region": region, "account": account}
    code = command.run_cli(
        definition, pipeline, output, overrides, accept_loss=accept_loss, download=download, force=force
    )
    raise typer.Exit(code)


@app.command(name="package-lambda")
def package_lambda(
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip to write.")],
    arch: Annotated[str, typer.Option(help="The function's architecture: x86_64 or arm64.")] = "x86_64",
    template: Annotated[
        list[Path] | None,
        typer.Option(help="A blueprint template folder to ship (Template: {Shipped: <folder name>}).", exists=True),
    ] = None,
) -> None:
    """Build the seed-code Lambda zip (handler mlopsgen.seed.handler.handler) for this Python version."""
    import subprocess

    from mlopsgen import packaging  # pip and zip work: only this command needs it

    if arch not in packaging.ARCHITECTURES:
        typer.echo(f"error: --arch must be x86_64 or arm64, not '{arch}'", err=True)
        raise typer.Exit(2)
    try:
        built = packaging.build(output, arch=arch, templates=template or [])
    except subprocess.CalledProcessError as exc:
        typer.echo(f"error: pip could not download the Linux wheels:\n{exc.stderr}", err=True)
        raise typer.Exit(1) from None
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    typer.echo(f"wrote {output}: {built.size / 1e6:.2f} MB ({arch}, runtime {python}, handler {packaging.HANDLER})")
    for part, size in built.parts.items():
        if size >= 100_000:
            typer.echo(f"  {size / 1e6:6.2f} MB  {part}")


@app.command(name="project-template")
def project_template(
    blueprint: Annotated[
        Path, typer.Argument(help="The blueprint template (in its template folder).", exists=True, dir_okay=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The template to write ('-' for stdout).")] = Path("-"),
    delivery: Annotated[str, typer.Option(help="Where the repository goes: codecommit, github or s3.")] = "codecommit",
    ci_stack: Annotated[
        str, typer.Option(help="The CI/CD stack in the render, under generated/<stem>/ ('' for no nested stack).")
    ] = "infrastructure/project.yml",
    form: Annotated[
        str, typer.Option(help="s3 (the project template) or service-catalog (a product wrapping it).")
    ] = "s3",
) -> None:
    """Write the SageMaker project template that seeds a project from BLUEPRINT with the seed Lambda."""
    from mlopsgen import project_template as pt  # not on the render path

    if delivery not in pt.DELIVERIES or form not in ("s3", "service-catalog"):
        typer.echo("error: --delivery is codecommit, github or s3; --form is s3 or service-catalog", err=True)
        raise typer.Exit(2)
    if form == "service-catalog":
        text = pt.service_catalog(blueprint.stem)
    else:
        stack = f"generated/{blueprint.stem}/{ci_stack}" if ci_stack else None
        try:
            text = pt.emit(blueprint.read_text(encoding="utf-8"), blueprint.name, delivery, stack)
        except pt.ProjectTemplateError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    if str(output) == "-":
        sys.stdout.write(text)
        return
    _write_file(output, text)


def _write_file(path: Path, text: str) -> None:
    """Write one file atomically (temporary file + rename in its folder); a failure names the path, exit 1."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        report_error(OutputError(exc.filename or path, f"cannot write: {exc.strerror or exc}"), Format.text)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {path}", err=True)


def run() -> None:
    """Console entry point: turns unexpected exceptions into exit code 3 without a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence; a bug, reported as such
        sys.stderr.write(f"MLG900 internal error: {type(exc).__name__}: {exc}\nplease report this as a bug\n")
        sys.exit(3)
