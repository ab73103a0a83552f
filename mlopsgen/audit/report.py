"""Findings → text, JSON-ready dicts and GitHub workflow commands, with hostile names kept inert.

Logical ids, policy names and actions come from the template; a newline or ``::`` in one must not
start a new output line or forge a GitHub annotation, so names are shown quoted when they are not
plain, and workflow-command fields are escaped the way the GitHub runner unescapes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

READABLE = "template_readable"
"""The rule of findings about the template itself: unreadable, or beyond what the audit evaluates."""

_PLAIN = re.compile(r"[A-Za-z0-9_.:/*-]+")


def label(text: str) -> str:
    """``text`` as is when plain (logical ids are alphanumeric), else JSON-quoted with escapes."""
    return text if _PLAIN.fullmatch(text) else json.dumps(text)


@dataclass(frozen=True, order=True)
class Finding:
    """What is wrong, where: a file position, the resource's logical id and the rule it breaks."""

    file: str
    line: int
    col: int
    resource: str
    rule: str
    message: str

    def format(self) -> str:
        """``file:line:col: rule: message`` (the message names the resource)."""
        return f"{self.file}:{self.line}:{self.col}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """Fields for ``--format json``."""
        return asdict(self)

    def github(self) -> str:
        """A GitHub Actions ``::error`` workflow command, escaped."""
        properties = f"file={_property(self.file)},line={self.line},col={self.col},title={_property(self.rule)}"
        return f"::error {properties}::{_data(self.message)}"


def _data(text: str) -> str:
    """Escape a workflow command's message: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value: as the message, plus ``:`` and ``,``."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
