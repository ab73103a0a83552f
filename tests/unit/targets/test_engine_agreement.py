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


_PARAMETERS = {
    "N": {"type": "integer", "default": 3},
    "F": {"type": "float", "default": 0.5},
    "B": {"type": "boolean", "default": True},
    "S": {"type": "string", "default": "x"},
}


def test_tuning_static_hyperparameters_make_non_text_parameters_text() -> None:
    """StaticHyperParameters are strings: the SDK's tuner joins Integer/Float/Boolean parameters, not String ones."""
    hyperparameters = {"n": "${params.N}", "f": "${params.F}", "b": "${params.B}", "s": "${params.S}"}
    step = {
        **_TUNING,
        "hyperparameters": hyperparameters,
        "ranges": {"eta": {"type": "continuous", "min": 0.1, "max": 1}},
    }
    static = _definition(step, _PARAMETERS)["TrainingJobDefinition"]["StaticHyperParameters"]
    for key, name in {"n": "N", "f": "F", "b": "B"}.items():
        assert static[key] == {"Std:Join": {"On": "", "Values": [{"Get": f"Parameters.{name}"}]}}
    assert static["s"] == {"Get": "Parameters.S"}


def test_training_hyperparameters_keep_parameter_references() -> None:
    """The SDK's ModelTrainer (unlike its tuner) passes parameters through as they are."""
    step = {"name": "T", "type": "training", "image": {"framework": "xgboost", "version": "1.7-1"}}
    args = _definition({**step, "hyperparameters": {"n": "${params.N}"}}, _PARAMETERS)
    assert args["HyperParameters"] == {"n": {"Get": "Parameters.N"}}


def test_training_without_hyperparameters_sends_an_empty_map() -> None:
    """The SDK's ModelTrainer always sends HyperParameters, ``{}`` when the blueprint has none."""
    step = {"name": "T", "type": "training", "image": {"framework": "xgboost", "version": "1.7-1"}}
    assert _definition(step)["HyperParameters"] == {}
