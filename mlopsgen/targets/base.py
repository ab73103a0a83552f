"""What a target is: a pure function Plan → files. Targets never write, print or read the blueprint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from mlopsgen.plan.model import Plan


@dataclass(frozen=True)
class OutputFile:
    """A generated file: a path relative to the blueprint's output folder, and its text."""

    path: str
    content: str


class Target(Protocol):
    """A target module: ``NAME`` and ``emit``."""

    NAME: str

    def emit(self, plan: Plan) -> list[OutputFile]:
        """Produce this target's files for the plan."""
        ...


def dump_json(data: Any) -> str:
    """The one JSON layout of generated files: sorted keys, 2-space indent, LF, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
