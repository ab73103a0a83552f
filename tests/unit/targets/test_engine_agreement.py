"""Disagreements between the native and SDK engines found by tests/test_engines_agree.py, one test each.

The expected values are what sagemaker 3.27.0 writes for the same blueprint (measured with the SDK
engine); the generator test checks the whole definitions, these pin each class of difference fast.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker

_CODE = {"c.py": b"print(1)\n"}
_PROCESSING = {"name": "P", "type": "processing", "image": {"framework": "sklearn", "version": "1.2-1"}, "code": "c.py"}


def _definition(step: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    blueprint = {
        "version": 1,
        "project": {"name": "gen", "id": "p-gen1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {"parameters": parameters or {}, "steps": [_PROCESSING, step]},
    }
    plan, diagnostics = plan_blueprint(blueprint, code=_CODE)
    assert plan is not None, [d.format() for d in diagnostics]
    return sagemaker.definition(plan)["Steps"][1]["Arguments"]  # type: ignore[no-any-return]


_TUNING = {
    "name": "T",
    "type": "tuning",
    "image": {"framework": "xgboost", "version": "1.7-1"},
    "objective": {"metric": "validation:rmse"},
}


def test_continuous_range_bound_of_zero_is_written_as_a_float() -> None:
    """``min: 0.0`` was written "0" (``r.min or 0`` made it the int 0); the SDK writes str(float): "0.0"."""
    args = _definition({**_TUNING, "ranges": {"eta": {"type": "continuous", "min": 0.0, "max": 1}}})
    (eta,) = args["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"]
    assert (eta["MinValue"], eta["MaxValue"]) == ("0.0", "1.0")


def test_integer_range_bounds_stay_integers() -> None:
    args = _definition({**_TUNING, "ranges": {"depth": {"type": "integer", "min": 0.0, "max": 10.0}}})
    (depth,) = args["HyperParameterTuningJobConfig"]["ParameterRanges"]["IntegerParameterRanges"]
    assert (depth["MinValue"], depth["MaxValue"]) == ("0", "10")
