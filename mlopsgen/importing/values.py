"""Definition expressions (``Get``, ``Std:Join``, literals) → blueprint values with ``${...}`` references.

The inverse of ``plan/build_base.py``'s ``expr`` and ``targets/sagemaker.py``'s ``expr``: a ``Get`` becomes
one reference, a ``Std:Join`` becomes text mixing literals and references (a separator other than ``""``
becomes literal text between the parts). What the language cannot write (literal text holding ``${``,
nested functions) raises ``NotExpressible``, which
the step importers turn into a finding naming the step and the JSON path.
"""

from __future__ import annotations

import re
from typing import Any

from mlopsgen.blueprint.resolve import EXECUTION_VARIABLES

EXECUTION_KEYS = {sagemaker: key for key, sagemaker in EXECUTION_VARIABLES.items()}
"""SageMaker execution variable → the blueprint's ``${execution.KEY}``."""

_OUTPUT = re.compile(r"^ProcessingOutputConfig\.Outputs\['([^'\]]+)'\]\.S3Output\.S3Uri$")
_OUTPUT_PARAMETER = re.compile(r"^OutputParameters\['([^'\]]+)'\]$")


class NotExpressible(Exception):  # noqa: N818 - a finding carried to the step importer, not a bug
    """A definition value the blueprint language has no way to write; ``path`` is relative to the value."""

    def __init__(self, why: str, path: str = "") -> None:
        super().__init__(why)
        self.why, self.path = why, path


def reference(get: str, step_types: dict[str, str]) -> str:
    """One ``Get`` → the ``${...}`` reference that renders back to it.

    Args:
        get: The ``Get`` text, e.g. ``Steps.Train.ModelArtifacts.S3ModelArtifacts``.
        step_types: Step name → blueprint step type, of every step seen so far (readable shorthands
            such as ``outputs`` and ``model_artifacts`` depend on what the step is).

    Returns:
        The reference, braces included.

    Raises:
        NotExpressible: A ``Get`` of something the language cannot name.
    """
    head, _, rest = get.partition(".")
    if head == "Parameters" and rest:
        return "${params." + rest + "}"
    if head == "Execution":
        if rest not in EXECUTION_KEYS:
            raise NotExpressible(f"execution variable '{rest}' has no ${{execution...}} form")
        return "${execution." + EXECUTION_KEYS[rest] + "}"
    if head != "Steps" or "." not in rest:
        raise NotExpressible(f"'Get: {get}' names neither a parameter, a step property nor an execution variable")
    step, _, path = rest.partition(".")
    kind = step_types.get(step)
    if kind is None:
        raise NotExpressible(f"'Get: {get}' reads step '{step}', which does not come before it in the definition")
    if path.startswith("PropertyFiles."):
        raise NotExpressible("a property file is read only through Std:JsonGet in a condition")
    output = _OUTPUT.match(path)
    if output and kind == "processing":
        return "${steps." + step + ".outputs." + output.group(1) + "}"
    parameter = _OUTPUT_PARAMETER.match(path)
    if parameter and kind in ("lambda", "callback"):
        return "${steps." + step + ".outputs." + parameter.group(1) + "}"
    if path == "ModelArtifacts.S3ModelArtifacts" and kind == "training":
        return "${steps." + step + ".model_artifacts}"
    if path == "ModelName" and kind == "create_model":
        return "${steps." + step + ".model_name}"
    return "${steps." + step + ".properties." + path + "}"


def value(node: Any, step_types: dict[str, str]) -> Any:
    """A definition value → the blueprint value that renders back to it.

    Args:
        node: A literal, ``{"Get": ...}`` or ``{"Std:Join": ...}``.
        step_types: As for ``reference``.

    Returns:
        A literal (unchanged) or text with references.

    Raises:
        NotExpressible: The value uses something the language cannot write.
    """
    if isinstance(node, str):
        if "${" in node:
            raise NotExpressible("literal text holding '${' would be read as a reference")
        return node
    if node is None or isinstance(node, bool | int | float):
        return node
    if isinstance(node, dict) and set(node) == {"Get"} and isinstance(node["Get"], str):
        return reference(node["Get"], step_types)
    if isinstance(node, dict) and set(node) == {"Std:Join"}:
        join = node["Std:Join"]
        best = best_model(join, step_types)
        if best is not None:
            return "${steps." + best + ".model_artifacts}"
        on = join.get("On") if isinstance(join, dict) else None
        if not isinstance(on, str) or not isinstance(join.get("Values"), list):
            raise NotExpressible("a Std:Join without a text separator and a list of values")
        if "${" in on:
            raise NotExpressible("a Std:Join separator holding '${' would be read as a reference")
        parts = []
        for i, item in enumerate(join["Values"]):
            if isinstance(item, dict | list) and not (isinstance(item, dict) and set(item) == {"Get"}):
                raise NotExpressible("a Std:Join of a nested expression", f".Std:Join.Values[{i}]")
            part = value(item, step_types)
            parts.append(part if isinstance(part, str) else _text(part))
        # Text joins on "": the separator becomes literal text between the parts (the same value at run
        # time; the round trip compares joins in this canonical form, see import_command.canonical).
        return on.join(parts)
    raise NotExpressible(f"{type(node).__name__} value {str(node)[:60]!r} is not a pipeline expression")


def best_model(join: Any, step_types: dict[str, str]) -> str | None:
    """The tuning step whose best training job's model this join names (``get_top_model_s3_uri``), if any.

    The planner writes ``s3:/``, the output path's bucket and prefix, the best job's name and
    ``output/model.tar.gz`` joined on ``/``; the prefix is the tuning step's own, so the join reads back as
    ``${steps.T.model_artifacts}`` only when the tuning step's output path is what it renders (checked when
    the import is rendered back).
    """
    values = join.get("Values") if isinstance(join, dict) else None
    if join.get("On") != "/" or not isinstance(values, list) or len(values) < 4 or values[-1] != "output/model.tar.gz":
        return None
    last = values[-2]
    get = last.get("Get", "") if isinstance(last, dict) else ""
    step = get.removeprefix("Steps.").removesuffix(".TrainingJobSummaries[0].TrainingJobName")
    if get.endswith(".TrainingJobSummaries[0].TrainingJobName") and step_types.get(step) == "tuning":
        return step
    return None


def _text(literal: Any) -> str:
    if isinstance(literal, bool):
        return "true" if literal else "false"
    return str(literal)


def json_get(node: Any) -> tuple[str, str] | None:
    """A ``Std:JsonGet`` of a property file → (property file name, path); None for anything else."""
    if not (isinstance(node, dict) and set(node) == {"Std:JsonGet"} and isinstance(node["Std:JsonGet"], dict)):
        return None
    body = node["Std:JsonGet"]
    source = body.get("PropertyFile")
    if not (isinstance(source, dict) and isinstance(source.get("Get"), str)):
        raise NotExpressible("a Std:JsonGet whose PropertyFile is not a step's property file")
    match = re.match(r"^Steps\.[^.]+\.PropertyFiles\.([^.]+)$", source["Get"])
    if match is None or not isinstance(body.get("Path"), str):
        raise NotExpressible("a Std:JsonGet whose PropertyFile is not a step's property file")
    return match.group(1), body["Path"]
