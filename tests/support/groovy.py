"""Offline Groovy checks with the real Groovy 2.4 parser (Debian ``groovy``, the line Jenkins uses).

``parse_groovy`` compiles every given file to ``Phases.CONVERSION`` in ONE JVM (about 0.5 s per run, so batch
files) through ``groovy_ast.groovy`` and returns, per file, the syntax errors with line:col or the call
structure as JSON (see that script's header for the node shapes). ``calls`` and ``declarative_outline`` check
structure that Groovy itself accepts but Jenkins would reject (e.g. ``stagez`` instead of ``stages``).

Groovy is required, not optional: when it is missing ``parse_groovy`` raises ``RuntimeError`` so the tests
fail rather than skip (CI installs it, see ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SCRIPT = Path(__file__).with_name("groovy_ast.groovy")
INSTALL_HINT = (
    "install Debian's groovy (2.4, the line Jenkins uses): `apt-get update && apt-get install -y groovy`; "
    ".ci/run does this in CI"
)

_FAST_START = "-XX:+IgnoreUnrecognizedVMOptions -XX:TieredStopAtLevel=1"

Node = dict[str, Any]


@dataclass(frozen=True)
class GroovyError:
    """One syntax error; line and col are 1-based (None when the parser gave no position)."""

    line: int | None
    col: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True)
class GroovyResult:
    """The outcome for one file: ``tree`` when it parsed, ``errors`` when it did not."""

    ok: bool
    errors: list[GroovyError] = field(default_factory=list)
    tree: list[Node] = field(default_factory=list)

    def describe(self, name: str) -> str:
        """'name: OK' or one 'name:line:col: message' line per error (for assertion messages)."""
        if self.ok:
            return f"{name}: OK"
        return "\n".join(f"{name}:{e}" for e in self.errors)


# ---- running groovy ----------------------------------------------------------------------------------------


def _has_java(home: Path) -> bool:
    return (home / "bin" / "java").is_file() and os.access(home / "bin" / "java", os.X_OK)


def java_home() -> str | None:
    """A JAVA_HOME for /usr/bin/groovy: $JAVA_HOME if usable, else derived from `java` on PATH, else Debian's link.

    /usr/bin/groovy runs ``$JAVA_HOME/bin/java`` and defaults to /usr/lib/jvm/default-java, which exists only with
    ``default-jre-headless``; so the home is derived from the real path of ``java`` (``<home>/bin/java``).
    """
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    java = shutil.which("java")
    if java:
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    candidates.append(Path("/usr/lib/jvm/default-java"))
    return next((str(c) for c in candidates if _has_java(c)), None)


def groovy_available() -> bool:
    """True when both ``groovy`` and a Java runtime are installed."""
    return shutil.which("groovy") is not None and java_home() is not None


def _command() -> tuple[list[str], dict[str, str]]:
    groovy = shutil.which("groovy")
    if groovy is None:
        raise RuntimeError(f"`groovy` is not on PATH; {INSTALL_HINT}")
    home = java_home()
    if home is None:
        raise RuntimeError(
            "no Java runtime found for groovy (checked $JAVA_HOME, `java` on PATH, /usr/lib/jvm/default-java); "
            "install one with `apt-get install -y default-jre-headless`"
        )
    # C1 only: this short run is dominated by JIT warm-up, so it halves the wall time (~1.6 s -> ~0.8 s here).
    java_opts = f"{_FAST_START} {os.environ.get('JAVA_OPTS', '')}".strip()
    return [groovy, str(SCRIPT)], {**os.environ, "JAVA_HOME": home, "JAVA_OPTS": java_opts}


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"file names must be relative paths inside the batch, got {name!r}")
    return path


def parse_groovy(files: dict[str, str], timeout: float = 120.0) -> dict[str, GroovyResult]:
    """Parse every file (name -> Groovy source) in ONE groovy run; results keyed by the same names.

    Names are relative paths (``"Jenkinsfile"``, ``"jobs/seed_job.groovy"``). Raises RuntimeError when groovy or
    Java is missing or the checker itself fails (never for syntax errors, which are in the results).
    """
    if not files:
        return {}
    command, env = _command()
    with tempfile.TemporaryDirectory(prefix="groovy-ast-") as tmp:
        paths: dict[str, str] = {}
        for name, text in files.items():
            target = Path(tmp, _safe_relative(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            paths[name] = str(target)
        proc = subprocess.run(
            [*command, *paths.values()], capture_output=True, env=env, timeout=timeout, check=False, cwd=tmp
        )
    stdout = proc.stdout.decode("utf-8", errors="replace")
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"groovy_ast.groovy failed (exit {proc.returncode}):\n{stderr}\n{stdout}".rstrip())
    try:
        report = json.loads(stdout)["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(
            f"groovy_ast.groovy printed no JSON report: {exc}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        ) from exc
    results: dict[str, GroovyResult] = {}
    for name, path in paths.items():
        entry = report[path]
        if entry["ok"]:
            results[name] = GroovyResult(ok=True, tree=entry["tree"])
        else:
            errors = [GroovyError(e["line"], e["col"], e["message"]) for e in entry["errors"]]
            results[name] = GroovyResult(ok=False, errors=errors)
    return results


# ---- walking trees -----------------------------------------------------------------------------------------

# Keys that hold lists of child nodes, and the keys whose values may hold closures ({"closure": [...]}).
_CHILD_LISTS = ("nested", "body", "then", "else", "try", "finally", "default", "closure")
_VALUE_KEYS = ("args", "named", "value", "return", "throw", "switch")


def _closures(value: Any) -> Iterator[Node]:
    if isinstance(value, dict):
        if isinstance(value.get("closure"), list) and "line" in value:
            yield value
        else:
            for v in value.values():
                yield from _closures(v)
    elif isinstance(value, list):
        for v in value:
            yield from _closures(v)


def walk(tree: list[Node]) -> Iterator[Node]:
    """Every node of a tree, depth first in source order (calls inside closures, branches and arguments too)."""
    for node in tree:
        yield node
        for key in _VALUE_KEYS:
            if key in node:
                for closure in _closures(node[key]):
                    yield from walk(closure["closure"])
        for key in _CHILD_LISTS:
            children = node.get(key)
            if isinstance(children, list):
                yield from walk(children)
        for clause in node.get("catch", []) + node.get("cases", []):
            yield from walk(clause["body"])


def calls(tree: list[Node], name: str) -> list[Node]:
    """All call nodes named ``name``, at any depth, in source order."""
    return [node for node in walk(tree) if node.get("call") == name]


def call_names(tree: list[Node]) -> list[str]:
    """The names of all calls in a tree, at any depth, in source order."""
    return [node["call"] for node in walk(tree) if "call" in node]


# ---- declarative pipelines ---------------------------------------------------------------------------------

PIPELINE_DIRECTIVES = frozenset(
    {"agent", "environment", "options", "parameters", "triggers", "stages", "post", "tools"}
)
STAGE_DIRECTIVES = frozenset({"steps", "environment", "when", "input", "options", "post", "agent"})
POST_CONDITIONS = frozenset(
    {
        "always",
        "changed",
        "fixed",
        "regression",
        "aborted",
        "failure",
        "success",
        "unstable",
        "unsuccessful",
        "notBuilt",
        "cleanup",
    }
)


def _where(node: Node) -> str:
    return f"line {node.get('line')}"


def _describe(node: Node) -> str:
    for kind in ("call", "declare", "assign", "method", "import", "class", "if", "for", "while", "expr"):
        if kind in node:
            return f"{kind} {node[kind]!r}" if kind != "if" else "if statement"
    return next(iter(node), "node")


def _require_call(node: Node, context: str) -> None:
    if "call" not in node:
        raise ValueError(f"{context}: expected a directive, found {_describe(node)} at {_where(node)}")


def _directives(block: list[Node], allowed: frozenset[str], context: str) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node in block:
        _require_call(node, context)
        name = node["call"]
        if name not in allowed:
            raise ValueError(
                f"{context}: unknown directive {name!r} at {_where(node)} (allowed: {', '.join(sorted(allowed))})"
            )
        if name in found:
            raise ValueError(f"{context}: duplicate {name!r} at {_where(node)} (first at {_where(found[name])})")
        found[name] = node
    return found


def _block(node: Node, context: str) -> list[Node]:
    if node["args"] or node["named"]:
        raise ValueError(f"{context}: {node['call']!r} takes a block only, at {_where(node)}")
    if not node["body"]:
        raise ValueError(f"{context}: {node['call']!r} needs a non-empty block {{ ... }} at {_where(node)}")
    return list(node["body"])


def _simple_value(node: Node) -> Any:
    """A directive's value: its block as {name: value}, its named args, its one argument, or its arguments."""
    if node["body"]:
        return {child["call"]: _simple_value(child) for child in node["body"] if "call" in child}
    if node["named"] and not node["args"]:
        return dict(node["named"])
    if len(node["args"]) == 1:
        return node["args"][0]
    return list(node["args"]) if node["args"] else None


