"""A canary with hostile characters in every user string field appears only quoted for where it lands.

The canary holds quotes, ``${``, ``$(...)``, backticks, ``*``, ``@``, ``#``, ``]``, a backslash and
(where the field allows) a newline. One valid blueprint carries it in tags, parameter defaults,
arguments, environment, hyperparameters, content types, step descriptions and CI execution
parameters; every output is then read back by its context's own rules: JSON strings, YAML
scalars, ``Fn::Sub`` strings (``${`` written ``${!``), shell words (single-quoted), Groovy
single-quoted literals, Markdown code spans and GitHub annotations. A canary that comes back
whole from a parser, and never sits in an active (unquoted, expandable) position, is escaped.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.cli import app
from mlopsgen.views.review import review_markdown
from mlopsgen.views.summary import summarize
from tests.support.groovy import groovy_available, parse_groovy
from tests.unit.test_api import ABALONE, CODE
from tests.unit.views.test_review_escaping import _spans_and_rest

MARK = "MLGCANARY"
FULL = MARK + "'\"${x}$(id)`y``*@#]\\%"
"""For plain text fields (tags, content type), where ``${`` is not a blueprint reference."""
VALUE = MARK + "'\"$HOME$(id)`y``*@#]\\%"
"""For fields that read ``${...}`` as a reference: everything else hostile stays."""
LINES = VALUE + "\nline2 ~"
TAG_SAFE = MARK + " @x:/=+-_."
"""AWS's tag value characters only, for when tags are validated against them."""
DOLLAR = "text/csv;v=$MLGCANARY_SECRET"
"""A media type (content types are validated as such) whose parameter is shaped like a variable reference."""
CANARIES = (LINES, FULL, VALUE, TAG_SAFE, DOLLAR)


def canary_blueprint(tag_value: str = FULL) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ABALONE.read_text())
    data["project"]["tags"] = {"team": tag_value, "canary": tag_value}
    parameters = data["pipeline"]["parameters"]
    parameters["InputDataUrl"]["default"] = VALUE
    parameters["Note"] = {"type": "string", "default": LINES}
    steps = {step["name"]: step for step in data["pipeline"]["steps"]}
    preprocess = steps["PreprocessAbaloneData"]
    preprocess["arguments"] += ["--note", LINES]
    preprocess["environment"] = {"NOTE": LINES}
    preprocess["description"] = LINES
    preprocess["display_name"] = VALUE
    steps["TrainAbaloneModel"]["hyperparameters"]["note"] = LINES
    steps["TrainAbaloneModel"]["channels"]["train"]["content_type"] = VALUE
    steps["RegisterAbaloneModel"]["content_types"] = [VALUE, DOLLAR]
    steps["RegisterAbaloneModel"]["response_types"] = [VALUE]
    data["deploy"]["sample_content_type"] = DOLLAR
    data["ci"]["execution_parameters"] = {"Note": LINES, "InputDataUrl": VALUE}
    return data


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    result = mlopsgen.render(yaml.safe_dump(canary_blueprint()), code=CODE, name="abalone.yaml")
    if not result.ok and all(d.path.startswith("project.tags") for d in result.diagnostics):
        # Tags restricted to AWS's tag characters: they carry the tag-safe canary instead.
        result = mlopsgen.render(yaml.safe_dump(canary_blueprint(TAG_SAFE)), code=CODE, name="abalone.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    # The sample payload is the one binary file (bytes, copied as is); no blueprint string reaches it.
    return {path: content for path, content in result.files.items() if isinstance(content, str)}


def _whole(text: str) -> bool:
    """Every canary in ``text`` is one of the canaries, complete (nothing cut or unescaped)."""
    rest = text
    for canary in CANARIES:
        rest = rest.replace(canary, "")
    return MARK not in rest


def _strings(node: Any, parent: str = "") -> Iterator[tuple[str, str]]:
    """(the key it sits under, string) for every string in parsed JSON/YAML, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield parent, str(key)
            yield from _strings(value, str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, parent)
    elif isinstance(node, str):
        yield parent, node


# --- shell ---------------------------------------------------------------------------------------

_SAFE_UNQUOTED = re.compile(r"[A-Za-z0-9_./=:,@%+\-\s]")


def shell_problems(command: str) -> list[str]:
    """Why ``command`` lets a canary act: any canary character outside single quotes.

    Tracks POSIX quoting: only text in single quotes is inert. Double quotes may hold exactly one
    intended variable reference (``"$NAME"``); unquoted text may hold only characters that mean
    nothing to the shell (``'"'"'`` is how a single quote is written inside single-quoted text).
    """
    problems, state, i, double = [], "none", 0, ""
    while i < len(command):
        char = command[i]
        if state == "single":
            state = "none" if char == "'" else "single"
        elif state == "double":
            if char == '"':
                if MARK in double or not re.fullmatch(r"\$[A-Z_][A-Z0-9_]*|[^$`\\!]*", double):
                    problems.append(f"double-quoted text {double!r} is expanded by the shell")
                state, double = "none", ""
            else:
                double += char
        elif char == "'":
            state = "single"
        elif char == '"':
            state = "double"
        elif not _SAFE_UNQUOTED.match(char):
            problems.append(f"unquoted {char!r} at {i}")
        i += 1
    return problems


def _shell_words(command: str) -> list[str]:
    import shlex

    return shlex.split(command)


def _check_command(command: str, where: str) -> None:
    if MARK not in command:
        return
    assert not shell_problems(command), (where, command, shell_problems(command))
    assert any(_whole(word) and MARK in word for word in _shell_words(command)), (where, command)


# --- Groovy --------------------------------------------------------------------------------------

_GROOVY_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\", "'": "'", '"': '"', "$": "$"}


def groovy_literals(source: str) -> tuple[list[str], str]:
    """(decoded single-quoted literals, the code outside any literal or comment) of a Groovy file."""
    literals, outside, i = [], "", 0
    while i < len(source):
        if source.startswith("//", i):
            i = source.find("\n", i) if "\n" in source[i:] else len(source)
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif source[i] == "'" and not source.startswith("'''", i):
            value, i = "", i + 1
            while source[i] != "'":
                if source[i] == "\\":
                    nxt = source[i + 1]
                    if nxt == "u":
                        value, i = value + chr(int(source[i + 2 : i + 6], 16)), i + 6
                        continue
                    value, i = value + _GROOVY_ESCAPES[nxt], i + 2
                    continue
                value, i = value + source[i], i + 1
            literals.append(value)
            i += 1
        elif source[i] == '"':
            end = source.index('"', i + 1)
            outside += source[i : end + 1]  # GStrings interpolate: they count as code
            i = end + 1
        else:
            outside, i = outside + source[i], i + 1
    return literals, outside


# --- the tests -----------------------------------------------------------------------------------


def test_the_canary_reaches_every_kind_of_output(rendered: dict[str, str]) -> None:
    kinds = {path.rsplit("/", 1)[-1] for path, content in rendered.items() if MARK in content}
    assert {"pipeline-definition.json", "buildspec.yml", "Jenkinsfile", "project.yml"} <= kinds, kinds


def test_json_outputs_hold_the_canary_as_whole_strings(rendered: dict[str, str]) -> None:
    for path, content in rendered.items():
        if path.endswith(".json") and MARK in content:
            for _, text in _strings(json.loads(content)):
                assert _whole(text), (path, text)


def test_yaml_outputs_hold_the_canary_as_whole_scalars_and_escaped_in_fn_sub(rendered: dict[str, str]) -> None:
    for path, content in rendered.items():
        if not path.endswith((".yml", ".yaml")) or MARK not in content:
            continue
        for key, text in _strings(yaml.safe_load(content)):
            if key == "Fn::Sub" and MARK in text:
                assert "${x}" not in text and _whole(text.replace("${!", "${")), (path, text)
            elif key == "commands":
                _check_command(text, path)  # buildspec commands: shell quoting applies inside
            else:
                assert _whole(text), (path, text)


def test_buildspec_commands_single_quote_the_canary(rendered: dict[str, str]) -> None:
    for path, content in rendered.items():
        if path.endswith("buildspec.yml"):
            for phase in yaml.safe_load(content)["phases"].values():
                for command in phase.get("commands", []):
                    _check_command(command, path)


def test_jenkinsfiles_hold_the_canary_in_single_quoted_literals(rendered: dict[str, str]) -> None:
    groovy = {path: content for path, content in rendered.items() if path.endswith(("Jenkinsfile", ".groovy"))}
    assert any(MARK in content for content in groovy.values())
    for path, content in groovy.items():
        literals, outside = groovy_literals(content)
        assert MARK not in outside, path
        for literal in literals:
            if MARK in literal and literal.startswith("python3 "):
                _check_command(literal, path)  # a shell command: the shell's quoting applies inside
            elif MARK in literal:
                assert _whole(literal), (path, literal)
    if groovy_available():
        results = parse_groovy(groovy)
        assert all(not r.errors for r in results.values()), {p: r.errors for p, r in results.items() if r.errors}


def test_the_review_holds_the_canary_in_code_spans() -> None:
    from mlopsgen.api import plan_blueprint

    old_plan, _ = plan_blueprint(ABALONE.read_text(), code=CODE, name="abalone.yaml")
    new_plan, diagnostics = plan_blueprint(yaml.safe_dump(canary_blueprint()), code=CODE, name="abalone.yaml")
    if new_plan is None:
        new_plan, diagnostics = plan_blueprint(
            yaml.safe_dump(canary_blueprint(TAG_SAFE)), code=CODE, name="abalone.yaml"
        )
    assert old_plan is not None and new_plan is not None, diagnostics
    markdown = review_markdown("abalone.yaml", summarize(old_plan), summarize(new_plan), [])
    assert MARK in markdown
    for line in markdown.splitlines():
        spans, rest = _spans_and_rest(line)
        assert MARK not in rest, line
        for span in spans:
            assert _whole(span.replace(VALUE + " line2 ~", VALUE)), span


def test_annotations_hold_the_canary_on_one_line(tmp_path: Any) -> None:
    data = copy.deepcopy(yaml.safe_load(ABALONE.read_text()))
    data["project"][LINES + "\r::warning file=x.yaml::forged"] = FULL
    blueprint = tmp_path / "canary.yaml"
    blueprint.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["validate", str(blueprint), "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines), lines
    assert any(MARK in line for line in lines)
