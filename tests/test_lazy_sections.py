"""Blueprint sections that load on first use (mlopsgen/blueprint/lazy.py) are invisible but for the time saved.

- A blueprint that uses none of the optional sections loads none of their modules (the whole point:
  a render of abalone pays for what abalone uses).
- Every stand-in names a real type, and the step union's stand-in names exactly the step types.
- Generated: for valid blueprints across the language and for mutated ones (a value of the wrong
  shape put anywhere; the hostile mutations of the examples), validating with stand-ins gives the
  same diagnostics, in the same order, as validating with the real types (the JSON-Schema build,
  ``eager_schema``), and a valid blueprint gives the same spec.
- The JSON Schema is the real types' schema (tests/test_schema.py compares it with the committed one).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import typing
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlopsgen.api import plan_blueprint
from mlopsgen.blueprint.base import Spec
from mlopsgen.blueprint.lazy import Lazy, LazyUnion, eager_schema, unwrap
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.steps import STEP_TYPES, StepSpec
from tests.conftest import ROOT
from tests.support.blueprint_strategy import blueprints
from tests.test_hostile_fuzz import CODE, mutations

OPTIONAL = (
    "mlopsgen.blueprint.stage_serving",
    "mlopsgen.blueprint.stage_batch",
    "mlopsgen.blueprint.stage_rollout",
    "mlopsgen.blueprint.stage_monitoring",
    "mlopsgen.blueprint.operations",
    "mlopsgen.blueprint.registry",
    "mlopsgen.blueprint.steps_checks",
    "mlopsgen.blueprint.steps_clarify",
    "mlopsgen.blueprint.steps_external",
)
EXAMPLES = int(os.environ.get("MLOPSGEN_LAZY_EXAMPLES", "120"))


def test_a_render_without_optional_sections_loads_none_of_them(tmp_path: Any) -> None:
    probe = (
        "import json, sys, runpy\n"
        "sys.argv = ['mlopsgen', 'render', sys.argv[1], '-o', sys.argv[2], '--force']\n"
        "try:\n    runpy.run_module('mlopsgen', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('mlopsgen.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "blueprints" / "abalone.yaml"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "mlopsgen.blueprint.steps" in loaded  # the probe did load the blueprint models
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))


def _stand_ins(annotation: Any) -> list[type[Lazy]]:
    if isinstance(annotation, type) and issubclass(annotation, Lazy):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _stand_ins(arg)]


def test_every_stand_in_names_a_real_type_and_the_step_union_names_every_step_type() -> None:
    models: list[type[Spec]] = [Spec]
    for cls in models:
        models += cls.__subclasses__()
    stand_ins = {s for m in models for f in m.model_fields.values() for s in _stand_ins(f.annotation)}
    assert len(stand_ins) >= 9
    for stand_in in stand_ins:
        real = unwrap(stand_in)
        assert real is not stand_in
        assert not (isinstance(real, type) and issubclass(real, Lazy)), stand_in
    assert issubclass(StepSpec, LazyUnion)
    assert tuple(StepSpec.members) == STEP_TYPES
    members = typing.get_args(typing.get_args(unwrap(StepSpec))[0])
    assert [m.model_fields["type"].annotation.__args__[0] for m in members] == list(STEP_TYPES)


def _diagnostics(blueprint: Any, code: dict[str, bytes]) -> list[str]:
    plan, diagnostics = plan_blueprint(blueprint, name="lazy.yaml", code=code)
    return [f"{d.pos}: {d.code} {d.message} | {d.hint}" for d in diagnostics] or [repr(plan)]


_WRONG = st.sampled_from([12345, "not-a-valid-value", {"unexpected": 1}, [1, 2], None, True, {"type": "nope"}, -1.5])


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _leaves(value, (*path, index))
    return found


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Any, dict[str, bytes]]:
    """A generated blueprint, as is or with one value replaced by one of the wrong shape; or a hostile example."""
    kind = draw(st.sampled_from(["valid", "wrong", "wrong", "hostile"]))
    if kind == "hostile":
        return draw(mutations()), CODE
    data, code = draw(blueprints())
    data = copy.deepcopy(data)  # the strategy may share parts between draws: never change them in place
    if kind == "wrong":
        paths = _leaves(data)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = draw(_WRONG)
    return data, code


def test_stand_ins_validate_exactly_as_the_real_types() -> None:
    cases: list[tuple[Any, dict[str, bytes]]] = []

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(_cases())
    def collect(case: tuple[Any, dict[str, bytes]]) -> None:
        cases.append(case)

    collect()
    lazy = [_diagnostics(blueprint, code) for blueprint, code in cases]
    with eager_schema(BlueprintSpec):
        eager = [_diagnostics(blueprint, code) for blueprint, code in cases]
    differing = [(i, lazy[i], eager[i]) for i in range(len(cases)) if lazy[i] != eager[i]]
    assert not differing, differing[:3]
    assert sum(1 for d in lazy if "MLG" in d[0]) >= EXAMPLES // 4  # the mutations did reach diagnostics
