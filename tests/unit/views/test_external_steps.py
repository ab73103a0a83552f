"""Views of Lambda, EMR and Callback steps: the graph draws them, the summary and review name what they call."""

from __future__ import annotations

from mlopsgen.views.graph import pipeline_mermaid
from mlopsgen.views.review import review_markdown
from mlopsgen.views.summary import summarize
from tests.unit.views.support import plan_of

BLUEPRINT = """
project: {name: steps, id: p-steps01, region: eu-west-1, account: "111111111111"}
pipeline:
  parallelism: 2
  steps:
    - {name: Score, type: lambda, function: score, outputs: {ok: Boolean}}
    - name: Approve
      type: callback
      queue_url: https://sqs.eu-west-1.amazonaws.com/111111111111/approvals
      inputs: {ok: "${steps.Score.outputs.ok}"}
      outputs: {approved: Boolean}
    - {name: Etl, type: emr, cluster_id: j-2AXXXXXXGAPLF, step: {jar: x.jar}, depends_on: [Approve]}
    - name: Gate
      type: condition
      if: {eq: ["${steps.Approve.outputs.approved}", true]}
      then: [Stop]
    - {name: Stop, type: fail, message: "not ${steps.Score.outputs.ok}"}
"""


def test_graph_draws_the_steps_and_their_data_edges() -> None:
    mermaid = pipeline_mermaid(plan_of(BLUEPRINT, "steps.yaml"))
    for line in (
        '    Score["Score<br/>lambda"]',
        '    Approve["Approve<br/>callback"]',
        '    Etl["Etl<br/>emr"]',
        "    Score --> Approve",
        "    Approve -.-> Etl",
        "    Approve --> Gate",
        "    Gate -->|true| Stop",
    ):
        assert line in mermaid.splitlines(), mermaid


def test_summary_names_the_function_queue_and_cluster() -> None:
    steps = summarize(plan_of(BLUEPRINT, "steps.yaml"))["pipeline"]["steps"]
    assert steps["Score"]["function"] == "arn:aws:lambda:eu-west-1:111111111111:function:score"
    assert steps["Approve"]["queue"] == "https://sqs.eu-west-1.amazonaws.com/111111111111/approvals"
    assert steps["Etl"]["cluster"] == "j-2AXXXXXXGAPLF"
    assert steps["Gate"]["if"] == [{"op": "==", "left": "${steps.Approve.outputs.approved}", "right": "true"}]


def test_review_shows_a_changed_function() -> None:
    old = summarize(plan_of(BLUEPRINT, "steps.yaml"))
    new = summarize(plan_of(BLUEPRINT.replace("function: score", "function: score-v2"), "steps.yaml"))
    markdown = review_markdown("steps.yaml", old, new, [])
    assert "function:score-v2" in markdown, markdown
