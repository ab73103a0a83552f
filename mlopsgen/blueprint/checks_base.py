"""The diagnostic record the semantic checks return, and the small helpers their messages share.

Split out of ``checks.py`` so the check modules beside it (``checks_delivery`` and the
per-construct ``checks_*``) can build Issues without importing ``checks.py``, which imports them
all to list ``CHECKS``. ``checks.py`` re-exports ``Issue`` and the helpers, so existing imports
keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.errors import did_you_mean
from mlopsgen.frozen import frozen


@frozen
class Issue:
    """A problem at a data path; the caller turns it into a positioned Diagnostic."""

    code: str
    path: PathKey
    message: str
    hint: str = ""
    at_value: bool = False


def _steps(spec: BlueprintSpec) -> Iterator[tuple[PathKey, Any]]:
    for i, step in enumerate(spec.pipeline.steps):
        yield ("pipeline", "steps", i), step


def _yaml(value: Any) -> str:
    """A value as the user wrote it in YAML (true, not True)."""
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _default_hint(default: Any, kind: str) -> str:
    if isinstance(default, str) and kind != "string":
        return "remove the quotes around the default."
    if isinstance(default, bool) and kind == "string":
        return "YAML reads yes/no/on/off/true/false as booleans; quote the default to keep it text."
    if kind == "string":
        return "quote the default to make it text."
    return f"give {_article(kind)} default."


def _known(word: str, names: Any, what: str) -> str:
    hint = did_you_mean(word, names).strip()
    return hint or (f"known {what}: {', '.join(sorted(names))}." if names else f"no {what} are defined.")
