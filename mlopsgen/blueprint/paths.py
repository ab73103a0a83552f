"""Data paths ↔ what users read: ``pipeline.steps[Train].image`` names list items by their ``name``."""

from __future__ import annotations

from typing import Any

from mlopsgen.blueprint.loader import PathKey


def display_path(data: Any, path: PathKey) -> str:
    """Render a data path for messages, naming list items by their ``name`` key when they have one.

    Args:
        data: The loaded blueprint data the path walks.
        path: Keys and list indices from the root.

    Returns:
        A dotted path such as ``pipeline.steps[Train].channels.train``.
    """
    text = ""
    node = data
    for part in path:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                    label = item["name"]
                node = item
            else:
                node = None
            text += f"[{label}]"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(top level)"


def data_path(data: Any, loc: tuple[Any, ...], *, names_key: bool = False) -> PathKey:
    """Map a pydantic error location onto the data path, dropping union tags and member names.

    Pydantic puts the tag of a discriminated union (``processing``) or the member type (``str``)
    into ``loc``; those are not keys of the data, so they are skipped while walking it. With
    ``names_key`` (missing / unknown key errors) the last item is a key even though it is absent.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif names_key and isinstance(node, dict) and isinstance(part, str) and _is_missing_leaf(loc, part):
            path.append(part)
            node = None
    return tuple(path)


def _is_missing_leaf(loc: tuple[Any, ...], part: str) -> bool:
    """The last loc item names a key that is absent (missing / unknown key errors)."""
    return bool(loc[-1] == part)
