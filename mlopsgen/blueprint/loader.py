"""YAML text → plain mapping + the source position of every key and value (the only YAML parser use).

PyYAML's composer gives nodes with marks; we construct the data ourselves so that we can
report duplicate keys, keep keys as written (``on:`` stays the string "on"), refuse exotic tags,
and bound the work an input can cause (alias expansion, nesting depth, size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from mlopsgen.errors import Diagnostic, Position

MAX_BYTES = 1024 * 1024
"""Largest blueprint accepted; real ones are a few KiB."""
MAX_NODES = 100_000
"""Most values built from one blueprint, counting every alias expansion (stops "billion laughs")."""
MAX_DEPTH = 64
"""Deepest nesting accepted; deeper inputs would only exhaust the parser's stack."""

PathKey = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class SourceMap:
    """Positions of keys and values in one blueprint, addressed by data path."""

    file: str
    keys: dict[PathKey, Position] = field(default_factory=dict)
    values: dict[PathKey, Position] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = True) -> Position | None:
        """Position of ``path`` (its key when ``key``), else of its nearest known ancestor."""
        probe = tuple(path)
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for candidate in table:
                if probe in candidate:
                    return candidate[probe]
            if not probe:
                return None
            probe = probe[:-1]


@dataclass
class Loaded:
    """A parsed blueprint: its data, where each piece came from, and any load problems."""

    data: Any
    source: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Budget(Exception):
    """Raised inside construction when an input exceeds a limit; turned into one diagnostic."""

    def __init__(self, code: str, message: str, hint: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.mark = code, message, hint, mark


def _pos(mark: yaml.Mark | None) -> Position | None:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else None


class _Builder:
    """Builds plain Python data from a composed YAML node tree, recording positions."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self._spend(node)
        if depth > MAX_DEPTH:
            raise _Budget(
                "MLG102",
                f"blueprint nests deeper than {MAX_DEPTH} levels",
                "flatten the structure; real blueprints nest a few levels.",
                node.start_mark,
            )
        self.source.values.setdefault(path, _pos(node.start_mark) or Position(1, 1))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _COLLECTION_TAGS:
            raise _Budget(
                "MLG100",
                f"unsupported YAML tag '{node.tag}'",
                "blueprints use plain YAML mappings and lists only.",
                node.start_mark,
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag in _TEXT_TAGS:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise _Budget(
                "MLG100",
                f"unsupported YAML tag '{node.tag}'",
                "blueprints use plain YAML values only; quote the value if it is text.",
                node.start_mark,
            )
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError, OverflowError, yaml.YAMLError):
            # PyYAML's resolvers trust explicit tags: ``!!int "abc"`` reaches int() and raises.
            tag = str(node.tag).rsplit(":", 1)[-1]
            raise _Budget(
                "MLG100",
                f"{_shown(str(node.value))} cannot be read as a YAML {tag}",
                f"quote it if it is text; with an explicit '!!{tag}' tag, write a value of that type or drop the tag.",
                node.start_mark,
            ) from None
        if isinstance(value, str):
            _refuse_bad_characters(value, node.start_mark)
        return value

    def _entries(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Expand ``<<`` merge keys as YAML 1.1 defines them.

        Explicit keys override merged ones, and of the mappings in a merge list the earlier one
        wins a shared key (``<<: [*a, *b]``), so a shared key is not a duplicate. Every merged
        entry counts against ``MAX_NODES``: nested merges multiply like aliases do.
        """
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        merged_keys: set[object] = set()
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        raise _Budget(
                            "MLG100",
                            "a '<<' merge key needs a mapping or a list of mappings",
                            "",
                            src.start_mark,
                        )
                    for key, value in self._entries(src):
                        self._spend(key)
                        if key.value not in merged_keys:
                            merged_keys.add(key.value)
                            merged.append((key, value))
            else:
                own.append((key_node, value_node))
        own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if k.value not in own_keys] + own

    def _spend(self, node: yaml.Node) -> None:
        """Count one more value built (or merged) against ``MAX_NODES``."""
        self.count += 1
        if self.count > MAX_NODES:
            raise _Budget(
                "MLG102",
                f"blueprint expands to more than {MAX_NODES} values",
                "YAML aliases (*name) and merge keys (<<) are expanded on load; reduce their use.",
                node.start_mark,
            )

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, yaml.Mark] = {}
        for key_node, value_node in self._entries(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Budget("MLG100", "mapping keys must be plain text", "", key_node.start_mark)
            key = str(key_node.value)
            _refuse_bad_characters(key, key_node.start_mark)
            if key in seen:
                first = seen[key]
                self.diagnostics.append(
                    Diagnostic(
                        code="MLG103",
                        message=f"duplicate key '{key}' (first defined at line {first.line + 1})",
                        file=self.source.file,
                        pos=_pos(key_node.start_mark),
                        hint="YAML keeps only the last value; remove or rename one of them.",
                    )
                )
                continue
            seen[key] = key_node.start_mark
            child = (*path, key)
            self.source.keys.setdefault(child, _pos(key_node.start_mark) or Position(1, 1))
            result[key] = self.build(value_node, child, depth + 1)
        return result


def bad_character(text: str) -> tuple[str, str] | None:
    r"""The first character no generated file can carry safely, as (what it is, what to do), or None.

    A lone UTF-16 surrogate (YAML's ``"\ud83d"`` escapes do not pair up) cannot be encoded to
    UTF-8 at all; a Unicode non-character such as U+FFFF is written as ``\uffff`` in a Jenkinsfile,
    which Groovy reads back as its end-of-file character; C0 control characters other than tab,
    newline and carriage return break the shell, YAML and Groovy files they land in.
    """
    for char in text:
        point = ord(char)
        if 0xD800 <= point <= 0xDFFF:
            return "a lone UTF-16 surrogate", 'write the character itself, or its "\\U0001F680" escape.'
        if 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
            return f"the Unicode non-character U+{point:04X}", "remove it; it is reserved for internal use."
        if (point < 0x20 and char not in "\t\n\r") or point == 0x7F:
            return f"the control character U+{point:04X}", "remove it."
    return None


def _refuse_bad_characters(text: str, mark: yaml.Mark | None) -> None:
    """Refuse, in keys and values alike, what ``bad_character`` finds."""
    found = bad_character(text)
    if found is not None:
        raise _Budget("MLG100", f"text holds an invalid character ({found[0]})", found[1], mark)


def _shown(text: str) -> str:
    """A value quoted for a one-line message: escapes keep newlines and odd characters visible."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return repr(shown) if shown else "an empty value"


def load_blueprint(text: str, file: str = "<string>") -> Loaded:
    """Parse blueprint YAML text into data and a source map.

    Args:
        text: The blueprint's YAML text.
        file: Display name used in diagnostics.

    Returns:
        The data (``None`` when unusable), its source map and any load diagnostics.
    """
    source = SourceMap(file=file)

    def fail(code: str, message: str, pos: Position | None = None, hint: str = "") -> Loaded:
        where = pos or Position(1, 1)
        return Loaded(None, source, [Diagnostic(code, message, file=file, pos=where, hint=hint)])

    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        return fail("MLG101", f"blueprint is {size} bytes; the limit is {MAX_BYTES}", hint="is this the right file?")
    too_deep = f"blueprint nests deeper than {MAX_DEPTH} levels"
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        problem = _reword((exc.problem or exc.context or "invalid YAML").strip())
        message = f"YAML syntax error: {problem}"
        if exc.context and exc.context_mark is not None and exc.problem:
            # Where the unclosed quote, bracket or mapping began is usually the real culprit.
            started = exc.context.replace("while ", "").replace("parsing ", "").replace("scanning ", "")
            message += (
                f" ({started} that starts at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
            )
        return fail("MLG100", message, _pos(exc.problem_mark or exc.context_mark), _syntax_hint(problem))
    except yaml.YAMLError as exc:
        return fail("MLG100", f"YAML error: {exc}")
    except RecursionError:
        return fail("MLG102", too_deep)
    if node is None:
        return fail("MLG104", "blueprint is empty", hint="start from blueprints/abalone.yaml.")
    builder = _Builder(source)
    try:
        data = builder.build(node, (), 0)
    except _Budget as exc:
        return fail(exc.code, exc.message, _pos(exc.mark), exc.hint)
    except RecursionError:
        return fail("MLG102", too_deep)
    if not isinstance(data, dict):
        return fail(
            "MLG104",
            f"a blueprint must be a mapping of keys, not a {_kind(data)}",
            hint="the top level holds 'project' and 'pipeline'.",
        )
    return Loaded(data, source, builder.diagnostics)


_REWORDED = {
    "expected <block end>, but found '<block mapping start>'": "a key is indented more than the keys before it",
    "expected <block end>, but found '<block sequence start>'": "a list item is indented more than the items before it",
    "expected <block end>, but found '-'": "a list item is not aligned with the items before it",
}


def _reword(problem: str) -> str:
    """Replace PyYAML's parser-state wording with what the user did."""
    return _REWORDED.get(problem, problem)


def _compose(text: str) -> yaml.Node | None:
    """Parse with libyaml when PyYAML has it (several times faster); report errors from the pure parser.

    Both build the same node tree with the same marks; on invalid input the pure-Python parser runs
    again so that the error wording does not depend on how PyYAML was built.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            node: yaml.Node | None = yaml.compose(text, Loader=fast)
            return node
        except yaml.YAMLError:
            pass
    result: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    return result


def _syntax_hint(problem: str) -> str:
    if "'\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs."
    if "mapping values are not allowed" in problem:
        return "quote a value that contains ': ', or check that this line is not indented too far."
    if "indented" in problem or "aligned" in problem:
        return "keys of one mapping (and items of one list) must start in the same column."
    if "found unexpected end of stream" in problem or "expected ',' or" in problem:
        return "a quote or bracket opened earlier is not closed."
    return "check indentation and quoting around this position."


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text value"
    if value is None:
        return "null"
    return type(value).__name__