def _agent(node: Node, context: str) -> Any:
    args, body, named = node["args"], node["body"], node["named"]
    if body and not args and not named:
        for child in body:
            _require_call(child, f"{context} agent")
        return {child["call"]: _simple_value(child) for child in body}
    if len(args) == 1 and not body and not named and args[0] in ({"expr": "any"}, {"expr": "none"}):
        return args[0]["expr"]
    raise ValueError(f"{context}: agent must be `agent any`, `agent none` or `agent {{ ... }}`, at {_where(node)}")


def _input(node: Node, context: str) -> dict[str, Any]:
    """The stage-level input directive: {"message": ..., "ok": ..., "parameters": [call nodes], ...}."""
    if not node["body"] or node["args"] or node["named"]:
        raise ValueError(f"{context}: the input directive needs a block, input {{ message '...' }}, at {_where(node)}")
    value: dict[str, Any] = {}
    for child in node["body"]:
        _require_call(child, f"{context} input")
        name = child["call"]
        value[name] = _call_list(child, f"{context} input") if name == "parameters" else _simple_value(child)
    if "message" not in value:
        raise ValueError(f"{context}: input at {_where(node)} needs a message")
    return value


def _environment(node: Node, context: str) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for entry in _block(node, context):
        if "assign" not in entry or entry.get("op") != "=" or not str(entry["assign"]).isidentifier():
            raise ValueError(
                f"{context}: environment holds only NAME = value, found {_describe(entry)} at {_where(entry)}"
            )
        env[entry["assign"]] = entry["value"]
    return env


