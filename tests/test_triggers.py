"""CI triggers a team would expect: path filters derived from the layout, one backend owning the triggers.

The generated tree is the carrier of "what changed": a deploy-only blueprint change must leave
model-build/ untouched and a pipeline-only change must leave model-deploy/ untouched, or the path
filters would rerun training for an endpoint resize (issue 10, findings 5 and 6).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.cli import app
from mlopsgen.plan import model as ir
from mlopsgen.plan.triggers import MAX_PATTERNS, build_paths
from mlopsgen.targets.codepipeline import file_path_globs
from mlopsgen.targets.jenkins import included_regions

from .conftest import ROOT
from .support.groovy import calls, parse_groovy

ABALONE = ROOT / "blueprints" / "abalone.yaml"
CODE = ("pipelines/abalone/preprocess.py", "pipelines/abalone/evaluate.py", "tests/abalone-sample.csv")


def _render(text: str) -> dict[str, str]:
    result = mlopsgen.render(text, name="abalone.yaml", code={p: (ABALONE.parent / p).read_bytes() for p in CODE})
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


STAGE = "    - name: staging\n      instance_type: ml.m5.large\n"
DEPLOY_ONLY = {
    "instance count": (STAGE, STAGE + "      instance_count: 2\n"),
    "instance type": (STAGE, STAGE.replace("ml.m5.large", "ml.t2.medium")),
    "autoscaling": ("max_instances: 4", "max_instances: 6"),
}
BUILD_ONLY = {
    "hyperparameter": ("max_depth: 5", "max_depth: 6"),
    "condition threshold": ("          - 6.0\n", "          - 5.5\n"),
    "parameter default": ("InstanceCount: {type: integer, default: 1}", "InstanceCount: {type: integer, default: 2}"),
}  # fmt: skip


@pytest.mark.parametrize("change", DEPLOY_ONLY, ids=list(DEPLOY_ONLY))
def test_a_deploy_only_change_leaves_model_build_untouched(change: str) -> None:
    text = ABALONE.read_text()
    before, after = _render(text), _render(_replace(text, *DEPLOY_ONLY[change]))
    changed = _changed(before, after)
    assert any(p.startswith("model-deploy/") for p in changed), changed
    assert not [p for p in changed if p.startswith("model-build/")], changed


@pytest.mark.parametrize("change", BUILD_ONLY, ids=list(BUILD_ONLY))
def test_a_pipeline_only_change_leaves_model_deploy_untouched(change: str) -> None:
    text = ABALONE.read_text()
    before, after = _render(text), _render(_replace(text, *BUILD_ONLY[change]))
    changed = _changed(before, after)
    assert any(p.startswith("model-build/") for p in changed), changed
    assert not [p for p in changed if p.startswith("model-deploy/")], changed


def test_a_code_change_changes_model_build_through_the_code_manifest() -> None:
    text = ABALONE.read_text()
    code = {p: (ABALONE.parent / p).read_bytes() for p in CODE}
    before = mlopsgen.render(text, name="abalone.yaml", code=code).files
    code["pipelines/abalone/evaluate.py"] += b"\n# changed\n"
    after = mlopsgen.render(text, name="abalone.yaml", code=code).files
    changed = _changed(before, after)
    assert "model-build/code-manifest.json" in changed
    assert not [p for p in changed if p.startswith("model-deploy/")], changed


def _stack(files: dict[str, str]) -> dict[str, Any]:
    resources: dict[str, Any] = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]
    return resources


def test_abalone_build_and_deploy_pipelines_filter_by_path() -> None:
    stack = _stack(mlopsgen.render(ABALONE).files)
    expected = {
        "ModelBuildPipeline": (
            "ModelBuildWorkflowCode",
            [
                "generated/abalone/model-build/**",
                "blueprints/pipelines/abalone/evaluate.py",
                "blueprints/pipelines/abalone/preprocess.py",
            ],
        ),
        "ModelDeployPipeline": ("ModelDeployInfraCode", ["generated/abalone/model-deploy/**"]),
    }
    for pipeline, (action, paths) in expected.items():
        properties = stack[pipeline]["Properties"]
        assert properties["PipelineType"] == "V2"  # triggers exist for V2 pipelines only
        (trigger,) = properties["Triggers"]
        assert trigger["ProviderType"] == "CodeStarSourceConnection"
        assert trigger["GitConfiguration"]["SourceActionName"] == action
        (push,) = trigger["GitConfiguration"]["Push"]
        assert push == {"Branches": {"Includes": ["main"]}, "FilePaths": {"Includes": paths}}
        (source,) = properties["Stages"][0]["Actions"]
        assert source["Name"] == action
        # Not also on every push (the trigger disables default detection; the action says so too).
        assert source["Configuration"]["DetectChanges"] is False


def _owners(files: dict[str, str]) -> dict[str, bool]:
    """Which backend would start runs by itself, read from the generated files."""
    stack = _stack(files)
    codepipeline = any("Triggers" in r["Properties"] for r in stack.values() if r["Type"].endswith("::Pipeline"))
    codepipeline |= any(r["Type"] == "AWS::Events::Rule" for r in stack.values())
    seeds = ("model-build/jenkins/seed_job.groovy", "model-deploy/jenkins/seed_job.groovy")
    trees = parse_groovy({p: files[p] for p in seeds})
    jenkins = "infrastructure/jenkins-trigger.yml" in files
    jenkins |= any(calls(t.tree, "triggers") or calls(t.tree, "authenticationToken") for t in trees.values())
    return {"codepipeline": codepipeline, "jenkins": jenkins}


@pytest.mark.parametrize(("blueprint", "owner"), [("abalone", "codepipeline"), ("fraud_secure", "jenkins")])
def test_with_both_backends_exactly_one_starts_runs(blueprint: str, owner: str) -> None:
    files = mlopsgen.render(ROOT / "blueprints" / f"{blueprint}.yaml").files
    assert _owners(files) == {"codepipeline": owner == "codepipeline", "jenkins": owner == "jenkins"}
    stack = _stack(files)
    if owner == "jenkins":  # CodePipeline on demand: nothing starts it, and no role to start it
        assert not {"EventsRole", "ModelApprovalRule", "SourceChangeRule"} & stack.keys()
        for pipeline in ("ModelBuildPipeline", "ModelDeployPipeline"):
            (source,) = stack[pipeline]["Properties"]["Stages"][0]["Actions"]
            assert source["Configuration"]["DetectChanges"] is False


def test_jenkins_owner_jobs_poll_only_their_paths() -> None:
    files = mlopsgen.render(ROOT / "blueprints" / "fraud_secure.yaml").files
    seeds = ("model-build/jenkins/seed_job.groovy", "model-deploy/jenkins/seed_job.groovy")
    trees = parse_groovy({p: files[p] for p in seeds})
    regions = {p: calls(t.tree, "includedRegions")[0]["args"][0].split("\n") for p, t in trees.items()}
    assert regions["model-build/jenkins/seed_job.groovy"] == [
        r"ml/generated/fraud/model\-build/.*",
        r"ml/blueprints/pipelines/fraud/features\.py",
        r"ml/blueprints/pipelines/fraud/measure\.py",
        r"ml/blueprints/pipelines/fraud/validate_schema\.py",
    ]
    assert regions["model-deploy/jenkins/seed_job.groovy"] == [r"ml/generated/fraud/model\-deploy/.*"]
    for tree in trees.values():
        (restriction,) = calls(tree.tree, "pathRestriction")
        assert calls([restriction], "excludedRegions")[0]["args"] == [""]
        assert calls(tree.tree, "scm")[-1]["args"] == ["H/15 * * * *"]


def _glob_regex(glob: str) -> re.Pattern[str]:
    """CodePipeline's glob semantics as documented: ``**`` any path, ``*`` and ``?`` within a segment."""
    out = ""
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out += ".*"
            i += 2
        elif glob[i] == "*":
            out += "[^/]*"
            i += 1
        elif glob[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(glob[i])
            i += 1
    return re.compile(out)


SAMPLE_PATHS = [
    "generated/abalone/model-build/pipeline-definition.json",
    "generated/abalone/model-build/jenkins/seed_job.groovy",
    "generated/abalone/model-deploy/staging-config.json",
    "generated/abalone/infrastructure/project.yml",
    "generated/abalone/mlopsgen.manifest.json",
    "generated/abalone-2/model-build/pipeline-definition.json",
    "blueprints/abalone.yaml",
    "blueprints/pipelines/abalone/evaluate.py",
    "blueprints/pipelines/abalone/evaluate.pyc",
    "blueprints/pipelines/abalone/README.md",
    "README.md",
]


@pytest.mark.parametrize(
    "paths",
    [
        ir.PathFilter(("generated/abalone/model-build",), ("blueprints/pipelines/abalone/evaluate.py",)),
        ir.PathFilter(("generated/abalone/model-deploy",), ()),
        ir.PathFilter(("blueprints/pipelines",), ()),
        ir.PathFilter((".",), ()),
        ir.PathFilter(("odd dir/it's ${x} [a]{b}*?",), ("odd dir/x.py",)),
    ],
)
def test_codepipeline_globs_and_jenkins_regions_match_the_same_paths(paths: ir.PathFilter) -> None:
    globs = [_glob_regex(g) for g in file_path_globs(paths)]
    regions = [re.compile(r) for r in included_regions(paths).split("\n")]
    samples = SAMPLE_PATHS + [f"{d}/f.py" for d in paths.directories] + list(paths.files)
    for path in samples:
        expected = any(path == f for f in paths.files) or any(
            d == "." or path.startswith(d + "/") for d in paths.directories
        )
        assert any(r.fullmatch(path) for r in regions) == expected, path
        # A glob is at most one character broader per special character, never narrower.
        assert any(g.fullmatch(path) for g in globs) >= expected, path
    assert all(len(g) <= 255 for g in file_path_globs(paths))


def test_many_code_files_collapse_to_their_folders_within_codepipeline_limits() -> None:
    files = tuple(ir.CodeFile(f"pipelines/step{i}/run.py", "0" * 64, "s3://b/k") for i in range(12))
    paths = build_paths("generated/x", "blueprints", files)
    assert len(file_path_globs(paths)) <= MAX_PATTERNS
    covered = [_glob_regex(g) for g in file_path_globs(paths)]
    for f in files:
        assert any(g.fullmatch(f"blueprints/{f.path}") for g in covered), f.path
    assert any(g.fullmatch("generated/x/model-build/buildspec.yml") for g in covered)
    few = build_paths("generated/x", ".", files[:3])
    assert few == ir.PathFilter(("generated/x/model-build",), tuple(sorted(f.path for f in files[:3])))


CHURN = ROOT / "blueprints" / "churn.yaml"


def test_codecommit_with_a_deploy_repository_gets_one_rule_per_repository(tmp_path: Path) -> None:
    repository = "    repository: churn-mlops\n"
    text = _replace(CHURN.read_text(), repository, repository + "    deploy_repository: churn-deploy\n")
    blueprint = tmp_path / "churn.yaml"
    blueprint.write_text(text)
    for p in [*(CHURN.parent / "pipelines").rglob("*"), *(CHURN.parent / "tests").rglob("*")]:
        if p.is_file():
            target = tmp_path / p.relative_to(CHURN.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(p.read_bytes())
    result = mlopsgen.render(blueprint)
    assert result.ok, [d.format() for d in result.diagnostics]
    stack = _stack(result.files)
    build_rule = stack["SourceChangeRule"]["Properties"]
    deploy_rule = stack["DeploySourceChangeRule"]["Properties"]
    assert [t["Id"] for t in build_rule["Targets"]] == ["ModelBuild"]
    assert [t["Id"] for t in deploy_rule["Targets"]] == ["ModelDeploy"]
    assert build_rule["EventPattern"]["resources"][0]["Fn::Sub"].endswith(":churn-mlops")
    assert deploy_rule["EventPattern"]["resources"][0]["Fn::Sub"].endswith(":churn-deploy")
    assert len(deploy_rule["Name"]) <= 64
    deploy_source = stack["ModelDeployPipeline"]["Properties"]["Stages"][0]["Actions"][0]
    assert deploy_source["Configuration"]["RepositoryName"] == "churn-deploy"
    statements = stack["CodePipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (read,) = [s for s in statements if s["Sid"] == "ReadSource"]
    assert sorted(r["Fn::Sub"].rsplit(":", 1)[1] for r in read["Resource"]) == ["churn-deploy", "churn-mlops"]


def test_codecommit_in_one_repository_keeps_one_rule_and_validate_says_it_cannot_filter() -> None:
    stack = _stack(mlopsgen.render(CHURN).files)
    assert [t["Id"] for t in stack["SourceChangeRule"]["Properties"]["Targets"]] == ["ModelBuild", "ModelDeploy"]
    assert "DeploySourceChangeRule" not in stack
    result = CliRunner().invoke(app, ["validate", str(CHURN)])
    assert result.exit_code == 0, result.output
    assert "churn.yaml: CI triggers owned by codepipeline" in result.output
    assert "no path filters: CodeCommit" in result.output
    assert "ci.source.deploy_repository" in result.output


def test_validate_says_which_backend_owns_the_triggers() -> None:
    result = CliRunner().invoke(app, ["validate", str(ABALONE), str(ROOT / "blueprints" / "fraud_secure.yaml")])
    assert result.exit_code == 0, result.output
    assert "abalone.yaml: CI triggers owned by codepipeline; jenkins runs on demand only" in result.output
    assert "fraud_secure.yaml: CI triggers owned by jenkins; codepipeline runs on demand only" in result.output
    assert "abalone.yaml: build starts on changes to generated/abalone/model-build/" in result.output


def test_both_backends_need_a_trigger_owner() -> None:
    text = _replace(ABALONE.read_text(), "  trigger_owner: codepipeline", "  # triggers unset")
    plan, diagnostics = plan_blueprint(
        text, name="abalone.yaml", code={p: (ABALONE.parent / p).read_bytes() for p in CODE}
    )
    assert plan is None
    assert [d.code for d in diagnostics] == ["MLG404"]
    assert "ci.trigger_owner" in diagnostics[0].hint
