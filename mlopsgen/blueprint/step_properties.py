"""Step property paths (``${steps.S.properties.PATH}``) → checked against SageMaker's response shapes.

The table ``step_properties.json`` is generated from the pinned botocore SageMaker model by
``scripts/sync_step_properties.py``: per step type, the shapes the SageMaker SDK's ``Properties``
reads (``DescribeTrainingJobResponse`` for a training step, ...), reduced to structure members, list
items and map values. A path the SDK cannot walk would crash the SDK engine and give SageMaker a
``Get`` it rejects at execution time, so validation walks the same shapes the SDK does.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

_TOKEN = re.compile(r"\.?([A-Za-z][A-Za-z0-9_]*)|\[([^\]]+)\]")


@cache
def _table() -> dict[str, Any]:
    text = resources.files("mlopsgen.blueprint").joinpath("step_properties.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


def check_property_path(step_type: str, path: str) -> tuple[str, list[str], str] | None:
    """Walk ``path`` through the response shapes of a ``step_type`` step, as the SDK's Properties do.

    Args:
        step_type: The blueprint step type (``training``, ``processing``, ...).
        path: A property path such as ``FinalMetricDataList['validation:rmse'].Value`` (already
            checked for the path syntax).

    Returns:
        ``None`` when the path reaches a value; otherwise the problem, the names that would
        continue the path at the failing point and the word written there (for "did you mean").
    """
    table = _table()
    if step_type == "condition":
        members = table["condition_properties"]
        return None if path in members else (f"a condition step has only {', '.join(members)}", members, path)
    roots: list[str] = table["steps"].get(step_type, [])
    if not roots:
        return (f"a {step_type} step has no properties", [], "")
    members = {}
    for root in roots:
        members.update(table["shapes"][root]["members"])
    shape: dict[str, Any] = {"members": members}
    walked = ""
    for match in _TOKEN.finditer(path):
        name, index = match.group(1), match.group(2)
        if name is not None:
            known = shape.get("members")
            if known is None:
                return (f"{walked} is {_kind(shape)}, it has no member '{name}'", _continuations(shape), name)
            if name not in known:
                where = f"{walked} has" if walked else "the step's response has"
                return (f"{where} no property '{name}'", sorted(known), name)
            shape = table["shapes"][known[name]]
        else:
            key = index.strip()
            item = shape.get("list", shape.get("map"))
            if item is None:
                what = walked or "the step's response"
                return (f"{what} is {_kind(shape)}, it cannot be indexed with [{key}]", _continuations(shape), key)
            quoted = len(key) >= 2 and key[0] == key[-1] and key[0] in "'\""
            if not (quoted or key.isdigit()):
                return (f"index [{key}] is neither a number nor a quoted key", [], key)
            shape = table["shapes"][item]
        walked = path[: match.end()]
    if "members" in shape or "list" in shape or "map" in shape:
        return (f"{walked} is {_kind(shape)}, not a value", _continuations(shape), "")
    return None


def _kind(shape: dict[str, Any]) -> str:
    if "members" in shape:
        return "a structure"
    if "list" in shape:
        return "a list"
    if "map" in shape:
        return "a map"
    return "a single value"


def _continuations(shape: dict[str, Any]) -> list[str]:
    if "members" in shape:
        return sorted(shape["members"])
    if "list" in shape:
        return ["[0]"]
    if "map" in shape:
        return ["['key']"]
    return []
