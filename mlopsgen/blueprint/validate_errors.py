"""Pydantic's validation errors → blueprint diagnostics: a code and a sentence about the blueprint key.

Split out of ``validate.py`` (which runs the validation and scans for NaN and unwritable text) because
the wording is most of the work: each error type is mapped to a code (MLG110-MLG121, or a custom
validator's own), hints come from the spec classes themselves (the keys allowed where an unknown key
stands, walked along pydantic's location), and errors that are really one problem (a value failing
every member of a union, a misspelled required key) are merged into one diagnostic. No pydantic text
reaches users.
"""

from __future__ import annotations

import types
import typing
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from mlopsgen.blueprint.aws_shapes import PATTERN_NAMES as AWS_PATTERN_NAMES
from mlopsgen.blueprint.conditions import CONDITION_OPERATORS
from mlopsgen.blueprint.delivery import HTTPS_URL_PATTERN
from mlopsgen.blueprint.lazy import unwrap
from mlopsgen.blueprint.loader import Loaded, PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.paths import data_path, display_path
from mlopsgen.blueprint.steps import STEP_TYPES
from mlopsgen.blueprint.versions import renamed_to
from mlopsgen.errors import Diagnostic, did_you_mean

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "literal_error": None,
}

_PATTERN_NAMES = {
    HTTPS_URL_PATTERN: "https URL (the trigger sends credentials to it)",
    "^[A-Za-z0-9][A-Za-z0-9\\-_]{0,63}$": "name (letters, digits, '-' and '_', at most 64)",
    "^[a-zA-Z](-*[a-zA-Z0-9]){0,31}$": "SageMaker project name (a letter, then letters, digits and '-', at most 32)",
    "^p-[a-z0-9]{1,20}$": "SageMaker project id (p- followed by lower-case letters and digits)",
    "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$": "AWS region such as eu-west-1",
    "^[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]$": "S3 bucket name",
    "^/opt/ml/processing/": "container path under /opt/ml/processing/",
    "^P([0-9]+[YMWDymwd])*(T([0-9]+[HMShms])+)?$": "ISO 8601 duration such as P30d or PT12H",
    "^[a-z][a-z0-9\\-]{0,19}$": "stage name (a lower-case letter, then lower-case letters, digits and '-', at most 20)",
    "^ml\\.[a-z0-9\\-]+\\.[a-z0-9]+$": "SageMaker instance type such as ml.m5.large",
}


SPELLED_AS = {
    "use_spot_instances": "spot: {max_wait_seconds: N}",
    "max_wait": "spot: {max_wait_seconds: N}",
    "max_wait_seconds": "spot: {max_wait_seconds: N}",
    "max_wait_time_in_seconds": "spot: {max_wait_seconds: N}",
    "checkpoint_s3_uri": "checkpoint: {s3_uri: ...}",
    "checkpoint_local_path": "checkpoint: {s3_uri: ..., local_path: ...}",
    "keep_alive_period_in_seconds": "keep_alive_seconds: N",
    "early_stopping_type": "early_stopping: Auto or Off",
    "retry_strategy": "max_retry_attempts: N",
    "debugger_hook_config": "debugger: {s3_output_path: ...}",
    "profiler_config": "profiler: {s3_output_path: ...}",
}
"""SageMaker SDK terms for options the language spells its own way: MLG121 names the blueprint's word."""

NOT_SUPPORTED = {
    "debugger_hook_config": "SageMaker Debugger in a tuning job (its TrainingJobDefinition has none)",
    "profiler_config": "SageMaker Debugger profiling in a tuning job (its TrainingJobDefinition has none)",
    "code_location": "a code location (code is uploaded by content hash)",
    "source_dir": "a source folder (processing code is one script)",
}
"""SageMaker SDK / API terms the language lacks: "not supported (yet)", never a look-alike key."""


