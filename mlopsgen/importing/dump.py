"""Imported blueprint data → YAML text a person reads: block style, short leaves on one line.

A mapping of a few scalars (``image: {framework: xgboost, version: "1.7-1"}``) and a list of scalars
(``content_types: [text/csv]``) are written inline, as the example blueprints do; everything else is
block style in the order the importer built it. Strings PyYAML would read back as something else are
quoted by PyYAML itself, so the text loads back to exactly the data.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Inline(dict[str, Any]):
    """A mapping written in flow style."""


class _InlineList(list[Any]):
    """A list written in flow style."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that keeps key order and knows the inline markers."""


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _represent_inline(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_inline_list(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_dict(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(_Inline, _represent_inline)
_Dumper.add_representer(_InlineList, _represent_inline_list)
_Dumper.add_representer(dict, _represent_dict)


def _mark(node: Any) -> Any:
    if isinstance(node, dict):
        step = "name" in node and "type" in node  # a step stays a block, as in the examples
        if (
            node
            and not step
            and len(node) <= 3
            and all(_scalar(v) for v in node.values())
            and sum(len(str(v)) for v in node.values()) < 80
        ):
            return _Inline(node)
        return {k: _mark(v) for k, v in node.items()}
    if isinstance(node, list):
        if all(_scalar(v) for v in node) and sum(len(str(v)) + 2 for v in node) < 90:
            return _InlineList(node)
        return [_mark(v) for v in node]
    return node


def dump_blueprint(data: dict[str, Any], header: list[str]) -> str:
    """The blueprint as YAML text.

    Args:
        data: The imported blueprint.
        header: Comment lines written first (without ``#``).

    Returns:
        YAML text ending in a newline.
    """
    top = "".join(f"# {line}\n" if line else "#\n" for line in header)
    sections = []
    for key, value in data.items():
        sections.append(yaml.dump({key: _mark(value)}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110))
    return top + "\n".join(sections)
