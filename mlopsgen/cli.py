"""Command line → api calls → printed diagnostics and exit codes. No logic lives here.

Exit codes: 0 ok, 1 diagnostics or drift, 2 usage, 3 internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mlopsgen import __version__, api
from mlopsgen.output import diff_files, write_files

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
            found += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(path)
    if not found:
        typer.echo(f"error: no blueprints found in {', '.join(map(str, targets))}", err=True)
        raise typer.Exit(2)
    return found


def _report(results: list[api.RenderResult]) -> int:
    count = 0
    for result in results:
        for diagnostic in result.diagnostics:
            typer.echo(diagnostic.format())
            count += 1
    if count:
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
    return 1 if count else 0


@app.command()
def validate(blueprints: Blueprints = None) -> None:
    """Check blueprints and report every problem as file:line:col: CODE message."""
    paths = _collect(blueprints)
    results = [api.RenderResult(p.stem, {}, api.validate(p)) for p in paths]
    code = _report(results)
    if not code:
        typer.echo(f"{len(paths)} blueprint{'s' if len(paths) != 1 else ''} valid", err=True)
    raise typer.Exit(code)


@app.command()
def render(
    blueprints: Blueprints = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder that receives <blueprint name>/ for each blueprint.")
    ] = DEFAULT_OUTPUT,
    engine: Annotated[
        str,
        typer.Option(help="native (default), or sdk to build the pipeline with the SageMaker SDK (extra 'sdk')."),
    ] = "native",
) -> None:
    """Render blueprints into OUTPUT/<name>/. Writes nothing unless every blueprint is valid."""
    if engine not in ("native", "sdk"):
        typer.echo(f"error: --engine must be native or sdk, not '{engine}'", err=True)
        raise typer.Exit(2)
    results = [api.render(p, engine="sdk" if engine == "sdk" else "native") for p in _collect(blueprints)]
    code = _report(results)
    if code:
        raise typer.Exit(code)
    for result in results:
        write_files(result.files, output / result.name)
        typer.echo(f"rendered {result.name}: {len(result.files)} files → {output / result.name}", err=True)


@app.command()
def check(
    blueprints: Blueprints = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder holding the committed output.")] = (
        DEFAULT_OUTPUT
    ),
) -> None:
    """Exit 1 when the committed output differs from a fresh render (for CI)."""
    results = [api.render(p) for p in _collect(blueprints)]
    code = _report(results)
    if code:
        raise typer.Exit(code)
    drift_count = 0
    for result in results:
        for drift in diff_files(result.files, output / result.name):
            drift_count += 1
            typer.echo(f"{output / result.name / drift.path}: {drift.kind}")
            if drift.diff:
                typer.echo(drift.diff, nl=False)
    if drift_count:
        typer.echo(f"{drift_count} generated file(s) out of date; run 'mlopsgen render'", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(results)} blueprint(s) up to date", err=True)


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
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


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
