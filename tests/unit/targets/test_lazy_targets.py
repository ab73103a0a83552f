"""Targets loaded on demand emit exactly what their modules would: ``applies`` is their own "nothing" test.

A ``LazyTarget`` skips importing its module when ``applies(plan)`` is false; if that predicate drifted
from the module's own early return, a render would silently lose files (or a test would need the
module loaded to see them). So for every example and for generated blueprints across the language,
the module's ``emit`` is run directly and must be empty exactly when ``applies`` is false.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from mlopsgen.api import plan_blueprint
from mlopsgen.plan.model import Plan
from mlopsgen.targets import TARGETS
from mlopsgen.targets.base import LazyTarget
from tests.conftest import BLUEPRINTS
from tests.support.blueprint_strategy import blueprints

LAZY = {name: target for name, target in TARGETS.items() if isinstance(target, LazyTarget)}


def _agree(plan: Plan) -> None:
    for name, target in LAZY.items():
        files = importlib.import_module(target.module).emit(plan)
        assert bool(files) == target.applies(plan), name
        assert target.emit(plan) == files, name


def test_there_are_lazy_targets() -> None:
    assert set(LAZY) >= {"hub", "pipeline_policy", "operations"}


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.stem)
def test_lazy_targets_agree_on_the_examples(blueprint: Any) -> None:
    plan, diagnostics = plan_blueprint(blueprint)
    assert plan is not None, diagnostics
    _agree(plan)


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=blueprints())
def test_lazy_targets_agree_on_generated_blueprints(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    blueprint, code = drawn
    plan, diagnostics = plan_blueprint(blueprint, code=code)
    assert plan is not None, diagnostics
    _agree(plan)


def test_a_plain_render_does_not_import_the_optional_targets(tmp_path: Any) -> None:
    """The point of lazy loading: rendering a blueprint without the constructs skips their modules."""
    plain = next(p for p in BLUEPRINTS if p.stem == "abalone")
    probe = (
        "import sys, pathlib, mlopsgen\n"
        f"assert mlopsgen.render(pathlib.Path({str(plain)!r})).ok\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('mlopsgen.targets.'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    optional = {
        "mlopsgen.targets.hub",
        "mlopsgen.targets.hub_store",
        "mlopsgen.targets.operations",
        "mlopsgen.targets.pipeline_policy",
        "mlopsgen.targets.sagemaker_clarify",
        "mlopsgen.targets.sagemaker_external",
        "mlopsgen.targets.sagemaker_frameproc",
    }
    assert not optional & set(loaded), sorted(optional & set(loaded))
