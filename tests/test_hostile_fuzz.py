"""Generative test (issue 11): mutated example blueprints give located diagnostics or valid output, never a crash.

Each example takes one example blueprint, picks one key or value in it and replaces it, at the YAML
text level, with something hostile: an explicit tag with an unreadable value, a lone surrogate,
a non-character, a control character, non-ASCII digits, NaN or infinity, a huge or deeply nested
value, anchors and merge keys, or a name that collides with another after normalisation. Then:

- nothing raises (the CLI would exit 3) and nothing takes unbounded time;
- every diagnostic is one located line, ``file:line:col: MLGnnn message`` (no embedded newline),
  and encodes as UTF-8 (the CLI prints it);
- a valid result renders, and every output parses with its consumer: strict JSON (no NaN), YAML,
  Groovy (one parser run at the end), and cfn-lint on a sample of the CloudFormation templates.

Seeded (``derandomize=True``) and bounded: 300 mutations by default (about a minute);
``MLOPSGEN_FUZZ_EXAMPLES=2000`` runs more, e.g. before a release.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen
from tests.conftest import ROOT
from tests.support.cfn import lint
from tests.support.groovy import parse_groovy

EXAMPLES = int(os.environ.get("MLOPSGEN_FUZZ_EXAMPLES", "300"))
FOLDER = ROOT / "blueprints"
BLUEPRINTS = sorted(FOLDER.glob("*.yaml"))
CODE = {str(f.relative_to(FOLDER)): f.read_bytes() for f in FOLDER.rglob("*") if f.is_file()}
PLACEHOLDER = "HOSTILE_PLACEHOLDER_VALUE"
LOCATED = re.compile(r"^fuzz\.yaml:[0-9]+:[0-9]+: MLG[1-4][0-9]{2} \S")
SLOWEST_SECONDS = 10.0

_DEEP = "[" * 70 + "]" * 70
_LAUGHS = (
    "[&a [x, x, x, x, x, x, x, x, x, x], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], "
    + ", ".join(["[*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]"] * 10)
    + "]"
)
_MERGES = "{a: &m0 {k0: 1, k1: 2}, b: &m1 {<<: [*m0, *m0, *m0, *m0], j: 1}, c: {<<: [*m1, *m1, *m0], k0: 3}}"
SNIPPETS = [
    '!!int "abc"',
    '!!float "x"',
    '!!bool "maybe"',
    '!!int ""',
    "!!str 12",
    "!!binary aGk=",
    "!!timestamp 2001-12-14",
    "!!set {a: null}",
    "!!omap [a: 1]",
    "!!python/object:os.system x",
    "!custom x",
    ".nan",
    ".inf",
    "-.inf",
    ".NaN",
    "1e400",
    "-1e400",
    "0x1F",
    "0o17",
    "1_000",
    "1" + "0" * 5000,
    "9" * 40,
    "-0.0",
    '"\\ud800"',
    '"a\\udfff"',
    '"\\uffff"',
    '"\\ufdd0"',
    '"\\U0010ffff"',
    '"\\x00"',
    '"\\x1b[31m"',
    '"a\\nb"',
    '"a\\r::warning::x"',
    '"١١١١١١١١١١١١"',
    '"eu-west-١"',
    '"p-١٢٣"',
    '"${steps.Nope.outputs.x}"',
    '"${params.Nope}"',
    '"$AWS_SECRET_ACCESS_KEY"',
    '"\'\\"\\\\`"',
    '"x}${"',
    '"*"',
    "~",
    "[]",
    "{}",
    "''",
    '"' + "a" * 5000 + '"',
    _DEEP,
    _LAUGHS,
    _MERGES,
    "{<<: [{k: 1}, {k: 2}], j: 3}",
    "&anchor {k: 1}",
    "[*undefined]",
]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in the blueprint, containers and leaves alike."""
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any, *, key: bool) -> Any:
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        items = list(data.items())
        out = {}
        for k, v in items:
            if k != head:
                out[k] = v
            elif rest:
                out[k] = _replace(v, rest, value, key=key)
            elif key:
                out[value] = v
            else:
                out[k] = value
        return out
    copy = list(data)
    copy[head] = _replace(copy[head], rest, value, key=key) if rest else value
    return copy


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SOURCES = {path.name: yaml.safe_load(path.read_text()) for path in BLUEPRINTS}
PATHS = {name: _paths(data) for name, data in SOURCES.items()}


