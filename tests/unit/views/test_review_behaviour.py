"""The review shows what the pipeline decides (gates, hyperparameters, tuning, approval, CI parameters)."""

from __future__ import annotations

import copy
from typing import Any

from mlopsgen.views.review import RISK, review_markdown
from tests.unit.views.support import edit, summary_of, text

NO_CHANGES = "No blueprint-level changes"
ABALONE_GATE = "          - 6.0\n"
APPROVAL_DEFAULT = "      default: PendingManualApproval\n      allowed: [PendingManualApproval, Approved, Rejected]\n"


def _review(name: str, new_text: str, old: dict[str, Any] | None = None) -> str:
    return review_markdown(f"{name}.yaml", old or summary_of(text(name)), summary_of(new_text), [])


def _risks(markdown: str) -> list[str]:
    return [line.removeprefix(RISK).strip() for line in markdown.splitlines() if line.startswith(RISK)]


def test_a_relaxed_condition_threshold_is_a_change_and_a_risk() -> None:
    markdown = _review("abalone", edit("abalone", (ABALONE_GATE, "          - 7.5\n")))
    assert NO_CHANGES not in markdown
    assert "regression_metrics.mse.value) <= 6.0` → `json_get" in markdown and "<= 7.5`" in markdown
    assert _risks(markdown) == [
        "quality gate `CheckMSEAbaloneEvaluation` loosened: "
        "`json_get(AbaloneEvaluationReport, regression_metrics.mse.value)` threshold 6 → 7.5"
    ]


def test_a_tightened_threshold_is_a_change_but_no_risk() -> None:
    markdown = _review("abalone", edit("abalone", (ABALONE_GATE, "          - 5.0\n")))
    assert "<= 5.0`" in markdown and _risks(markdown) == []


def test_a_threshold_parameter_lowered_loosens_a_lower_bound() -> None:
    new = edit("churn", ("MinimumAuc: {type: float, default: 0.8}", "MinimumAuc: {type: float, default: 0.6}"))
    risks = _risks(_review("churn", new))
    assert risks == [
        "quality gate `CheckChurnQuality` loosened: "
        "`json_get(ChurnEvaluation, binary_classification_metrics.auc.value)` threshold 0.8 → 0.6"
    ]


def test_a_removed_quality_gate_is_a_risk() -> None:
    old = summary_of(text("abalone"))
    new = copy.deepcopy(old)
    del new["pipeline"]["steps"]["CheckMSEAbaloneEvaluation"]
    for step in new["pipeline"]["steps"].values():
        step.pop("condition", None), step.pop("branch", None)
    risks = _risks(review_markdown("abalone.yaml", old, new, []))
    assert "quality gate `CheckMSEAbaloneEvaluation` removed: steps it guarded now run unconditionally" in risks


def test_hyperparameter_changes_are_listed_per_name() -> None:
    new = edit("abalone", ("        eta: 0.2\n", "        eta: 0.3\n"), ("        gamma: 4\n", ""))
    markdown = _review("abalone", new)
    assert NO_CHANGES not in markdown
    assert (
        "Changed `TrainAbaloneModel`: hyperparameter `gamma` removed (was `4`); hyperparameter `eta` `0.2` → `0.3`"
        in markdown
    )
    assert _risks(markdown) == []


def test_a_larger_tuning_budget_is_a_change_and_a_risk() -> None:
    markdown = _review("churn", edit("churn", ("      max_jobs: 12\n", "      max_jobs: 60\n")))
    assert "max jobs 12 → 60" in markdown
    assert _risks(markdown) == [
        "tuning budget of `TuneChurnModel` raised (max jobs 12 → 60): more training jobs billed"
    ]


def test_auto_approval_by_parameter_default_is_a_risk() -> None:
    new = edit(
        "abalone", (APPROVAL_DEFAULT, APPROVAL_DEFAULT.replace("default: PendingManualApproval", "default: Approved"))
    )
    markdown = _review("abalone", new)
    assert _risks(markdown) == [
        "`RegisterAbaloneModel` now registers models as `Approved`: every model that passes the pipeline "
        "deploys without a person approving it"
    ]


def test_approval_passed_by_ci_counts_over_the_default() -> None:
    """churn's CI starts the pipeline with ModelApprovalStatus=PendingManualApproval, whatever the default."""
    new = edit("churn", ("    ModelApprovalStatus: PendingManualApproval\n", "    ModelApprovalStatus: Approved\n"))
    markdown = _review("churn", new)
    assert "Execution parameter `ModelApprovalStatus` `PendingManualApproval` → `Approved`" in markdown
    assert [r for r in _risks(markdown) if "Approved" in r]


def test_execution_parameter_changes_are_listed() -> None:
    markdown = _review("churn", edit("churn", ("    MaxTuningJobs: 20\n", "    MaxTuningJobs: 40\n")))
    assert NO_CHANGES not in markdown
    assert "Execution parameter `MaxTuningJobs` `20` → `40`" in markdown


def _as_old_manifest(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary as mlopsgen wrote it before steps recorded what they decide."""
    old = copy.deepcopy(summary)
    for step in old["pipeline"]["steps"].values():
        for key in ("if", "hyperparameters", "objective", "max_jobs", "max_parallel_jobs", "strategy", "ranges"):
            step.pop(key, None)
        step.pop("approval_status", None)
    if old["ci"]:
        del old["ci"]["execution_parameters"]
    return old


def test_old_manifests_are_read_without_spurious_changes_or_risks() -> None:
    for name in ("abalone", "churn", "fraud_secure"):
        old = _as_old_manifest(summary_of(text(name)))
        markdown = review_markdown(f"{name}.yaml", old, summary_of(text(name)), [])
        assert NO_CHANGES in markdown and _risks(markdown) == [], markdown
