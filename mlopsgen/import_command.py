"""``mlopsgen import``: a definition (file or deployed pipeline) → a blueprint, proven by rendering it back.

The importer (``mlopsgen/importing/``) builds the blueprint; this module is the command around it: read
the definition, optionally fetch code files from S3, render the imported blueprint in memory with
``api.render`` and compare its definition with the input (code locations normalised: the same files
land at content addresses of mlopsgen's own), and write the blueprint only when nothing is lost or the
user accepted the loss. Every difference is a finding naming the step and the JSON path.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlopsgen import api
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.importing import CodeFile, Finding, Imported, import_definition
from mlopsgen.importing.dump import dump_blueprint
from mlopsgen.importing.equivalence import equivalent
from mlopsgen.importing.importer import helper_uris

DEFINITION = "model-build/pipeline-definition.json"
MANIFEST = "model-build/code-manifest.json"


def placeholder(path: str) -> bytes:
    """Stand-in content of a code file not downloaded: distinct per path, so two files never share an address."""
    return f"# imported by mlopsgen: replace with {path} (listed in this blueprint's header)\n".encode()


MAX_DIFFERENCES_PER_STEP = 5


@dataclass
class ImportOutcome:
    """What ``mlopsgen import`` did.

    Attributes:
        text: The blueprint YAML ("" when refused before building one).
        diagnostics: Findings and input errors, ``file:line:col: CODE message``.
        code: The code files the blueprint expects, with their S3 URIs.
        notes: Assumptions the import made.
        fetched: Code files downloaded (blueprint-relative path → bytes).
    """

    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    code: list[CodeFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fetched: dict[str, bytes] = field(default_factory=dict)
    """Downloaded code by blueprint-relative path (a source archive as the files it unpacks to)."""


def read_definition(text: str, display: str) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """Parse definition text; a syntax error or a non-definition is MLG605 at its position."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Diagnostic("MLG605", f"not JSON: {exc.msg}", file=display, pos=Position(exc.lineno, exc.colno))]
    if not isinstance(data, dict) or not isinstance(data.get("Steps"), list):
        return None, [Diagnostic("MLG605", "not a SageMaker pipeline definition (no Steps list)", file=display)]
    return data, []


def fetch_pipeline(name: str, client: Any = None) -> str:
    """The definition of a deployed pipeline (DescribePipeline), read with the caller's AWS credentials.

    Args:
        name: The pipeline's name or ARN.
        client: A boto3 SageMaker client (default: one from the environment's credentials).

    Returns:
        The definition text.
    """
    if client is None:
        import boto3  # noqa: TID251 - only `import --pipeline` talks to AWS; the render path never does

        client = boto3.client("sagemaker")
    text: str = client.describe_pipeline(PipelineName=name)["PipelineDefinition"]
    return text


def download_code(files: list[CodeFile], client: Any = None) -> tuple[dict[str, bytes], list[str]]:
    """Fetch code files from S3 (a source archive unpacked into its folder); failures are listed."""
    if client is None:
        import boto3  # noqa: TID251 - only `import --download` talks to AWS

        client = boto3.client("s3")
    fetched: dict[str, bytes] = {}
    failed: list[str] = []
    for f in files:
        match = re.match(r"^s3://([^/]+)/(.+)$", f.s3_uri)
        if match is None:
            failed.append(f"{f.s3_uri}: not an s3:// URI")
            continue
        try:
            body = client.get_object(Bucket=match.group(1), Key=match.group(2))["Body"].read()
        except Exception as exc:  # noqa: BLE001 - botocore's errors vary; each is reported by file
            failed.append(f"{f.s3_uri}: {exc}")
            continue
        if not f.folder:
            fetched[f.path] = body
            continue
        try:
            fetched.update(unpack(body, f.path))
        except (OSError, EOFError, tarfile.TarError, ValueError) as exc:
            failed.append(f"{f.s3_uri}: not a source archive mlopsgen can unpack ({exc})")
    return fetched, failed


