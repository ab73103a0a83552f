"""Template bytes → CloudFormation data + the line and column of every key, or the reason it is unreadable.

CloudFormation reads JSON and YAML; ``audit`` must read them the same way or a template it cannot
parse would pass unchecked. So: JSON is parsed as JSON (tabs are whitespace there, though YAML
forbids them), YAML is composed into nodes and built here with positions, short-form intrinsic tags
(``!Ref``, ``!GetAtt a.b``, ``!If`` ...) become their long forms, dates stay text (``Version:
2012-10-17`` is a policy version, not a ``date``), and every input is bounded: size, nesting depth
and alias expansion (a "billion laughs" file stops at a budget instead of eating the machine).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public since Python 2.6, untyped
from typing import Any

import yaml

MAX_BYTES = 1_000_000
"""CloudFormation's own limit for a template body read from S3 (1 MB)."""
MAX_VALUES = 200_000
"""Most values built from one template, counting alias expansions (large real templates hold a few thousand)."""
MAX_DEPTH = 64
"""Deepest nesting accepted; policy documents inside resources nest about ten levels."""

PathKey = tuple[str | int, ...]
Position = tuple[int, int]
"""1-based line and column."""


class Unreadable(Exception):  # noqa: N818 - an outcome reported as a finding, not a program error
    """The template cannot be read; the message says why and ``position`` where."""

    def __init__(self, message: str, position: Position = (1, 1)) -> None:
        super().__init__(message)
        self.message, self.position = message, position


@dataclass
class Template:
    """A parsed template and where each key of it was written."""

    data: Any
    positions: dict[PathKey, Position] = field(default_factory=dict)

    def locate(self, path: PathKey) -> Position:
        """Position of ``path``, else of its nearest recorded ancestor."""
        probe = tuple(path)
        while probe and probe not in self.positions:
            probe = probe[:-1]
        return self.positions.get(probe, (1, 1))


class _CfnResolver(yaml.resolver.Resolver):
    """YAML 1.1 resolution without timestamps: CloudFormation keeps ``2012-10-17`` as text."""


_CfnResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _CfnResolver):
    """PyYAML's parser and composer only: nodes with marks, no object construction."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CfnResolver.__init__(self)


_SCALARS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}
_MERGE = "tag:yaml.org,2002:merge"
_CONDITION_TAGS = {"!Ref": "Ref", "!Condition": "Condition"}


class _Builder:
    """Builds plain data from a YAML node tree, recording each key's position and spending a budget."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.count = 0
        self.open: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise Unreadable(f"YAML aliases expand it to more than {MAX_VALUES} values", _mark(node.start_mark))
        if depth > MAX_DEPTH:
            raise Unreadable(f"it nests deeper than {MAX_DEPTH} levels", _mark(node.start_mark))
        self.template.positions.setdefault(path, _mark(node.start_mark))
        tag = str(node.tag)
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._intrinsic(tag, node, path, depth)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.open:
                raise Unreadable("a YAML alias refers to a collection that contains it", _mark(node.start_mark))
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path, depth)
                return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        if tag in _SCALARS:
            return self.constructor.construct_object(node, deep=True)
        return str(node.value)  # !!binary, !!timestamp and other explicit tags: their text

    def _intrinsic(self, tag: str, node: yaml.Node, path: PathKey, depth: int) -> dict[str, Any]:
        name = _CONDITION_TAGS.get(tag, f"Fn::{tag[1:]}")
        inner = (*path, name)
        if isinstance(node, yaml.ScalarNode):
            value: Any = str(node.value)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        else:
            untagged = type(node)(_default_tag(node), node.value, node.start_mark, node.end_mark)
            value = self.build(untagged, inner, depth + 1)
        self.template.positions.setdefault(inner, _mark(node.start_mark))
        return {name: value}

    def _entries(self, node: yaml.MappingNode, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        """Expand ``<<`` merge keys (explicit keys win), so nothing hides behind a merge."""
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                own.append((key_node, value_node))
                continue
            for source in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
                if not isinstance(source, yaml.MappingNode):
                    raise Unreadable("a '<<' merge key needs a mapping or a list of mappings", _mark(source.start_mark))
                self.count += len(source.value)
                if self.count > MAX_VALUES or depth > MAX_DEPTH:
                    raise Unreadable("YAML merge keys expand it too far", _mark(source.start_mark))
                merged.extend(self._entries(source, depth + 1))
        own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if k.value not in own_keys] + own

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self._entries(node, depth):
            if not isinstance(key_node, yaml.ScalarNode):
                raise Unreadable("a mapping key is not text", _mark(key_node.start_mark))
            key = str(key_node.value)  # as written: a resource named 1 is "1", never the int 1
            if key in result:
                raise Unreadable(
                    f"duplicate key {json.dumps(key)} (CloudFormation rejects the template)", _mark(key_node.start_mark)
                )
            child = (*path, key)
            self.template.positions[child] = _mark(key_node.start_mark)
            result[key] = self.build(value_node, child, depth + 1)
        return result