def diagnostics(loaded: Loaded, errors: list[ErrorDetails]) -> list[Diagnostic]:
    """The diagnostics for pydantic's ``errors`` on ``loaded`` (merged where they are one problem)."""
    data = loaded.data
    grouped: dict[PathKey, list[ErrorDetails]] = defaultdict(list)
    result: list[Diagnostic] = []
    errors = _without_misspelled_required(errors)
    for error in errors:
        path = data_path(data, tuple(error["loc"]), names_key=error["type"] in ("missing", "extra_forbidden"))
        if error["type"] in _TYPE_NAMES and _TYPE_NAMES[error["type"]]:
            grouped[path].append(error)
            continue
        diagnostic = _one(loaded, error, path)
        if diagnostic not in result:
            result.append(diagnostic)
    for path, group in grouped.items():
        expected = sorted({str(_TYPE_NAMES[e["type"]]) for e in group})
        if {"text", "a number", "true or false"} <= set(expected):
            expected = ["a text, number or true/false value"]
        got = group[0]["input"]
        hint = _type_hint(got, expected, path)
        result.append(
            diagnostic_at(
                loaded,
                path,
                "MLG112",
                f"{display_path(data, path)} must be {' or '.join(expected)}, not {_describe(got)}",
                hint,
                key=False,
            )
        )
    return result


