"""Loaded mapping → BlueprintSpec, with pydantic's errors reworded as blueprint diagnostics.

No pydantic text reaches users: ``validate_errors`` maps each error type to a code and a sentence
about the blueprint key, and merges errors that are really one problem (a value failing every member
of a union). This module runs the validation and finds what pydantic would not report well: NaN and
infinity, and text no output format can hold.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from mlopsgen.blueprint.loader import Loaded, PathKey, bad_character
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.paths import data_path, display_path
from mlopsgen.blueprint.validate_errors import NOT_SUPPORTED as NOT_SUPPORTED  # re-exported
from mlopsgen.blueprint.validate_errors import SPELLED_AS as SPELLED_AS  # re-exported
from mlopsgen.blueprint.validate_errors import diagnostic_at, diagnostics
from mlopsgen.errors import Diagnostic, Position


def validate_spec(loaded: Loaded) -> tuple[BlueprintSpec | None, list[Diagnostic], list[PathKey]]:
    """Validate loaded blueprint data against the language.

    Args:
        loaded: Output of ``load_blueprint`` with usable data.

    Returns:
        The spec (``None`` when invalid), the diagnostics found and the data path of each problem
        (``partial.salvage`` removes the parts around them so the rest can still be checked).
    """
    found = _non_finite(loaded)
    not_finite = [d for _, d in found]
    paths = [p for p, _ in found]
    try:
        spec = BlueprintSpec.model_validate(loaded.data)
    except ValidationError as exc:
        seen = {d.path for d in not_finite}
        # Text pydantic cannot read as Unicode (a lone surrogate reaching a pattern) is the MLG100 above.
        errors = [e for e in exc.errors(include_url=False) if not (not_finite and e["type"] == "string_unicode")]
        paths += [data_path(loaded.data, tuple(e["loc"])) for e in errors]
        return None, not_finite + [d for d in diagnostics(loaded, errors) if d.path not in seen], paths
    return (None, not_finite, paths) if not_finite else (spec, [], [])


def non_finite_numbers(loaded: Loaded) -> list[Diagnostic]:
    """NaN and infinity anywhere in the data, wherever a number is accepted (and unwritable text).

    YAML's ``.nan``/``.inf`` (and ``float("nan")`` from library callers) would otherwise reach the
    pipeline definition and the manifest as bare ``NaN``/``Infinity``, which no strict JSON parser
    (nor SageMaker) accepts.
    """
    return [d for _, d in _non_finite(loaded)]


def _non_finite(loaded: Loaded) -> list[tuple[PathKey, Diagnostic]]:
    # The walk is iterative: library callers' data has no depth limit.
    found: list[tuple[PathKey, Diagnostic]] = []
    stack: list[tuple[PathKey, Any]] = [((), loaded.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack += [((*path, str(k)), v) for k, v in value.items()]
            for key in value:  # library callers' data skips the loader, which refuses these in YAML
                found.extend(((*path, str(key)), d) for d in _bad_text(loaded, (*path, str(key)), str(key)))
        elif isinstance(value, list):
            stack += [((*path, i), v) for i, v in enumerate(value)]
        elif isinstance(value, str):
            found.extend((path, d) for d in _bad_text(loaded, path, value))
        elif isinstance(value, float) and not math.isfinite(value):
            where = display_path(loaded.data, path)
            shown = "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "infinity"
            message = f"{where} is {shown}; only finite numbers are allowed"
            found.append((path, diagnostic_at(loaded, path, "MLG117", message, "", key=False)))
    return sorted(found, key=lambda f: (f[1].pos or Position(0, 0), f[1].path))


def _bad_text(loaded: Loaded, path: PathKey, text: str) -> list[Diagnostic]:
    problem = bad_character(text)
    if problem is None:
        return []
    where = display_path(loaded.data, path)
    return [
        diagnostic_at(loaded, path, "MLG100", f"{where}: text holds an invalid character ({problem[0]})", problem[1])
    ]
