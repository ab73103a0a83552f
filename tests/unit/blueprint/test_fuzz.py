"""No input makes validation raise: any text or structure gives diagnostics or a plan."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen

ABALONE = yaml.safe_load((Path(__file__).resolve().parents[3] / "blueprints" / "abalone.yaml").read_text())

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gives_diagnostics_not_exceptions(text: str) -> None:
    diagnostics = mlopsgen.validate(text)
    assert all(d.code.startswith("MLG") and not d.code.startswith("MLG9") for d in diagnostics)


def _mutate(data: object, path: list[object], value: object) -> object:
    if not path:
        return value
    head, *rest = path
    if isinstance(data, dict):
        return {**data, str(head): _mutate(data.get(str(head)), rest, value)}
    if isinstance(data, list) and data:
        index = int(str(head)) % len(data) if str(head).isdigit() else 0
        copy = list(data)
        copy[index] = _mutate(copy[index], rest, value)
        return copy
    return value


paths = st.lists(
    st.sampled_from(
        [
            "project",
            "pipeline",
            "steps",
            "0",
            "1",
            "2",
            "3",
            "4",
            "name",
            "type",
            "image",
            "if",
            "then",
            "instance",
            "channels",
            "outputs",
            "parameters",
            "metrics",
            "security",
            "vpc",
            "lte",
        ]
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths, values)
def test_mutated_blueprints_never_raise(path: list[object], value: object) -> None:
    mutated = _mutate(ABALONE, path, value)
    code = {
        "pipelines/abalone/preprocess.py": b"print(1)\n",
        "pipelines/abalone/evaluate.py": b"print(2)\n",
        "tests/abalone-sample.csv": b"1,2\n",
    }
    result = mlopsgen.render(mutated if isinstance(mutated, dict) else {"x": mutated}, code=code)
    if not result.ok:
        assert all(not d.code.startswith("MLG9") for d in result.diagnostics)
        assert all("pydantic" not in d.message and "Input should" not in d.message for d in result.diagnostics)
