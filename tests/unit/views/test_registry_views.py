"""The review summary and the Mermaid deploy flow show the hub promotion (blueprints/hub_spoke.yaml)."""

from __future__ import annotations

from pathlib import Path

from mlopsgen.api import plan_blueprint
from mlopsgen.views.graph import deploy_mermaid
from mlopsgen.views.summary import summarize

BLUEPRINTS = Path(__file__).resolve().parents[3] / "blueprints"


def test_the_deploy_flow_promotes_before_resolving_the_hub_model() -> None:
    plan, _ = plan_blueprint(BLUEPRINTS / "hub_spoke.yaml")
    assert plan is not None
    graph = deploy_mermaid(plan)
    assert 'promote["Promote to hub<br/>central-abalone in 444444444444"]' in graph
    assert "source --> promote\n    promote --> build\n" in graph
    assert "resolve the hub's approved model" in graph


def test_the_summary_names_the_hub_and_blueprints_without_one_have_no_registry_key() -> None:
    plan, _ = plan_blueprint(BLUEPRINTS / "hub_spoke.yaml")
    assert plan is not None
    assert summarize(plan)["registry"] == {
        "hub": "central-abalone in 444444444444/eu-west-1",
        "mode": "both",
        "statuses": ["Approved", "Rejected"],
        "deploy_from_hub": True,
        "spokes": ["111111111111"],
    }
    plain, _ = plan_blueprint(BLUEPRINTS / "abalone.yaml")
    assert plain is not None and "registry" not in summarize(plain)
