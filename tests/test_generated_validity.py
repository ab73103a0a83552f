"""Every generated file passes its consumer's checker: cfn-lint for templates, the buildspec model for
buildspecs, JSON for configs; and the files of one blueprint agree with each other."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.targets.base import dump_yaml

from .conftest import BLUEPRINTS
from .support.buildspec import parse_buildspec
from .support.cfn import lint

TEMPLATES = ("model-deploy/endpoint-config-template.yml", "infrastructure/project.yml")


def _render(blueprint: Path) -> dict[str, str]:
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_cloudformation_templates_have_no_cfn_lint_findings(blueprint: Path) -> None:
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None
    files = _render(blueprint)
    for path in TEMPLATES:
        assert path in files, f"{blueprint.stem} should deploy and use CodePipeline"
    # every template the blueprint produces: project, endpoint(s), trigger, guardrails, multi-account
    templates = [p for p in files if p.endswith(".yml") and "AWSTemplateFormatVersion" in files[p]]
    assert set(TEMPLATES) <= set(templates)
    for path in templates:
        assert lint(files[path], plan.project.region) == [], path
    if plan.ci is not None and plan.ci.jenkins is not None and plan.ci.triggers == "jenkins":
        trigger = files["infrastructure/jenkins-trigger.yml"]
        parameters = yaml.safe_load(trigger)["Parameters"]
        for name in ("JenkinsUser", "JenkinsApiToken", "JenkinsJobToken"):
            assert parameters[name]["NoEcho"] is True and "Default" not in parameters[name], name


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_buildspecs_follow_the_codebuild_reference(blueprint: Path) -> None:
    files = _render(blueprint)
    buildspecs = [p for p in files if p.endswith("buildspec.yml")]
    batch = any(p.startswith("model-deploy/batch-") for p in files)  # batch stages add their run's buildspec
    assert len(buildspecs) == 3 + batch
    for path in buildspecs:
        spec = parse_buildspec(files[path])
        assert spec.phases is not None


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_buildspecs_and_project_stack_agree(blueprint: Path) -> None:
    """Buildspec paths exist, and every $VARIABLE a buildspec reads is set by its CodeBuild project."""
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None and plan.ci is not None
    files = _render(blueprint)
    stack = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]
    projects = {
        r["Properties"]["Source"]["BuildSpec"]: r for r in stack.values() if r["Type"] == "AWS::CodeBuild::Project"
    }
    assert len(projects) == 3 + bool(plan.ci.batch_command)
    per_action = {"STAGE_NAME", "ENDPOINT_NAME"}  # set by every test action (and STACK_SET_NAME by some)
    # Set by every batch run action, per stage.
    per_batch_action = {"STAGE_NAME", "BATCH_PIPELINE_NAME", "BATCH_SMOKE_URI", "BATCH_RUN_ON_APPROVAL"}
    per_batch_action |= {"BATCH_TIMEOUT_MINUTES"}
    for stage in stack["ModelDeployPipeline"]["Properties"]["Stages"]:
        for action in stage["Actions"]:
            if "EnvironmentVariables" in action.get("Configuration", {}):
                names = {e["name"] for e in json.loads(action["Configuration"]["EnvironmentVariables"])}
                batch = action["Configuration"]["ProjectName"] == {"Ref": "BatchProject"}
                assert (per_batch_action if batch else per_action) <= names, action["Name"]
                per_action |= names
    for buildspec_path, project in projects.items():
        relative = buildspec_path.removeprefix(plan.ci.output_dir + "/")
        assert relative in files, buildspec_path
        env = {v["Name"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}
        env |= per_action
        text = files[relative]
        used = set(re.findall(r"\$([A-Z_][A-Z0-9_]*)", text))
        assert used <= env, f"{relative} reads {sorted(used - env)} that its project does not set"
        for script in re.findall(r"python3? (\S+\.py)", text):
            assert script.removeprefix(plan.ci.output_dir + "/") in files, script


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_stage_configs_match_the_endpoint_template(blueprint: Path) -> None:
    files = _render(blueprint)
    template = yaml.safe_load(files["model-deploy/endpoint-config-template.yml"])
    declared = set(template["Parameters"])
    configs = [p for p in files if p.endswith("-config.json")]
    assert configs
    for path in configs:
        config = json.loads(files[path])
        targets = path.replace("-config.json", "-targets.json")
        if targets in files:  # deployed by stack set: the target-account template, whose SSM parameters default
            stackset = yaml.safe_load(files["model-deploy/endpoint-stackset-template.yml"])["Parameters"]
            required = {name for name, p in stackset.items() if "Default" not in p}
            assert required - {"ModelPackageName"} <= set(config["Parameters"]) <= set(stackset), path
            continue
        # The deploy step adds ModelPackageName once the approved version is known.
        batch = path.replace("model-deploy/", "model-deploy/batch-").replace("-config.json", "-template.yml")
        if batch in files:  # a batch stage: its own stack template
            batch_declared = set(yaml.safe_load(files[batch])["Parameters"])
            assert set(config["Parameters"]) | {"ModelPackageName"} == batch_declared, path
        else:
            assert set(config["Parameters"]) | {"ModelPackageName"} == declared, path
        assert all(isinstance(v, str) for v in config["Parameters"].values())
        assert config["Tags"]["sagemaker:deployment-stage"] == config["Parameters"]["StageName"]


def test_yaml_1_1_traps_come_out_quoted() -> None:
    # Tags carry the traps into a template; '~' is outside AWS's tag characters, so the dumper gets it directly.
    assert yaml.safe_load(dump_yaml({"Value": "~"})) == {"Value": "~"}
    traps = ["on", "yes", "no", "0123", "1e3", "null", "off", "2024-01-01", "0x1F", "1_000", ".5"]
    text = (Path(__file__).parents[1] / "blueprints" / "abalone.yaml").read_text()
    tags = "".join(f"\n    trap{i}: '{v}'" for i, v in enumerate(traps))
    text = text.replace("  tags:\n    team: ml-platform", "  tags:\n    team: ml-platform" + tags)
    root = Path(__file__).parents[1] / "blueprints"
    code = {p: (root / p).read_bytes() for p in ("pipelines/abalone/preprocess.py", "pipelines/abalone/evaluate.py")}
    code["tests/abalone-sample.csv"] = (root / "tests/abalone-sample.csv").read_bytes()
    result = mlopsgen.render(text, code=code, name="abalone.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    stack_text = result.files["infrastructure/project.yml"]
    for value in traps:
        assert f"Value: '{value}'" in stack_text, value
    stack = yaml.safe_load(stack_text)  # PyYAML reads YAML 1.1: a bare on/yes/0123 would not stay text
    tags = {t["Key"]: t["Value"] for t in stack["Resources"]["ArtifactBucket"]["Properties"]["Tags"]}
    assert [tags[f"trap{i}"] for i in range(len(traps))] == traps


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_libyaml_and_pure_python_emitters_give_the_same_bytes(blueprint: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Output must not depend on whether PyYAML was built with libyaml."""
    import mlopsgen.targets.base as base

    fast = _render(blueprint)
    monkeypatch.setattr(base, "_Dumper", base.PURE_DUMPER)
    assert _render(blueprint) == fast