def _default_tag(node: yaml.Node) -> str:
    return "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"


def _mark(mark: yaml.Mark | None) -> Position:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def load_template(raw: bytes) -> Template:
    """Parse template bytes (JSON when they start like JSON, else YAML).

    Raises:
        Unreadable: Not UTF-8, too large, invalid JSON or YAML, or over a budget.
    """
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"it is {len(raw)} bytes; CloudFormation accepts at most {MAX_BYTES}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"it is not UTF-8 text (byte {exc.start})") from None
    try:
        if text.lstrip().startswith("{"):
            return _JsonReader(text).read()
        return _load_yaml(text)
    except RecursionError:
        raise Unreadable(f"it nests deeper than {MAX_DEPTH} levels") from None


def _load_yaml(text: str) -> Template:
    try:
        composer = _Composer(text)
        try:
            node = composer.get_single_node()
        finally:
            composer.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise Unreadable(
            f"YAML syntax error: {(exc.problem or exc.context or 'invalid YAML').strip()}", _mark(mark)
        ) from None
    except yaml.YAMLError as exc:
        raise Unreadable(f"YAML error: {exc}") from None
    template = Template(None)
    if node is not None:
        template.data = _Builder(template).build(node, (), 0)
    return template


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _JsonReader:
    """Strict JSON (RFC 8259) with the position of every key, nesting bounded."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.template = Template(None)
        self.lines = [m.start() for m in re.finditer(r"^", text, re.M)]

    def read(self) -> Template:
        value, end = self._value(self._skip(0), (), 0)
        if self._skip(end) != len(self.text):
            self._fail("extra data after the JSON value", self._skip(end))
        self.template.data = value
        return self.template

    def _position(self, index: int) -> Position:
        line = bisect_right(self.lines, index) - 1
        return (line + 1, index - self.lines[line] + 1)

    def _fail(self, message: str, index: int) -> None:
        raise Unreadable(f"JSON syntax error: {message}", self._position(index))

    def _skip(self, index: int) -> int:
        match = _WHITESPACE.match(self.text, index)
        return match.end() if match else index

    def _value(self, index: int, path: PathKey, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise Unreadable(f"it nests deeper than {MAX_DEPTH} levels", self._position(index))
        self.template.positions.setdefault(path, self._position(index))
        char = self.text[index : index + 1]
        if char == "{":
            return self._object(index + 1, path, depth)
        if char == "[":
            return self._array(index + 1, path, depth)
        if char == '"':
            return self._string(index)
        for literal, value in _LITERALS.items():
            if self.text.startswith(literal, index):
                return value, index + len(literal)
        number = _NUMBER.match(self.text, index)
        if number is None:
            self._fail("expected a value", index)
        assert number is not None
        text = number.group()
        return (float(text) if any(c in text for c in ".eE") else int(text)), number.end()

    def _string(self, index: int) -> tuple[str, int]:
        try:
            text, end = scanstring(self.text, index + 1, True)
            return str(text), int(end)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"JSON syntax error: {exc.msg}", self._position(exc.pos)) from None

    def _object(self, index: int, path: PathKey, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        index = self._skip(index)
        if self.text.startswith("}", index):
            return result, index + 1
        while True:
            if not self.text.startswith('"', index):
                self._fail("expected a key in double quotes", index)
            start = index
            key, index = self._string(index)
            if key in result:
                raise Unreadable(
                    f"duplicate key {json.dumps(key)} (CloudFormation rejects the template)", self._position(start)
                )
            index = self._skip(index)
            if not self.text.startswith(":", index):
                self._fail("expected ':'", index)
            child = (*path, key)
            self.template.positions[child] = self._position(start)
            result[key], index = self._value(self._skip(index + 1), child, depth + 1)
            index = self._skip(index)
            if self.text.startswith("}", index):
                return result, index + 1
            if not self.text.startswith(",", index):
                self._fail("expected ',' or '}'", index)
            index = self._skip(index + 1)

    def _array(self, index: int, path: PathKey, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        index = self._skip(index)
        if self.text.startswith("]", index):
            return result, index + 1
        while True:
            item, index = self._value(index, (*path, len(result)), depth + 1)
            result.append(item)
            index = self._skip(index)
            if self.text.startswith("]", index):
                return result, index + 1
            if not self.text.startswith(",", index):
                self._fail("expected ',' or ']'", index)
            index = self._skip(index + 1)