def unpack(archive: bytes, folder: str) -> dict[str, bytes]:
    """A ``sourcedir.tar.gz`` → its regular files under ``folder`` (links, devices and escapes refused).

    Args:
        archive: The gzipped tar archive.
        folder: The blueprint-relative folder it unpacks into.

    Returns:
        Blueprint-relative path → content.

    Raises:
        ValueError: A member would land outside the folder, or is not a regular file or folder.
    """
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = posixpath.normpath(member.name)
            if name.startswith("/") or name == ".." or name.startswith("../"):
                raise ValueError(f"member {member.name!r} leaves the folder")
            if member.isdir():
                continue
            if not member.isfile():
                raise ValueError(f"member {member.name!r} is not a regular file")
            handle = tar.extractfile(member)
            files[f"{folder}/{name}"] = handle.read() if handle else b""
    return files


def code_for_render(files: list[CodeFile], fetched: dict[str, bytes]) -> dict[str, bytes]:
    """The code an imported blueprint renders with: what was downloaded, else distinct placeholders."""
    code: dict[str, bytes] = {}
    for f in files:
        inside = {k: v for k, v in fetched.items() if k.startswith(f.path + "/")}
        if f.folder and inside:
            code.update(inside)
        elif f.folder:
            code.update({f"{f.path}/{entry}": placeholder(f"{f.path}/{entry}") for entry in f.entry_points})
        else:
            code[f.path] = fetched.get(f.path, placeholder(f.path))
    return code


def normalise(node: Any, uris: dict[str, str]) -> Any:
    """The comparison form: code URIs as ``<code:PATH>``, joins canonical, API defaults written one way.

    ``canonical`` rewrites joins; ``importing.equivalence`` writes each request default one way.
    """
    if isinstance(node, str):
        return uris.get(node, node)
    if isinstance(node, list):
        return [normalise(v, uris) for v in node]
    if isinstance(node, dict):
        out = {k: normalise(v, uris) for k, v in node.items()}
        return canonical(equivalent(out))
    return node


def canonical(node: dict[str, Any]) -> Any:
    """A ``Std:Join`` as the same value joined on ``""``: separators and literals merged into text.

    ``Join(on=" ", values=["MSE >", Get])`` and ``Join(on="", values=["MSE > ", Get])`` give the same text
    at run time; the blueprint language writes only the second, so the round trip compares this form.
    Joins mlopsgen recognises structurally (default output paths, a tuning step's best model) never reach
    here as text, so their separators are kept as they are.
    """
    join = node.get("Std:Join") if set(node) == {"Std:Join"} else None
    if not (isinstance(join, dict) and isinstance(join.get("On"), str) and isinstance(join.get("Values"), list)):
        return node
    merged: list[Any] = []
    for i, item in enumerate(join["Values"]):
        pieces = ([join["On"]] if i and join["On"] else []) + [item]
        for piece in pieces:
            if isinstance(piece, str | int | float) and not isinstance(piece, bool):
                piece = str(piece)
                if merged and isinstance(merged[-1], str):
                    merged[-1] += piece
                    continue
            merged.append(piece)
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]  # a join of literals is its text
    return {"Std:Join": {"On": "", "Values": merged}}


