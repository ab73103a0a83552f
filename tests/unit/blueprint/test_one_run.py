"""Diagnostics in one run: independent problems are all reported together, not in rounds.

A schema error (a duplicate key, a typo in one step) used to hide every reference problem, which
hid every semantic problem: three mistakes took three runs. Each fault below, alone, gives one
known diagnostic; any few of them together must give all of theirs, and nothing about the parts a
schema error took out of the checks (references to a broken step are not "unknown").
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen
from tests.unit.views.support import _code, edit


@dataclass(frozen=True)
class Fault:
    """One mistake in abalone.yaml: a text edit, and the diagnostic it gives alone."""

    part: str
    """What it breaks; two faults in one part are not independent (a step with an unknown type has no fields)."""
    old: str
    new: str
    code: str
    message: str


FAULTS = {
    "duplicate_tag": Fault(
        "project", "    team: ml-platform", "    team: ml-platform\n    team: other", "MLG103", "duplicate key 'team'"
    ),
    "misspelled_key": Fault(
        "Train",
        "      hyperparameters:\n        objective",
        "      hyperparamters:\n        objective",
        "MLG110",
        "unknown key 'hyperparamters'",
    ),
    "step_type": Fault(
        "Evaluate",
        "    - name: EvaluateAbaloneModel\n      type: processing",
        "    - name: EvaluateAbaloneModel\n      type: procesing",
        "MLG115",
        "unknown step type 'procesing'",
    ),
    "retry_attempts": Fault(
        "Evaluate",
        "      code: pipelines/abalone/evaluate.py\n",
        "      code: pipelines/abalone/evaluate.py\n      retry: [{exceptions: [Step.THROTTLING], max_attempts: 0}]\n",
        "MLG114",
        "retry[0].max_attempts must be at least 1",
    ),
    "stage_name": Fault("staging", "    - name: staging", "    - name: Staging", "MLG114", "'Staging' is not a valid"),
    "jenkins_url": Fault(
        "ci",
        "    url: https://jenkins.example.com",
        "    url: http://jenkins.example.com",
        "MLG114",
        "not a valid https",
    ),
    "model_from": Fault(
        "Register",
        "      model_from: TrainAbaloneModel",
        "      model_from: TrainAbaloneModle",
        "MLG201",
        "unknown step 'TrainAbaloneModle' in model_from",
    ),
    "parameter_reference": Fault(
        "Preprocess",
        "        type: ${params.ProcessingInstanceType}\n",
        "        type: ${params.ProcessingInstanceTyp}\n",
        "MLG202",
        "unknown parameter 'ProcessingInstanceTyp'",
    ),
    "branch": Fault(
        "Check", "then: [RegisterAbaloneModel]", "then: [RegisterAbalone]", "MLG201", "unknown step 'RegisterAbalone'"
    ),
    "depends_on": Fault(
        "Check",
        "    - name: CheckMSEAbaloneEvaluation\n      type: condition\n",
        "    - name: CheckMSEAbaloneEvaluation\n      type: condition\n      depends_on: [Nowhere]\n",
        "MLG201",
        "unknown step 'Nowhere' in depends_on",
    ),
    "stage_instance": Fault(
        "prod",
        "      instance_type: ml.m5.large\n      data_capture: {sampling_percentage: 80}",
        "      instance_type: ml.c5.xlarge\n      data_capture: {sampling_percentage: 80}",
        "MLG332",
        "stage 'prod' deploys on ml.c5.xlarge",
    ),
    "parameter_default": Fault(
        "parameters",
        "TrainingInstanceType: {type: string, default: ml.m5.xlarge}",
        "TrainingInstanceType: {type: integer, default: ml.m5.xlarge}",
        "MLG304",
        "default 'ml.m5.xlarge' of parameter 'TrainingInstanceType'",
    ),
}


def _diagnostics(*names: str) -> list[tuple[str, str]]:
    text = edit("abalone", *((FAULTS[n].old, FAULTS[n].new) for n in names))
    return [(d.code, d.message) for d in mlopsgen.validate(text, name="abalone.yaml", code=_code())]


def _found(fault: Fault, diagnostics: list[tuple[str, str]]) -> bool:
    return any(code == fault.code and fault.message in message for code, message in diagnostics)


def test_each_fault_alone_gives_its_diagnostic() -> None:
    for name, fault in FAULTS.items():
        diagnostics = _diagnostics(name)
        assert _found(fault, diagnostics), (name, diagnostics)


def test_a_duplicate_key_an_unknown_reference_and_a_stage_problem_come_in_one_run() -> None:
    diagnostics = _diagnostics("duplicate_tag", "model_from", "stage_instance")
    assert [code for code, _ in diagnostics] == ["MLG103", "MLG201", "MLG332"]  # file order, diagnostics


def test_a_schema_error_in_one_step_does_not_hide_references_in_another() -> None:
    diagnostics = _diagnostics("misspelled_key", "branch")
    assert {code for code, _ in diagnostics} == {"MLG110", "MLG201"}, diagnostics


def test_references_to_a_step_that_failed_its_schema_are_not_reported_as_unknown() -> None:
    # The evaluation step (unknown type) owns the property file the condition reads and the output
    # the register step's metrics read: only the step type is wrong.
    assert [code for code, _ in _diagnostics("step_type")] == ["MLG115"]
    # Register (model_from: Train) and the evaluation (Train's artifacts) refer to the broken training step.
    assert [code for code, _ in _diagnostics("misspelled_key")] == ["MLG110"]


def test_a_broken_stage_leaves_the_other_stages_checked() -> None:
    diagnostics = _diagnostics("stage_name", "stage_instance")
    assert {code for code, _ in diagnostics} == {"MLG114", "MLG332"}, diagnostics


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(FAULTS)), min_size=2, max_size=3, unique=True))
def test_independent_faults_all_appear_in_one_run(names: list[str]) -> None:
    if len({FAULTS[n].part for n in names}) < len(names):
        return  # two faults in one part: the first can hide the second (a step of unknown type has no fields)
    diagnostics = _diagnostics(*names)
    missing = [n for n in names if not _found(FAULTS[n], diagnostics)]
    assert not missing, (names, diagnostics)
