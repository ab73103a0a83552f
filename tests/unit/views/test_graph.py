"""views.graph: Mermaid diagrams of the pipeline DAG and the deploy flow."""

from __future__ import annotations

import dataclasses
import re

import pytest

from mlopsgen.views.graph import deploy_mermaid, escape_label, mermaid_markdown, pipeline_mermaid
from mlopsgen.views.summary import summarize
from tests.unit.views.support import NAMES, edit, plan_named, plan_of, text

_NODE = re.compile(r'^    (\w+)(?:\["|\{"|\(\["|\{\{")(.*?)(?:"\]|"\}|"\]\)|"\}\})$')
_EDGE = re.compile(r"^    (\w+) (-->|-\.->|-->\|true\||-->\|false\|) (\w+)$")


def _nodes(mermaid: str) -> dict[str, str]:
    return {m[1]: m[2] for line in mermaid.splitlines() if (m := _NODE.match(line))}


def _edges(mermaid: str) -> list[tuple[str, str, str]]:
    return [(m[1], m[2], m[3]) for line in mermaid.splitlines() if (m := _EDGE.match(line))]


@pytest.mark.parametrize("name", NAMES)
def test_every_step_is_a_node_and_every_line_parses(name: str) -> None:
    plan = plan_named(name)
    mermaid = pipeline_mermaid(plan)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart TD" and mermaid.endswith("\n")
    assert len(lines) == 1 + len(_nodes(mermaid)) + len(_edges(mermaid)), "a line is neither node nor edge"
    steps = summarize(plan)["pipeline"]["steps"]
    assert _nodes(mermaid) == {step: f"{step}<br/>{spec['type']}" for step, spec in steps.items()}
    assert len(set(_edges(mermaid))) == len(_edges(mermaid))
    assert pipeline_mermaid(plan_of(text(name), f"{name}.yaml")) == mermaid


def test_abalone_edges() -> None:
    edges = _edges(pipeline_mermaid(plan_named("abalone")))
    assert edges == [
        ("PreprocessAbaloneData", "-->", "TrainAbaloneModel"),
        ("PreprocessAbaloneData", "-->", "EvaluateAbaloneModel"),
        ("TrainAbaloneModel", "-->", "EvaluateAbaloneModel"),
        ("EvaluateAbaloneModel", "-->", "CheckMSEAbaloneEvaluation"),  # the property file read by the condition
        ("TrainAbaloneModel", "-->", "RegisterAbaloneModel"),
        ("EvaluateAbaloneModel", "-->", "RegisterAbaloneModel"),  # inside a Join (the metrics URI)
        ("CheckMSEAbaloneEvaluation", "-->|true|", "RegisterAbaloneModel"),
    ]
    assert 'CheckMSEAbaloneEvaluation{"CheckMSEAbaloneEvaluation<br/>condition"}' in pipeline_mermaid(
        plan_named("abalone")
    )


def test_churn_branches_and_transform_model() -> None:
    edges = _edges(pipeline_mermaid(plan_named("churn")))
    assert ("CheckChurnQuality", "-->|false|", "ChurnModelTooWeak") in edges
    for step in ("RegisterChurnModel", "CreateChurnModel", "ScoreCustomers"):
        assert ("CheckChurnQuality", "-->|true|", step) in edges
    assert ("CreateChurnModel", "-->", "ScoreCustomers") in edges
    assert ("TuneChurnModel", "-->", "RegisterChurnModel") in edges


def test_fraud_depends_on_and_step_property_edges() -> None:
    edges = _edges(pipeline_mermaid(plan_named("fraud_secure")))
    assert ("ValidateSchema", "-.->", "BuildFeatures") in edges
    assert ("ScoreHoldout", "-->", "MeasureHoldout") in edges
    assert ("CreateFraudModel", "-->", "ScoreHoldout") in edges
    assert ("GateOnFalsePositives", "-->|false|", "TooManyFalsePositives") in edges


def test_depends_on_with_data_draws_one_data_edge() -> None:
    new = edit(
        "abalone",
        (
            "    - name: TrainAbaloneModel\n",
            "    - name: TrainAbaloneModel\n      depends_on: [PreprocessAbaloneData]\n",
        ),
    )
    edges = _edges(pipeline_mermaid(plan_of(new)))
    assert [e for e in edges if e[0] == "PreprocessAbaloneData" and e[2] == "TrainAbaloneModel"] == [
        ("PreprocessAbaloneData", "-->", "TrainAbaloneModel")
    ]


def test_node_ids_are_sanitised_and_keywords_avoided() -> None:
    new = re.sub(r"\bCreateChurnModel\b", "end", text("churn"))
    new = re.sub(r"\bScoreCustomers\b", "Score-Customers", new)
    mermaid = pipeline_mermaid(plan_of(new))
    nodes = _nodes(mermaid)
    assert nodes["n_end"] == "end<br/>create_model"
    assert nodes["Score_Customers"] == "Score-Customers<br/>transform"
    assert ("n_end", "-->", "Score_Customers") in _edges(mermaid)