def differences(want: Any, got: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """JSON paths where two definitions differ (lists of named items are addressed by name)."""
    if isinstance(want, dict) and isinstance(got, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in list(want) + [k for k in got if k not in want]:
            out += differences(want.get(key, "<absent>"), got.get(key, "<absent>"), f"{path}.{key}" if path else key)
        return out
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        out = []
        for i, (a, b) in enumerate(zip(want, got, strict=True)):
            label = _label(a, i)
            out += differences(a, b, f"{path}[{label}]")
        return out
    return [] if want == got and type(want) is type(got) else [(path, want, got)]


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("Name", "InputName", "OutputName", "ChannelName"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return str(index)


def _step_of(path: str) -> str:
    match = re.search(r"Steps\[([^\]]+)\]", path)
    return match.group(1) if match else ""


def verify(imported: Imported, definition: dict[str, Any], name: str, fetched: dict[str, bytes]) -> list[Finding]:
    """Render the imported blueprint and list where its definition differs from the input.

    Args:
        imported: The import.
        definition: The input definition.
        name: The blueprint's file name (as rendered).
        fetched: Downloaded code contents by path (others render from a placeholder).

    Returns:
        MLG607 for each validation diagnostic, else MLG606 for each difference.
    """
    result = api.render(imported.blueprint, name=name, code=code_for_render(imported.code, fetched))
    if not result.ok:
        return [
            Finding("MLG607", "", d.path, f"the imported blueprint does not validate: {d.message}")
            for d in result.diagnostics
        ]
    rendered = json.loads(result.files[DEFINITION])
    manifest = json.loads(result.files[MANIFEST])
    ours = {f["s3_uri"]: f"<code:{f['path']}>" for f in manifest.get("files", [])}
    ours.update({b["s3_uri"]: f"<code:{b['path']}>" for b in manifest.get("source_dirs", [])})
    # A framework processor's code input is the archive's folder; its helpers are regenerated by mlopsgen.
    ours.update({b["s3_uri"].rsplit("/", 1)[0] + "/": f"<code:{b['path']}>/" for b in manifest.get("source_dirs", [])})
    # runproc.sh and Clarify's configurations are compared by content (they hold the step's settings);
    # the installer is mlopsgen's own.
    ours.update(
        {
            h["s3_uri"]: f"<helper:{h['path']}:{h['sha256']}>"
            if h["path"].endswith("/runproc.sh") or h["path"].startswith("clarify/")
            else f"<helper:{h['path']}>"
            for h in manifest.get("helpers", [])
        }
    )
    theirs = {c.s3_uri: f"<code:{c.path}>" for c in imported.code} | imported.aliases
    findings: list[Finding] = []
    per_step: dict[str, int] = {}
    for path, want, got in differences(normalise(definition, theirs), normalise(rendered, ours)):
        step = _step_of(path)
        per_step[step] = per_step.get(step, 0) + 1
        if per_step[step] > MAX_DIFFERENCES_PER_STEP:
            continue
        findings.append(
            Finding(
                "MLG606", step, path, f"the blueprint renders {_short(got)} where the definition has {_short(want)}"
            )
        )
    return findings


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if value != "<absent>" else "nothing"
    return text if len(text) <= 120 else text[:117] + "..."


def locate(text: str) -> Callable[[str], Position | None]:
    """A finder of a step's ``"Name": "STEP"`` position in the definition text (1-based line and column)."""

    def find(step: str) -> Position | None:
        if not step:
            return None
        match = re.search(r'"Name"\s*:\s*' + re.escape(json.dumps(step)), text)
        if match is None:
            return None
        line = text.count("\n", 0, match.start()) + 1
        return Position(line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1)

    return find


def run_import(
    text: str,
    display: str,
    output_name: str,
    *,
    overrides: dict[str, str | None] | None = None,
    fetch: Callable[[list[CodeFile]], tuple[dict[str, bytes], list[str]]] | None = None,
) -> ImportOutcome:
    """Import definition text into blueprint text, verified by rendering it back.

    Args:
        text: The definition JSON.
        display: Its name in diagnostics (a path, or ``pipeline:NAME``).
        output_name: The blueprint's file name (rendered under that name).
        overrides: ``project_name``, ``project_id``, ``region``, ``account`` given by the user.
        fetch: Downloads code files (``--download``); None leaves them to the user.

    Returns:
        The blueprint text and every finding (empty when the blueprint renders the same definition).
    """
    definition, errors = read_definition(text, display)
    if definition is None:
        return ImportOutcome(diagnostics=errors)
    helpers: dict[str, bytes] = {}
    failed: list[str] = []
    if fetch is not None:  # settings some steps keep in S3 (runproc.sh, Clarify configs) are read before importing
        wanted = [CodeFile(f"helper/{i}", uri) for i, uri in enumerate(helper_uris(definition))]
        got, failed = fetch(wanted) if wanted else ({}, [])
        helpers = {f.s3_uri: got[f.path] for f in wanted if f.path in got}
    imported = import_definition(definition, **(overrides or {}), helpers=helpers)
    outcome = ImportOutcome(code=imported.code, notes=imported.notes)
    if fetch is not None and imported.code:
        outcome.fetched, more = fetch(imported.code)
        failed += more
    findings = list(imported.findings) or verify(imported, definition, output_name, outcome.fetched)
    where = locate(text)
    outcome.diagnostics = [
        Diagnostic(
            f.code,
            f"{f.json_path}: {f.message}" if f.json_path else f.message,
            path=f.json_path,
            file=display,
            pos=where(f.step),
        )
        for f in findings
    ] + [Diagnostic("MLG608", f"cannot download {reason}", file=display) for reason in failed]
    outcome.text = dump_blueprint(imported.blueprint, _header(display, imported)) if imported.blueprint else ""
    return outcome


def _header(display: str, imported: Imported) -> list[str]:
    lines = [f"Imported by mlopsgen from {display}."]
    if imported.code:
        lines += ["", "Code files the steps read (put them at these paths, or import with --download):"]
        for c in imported.code:
            what = (
                f"  {c.path}/ (sourcedir.tar.gz unpacked; runs {', '.join(c.entry_points)})"
                if c.folder
                else f"  {c.path}"
            )
            lines.append(f"{what} <- {c.s3_uri}")
    return lines


def run_cli(
    definition: Path | None,
    pipeline: str | None,
    output: Path,
    overrides: dict[str, str | None],
    *,
    accept_loss: bool,
    download: bool,
    force: bool,
    sagemaker: Any = None,
    s3: Any = None,
) -> int:
    """The command's body: read, import, verify, report, write (or refuse); returns the exit code.

    Args:
        definition: The definition file (or None with ``pipeline``).
        pipeline: A deployed pipeline's name (read with boto3).
        output: The blueprint file to write.
        overrides: Project facts the user gave.
        accept_loss: Write even with findings.
        download: Fetch code files from S3 beside the blueprint.
        force: Overwrite an existing blueprint.
        sagemaker: A SageMaker client for ``pipeline`` (tests pass a stubbed one).
        s3: An S3 client for ``download`` (likewise).

    Returns:
        0 written without loss, 1 findings (refused, or written with ``accept_loss``) or errors.
    """
    import sys

    from mlopsgen.swap import write_atomic

    if output.exists() and not force:
        sys.stderr.write(f"{output}:1:1: MLG609 exists already; pass --force to overwrite it\n")
        return 1
    if pipeline is not None:
        display = f"pipeline:{pipeline}"
        try:
            text = fetch_pipeline(pipeline, sagemaker)
        except Exception as exc:  # noqa: BLE001 - no credentials, no such pipeline, ...: one line, exit 1
            sys.stderr.write(f"{display}:1:1: MLG609 cannot read the pipeline: {exc}\n")
            return 1
    else:
        assert definition is not None
        display = str(definition)
        try:
            text = definition.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            sys.stderr.write(f"{display}:1:1: MLG605 cannot read the definition: {exc}\n")
            return 1
    fetch = (lambda files: download_code(files, s3)) if download else None
    outcome = run_import(text, display, output.name, overrides=overrides, fetch=fetch)
    for d in outcome.diagnostics:
        sys.stderr.write(d.format() + "\n")
    for note in outcome.notes:
        sys.stderr.write(f"note: {note}\n")
    if not outcome.text or (outcome.diagnostics and not accept_loss):
        if outcome.text:
            sys.stderr.write(
                "refused: the blueprint would not render this definition (pass --accept-loss to write it)\n"
            )
        return 1
    clashes = [rel for rel, body in sorted(outcome.fetched.items()) if _differs(output.parent / rel, body)]
    if clashes and not force:  # a downloaded file never replaces one of the user's silently
        for rel in clashes:
            sys.stderr.write(
                f"{output.parent / rel}:1:1: MLG609 exists with other content; pass --force to replace it\n"
            )
        return 1
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        for rel, body in sorted(outcome.fetched.items()):
            target = output.parent / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, body)
        write_atomic(output, outcome.text.encode("utf-8"))
    except OSError as exc:
        sys.stderr.write(f"{exc.filename or output}:1:1: MLG609 cannot write: {exc.strerror or exc}\n")
        return 1
    sys.stderr.write(f"wrote {output}\n")
    for c in outcome.code:
        got = (
            "fetched"
            if c.path in outcome.fetched or any(k.startswith(c.path + "/") for k in outcome.fetched)
            else "fetch"
        )
        sys.stderr.write(f"  code {c.path}{'/' if c.folder else ''}: {got} {c.s3_uri}\n")
    return 1 if outcome.diagnostics else 0


def _differs(path: Path, body: bytes) -> bool:
    """Whether ``path`` exists (as anything) with content other than ``body``."""
    if not path.exists() and not path.is_symlink():
        return False
    try:
        return path.is_symlink() or not path.is_file() or path.read_bytes() != body
    except OSError:
        return True
