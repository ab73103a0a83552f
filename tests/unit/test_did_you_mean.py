"""Did-you-mean hints suggest likely slips only, and name SageMaker terms the language lacks."""

from __future__ import annotations

import pytest

import mlopsgen
from mlopsgen.blueprint.validate import NOT_SUPPORTED
from mlopsgen.errors import did_you_mean
from tests.unit.views.support import _code, edit

TRAINING_KEYS = ["cache", "channels", "depends_on", "description", "display_name", "environment", "hyperparameters"]
TRAINING_KEYS += ["image", "instance", "max_runtime_seconds", "metric_definitions", "name", "network_isolation"]
TRAINING_KEYS += ["output_path", "retry", "type", "model_approval_status"]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("instnace", "instance"),
        ("hyperparamters", "hyperparameters"),
        ("max_runtime_secods", "max_runtime_seconds"),
        ("Instance", "instance"),
        ("chanels", "channels"),
        ("hyperparameter", "hyperparameters"),
        ("approval_status", "model_approval_status"),
    ],
)
def test_real_typos_are_still_suggested(typo: str, meant: str) -> None:
    assert did_you_mean(typo, TRAINING_KEYS) == f" Did you mean '{meant}'?"


@pytest.mark.parametrize("word", ["distribution", "use_spot_instances", "max_wait_seconds", "checkpoint_s3_uri"])
def test_a_different_word_that_shares_letters_is_not_suggested(word: str) -> None:
    assert did_you_mean(word, TRAINING_KEYS) == ""


def test_short_words_get_no_one_letter_guess() -> None:
    assert did_you_mean("2", ["1"]) == ""
    assert did_you_mean("ge", ["eq", "gt", "gte"]) == " Did you mean 'gte'?"  # an abbreviation, not a typo of gt


@pytest.mark.parametrize("key", ["debugger_hook_config", "profiler_config"])
def test_a_sagemaker_term_the_language_lacks_is_not_supported_yet(key: str) -> None:
    """A tuning job's TrainingJobDefinition has no Debugger members (botocore): not supported there."""
    text = _tuning(f"{key}: 1")
    (diagnostic,) = (d for d in mlopsgen.validate(text, name="tune.yaml") if d.code == "MLG110")
    assert diagnostic.message == f"'{key}' is not supported (yet) in pipeline.steps[Tune]"
    assert diagnostic.hint.startswith(NOT_SUPPORTED[key])
    assert "Did you mean" not in diagnostic.hint


def _tuning(line: str) -> str:
    return f"""version: 2
project: {{name: tune, id: p-tune00001, region: eu-west-1, account: "111111111111"}}
pipeline:
  steps:
    - name: Tune
      type: tuning
      image: {{framework: xgboost, version: "1.7-1"}}
      objective: {{metric: "validation:rmse"}}
      ranges: {{eta: {{type: continuous, min: 0.1, max: 0.5}}}}
      {line}
"""


@pytest.mark.parametrize(("key", "spelling"), [("debugger_hook_config", "debugger"), ("profiler_config", "profiler")])
def test_the_sdk_debugger_terms_name_the_training_step_keys(key: str, spelling: str) -> None:
    text = edit("abalone", ("      hyperparameters:\n", f"      {key}: 1\n      hyperparameters:\n"))
    (diagnostic,) = mlopsgen.validate(text, name="abalone.yaml", code=_code())
    assert diagnostic.code == "MLG121"
    assert diagnostic.message.endswith(f"write {spelling}: {{s3_output_path: ...}}")


@pytest.mark.parametrize(
    ("key", "spelling"),
    [("use_spot_instances", "spot: {max_wait_seconds: N}"), ("max_wait_seconds", "spot: {max_wait_seconds: N}")],
)
def test_a_sagemaker_term_the_language_spells_its_own_way_names_the_spelling(key: str, spelling: str) -> None:
    text = edit("abalone", ("      hyperparameters:\n", f"      {key}: 1\n      hyperparameters:\n"))
    (diagnostic,) = mlopsgen.validate(text, name="abalone.yaml", code=_code())
    assert diagnostic.code == "MLG121"
    assert diagnostic.message == f"'{key}' is the SDK's word; in pipeline.steps[TrainAbaloneModel] write {spelling}"


def test_a_typo_in_a_step_key_still_gets_its_suggestion() -> None:
    text = edit("abalone", ('instance: {type: "${params.TrainingInstanceType}"}', "instnace: {type: ml.m5.xlarge}"))
    (diagnostic,) = mlopsgen.validate(text, name="abalone.yaml", code=_code())
    assert (diagnostic.code, diagnostic.hint) == ("MLG110", "Did you mean 'instance'?")