def _call_list(node: Node, context: str) -> list[Node]:
    block = _block(node, context)
    for entry in block:
        _require_call(entry, f"{context} {node['call']}")
    return block


def _post(node: Node, context: str) -> dict[str, list[Node]]:
    conditions = _directives(_block(node, context), POST_CONDITIONS, f"{context} post")
    return {name: _call_list(cond, f"{context} post") for name, cond in conditions.items()}


def _stage(node: Node, seen: dict[str, Node]) -> dict[str, Any]:
    if node.get("call") != "stage":
        raise ValueError(f"stages: expected stage('name') {{ ... }}, found {_describe(node)} at {_where(node)}")
    if len(node["args"]) != 1 or not isinstance(node["args"][0], str) or node["named"]:
        raise ValueError(f"stage at {_where(node)}: needs exactly one literal string name, e.g. stage('Build')")
    name = node["args"][0]
    if name in seen:
        raise ValueError(f"duplicate stage name {name!r} at {_where(node)} (first at {_where(seen[name])})")
    seen[name] = node
    context = f"stage {name!r}"
    if not node["body"]:
        raise ValueError(f"{context} at {_where(node)}: needs a block, stage('{name}') {{ steps {{ ... }} }}")
    found = _directives(node["body"], STAGE_DIRECTIVES, context)
    if "steps" not in found:
        raise ValueError(f"{context} at {_where(node)}: missing steps {{ ... }}")
    steps = _block(found["steps"], context)
    for step in steps:
        if "call" not in step:
            raise ValueError(
                f"{context}: steps may only hold step calls, found {_describe(step)} at {_where(step)} "
                "(wrap Groovy code in script { ... })"
            )
    return {
        "name": name,
        "line": node["line"],
        "steps": steps,
        "when": _call_list(found["when"], context) if "when" in found else None,
        "input": _input(found["input"], context) if "input" in found else None,
        "environment": _environment(found["environment"], context) if "environment" in found else {},
        "options": _call_list(found["options"], context) if "options" in found else [],
        "post": _post(found["post"], context) if "post" in found else {},
        "agent": _agent(found["agent"], context) if "agent" in found else None,
    }


def declarative_outline(tree: list[Node]) -> dict[str, Any]:
    """The outline of a declarative Jenkinsfile; ValueError (with the line) when the layout is not declarative.

    Expected layout: ``pipeline { agent ...; stages { stage('x') { steps { ... } } } }`` with only the known
    top-level and stage directives. Top level may also hold imports, ``def`` declarations and methods.
    Returns ``{"agent", "options", "environment", "parameters", "triggers", "tools", "post", "stages": [{"name",
    "line", "steps", "when", "input", "environment", "options", "post", "agent"}]}``; steps, options, parameters,
    triggers, tools and when are lists of call nodes.
    """
    pipelines = [node for node in tree if node.get("call") == "pipeline"]
    for node in tree:
        if node.get("call") != "pipeline" and not any(k in node for k in ("import", "declare", "method")):
            raise ValueError(
                f"top level: only pipeline {{ ... }} is expected, found {_describe(node)} at {_where(node)}"
            )
    if len(pipelines) != 1:
        lines = ", ".join(_where(p) for p in pipelines)
        raise ValueError(f"expected exactly one pipeline {{ ... }} block, found {len(pipelines)} {lines}".rstrip())
    context = "pipeline"
    found = _directives(_block(pipelines[0], context), PIPELINE_DIRECTIVES, context)
    for required in ("agent", "stages"):
        if required not in found:
            raise ValueError(f"pipeline at {_where(pipelines[0])}: missing {required}")
    seen: dict[str, Node] = {}
    return {
        "agent": _agent(found["agent"], context),
        "options": _call_list(found["options"], context) if "options" in found else [],
        "environment": _environment(found["environment"], context) if "environment" in found else {},
        "parameters": _call_list(found["parameters"], context) if "parameters" in found else [],
        "triggers": _call_list(found["triggers"], context) if "triggers" in found else [],
        "tools": _call_list(found["tools"], context) if "tools" in found else [],
        "post": _post(found["post"], context) if "post" in found else {},
        "stages": [_stage(stage, seen) for stage in _block(found["stages"], "stages")],
    }
