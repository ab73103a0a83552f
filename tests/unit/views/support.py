"""Plans and summaries of the example blueprints, and of edited copies of their YAML text."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from mlopsgen.api import plan_blueprint
from mlopsgen.plan.model import Plan
from mlopsgen.views.summary import summarize
from tests.conftest import ROOT

BLUEPRINT_DIR = ROOT / "blueprints"
NAMES = ("abalone", "churn", "fraud_secure")


@cache
def _code() -> dict[str, bytes]:
    """Every code file and sample payload beside the blueprints, by blueprint-relative path."""
    files = [*(BLUEPRINT_DIR / "pipelines").rglob("*"), *(BLUEPRINT_DIR / "tests").rglob("*")]
    return {p.relative_to(BLUEPRINT_DIR).as_posix(): p.read_bytes() for p in files if p.is_file()}


def text(name: str) -> str:
    """The YAML text of an example blueprint."""
    return (BLUEPRINT_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def edit(name: str, *replacements: tuple[str, str]) -> str:
    """An example blueprint's text with each (old, new) replaced exactly once."""
    result = text(name)
    for old, new in replacements:
        assert result.count(old) == 1, f"{old!r} occurs {result.count(old)} times in {name}.yaml"
        result = result.replace(old, new)
    return result


@cache
def plan_of(yaml_text: str, name: str = "blueprint.yaml") -> Plan:
    """The Plan of blueprint text (asserting it is valid)."""
    plan, diagnostics = plan_blueprint(yaml_text, name=name, code=_code())
    assert plan is not None, [d.format() for d in diagnostics]
    return plan


def plan_named(name: str) -> Plan:
    """The Plan of an example blueprint."""
    return plan_of(text(name), f"{name}.yaml")


def summary_of(yaml_text: str) -> dict[str, Any]:
    """The summary of blueprint text (a fresh dict each call, so tests may change it)."""
    return summarize(plan_of(yaml_text))


def as_previous_version(summary: dict[str, Any]) -> dict[str, Any]:
    """A copy of a summary as the previous mlopsgen version wrote it: no stage ``targets``, no ``vpc_endpoints``."""
    old = copy.deepcopy(summary)
    for stage in (old["deploy"] or {}).get("stages", []):
        del stage["targets"]
    del old["security"]["vpc_endpoints"]
    return old
