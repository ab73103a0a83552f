"""views.review: pull-request summaries in blueprint terms, with a risk line per risky change."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mlopsgen.views.review import RISK, review_markdown
from mlopsgen.views.review_risks import risks
from tests.unit.views.support import NAMES, as_previous_version, edit, summary_of, text

FILES = [("model-deploy/prod-config.json", "changed"), ("model-build/pipeline-definition.json", "changed")]

# Weakening a control of fraud_secure means lifting security.required too, or the blueprint is invalid.
REQUIRED = "  required: true   # every job, model and endpoint must carry the controls below\n"
FRAUD_KMS = (
    "  kms:\n"
    "    volume: arn:aws:kms:eu-central-1:333333333333:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b\n"
    "    output: arn:aws:kms:eu-central-1:333333333333:key/9a8b7c6d-5e4f-4321-9876-543210fedcba\n"
)
FRAUD_VPC = (
    "  vpc:\n"
    "    subnets: [subnet-0a11b22c33d44e55f, subnet-0f55e44d33c22b11a]\n"
    "    security_groups: [sg-0123456789abcdef0]\n"
)


STAGING_ACCOUNTS = '      accounts: ["444444444444", "555555555555"]\n'
PROD_OUS = "      organizational_units: [ou-fr4d-prod0001, ou-fr4d-prodeu02]\n"
ENDPOINTS = (
    "vpc_endpoints: [vpce-0a1b2c3d4e5f60718, vpce-0b82e29a828790da2, vpce-07ef65869ca950e14, vpce-03d9ed0a1ba396ff5]"
)


def _review(name: str, new_text: str, files: list[tuple[str, str]] | None = None) -> str:
    return review_markdown(
        f"{name}.yaml", summary_of(text(name)), summary_of(new_text), FILES if files is None else files
    )


def _risk_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(RISK)]


@pytest.mark.parametrize("name", NAMES)
def test_identical_summaries_have_no_risk_and_no_sections(name: str) -> None:
    summary = summary_of(text(name))
    markdown = review_markdown(f"{name}.yaml", summary, summary, FILES)
    assert _risk_lines(markdown) == [] and risks(summary, summary) == []
    assert "####" not in markdown
    assert "No blueprint-level changes" in markdown
    # An old summary read back from a manifest compares equal to a fresh one.
    assert review_markdown(f"{name}.yaml", json.loads(json.dumps(summary)), summary, FILES) == markdown


def test_new_output_has_an_overview_and_no_risks() -> None:
    summary = summary_of(text("abalone"))
    markdown = review_markdown("abalone.yaml", None, summary, [("model-build/buildspec.yml", "added")])
    assert risks(None, summary) == [] and _risk_lines(markdown) == []
    assert "New output: 5 pipeline steps, deploy stages `staging` → `prod`." in markdown
    assert "- `model-build/buildspec.yml` (added)" in markdown


def test_removed_manual_approval_is_a_risk() -> None:
    markdown = _review("abalone", edit("abalone", ("    - name: prod\n      approval: manual\n", "    - name: prod\n")))
    assert _risk_lines(markdown) == [f"{RISK} manual approval gate removed before stage `prod`"]
    assert "#### Approval gates\n\n- Removed manual approval before `prod`" in markdown


def test_removed_stage_with_its_gate_is_a_risk() -> None:
    new = edit("fraud_secure", ("    - name: staging\n      approval: manual\n      instance_type: ml.m5.large\n", ""))
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == [f"{RISK} stage `staging` was removed together with its manual approval gate"]
    assert "- Removed stage `staging`" in markdown
    assert "- Removed manual approval with stage `staging`" in markdown


def test_removed_kms_keys_are_risks() -> None:
    markdown = _review("fraud_secure", edit("fraud_secure", (FRAUD_KMS, ""), (REQUIRED, "")))
    lines = _risk_lines(markdown)
    # fraud_secure's notification topic was encrypted because of the output key and security.required.
    assert [line.split(":")[1] for line in lines] == [
        "** volume KMS key removed",
        "** output KMS key removed",
        "** the notification topic is no longer encrypted",
    ]
    assert "#### Security controls" in markdown
    assert (
        "- Volume KMS key `arn:aws:kms:eu-central-1:333333333333:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b` → none"
        in markdown
    )


def test_network_isolation_off_is_one_risk_and_jobs_following_it_are_not_listed() -> None:
    new = edit("fraud_secure", ("  network_isolation: true\n", "  network_isolation: false\n"))
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == [f"{RISK} network isolation turned off"]
    assert "- Network isolation on → off" in markdown
    assert "#### Pipeline steps" not in markdown


def test_one_job_opting_out_of_network_isolation_is_a_risk() -> None:
    new = edit(
        "fraud_secure",
        ("      max_runtime_seconds: 14400\n", "      max_runtime_seconds: 14400\n      network_isolation: false\n"),
    )
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == [f"{RISK} network isolation turned off for step `TrainFraudModel`"]
    assert "- Changed `TrainFraudModel`: network isolation on → off" in markdown


def test_vpc_removed_and_inter_container_encryption_off_are_risks() -> None:
    new = edit(
        "fraud_secure",
        (FRAUD_VPC, ""),
        ("encrypt_inter_container_traffic: true", "encrypt_inter_container_traffic: false"),
        (REQUIRED, ""),
    )
    lines = _risk_lines(_review("fraud_secure", new))
    assert lines == [
        f"{RISK} VPC removed: jobs no longer run in the blueprint's subnets",
        f"{RISK} inter-container traffic encryption turned off",
    ]


def test_removed_subnet_and_security_group_are_risks() -> None:
    old = summary_of(text("fraud_secure"))
    new = copy.deepcopy(old)
    new["security"]["subnets"] = ["subnet-0a11b22c33d44e55f"]
    new["security"]["security_groups"] = []
    assert risks(old, new) == [
        "subnets removed from the VPC: `subnet-0f55e44d33c22b11a`",
        "security groups removed: `sg-0123456789abcdef0`",
    ]
    markdown = review_markdown("fraud_secure.yaml", old, new, FILES)
    assert "- Subnets: removed `subnet-0f55e44d33c22b11a`" in markdown


def test_removed_smoke_test_is_a_risk() -> None:
    markdown = _review(
        "fraud_secure",
        edit(
            "fraud_secure",
            (
                "      instance_type: ml.m5.large\n      test: true\n",
                "      instance_type: ml.m5.large\n      test: false\n",
            ),
        ),
    )
    assert _risk_lines(markdown) == [f"{RISK} smoke test removed from stage `dev`"]
    assert "- Changed `dev`: smoke test on → off" in markdown


def test_data_capture_off_is_a_risk() -> None:
    new = edit("abalone", ("data_capture: {sampling_percentage: 100}", "data_capture: false"))
    markdown = _review("abalone", new)
    assert _risk_lines(markdown) == [f"{RISK} data capture turned off on stage `staging`"]
    assert "- Changed `staging`: data capture 100% → off" in markdown


def test_production_stage_losing_autoscaling_is_a_risk() -> None:
    new = edit(
        "abalone",
        ("      autoscaling: {min_instances: 1, max_instances: 4, target_invocations_per_instance: 100}\n", ""),
    )
    markdown = _review("abalone", new)
    assert _risk_lines(markdown) == [f"{RISK} the production stage `prod` (the last stage) no longer autoscales"]
    assert "autoscaling 1–4 instances (target 100 invocations/instance) → off" in markdown


def test_risks_come_before_the_sections() -> None:
    new = edit(
        "abalone",
        ("    - name: prod\n      approval: manual\n", "    - name: prod\n"),
        ("data_capture: {sampling_percentage: 100}", "data_capture: false"),
    )
    markdown = _review("abalone", new)
    lines = markdown.splitlines()
    risk_rows = [i for i, line in enumerate(lines) if line.startswith(RISK)]
    assert len(risk_rows) == 2 and max(risk_rows) < lines.index("#### Deploy stages")


def test_safer_changes_are_not_risks() -> None:
    new = edit("abalone", ("    - name: staging\n", "    - name: staging\n      approval: manual\n"))
    markdown = _review("abalone", new)
    assert _risk_lines(markdown) == []
    assert "- Added manual approval before `staging`" in markdown


def test_step_instance_type_change_in_blueprint_terms() -> None:
    markdown = _review("churn", edit("churn", ("instance: {type: ml.m5.2xlarge,", "instance: {type: ml.m5.4xlarge,")))
    assert (
        "#### Pipeline steps\n\n- Changed `PrepareChurnData`: instance type `ml.m5.2xlarge` → `ml.m5.4xlarge`"
        in markdown
    )
    assert _risk_lines(markdown) == []


def test_parameter_and_stage_instance_changes() -> None:
    new = edit(
        "abalone",
        (
            "TrainingInstanceType: {type: string, default: ml.m5.xlarge}",
            "TrainingInstanceType: {type: string, default: ml.m5.4xlarge}",
        ),
        (
            "      approval: manual\n      instance_type: ml.m5.large\n",
            "      approval: manual\n      instance_type: ml.m5.2xlarge\n",
        ),
        # A stage deploys only on an instance type the registered model lists (MLG332).
        (
            "inference_instances: [ml.t2.medium, ml.m5.large]",
            "inference_instances: [ml.t2.medium, ml.m5.large, ml.m5.2xlarge]",
        ),
    )
    markdown = _review("abalone", new)
    assert "- Changed `TrainingInstanceType`: default `ml.m5.xlarge` → `ml.m5.4xlarge`" in markdown
    assert "- Changed `prod`: instance type `ml.m5.large` → `ml.m5.2xlarge`" in markdown


def test_image_change_and_steps_added_and_removed() -> None:
    new = edit("fraud_secure", ("fraud-schema-check:2.4.1", "fraud-schema-check:2.5.0"))
    markdown = _review("fraud_secure", new)
    image = "333333333333.dkr.ecr.eu-central-1.amazonaws.com/fraud-schema-check"
    assert f"- Changed `ValidateSchema`: image changed (`{image}:2.4.1` → `{image}:2.5.0`)" in markdown
    old = summary_of(text("churn"))
    changed = copy.deepcopy(old)
    steps: dict[str, Any] = changed["pipeline"]["steps"]
    steps["Explain"] = {"type": "processing", "condition": "CheckChurnQuality", "branch": "then"}
    del steps["ChurnModelTooWeak"]
    steps["ScoreCustomers"].update(condition=None, branch=None)
    markdown = review_markdown("churn.yaml", old, changed, FILES)
    assert "- Added `Explain` (processing) in the `then` branch of `CheckChurnQuality`" in markdown
    assert "- Removed `ChurnModelTooWeak` (fail)" in markdown
    assert (
        "- Changed `ScoreCustomers`: moved from the `then` branch of `CheckChurnQuality` to the top level" in markdown
    )


def test_stages_added_and_reordered() -> None:
    old = summary_of(text("fraud_secure"))
    new = copy.deepcopy(old)
    dev, staging, prod = new["deploy"]["stages"]
    qa = dict(dev, name="qa", manual_approval=True)
    new["deploy"]["stages"] = [staging, dev, qa, prod]
    markdown = review_markdown("fraud_secure.yaml", old, new, FILES)
    assert "- Added stage `qa` (`ml.m5.large` × 1)" in markdown
    assert "- Reordered: `dev` → `staging` → `prod` is now `staging` → `dev` → `qa` → `prod`" in markdown
    assert "- Added manual approval before new stage `qa`" in markdown


def test_ci_changes() -> None:
    new = edit(
        "abalone",
        ("branch: main", "branch: develop"),
        ("backends: [codepipeline, jenkins]", "backends: [codepipeline]"),
        ("  jenkins:\n    url: https://jenkins.example.com\n", ""),
    )
    markdown = _review("abalone", new)
    assert "#### CI\n\n- Backends: removed `jenkins`\n- Source branch `main` → `develop`" in markdown
    assert _risk_lines(markdown) == []


def test_changed_files_are_a_sorted_collapsed_list() -> None:
    summary = summary_of(text("abalone"))
    files = [("b.txt", "removed"), ("a.txt", "changed"), ("c.txt", "added"), ("d.txt", "changed")]
    markdown = review_markdown("abalone.yaml", summary, summary, files)
    assert markdown == review_markdown("abalone.yaml", summary, summary, list(reversed(files)))
    expected = (
        "<details>\n<summary>4 generated files (1 added, 2 changed, 1 removed)</summary>\n\n"
        "- `a.txt` (changed)\n- `b.txt` (removed)\n- `c.txt` (added)\n- `d.txt` (changed)\n\n</details>\n"
    )
    assert markdown.endswith(expected)
    assert markdown.startswith("### `abalone.yaml`\n\n")


def test_old_summaries_of_another_shape_do_not_break_the_review() -> None:
    new = summary_of(text("abalone"))
    for old in ({"format": 0, "pipeline": "?", "deploy": {"stages": [1, {"x": 2}]}, "security": []}, {"ci": 3}):
        markdown = review_markdown("abalone.yaml", old, new, FILES)
        assert markdown.startswith("### `abalone.yaml`")
        assert _risk_lines(markdown) == []
    markdown = review_markdown("abalone.yaml", {}, new, FILES)
    assert "no earlier summary" in markdown and "####" not in markdown


# --- target accounts and VPC endpoints -----------------------------------------------------------


def _section(markdown: str, title: str) -> list[str]:
    """The bullet lines of one section of a review (empty when the section is absent)."""
    heading = f"#### {title}\n\n"
    if heading not in markdown:
        return []
    body = markdown.split(heading, 1)[1].split("\n\n", 1)[0]
    return body.splitlines()


@pytest.mark.parametrize("name", ["abalone", "churn"])
def test_summaries_of_the_previous_version_show_no_change(name: str) -> None:
    summary = summary_of(text(name))
    same = review_markdown(f"{name}.yaml", summary, summary, FILES)
    assert review_markdown(f"{name}.yaml", as_previous_version(summary), summary, FILES) == same
    assert risks(as_previous_version(summary), summary) == []


def test_reviews_without_targets_are_as_before() -> None:
    # The exact text the review gave before stages could deploy into other accounts.
    new = edit(
        "abalone",
        ("    - name: prod\n      approval: manual\n", "    - name: prod\n"),
        ("data_capture: {sampling_percentage: 100}", "data_capture: false"),
        ("branch: main", "branch: develop"),
        (
            "TrainingInstanceType: {type: string, default: ml.m5.xlarge}",
            "TrainingInstanceType: {type: string, default: ml.m5.4xlarge}",
        ),
        ("      autoscaling: {min_instances: 1, max_instances: 4, target_invocations_per_instance: 100}\n", ""),
    )
    old_summary, new_summary = summary_of(text("abalone")), summary_of(new)
    expected = (
        "### `abalone.yaml`\n\n"
        "⚠️ **Risk:** data capture turned off on stage `staging`\n\n"
        "⚠️ **Risk:** manual approval gate removed before stage `prod`\n\n"
        "⚠️ **Risk:** the production stage `prod` (the last stage) no longer autoscales\n\n"
        "#### Parameters\n\n- Changed `TrainingInstanceType`: default `ml.m5.xlarge` → `ml.m5.4xlarge`\n\n"
        "#### Deploy stages\n\n- Changed `staging`: data capture 100% → off\n"
        "- Changed `prod`: autoscaling 1–4 instances (target 100 invocations/instance) → off\n\n"
        "#### Approval gates\n\n- Removed manual approval before `prod`\n\n"
        "#### CI\n\n- Source branch `main` → `develop`\n\n"
        "<details>\n<summary>1 generated file (1 changed)</summary>\n\n- `a.txt` (changed)\n\n</details>\n"
    )
    files = [("a.txt", "changed")]
    assert review_markdown("abalone.yaml", old_summary, new_summary, files) == expected
    assert review_markdown("abalone.yaml", as_previous_version(old_summary), new_summary, files) == expected


def test_previous_version_summary_against_targets_reports_the_move() -> None:
    # The previous version's output deployed every stage into the project account: a real change.
    new = summary_of(text("fraud_secure"))
    markdown = review_markdown("fraud_secure.yaml", as_previous_version(new), new, FILES)
    assert _risk_lines(markdown) == [
        f"{RISK} the production stage `prod` (the last stage) now also deploys into organizational units "
        "`ou-fr4d-prod0001`, `ou-fr4d-prodeu02`"
    ]
    assert _section(markdown, "Target accounts") == [
        "- `dev`: project account",
        "- `staging`: accounts `444444444444`, `555555555555` (moved from the project account to stack-set deployment)",
        "- `prod`: organizational units `ou-fr4d-prod0001`, `ou-fr4d-prodeu02` (moved from the project account to "
        "stack-set deployment)",
    ]
    assert _section(markdown, "Security controls") == [
        "- VPC endpoints: added `vpce-03d9ed0a1ba396ff5`, `vpce-07ef65869ca950e14`, `vpce-0a1b2c3d4e5f60718`, "
        "`vpce-0b82e29a828790da2`"
    ]
    assert "#### Deploy stages" not in markdown  # targets are not repeated as a generic stage change


def test_accounts_and_ous_added_and_removed() -> None:
    new = edit(
        "fraud_secure",
        (STAGING_ACCOUNTS, '      accounts: ["444444444444", "666666666666"]\n'),
        (PROD_OUS, '      organizational_units: [ou-fr4d-prod0001]\n      accounts: ["777777777777"]\n'),
    )
    markdown = _review("fraud_secure", new)
    assert _section(markdown, "Target accounts") == [
        "- `dev`: project account",
        "- `staging`: accounts `444444444444`, `666666666666` (added account `666666666666`; "
        "removed account `555555555555`)",
        "- `prod`: account `777777777777` and organizational unit `ou-fr4d-prod0001` (added account `777777777777`; "
        "removed organizational unit `ou-fr4d-prodeu02`)",
    ]
    assert _risk_lines(markdown) == [
        f"{RISK} the production stage `prod` (the last stage) now also deploys into account `777777777777`"
    ]


def test_production_stage_gaining_an_ou_is_a_risk() -> None:
    new = edit(
        "fraud_secure",
        (PROD_OUS, "      organizational_units: [ou-fr4d-prod0001, ou-fr4d-prodeu02, ou-fr4d-produs03]\n"),
    )
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == [
        f"{RISK} the production stage `prod` (the last stage) now also deploys into organizational unit "
        "`ou-fr4d-produs03`"
    ]
    assert (
        "- `prod`: organizational units `ou-fr4d-prod0001`, `ou-fr4d-prodeu02`, `ou-fr4d-produs03` (added " in markdown
    )


def test_earlier_stage_gaining_accounts_or_production_shrinking_is_no_risk() -> None:
    new = edit(
        "fraud_secure",
        (STAGING_ACCOUNTS, '      accounts: ["444444444444", "555555555555", "666666666666"]\n'),
        (PROD_OUS, "      organizational_units: [ou-fr4d-prod0001]\n"),
    )
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == []
    assert "(added account `666666666666`)" in markdown
    assert "(removed organizational unit `ou-fr4d-prodeu02`)" in markdown


def test_stage_moving_into_a_stack_set_and_back() -> None:
    into = edit(
        "abalone",
        (
            "      instance_type: ml.m5.large\n      data_capture: {sampling_percentage: 100}\n",
            (
                '      instance_type: ml.m5.large\n      accounts: ["444444444444"]\n'
                "      data_capture: {sampling_percentage: 100}\n"
            ),
        ),
    )
    markdown = _review("abalone", into)
    assert _section(markdown, "Target accounts") == [
        "- `staging`: account `444444444444` (moved from the project account to stack-set deployment)",
        "- `prod`: project account",
    ]
    assert _risk_lines(markdown) == []  # staging is not the last stage
    back = edit("fraud_secure", (PROD_OUS, ""))
    lines = _section(_review("fraud_secure", back), "Target accounts")
    assert lines[-1] == (
        "- `prod`: project account (moved back from stack-set deployment; "
        "was organizational units `ou-fr4d-prod0001`, `ou-fr4d-prodeu02`)"
    )


def test_stages_with_targets_added_and_removed() -> None:
    old = summary_of(text("fraud_secure"))
    new = copy.deepcopy(old)
    dev, staging, prod = new["deploy"]["stages"]
    canary = dict(dev, name="canary", targets={"accounts": ["888888888888"], "organizational_units": []})
    new["deploy"]["stages"] = [dev, canary, prod]
    assert _section(review_markdown("fraud_secure.yaml", old, new, FILES), "Target accounts") == [
        "- `dev`: project account",
        "- `canary` (new stage): account `888888888888`",
        "- `prod`: organizational units `ou-fr4d-prod0001`, `ou-fr4d-prodeu02`",
        "- `staging` (removed stage): was accounts `444444444444`, `555555555555`",
    ]


def test_target_accounts_section_only_when_placement_changes() -> None:
    new = edit(
        "fraud_secure",
        ("instance_type: ml.c5.xlarge", "instance_type: ml.c5.2xlarge"),
        ("inference_instances: [ml.m5.large, ml.c5.xlarge]", "inference_instances: [ml.m5.large, ml.c5.2xlarge]"),
    )
    markdown = _review("fraud_secure", new)
    assert "#### Target accounts" not in markdown
    assert "- Changed `prod`: instance type `ml.c5.xlarge` → `ml.c5.2xlarge`" in markdown


def test_vpc_endpoints_removed_with_stages_in_other_accounts_is_a_risk() -> None:
    markdown = _review("fraud_secure", edit("fraud_secure", ("  " + ENDPOINTS + "\n", ""), (REQUIRED, "")))
    assert _risk_lines(markdown) == [
        f"{RISK} VPC endpoints removed while stages deploy into other accounts: model objects and the output key "
        "no longer deny access from outside them"
    ]
    assert "- VPC endpoints: removed `vpce-03d9ed0a1ba396ff5`, `vpce-07ef65869ca950e14`, " in markdown


def test_vpc_endpoint_lost_with_stages_in_other_accounts_is_a_risk() -> None:
    new = edit("fraud_secure", ("vpce-0b82e29a828790da2, ", ""))
    markdown = _review("fraud_secure", new)
    assert _risk_lines(markdown) == [
        f"{RISK} VPC endpoints `vpce-0b82e29a828790da2` removed while stages deploy into other accounts: model "
        "access through them is now denied, which breaks target-account endpoints that use them"
    ]
    assert _section(markdown, "Security controls") == ["- VPC endpoints: removed `vpce-0b82e29a828790da2`"]


def test_vpc_endpoint_changes_without_other_accounts_are_no_risk() -> None:
    old = summary_of(text("fraud_secure"))
    new = copy.deepcopy(old)
    for stage in [*old["deploy"]["stages"], *new["deploy"]["stages"]]:
        stage["targets"] = None
    new["security"]["vpc_endpoints"] = ["vpce-0a1b2c3d4e5f60718", "vpce-0fffffffffffffff0"]
    markdown = review_markdown("fraud_secure.yaml", old, new, FILES)
    assert _risk_lines(markdown) == []
    assert _section(markdown, "Security controls") == [
        "- VPC endpoints: added `vpce-0fffffffffffffff0`; removed `vpce-03d9ed0a1ba396ff5`, "
        "`vpce-07ef65869ca950e14`, `vpce-0b82e29a828790da2`"
    ]


def test_targets_of_another_shape_do_not_break_the_review() -> None:
    new = summary_of(text("fraud_secure"))
    old = copy.deepcopy(new)
    old["deploy"]["stages"][1]["targets"] = "444444444444"
    old["deploy"]["stages"][2]["targets"] = {"accounts": 5, "organizational_units": None}
    old["security"]["vpc_endpoints"] = {"x": 1}
    markdown = review_markdown("fraud_secure.yaml", old, new, FILES)
    assert "(moved from the project account to stack-set deployment)" in markdown