def test_labels_are_escaped() -> None:
    assert escape_label('say "hi" <b>#1</b> & `x`\n') == "say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #amp; #96;x#96; "
    plan = plan_named("abalone")
    assert plan.ci is not None
    source = dataclasses.replace(plan.ci.source, repository='org/"repo"')
    mermaid = deploy_mermaid(dataclasses.replace(plan, ci=dataclasses.replace(plan.ci, source=source)))
    assert 'source(["Source<br/>github org/#quot;repo#quot;@main"])' in mermaid


def test_abalone_deploy_flow() -> None:
    mermaid = deploy_mermaid(plan_named("abalone"))
    assert mermaid.splitlines()[0] == "flowchart LR"
    chain = [(a, b) for a, arrow, b in _edges(mermaid)]
    assert chain == [
        ("source", "build"),
        ("build", "deploy_staging"),
        ("deploy_staging", "test_staging"),
        ("test_staging", "approve_prod"),
        ("approve_prod", "deploy_prod"),
        ("deploy_prod", "done"),  # prod is not smoke-tested
    ]
    nodes = _nodes(mermaid)
    assert nodes["deploy_prod"] == "Deploy prod<br/>ml.m5.large × 1<br/>autoscaling 1–4"
    assert nodes["approve_prod"] == "Manual approval<br/>prod"
    assert nodes["source"] == "Source<br/>github example-org/abalone-mlops@main"


def test_fraud_deploy_flow_has_two_gates() -> None:
    nodes = _nodes(deploy_mermaid(plan_named("fraud_secure")))
    assert [n for n in nodes if n.startswith("approve_")] == ["approve_staging", "approve_prod"]
    assert nodes["deploy_prod"].startswith("Deploy prod<br/>ml.c5.xlarge × 2")


def test_stack_set_stages_show_their_targets() -> None:
    plan = plan_named("fraud_secure")
    nodes = _nodes(deploy_mermaid(plan))
    # dev is asynchronous and prod has a shadow variant (serving blocks): the node says so.
    assert nodes["deploy_dev"] == "Deploy dev<br/>asynchronous<br/>ml.m5.large × 1<br/>backlog scaling 0–3"
    assert nodes["deploy_staging"] == (
        "Deploy staging<br/>ml.m5.large × 1<br/>stack set → 2 accounts<br/>monitors: data quality"
    )
    assert nodes["deploy_prod"] == (
        "Deploy prod<br/>ml.c5.xlarge × 2<br/>shadow shadow: ml.m5.large × 1<br/>autoscaling 1–6<br/>stack set → 2 OUs"
    )
    assert plan.deploy is not None
    prod = plan.deploy.stages[-1]
    assert prod.targets is not None
    mixed = dataclasses.replace(prod, targets=dataclasses.replace(prod.targets, accounts=("777777777777",)))
    deploy = dataclasses.replace(plan.deploy, stages=(*plan.deploy.stages[:-1], mixed))
    nodes = _nodes(deploy_mermaid(dataclasses.replace(plan, deploy=deploy)))
    assert nodes["deploy_prod"].endswith("<br/>stack set → 1 account, 2 OUs")


def test_markdown_combines_both_diagrams() -> None:
    plan = plan_named("churn")
    markdown = mermaid_markdown(plan)
    assert markdown == mermaid_markdown(plan)
    assert markdown.startswith("<!-- generated by mlopsgen from churn.yaml; do not edit -->\n")
    assert f"## Pipeline `churn-p-7hq2k9x4m1zt`\n\n```mermaid\n{pipeline_mermaid(plan)}```\n" in markdown
    assert markdown.endswith(f"## Deploy flow\n\n```mermaid\n{deploy_mermaid(plan)}```\n")


def test_no_deploy_section() -> None:
    plan = plan_of(text("abalone")[: text("abalone").index("deploy:\n")])
    assert plan.deploy is None
    assert deploy_mermaid(plan) == ""
    markdown = mermaid_markdown(plan)
    assert "Deploy flow" not in markdown and markdown.count("```mermaid") == 1


def test_monitored_stages_name_their_monitors() -> None:
    nodes = _nodes(deploy_mermaid(plan_named("credit")))
    assert nodes["deploy_staging"].endswith("<br/>monitors: data quality, model quality, bias, explainability")
    assert nodes["deploy_prod"].endswith("<br/>monitors: data quality")


def test_serving_modes_show_in_the_deploy_flow() -> None:
    nodes = _nodes(deploy_mermaid(plan_named("churn")))
    assert nodes["deploy_staging"] == "Deploy staging<br/>serverless<br/>2048 MB, concurrency 5"
    assert nodes["deploy_prod"] == (
        "Deploy prod<br/>main: ml.m5.large × 2 (weight 9)<br/>large: ml.m5.xlarge × 1 (weight 1)<br/>autoscaling 2–8"
    )
