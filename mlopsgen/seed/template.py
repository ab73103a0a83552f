"""Blueprint template + project parameters → the files of a seeded repository, in memory.

A template is a folder (shipped in the Lambda zip, or under an S3 prefix): one blueprint and the
code files it references, by blueprint-relative path. The blueprint may hold ``${Name}``
placeholders inside scalars (``name: ${SageMakerProjectName}``). They are filled in on the YAML
*tokens*, not by a text replace: each scalar holding a placeholder is rewritten as one JSON-quoted
scalar (JSON strings are valid YAML double-quoted scalars), so a value such as ``a: b`` or
``"]}`` stays one string and can never become YAML syntax; comments and layout elsewhere are
kept. The result is parsed back and must equal the data-level substitution, which proves it.

The seeded repository mirrors what the CLI's defaults expect: ``blueprints/<file>`` plus its code,
and ``generated/<stem>/`` with every rendered file and the manifest, so ``mlopsgen check`` passes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

import yaml

from mlopsgen import api
from mlopsgen.errors import Diagnostic
from mlopsgen.frozen import frozen

PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
BLUEPRINT_DIR = "blueprints"
OUTPUT_DIR = "generated"


class TemplateError(ValueError):
    """The template cannot be filled in (unknown placeholder, placeholder where it cannot go)."""


@frozen
class Seeded:
    """A rendered repository, or why there is none.

    Attributes:
        files: Repository path → bytes; empty when there are diagnostics.
        diagnostics: The blueprint's problems, as ``mlopsgen validate`` reports them.
        warnings: What does not stop the render (an older language version, MLG130); the handler logs them.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the blueprint rendered."""
        return not self.diagnostics


def _fill(value: str, parameters: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in parameters:
            known = ", ".join(sorted(parameters)) or "none"
            raise TemplateError(f"unknown template parameter ${{{key}}} (given: {known})")
        return parameters[key]

    return PLACEHOLDER.sub(one, value)


def _fill_data(data: Any, parameters: Mapping[str, str]) -> Any:
    if isinstance(data, str):
        return _fill(data, parameters)
    if isinstance(data, list):
        return [_fill_data(item, parameters) for item in data]
    if isinstance(data, dict):
        return {_fill_data(k, parameters): _fill_data(v, parameters) for k, v in data.items()}
    return data


def fill_blueprint(text: str, parameters: Mapping[str, str]) -> str:
    """Fill ``${Name}`` placeholders in a blueprint's scalars, keeping everything else as written.

    Args:
        text: The blueprint template (YAML).
        parameters: Placeholder name → value (any text: it is quoted, never spliced into syntax).

    Returns:
        The blueprint text with every placeholder replaced.

    Raises:
        TemplateError: An unknown placeholder, one in a block scalar, or text that is not YAML.
    """
    if not PLACEHOLDER.search(text):
        return text
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
        expected = _fill_data(yaml.safe_load(text), parameters)
    except yaml.YAMLError as exc:
        raise TemplateError(f"the blueprint template is not YAML: {exc}") from None
    pieces: list[str] = []
    cursor = 0
    for token in tokens:
        if not isinstance(token, yaml.ScalarToken) or not PLACEHOLDER.search(token.value):
            continue
        if token.style in ("|", ">"):
            raise TemplateError(f"line {token.start_mark.line + 1}: placeholders are not allowed in block scalars")
        start, end = token.start_mark.index, token.end_mark.index
        pieces += [text[cursor:start], _quoted(_fill(token.value, parameters))]
        cursor = end
    filled = "".join([*pieces, text[cursor:]])
    if yaml.safe_load(filled) != expected:  # defence in depth: the token rewrite is exactly the data rewrite
        raise TemplateError("placeholders could not be filled without changing the blueprint's structure")
    return filled


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)


def seed_repository(bundle: Mapping[str, bytes], blueprint: str, parameters: Mapping[str, str]) -> Seeded:
    """Render a template bundle into the files of a new project's repository.

    Args:
        bundle: Template folder: blueprint-relative path → bytes (the blueprint and its code).
        blueprint: The blueprint's file name, at the top of ``bundle`` (``abalone.yaml``).
        parameters: Placeholder values (project name and id, and any other template parameters).

    Returns:
        The repository files (blueprint, code, generated tree and manifest), or the diagnostics.

    Raises:
        TemplateError: The bundle has no such blueprint, or it cannot be filled in.
    """
    if "/" in blueprint or blueprint not in bundle:
        raise TemplateError(f"the template has no blueprint {blueprint!r} (files: {', '.join(sorted(bundle))})")
    try:
        text = bundle[blueprint].decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError(f"the blueprint {blueprint!r} is not UTF-8 text") from None
    filled = fill_blueprint(text, parameters)
    code = {path: content for path, content in bundle.items() if path != blueprint}
    result = api.render(filled, name=blueprint.rsplit("/", 1)[-1], code=code)
    if not result.ok:
        return Seeded({}, result.diagnostics, result.warnings)
    files = {f"{BLUEPRINT_DIR}/{path}": content for path, content in code.items()}
    files[f"{BLUEPRINT_DIR}/{blueprint}"] = filled.encode("utf-8")
    for path, content in result.tree.items():
        files[f"{OUTPUT_DIR}/{result.name}/{path}"] = content.encode("utf-8") if isinstance(content, str) else content
    return Seeded(dict(sorted(files.items())), warnings=result.warnings)
