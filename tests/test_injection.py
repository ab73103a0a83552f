"""Blueprint values land in shells, CloudFormation ``Fn::Sub`` strings and IAM ARNs as literals only."""

from __future__ import annotations

import copy
import shlex
from typing import Any

import pytest
import yaml

import mlopsgen
from tests.conftest import ROOT
from tests.unit.test_api import ABALONE, CODE

BASE: dict[str, Any] = yaml.safe_load(ABALONE.read_text())


def blueprint(**changes: Any) -> dict[str, Any]:
    """The abalone blueprint with dotted-path values replaced (``deploy.sample_content_type=...``)."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    return data


def render(data: dict[str, Any]) -> mlopsgen.RenderResult:
    return mlopsgen.render(data, code=CODE, name="abalone.yaml")


def test_a_dollar_shaped_content_type_is_not_expanded_by_ci_shells() -> None:
    # Content types are validated as media types; a parameter may still hold a variable-shaped text.
    hostile = "text/csv;x=$AWS_SECRET_ACCESS_KEY"
    data = blueprint(deploy__sample_content_type=hostile)
    steps = {step["name"]: step for step in data["pipeline"]["steps"]}
    steps["RegisterAbaloneModel"]["content_types"].append(hostile)
    result = render(data)
    assert result.ok, result.diagnostics
    buildspec = yaml.safe_load(result.files["model-deploy/test/buildspec.yml"])
    (command,) = [c for c in buildspec["phases"]["build"]["commands"] if "test_endpoint.py" in c]
    assert f"'{hostile}'" in command
    assert shlex.split(command)[-1] == hostile  # the shell passes the text itself
    assert f'"{hostile}"' not in result.files["model-deploy/jenkins/Jenkinsfile"]
    # The variables the job defines stay expandable.
    assert '"$ENDPOINT_NAME"' in command


CHURN: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / "churn.yaml").read_text())
FRAUD: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / "fraud_secure.yaml").read_text())


def _diagnostics(data: dict[str, Any], name: str) -> list[mlopsgen.Diagnostic]:
    return mlopsgen.validate(data, name=name, code=_code_of(name))


def _code_of(name: str) -> dict[str, bytes]:
    root = ROOT / "blueprints"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("repository", ["*", "churn-*", "x}${BuildRole.Arn}", "repo?", "a" * 101, "räpo", "own/er/x"])
def test_codecommit_repository_names_outside_aws_shape_are_refused(repository: str) -> None:
    data = copy.deepcopy(CHURN)
    data["ci"]["source"]["repository"] = repository
    diagnostics = _diagnostics(data, "churn.yaml")
    assert diagnostics, repository
    assert all(d.path.startswith("ci.source") for d in diagnostics), diagnostics


def test_owner_slash_name_is_for_connections_only() -> None:
    data = copy.deepcopy(CHURN)
    data["ci"]["source"]["repository"] = "owner/churn"
    assert [d.code for d in _diagnostics(data, "churn.yaml")]
    data = copy.deepcopy(FRAUD)
    assert _diagnostics(data, "fraud_secure.yaml") == []


@pytest.mark.parametrize("suffix", ["*", "captures/*", "cap?ture", "x}${BuildRole.Arn}", "a b"])
def test_capture_destinations_with_wildcards_or_substitutions_are_refused(suffix: str) -> None:
    from mlopsgen.api import plan_blueprint

    plan, _ = plan_blueprint(FRAUD, name="fraud_secure.yaml", code=_code_of("fraud_secure.yaml"))
    assert plan is not None
    bucket = plan.project.artifact_bucket
    data = copy.deepcopy(FRAUD)
    data["deploy"]["stages"][-1]["data_capture"] = {"destination": f"s3://{bucket}/{suffix}"}
    diagnostics = _diagnostics(data, "fraud_secure.yaml")
    assert diagnostics and all("data_capture.destination" in d.path for d in diagnostics), diagnostics


def test_blueprint_text_in_fn_sub_is_escaped_by_the_emitters() -> None:
    """Defence in depth: even a value that slipped past validation cannot become a substitution."""
    import dataclasses

    from mlopsgen.api import plan_blueprint
    from mlopsgen.targets import codepipeline

    plan, diagnostics = plan_blueprint(CHURN, name="churn.yaml", code=_code_of("churn.yaml"))
    assert plan is not None and plan.ci is not None, diagnostics
    source = dataclasses.replace(plan.ci.source, repository="x}${BuildRole.Arn}")
    plan = dataclasses.replace(plan, ci=dataclasses.replace(plan.ci, source=source))
    subs = list(_fn_subs(yaml.safe_load(codepipeline.emit(plan)[0].content)))
    assert not [s for s in subs if "${BuildRole.Arn}" in s]
    assert [s for s in subs if "x}${!BuildRole.Arn}" in s]


def _fn_subs(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::Sub" and isinstance(value, str):
                yield value
            else:
                yield from _fn_subs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _fn_subs(item)


@pytest.mark.parametrize("suffix", ["*", "models/*", "mod?ls/", "", "/"])
def test_a_model_output_path_shared_with_other_accounts_has_no_wildcard(suffix: str) -> None:
    """Its prefix becomes the target accounts' s3:GetObject grant on the artifact bucket."""
    from mlopsgen.api import plan_blueprint

    plan, _ = plan_blueprint(FRAUD, name="fraud_secure.yaml", code=_code_of("fraud_secure.yaml"))
    assert plan is not None
    data = copy.deepcopy(FRAUD)
    (train,) = [s for s in data["pipeline"]["steps"] if s["name"] == "TrainFraudModel"]
    train["output_path"] = f"s3://{plan.project.artifact_bucket}/{suffix}"
    diagnostics = _diagnostics(data, "fraud_secure.yaml")
    assert [(d.code, d.path) for d in diagnostics] == [("MLG313", "pipeline.steps[TrainFraudModel].output_path")], (
        diagnostics
    )
    train["output_path"] = f"s3://{plan.project.artifact_bucket}/models/fraud"
    assert _diagnostics(data, "fraud_secure.yaml") == []