@st.composite
def mutations(draw: st.DrawFn) -> str:
    """One example blueprint, as YAML text, with one key or value replaced by something hostile."""
    name = draw(st.sampled_from(sorted(SOURCES)))
    data, paths = SOURCES[name], PATHS[name]
    path = paths[draw(st.integers(0, len(paths) - 1))]
    original = _get(data, path)
    kind = draw(st.sampled_from(["snippet", "snippet", "codepoint", "collide", "key"]))
    if kind == "collide" and isinstance(original, str):
        variant = draw(st.sampled_from(["-", "--", "upper", "pad", "strip"]))
        value = {
            "-": original + "-",
            "--": original.replace("-", "--") if "-" in original else original + "--x",
            "upper": original.upper(),
            "pad": (original + "x" * 80)[:80],
            "strip": original.replace("-", ""),
        }[variant]
        return _dump(_replace(data, path, value, key=False))
    if kind == "codepoint":
        point = draw(st.one_of(st.integers(0, 0x10FFFF), st.sampled_from([0xD800, 0xDFFF, 0xFFFE, 0xFFFF, 0x0661])))
        snippet = f'"x\\U{point:08x}y"'
    else:
        snippet = draw(st.sampled_from(SNIPPETS))
    if kind == "key" and isinstance(path[-1], str):
        text = _dump(_replace(data, path, PLACEHOLDER, key=True))
        key_snippet = snippet if snippet.startswith(('"', "!!")) else f'"{path[-1]}{snippet[:1]}"'
        return text.replace(PLACEHOLDER, key_snippet, 1)
    text = _dump(_replace(data, path, PLACEHOLDER, key=False))
    return text.replace(PLACEHOLDER, snippet, 1)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=10**6)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _strict_json(text: str) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-standard JSON constant {constant}")

    json.loads(text, parse_constant=refuse)


def _check_outputs(files: dict[str, str | bytes], groovy: dict[str, str], templates: list[tuple[str, str]]) -> None:
    for path, content in files.items():
        if isinstance(content, bytes):
            continue  # the sample payload, copied byte for byte from the repository (no blueprint text in it)
        content.encode("utf-8")  # strict: a lone surrogate cannot be written
        if path.endswith(".json"):
            _strict_json(content)
        elif path.endswith((".yml", ".yaml")):
            yaml.load(content, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when present)
            if path.startswith("infrastructure/") or path.endswith("endpoint-config-template.yml"):
                templates.append((path, content))
        elif path.endswith(("Jenkinsfile", ".groovy")):
            groovy[f"{len(groovy)}/{path}"] = content


def test_mutated_example_blueprints_give_located_diagnostics_or_valid_output() -> None:
    outcomes = {"valid": 0, "diagnostics": 0}
    groovy: dict[str, str] = {}
    templates: list[tuple[str, str]] = []
    slowest = 0.0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutations())
    def run(text: str) -> None:
        nonlocal slowest
        start = time.perf_counter()
        result = mlopsgen.render(text, name="fuzz.yaml", code=CODE)
        slowest = max(slowest, time.perf_counter() - start)
        assert time.perf_counter() - start < SLOWEST_SECONDS, text[:2000]
        if result.ok:
            outcomes["valid"] += 1
            assert result.files
            _check_outputs(result.files, groovy, templates)
            return
        outcomes["diagnostics"] += 1
        for diagnostic in result.diagnostics:
            line = diagnostic.format().split("\n    hint: ")
            assert len(line) <= 2 and all("\n" not in part and "\r" not in part for part in line), repr(line)
            assert LOCATED.match(line[0]), line[0]
            diagnostic.format().encode("utf-8")

    run()
    assert outcomes["valid"] and outcomes["diagnostics"], outcomes

    groovy_sample = dict(list(groovy.items())[: max(40, EXAMPLES // 10)])
    broken = {name: r.describe(name) for name, r in parse_groovy(groovy_sample).items() if not r.ok}
    assert not broken, "\n".join(broken.values())

    seen: set[str] = set()
    findings: list[str] = []
    for path, content in templates:
        if content in seen or len(seen) >= max(6, EXAMPLES // 50):
            continue
        seen.add(content)
        findings += [f"{path}: {f}" for f in lint(content, "eu-west-1") if f.startswith("E")]
    assert not findings, "\n".join(findings)
    print(f"fuzz: {outcomes}, slowest render {slowest:.2f}s, {len(groovy_sample)} Groovy files, {len(seen)} templates")