def _one(loaded: Loaded, error: ErrorDetails, path: PathKey) -> Diagnostic:
    data = loaded.data
    kind = error["type"]
    where = display_path(data, path)
    ctx = error.get("ctx", {})
    # A mapping key's own error (a tag key): pydantic ends the location with "[key]"; point at the key.
    on_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        owner = display_path(data, path[:-1])
        if key in SPELLED_AS and SPELLED_AS[key].split(":")[0] in _allowed_keys(tuple(error["loc"])[:-1]):
            return diagnostic_at(
                loaded, path, "MLG121", f"'{key}' is the SDK's word; in {owner} write {SPELLED_AS[key]}", ""
            )
        if key in NOT_SUPPORTED:
            hint = f"{NOT_SUPPORTED[key]}: not in the blueprint language yet; remove the key."
            return diagnostic_at(loaded, path, "MLG110", f"'{key}' is not supported (yet) in {owner}", hint)
        allowed = _allowed_keys(tuple(error["loc"])[:-1])
        hint = did_you_mean(key, allowed).strip()
        if (renamed := renamed_to(path)) is not None:  # an older version's spelling in a current blueprint
            since, rename = renamed
            hint = f"Did you mean '{rename.new}'? Language version {since} renamed it (see mlopsgen migrate)."
        if not hint and allowed:
            hint = "allowed keys: " + ", ".join(sorted(allowed)) + "."
        return diagnostic_at(loaded, path, "MLG110", f"unknown key '{key}' in {owner}", hint)
    if kind == "missing":
        key = str(path[-1]) if path else "?"
        parent = path[:-1]
        return diagnostic_at(
            loaded,
            parent,
            "MLG111",
            f"{display_path(data, parent)} is missing required key '{key}'",
            "",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_error(loaded, error, path)
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        got = error["input"]
        if str(got) in choices:
            hint = f"write {got} without quotes." if isinstance(got, str) else f"quote it: '{got}'."
        else:
            hint = did_you_mean(str(got), choices).strip() or f"choose one of: {', '.join(choices)}."
        return diagnostic_at(loaded, path, "MLG113", f"{where}: {_describe(got)} is not allowed", hint, key=False)
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        shape = AWS_PATTERN_NAMES.get(pattern)
        what = shape.name if shape else _PATTERN_NAMES.get(pattern, f"value matching {pattern}")
        hint = f"AWS's shape, e.g. {shape.example}." if shape else ""
        message = f"{where}: {_describe(error['input'])} is not a valid {what}"
        return diagnostic_at(loaded, path, "MLG114", message, hint, key=on_key)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return diagnostic_at(
            loaded, path, "MLG114", f"{where} must be {words} {bound}, not {error['input']!r}", "", key=False
        )
    if kind == "multiple_of":  # e.g. serverless memory, in 1024 MB steps
        step = ctx.get("multiple_of", "")
        return diagnostic_at(
            loaded, path, "MLG114", f"{where} must be a multiple of {step}, not {error['input']!r}", "", key=False
        )
    if kind in ("too_short", "too_long"):
        if kind == "too_short" and ctx.get("min_length") == 1:
            message = f"{where} must not be empty"
        else:
            limit = ctx.get("min_length", ctx.get("max_length"))
            unit = "characters" if isinstance(error["input"], str) else "items"
            message = f"{where} must have {'at least' if kind == 'too_short' else 'at most'} {limit} {unit}"
        return diagnostic_at(loaded, path, "MLG114", message, "", key=on_key)
    if kind in ("string_too_short", "string_too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        words = "at least" if kind == "string_too_short" else "at most"
        message = f"{where}: {_describe(error['input'])} must have {words} {limit} characters"
        return diagnostic_at(loaded, path, "MLG114", message, "", key=on_key)
    if kind.startswith("MLG1"):  # a PydanticCustomError whose type is the diagnostic code (steps_training)
        return diagnostic_at(loaded, path, kind, f"{where}: {error['msg']}", "", key=False)
    if kind == "value_error":
        reason = str(ctx.get("error", error["msg"]))
        return diagnostic_at(loaded, path, "MLG114", f"{where}: {reason}", "", key=on_key)
    return diagnostic_at(
        loaded, path, "MLG114", f"{where}: invalid value {_describe(error['input'])} ({kind})", "", key=on_key
    )


def _tag_error(loaded: Loaded, error: ErrorDetails, path: PathKey) -> Diagnostic:
    data = loaded.data
    where = display_path(data, path)
    is_condition = "if" in path or any(p in CONDITION_OPERATORS for p in path if isinstance(p, str))
    given = error["input"]
    if is_condition:
        ops = ", ".join(CONDITION_OPERATORS)
        if error["type"] == "union_tag_invalid" and isinstance(given, dict):
            (op,) = given.keys()
            hint = did_you_mean(op, CONDITION_OPERATORS).strip() or f"operators: {ops}."
            return diagnostic_at(loaded, (*path, op), "MLG116", f"unknown condition operator '{op}' in {where}", hint)
        return diagnostic_at(
            loaded,
            path,
            "MLG116",
            f"{where} must be a mapping with exactly one operator key",
            f"operators: {ops}; for example {{lte: [left, right]}}.",
        )
    if path and path[-1] == "serving":  # a stage's serving block is tagged by mode, not type
        modes = ("realtime", "serverless", "asynchronous")
        if isinstance(given, dict) and "mode" in given:
            tag = str(given["mode"])
            hint = did_you_mean(tag, modes).strip() or f"modes: {', '.join(modes)}."
            return diagnostic_at(
                loaded, (*path, "mode"), "MLG115", f"unknown serving mode '{tag}' in {where}", hint, key=False
            )
        if isinstance(given, dict):
            return diagnostic_at(
                loaded, path, "MLG111", f"{where} is missing required key 'mode'", f"modes: {', '.join(modes)}."
            )
    if isinstance(given, dict) and "type" in given:
        tag = str(given["type"])
        hint = did_you_mean(tag, STEP_TYPES).strip() or f"step types: {', '.join(STEP_TYPES)}."
        return diagnostic_at(
            loaded, (*path, "type"), "MLG115", f"unknown step type '{tag}' in {where}", hint, key=False
        )
    if not isinstance(given, dict):
        return diagnostic_at(
            loaded, path, "MLG112", f"{where} must be a mapping, not {_describe(given)}", "", key=False
        )
    return diagnostic_at(
        loaded, path, "MLG111", f"{where} is missing required key 'type'", f"step types: {', '.join(STEP_TYPES)}."
    )


def diagnostic_at(loaded: Loaded, path: PathKey, code: str, message: str, hint: str, *, key: bool = True) -> Diagnostic:
    """A diagnostic at ``path``: on its key (``key``) or its value, with the file position the loader kept."""
    return Diagnostic(
        code=code,
        message=message,
        path=display_path(loaded.data, path),
        file=loaded.source.file,
        pos=loaded.source.locate(path, key=key),
        hint=hint,
    )


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if value is None:
        return "an empty value"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _type_hint(got: Any, expected: list[str], path: PathKey) -> str:
    if "text" in expected and isinstance(got, bool):
        return "YAML reads yes/no/on/off/true/false as booleans; quote the value to keep it text."
    if "text" in expected and isinstance(got, int | float):
        hint = f"YAML reads {got} as a number; quote it to keep it text"
        return hint + (" (unquoted versions lose digits: 1.10 becomes 1.1)." if path[-1:] == ("version",) else ".")
    if isinstance(got, str) and any(e in ("an integer", "a number", "true or false") for e in expected):
        return "remove the quotes: this key takes a plain YAML number or true/false."
    if got is None:
        return "the key has no value; give one or remove the key."
    return ""


def _allowed_keys(loc: tuple[Any, ...]) -> set[str]:
    """Keys accepted at ``loc``, found by walking the spec classes along the pydantic location."""
    node: Any = BlueprintSpec
    for part in loc:
        node = _step_into(node, part)
        if node is None:
            return set()
    model = _as_model(node)
    if model is None:
        return set()
    return {info.alias or name for name, info in model.model_fields.items()}


def _as_model(node: Any) -> type[BaseModel] | None:
    node = _strip(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return node
    if typing.get_origin(node) in (typing.Union, types.UnionType):
        models = [m for m in map(_as_model, typing.get_args(node)) if m is not None]
        return models[0] if len(models) == 1 else None
    return None


def _without_misspelled_required(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "missing 'path'" when the same mapping has an unknown key 'paht': one typo, one diagnostic."""
    unknown: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for e in errors:
        if e["type"] == "extra_forbidden":
            unknown[tuple(e["loc"][:-1])].append(str(e["loc"][-1]))
    kept = []
    for e in errors:
        parent, key = tuple(e["loc"][:-1]), str(e["loc"][-1])
        if e["type"] == "missing" and did_you_mean(key, unknown.get(parent, [])):
            continue
        kept.append(e)
    return kept


def _type_tag(member: Any) -> Any:
    """The value a model's ``type: Literal[...]`` field must have, or None."""
    model = _as_model(member)
    field = model.model_fields.get("type") if model is not None else None
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return None
    args = typing.get_args(field.annotation)
    return args[0] if len(args) == 1 else None


def _strip(node: Any) -> Any:
    """The type under ``Annotated`` wrappers and lazy stand-ins (``blueprint/lazy.py``)."""
    while True:
        if typing.get_origin(node) is typing.Annotated:
            node = typing.get_args(node)[0]
            continue
        real = unwrap(node)
        if real is node:
            return node
        node = real


def _step_into(node: Any, part: Any) -> Any:
    node = _strip(node)
    model = node if isinstance(node, type) and issubclass(node, BaseModel) else None
    if model is not None:
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation if not info.metadata else typing.Annotated[(info.annotation, *info.metadata)]
        return None
    origin = typing.get_origin(node)
    args = typing.get_args(node)
    if origin in (list, tuple) and isinstance(part, int):
        return args[0] if origin is list else args[min(part, len(args) - 1)]
    if origin is dict:
        return args[1]
    if origin in (typing.Union, types.UnionType):
        for member in args:
            metadata = getattr(member, "__metadata__", ())
            if any(getattr(m, "tag", None) == part for m in metadata):
                return member
            if _strip(member).__name__ == part if isinstance(_strip(member), type) else False:
                return member
            if _type_tag(member) == part:  # a union discriminated by its ``type`` key (steps)
                return member
        models = [m for m in args if _as_model(m) is not None]
        return _step_into(models[0], part) if len(models) == 1 else None
    return None
