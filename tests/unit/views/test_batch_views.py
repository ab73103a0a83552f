"""Batch deploy stages in the reviewer's views: the deploy graph shows what runs, the review flags mode changes."""

from __future__ import annotations

from mlopsgen.views.graph import deploy_mermaid
from mlopsgen.views.review import RISK, review_markdown
from tests.unit.views.support import edit, plan_named, summary_of, text

STAGING = "    - name: staging\n      instance_type: ml.m5.large\n      data_capture: {sampling_percentage: 100}\n"
BATCH = "{input: 's3://a-bucket/in/', output: 's3://a-bucket/out/', schedule: rate(1 day)}"
STAGING_BATCH = f"    - name: staging\n      batch: {BATCH}\n"
SCHEDULE = "        schedule: cron(0 2 * * ? *)\n"


def _staging_as_batch() -> str:
    """credit with its staging endpoint stage (capture and monitors included) replaced by a batch stage."""
    blueprint = text("credit")
    start = blueprint.index(STAGING)
    return blueprint[:start] + STAGING_BATCH + blueprint[blueprint.index("    - name: prod", start) :]


def _risks(old: str, new: str) -> list[str]:
    markdown = review_markdown("credit.yaml", summary_of(old), summary_of(new), [])
    return [line for line in markdown.splitlines() if line.startswith(RISK)]


def test_deploy_graph_shows_the_transform_and_its_runs() -> None:
    mermaid = deploy_mermaid(plan_named("credit"))
    nodes = dict(line.strip().split('["', 1) for line in mermaid.splitlines() if '["' in line)
    assert nodes["deploy_nightly"] == (
        'Deploy nightly<br/>batch transform ml.m5.xlarge × 2<br/>on approval, cron(0 2 * * ? *)"]'
    )
    assert nodes["run_nightly"] == 'Run batch nightly<br/>smoke run<br/>run on approval"]'
    assert "deploy_nightly --> run_nightly" in mermaid
    assert "test_nightly" not in mermaid


def test_endpoint_stage_turned_batch_is_a_risk() -> None:
    risks = _risks(text("credit"), _staging_as_batch())
    assert (
        f"{RISK} stage `staging` changed from an endpoint to a batch transform: its endpoint will be deleted" in risks
    )
    assert f"{RISK} data capture turned off on stage `staging`" in risks


def test_batch_stage_turned_endpoint_is_a_risk() -> None:
    risks = _risks(_staging_as_batch(), text("credit"))
    assert risks == [
        f"{RISK} stage `staging` changed from a batch transform to an endpoint: its scheduled scoring stops"
    ]


def test_schedule_removed_is_a_risk() -> None:
    risks = _risks(text("credit"), edit("credit", (SCHEDULE, "")))
    assert risks == [f"{RISK} scheduled batch runs removed from stage `nightly`"]
