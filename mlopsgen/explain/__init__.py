"""``mlopsgen explain``: which blueprint key and Plan item produced a generated line (provenance kept by emitters)."""

from __future__ import annotations

import json
from pathlib import Path

from mlopsgen.explain.query import Answer, explain

__all__ = ["Answer", "explain", "explain_report"]


def explain_report(target: str, blueprint: Path | None, *, as_json: bool) -> tuple[str, str, int]:
    """What the CLI prints for ``mlopsgen explain``.

    Args:
        target: ``FILE``, ``FILE:LINE`` or ``FILE#/json/pointer``.
        blueprint: The blueprint, when it is not found beside the output folder.
        as_json: One JSON document (answers and diagnostics) for editor integrations.

    Returns:
        Standard output, standard error and the exit code (0 answered, 1 diagnostics).
    """
    answers, diagnostics = explain(target, blueprint)
    code = 1 if diagnostics else 0
    if as_json:
        data = {"answers": [a.to_dict() for a in answers], "diagnostics": [d.to_dict() for d in diagnostics]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n", "", code
    out = "".join(a.format() + "\n" for a in answers)
    err = "".join(d.format() + "\n" for d in diagnostics)
    return out, err, code
