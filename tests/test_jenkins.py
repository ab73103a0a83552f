"""The Jenkins variant: every Jenkinsfile and seed job compiles with the real Groovy parser (one JVM),
has the declarative layout and known steps, does what the CodePipeline variant does (parity), and
carries adversarial blueprint values intact and inert."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.api import plan_blueprint

from .conftest import BLUEPRINTS, ROOT
from .support.groovy import calls, declarative_outline, parse_groovy

JENKINS_BLUEPRINTS = [b for b in BLUEPRINTS if "jenkins" in b.read_text()]
JENKINSFILES = ("model-build/jenkins/Jenkinsfile", "model-deploy/jenkins/Jenkinsfile")
SEED_JOBS = ("model-build/jenkins/seed_job.groovy", "model-deploy/jenkins/seed_job.groovy")
KNOWN_STEPS = {"sh", "withAWS", "cfnUpdate", "input", "echo"}
KNOWN_JOB_DSL = {
    "pipelineJob", "description", "keepDependencies", "authenticationToken", "properties",
    "disableConcurrentBuilds", "parameters", "stringParam", "credentialsParam", "defaultValue", "type",
    "required", "definition", "cpsScm", "scm", "git", "remote", "url", "credentials", "branch",
    "scriptPath", "disabled", "triggers", "extensions", "pathRestriction", "includedRegions", "excludedRegions",
}  # fmt: skip


# Examples rendered with the Jenkins backend added, so parity covers stage shapes only they have
# (credit: a batch stage). name → (example, the ci block's first line, what replaces it).
JENKINS_VARIANTS = {
    "credit_jenkins": (
        "credit.yaml",
        "ci:\n  backends: [codepipeline]\n",
        "ci:\n  backends: [codepipeline, jenkins]\n  trigger_owner: codepipeline\n"
        "  jenkins:\n    url: https://jenkins.example.com\n",
    )
}
PARITY_CASES = [b.stem for b in JENKINS_BLUEPRINTS] + sorted(JENKINS_VARIANTS)


def _render_variant(example: str, old: str, new: str) -> dict[str, str]:
    root = ROOT / "blueprints"
    text = (root / example).read_text()
    assert old in text, f"{example}: the variant's anchor is gone"
    code = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = mlopsgen.render(text.replace(old, new), code=code, name=example)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, str]]:
    out = {}
    for blueprint in JENKINS_BLUEPRINTS:
        result = mlopsgen.render(blueprint)
        assert result.ok, [d.format() for d in result.diagnostics]
        out[blueprint.stem] = result.files
    for name, variant in JENKINS_VARIANTS.items():
        out[name] = _render_variant(*variant)
    return out


@pytest.fixture(scope="module")
def parsed(rendered: dict[str, dict[str, str]]) -> dict[str, Any]:
    """All Groovy files of all examples, compiled in one JVM run."""
    files = {
        f"{name}/{path}": content
        for name, files in rendered.items()
        for path, content in files.items()
        if path in JENKINSFILES + SEED_JOBS
    }
    assert len(files) == 4 * len(rendered)
    return parse_groovy(files)


def test_examples_use_jenkins() -> None:
    assert {b.stem for b in JENKINS_BLUEPRINTS} >= {"abalone", "fraud_secure"}


def test_every_groovy_file_compiles(parsed: dict[str, Any]) -> None:
    for path, result in parsed.items():
        assert result.ok, f"{path}: {result.errors}"


def _all_calls(tree: list[Any]) -> set[str]:
    names: set[str] = set()
    for node in tree:
        if "call" in node:
            names.add(node["call"])
            names |= _all_calls(node.get("body", []))
    return names


def test_jenkinsfiles_are_declarative_with_known_steps(parsed: dict[str, Any]) -> None:
    for path, result in parsed.items():
        if not path.endswith("Jenkinsfile"):
            continue
        outline = declarative_outline(result.tree)
        assert outline["stages"], path
        for stage in outline["stages"]:
            steps = _all_calls(stage["steps"])
            assert steps <= KNOWN_STEPS, f"{path} stage {stage['name']}: unknown steps {steps - KNOWN_STEPS}"


def test_seed_jobs_use_known_job_dsl(parsed: dict[str, Any]) -> None:
    for path, result in parsed.items():
        if not path.endswith("seed_job.groovy") or path.split("/")[0] in JENKINS_VARIANTS:
            continue  # (a variant differs from its example in deploy stages, which seed jobs do not name)
        (job,) = calls(result.tree, "pipelineJob")
        used = _all_calls([job])
        assert used <= KNOWN_JOB_DSL, f"{path}: unknown Job DSL calls {used - KNOWN_JOB_DSL}"
        assert calls([job], "credentialsParam"), "the AWS credential is a required job parameter"
        deploy = "model-deploy" in path
        plan, _ = plan_blueprint(ROOT / "blueprints" / f"{path.split('/')[0]}.yaml")
        assert plan is not None and plan.ci is not None
        owner = plan.ci.triggers == "jenkins"
        # Only the backend that owns the triggers polls, filters paths and takes the approval token.
        assert bool(calls([job], "authenticationToken")) == (deploy and owner), path
        assert bool(calls([job], "pathRestriction")) == owner, path
        assert bool(calls([job], "triggers")) == (owner and bool(plan.ci.jenkins and plan.ci.jenkins.polling)), path
        if deploy and owner:
            (token,) = calls([job], "authenticationToken")
            assert token["args"] == [{"expr": "triggerToken"}], "the trigger token is never a literal"


def _sources(tree: list[Any], value: Any) -> str:
    """The source text a value is computed from, with every script-level variable it names expanded (transitively)."""
    declared = {node["declare"]: node["value"] for node in tree if "declare" in node}
    seen: set[str] = set()
    text = json.dumps(value)
    while True:
        names = {n for n in declared if n not in seen and re.search(rf"\b{re.escape(n)}\b", text)}
        if not names:
            return text
        seen |= names
        text += "".join(" " + json.dumps(declared[n]) for n in sorted(names))


def test_seed_jobs_check_out_with_the_seed_jobs_own_git_remote(parsed: dict[str, Any]) -> None:
    """A private repository works: the pipeline job uses the seed job's SCM credentials (as AWS's seed job does).

    The seed job itself is a job on the repository, so its Git remote already carries the credentials;
    a GIT_CREDENTIALS_ID parameter may override them, and nothing is a literal.
    """
    for path, result in parsed.items():
        if not path.endswith("seed_job.groovy"):
            continue
        (job,) = calls(result.tree, "pipelineJob")
        (remote,) = calls([job], "remote")
        (credentials,) = calls([remote], "credentials")
        (url,) = calls([remote], "url")
        credentials_source = _sources(result.tree, credentials["args"])
        assert "SEED_JOB" in credentials_source and "credentialsId" in credentials_source, (path, credentials_source)
        assert "GIT_CREDENTIALS_ID" in credentials_source, f"{path}: the override parameter is gone"
        url_source = _sources(result.tree, url["args"])
        assert "GIT_URL" in url_source and "SEED_JOB" in url_source, (path, url_source)
        assert all(isinstance(a, dict) and "expr" in a for a in credentials["args"] + url["args"]), path


def _codepipeline_deploy_graph(files: dict[str, str]) -> list[tuple[str, str]]:
    stack = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]
    graph = []
    for stage in stack["ModelDeployPipeline"]["Properties"]["Stages"][2:]:
        for action in sorted(stage["Actions"], key=lambda a: a["RunOrder"]):
            kind = action["ActionTypeId"]["Category"]
            config = action["Configuration"]
            if kind == "Approval":
                graph.append(("approval", config["CustomData"]))
            elif kind == "Deploy" and action["ActionTypeId"]["Provider"] == "CloudFormationStackSet":
                graph.append(
                    (
                        "stackset",
                        config["StackSetName"],
                        config["DeploymentTargets"].removeprefix("BuildArtifact::"),
                        config["Parameters"].removeprefix("BuildArtifact::"),
                        config["TemplatePath"].removeprefix("BuildArtifact::"),
                        config["Regions"],
                        config["AdministrationRoleArn"],
                        config["ExecutionRoleName"],
                    )
                )
            elif kind == "Deploy":
                graph.append(("deploy", config["StackName"], config["TemplatePath"].removeprefix("BuildArtifact::")))
            else:
                env = {e["name"]: e["value"] for e in json.loads(config["EnvironmentVariables"])}
                if "BATCH_PIPELINE_NAME" in env:  # a batch stage's run: the same variables as the Jenkins stage
                    graph.append(("batch", *sorted(env.items())))
                    continue
                graph.append(("test", env["ENDPOINT_NAME"], env.get("STACK_SET_NAME", "")))
    return graph


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _jenkins_deploy_graph(tree: list[Any]) -> list[tuple[str, str]]:
    graph = []
    for stage in declarative_outline(tree)["stages"][2:]:  # after Install and Build
        if calls(stage["steps"], "input"):
            (step,) = calls(stage["steps"], "input")
            graph.append(("approval", step["named"]["message"]))
        elif calls(stage["steps"], "cfnUpdate"):
            (step,) = calls(stage["steps"], "cfnUpdate")
            graph.append(("deploy", step["named"]["stack"], step["named"]["file"]))
        elif "BATCH_PIPELINE_NAME" in stage.get("environment", {}):
            # STACK_SET_NAME is set on every run stage of a multi-account project; the batch run ignores it.
            env = {k: v for k, v in stage["environment"].items() if k != "STACK_SET_NAME"}
            graph.append(("batch", *sorted(env.items())))
        elif "ENDPOINT_NAME" not in stage.get("environment", {}):
            (command,) = [shlex.split(node["args"][0]) for node in calls(stage["steps"], "sh")]
            assert command[1].endswith("/deploy_stackset.py"), command
            graph.append(
                (
                    "stackset",
                    _option(command, "--stack-set-name"),
                    _option(command, "--accounts-file"),
                    _option(command, "--parameters-file"),
                    _option(command, "--template-file"),
                    _option(command, "--deployment-region"),
                    _option(command, "--administration-role-arn"),
                    _option(command, "--execution-role-name"),
                )
            )
        else:
            env = stage["environment"]
            graph.append(("test", env["ENDPOINT_NAME"], env.get("STACK_SET_NAME", "")))
    return graph


def _sh_commands(tree: list[Any]) -> list[str]:
    return [node["args"][0] for node in calls(tree, "sh")]


@pytest.mark.parametrize("name", PARITY_CASES)
def test_parity_with_codepipeline(name: str, rendered: dict[str, dict[str, str]], parsed: dict[str, Any]) -> None:
    files = rendered[name]
    deploy_tree = parsed[f"{name}/model-deploy/jenkins/Jenkinsfile"].tree
    assert _jenkins_deploy_graph(deploy_tree) == _codepipeline_deploy_graph(files)
    # Same commands: the buildspecs and the Jenkinsfiles run identical shell lines.
    buildspec = yaml.safe_load(files["model-build/buildspec.yml"])["phases"]["build"]["commands"][0]
    assert buildspec in _sh_commands(parsed[f"{name}/model-build/jenkins/Jenkinsfile"].tree)
    deploy_spec = yaml.safe_load(files["model-deploy/buildspec.yml"])["phases"]["build"]["commands"]
    jenkins_commands = _sh_commands(deploy_tree)
    assert all(command in jenkins_commands for command in deploy_spec if not command.startswith("cat "))
    test_spec = yaml.safe_load(files["model-deploy/test/buildspec.yml"])["phases"]["build"]["commands"][0]
    # Both smoke-test the endpoints, or neither does (a project of batch stages only has no endpoint).
    tests_endpoints = any(step[0] == "test" for step in _codepipeline_deploy_graph(files))
    assert (test_spec in jenkins_commands) == tests_endpoints
    # Same failure notice: CodePipeline's failed deploy executions (an EventBridge rule) and the Jenkins
    # deploy job's post { failure } step tell the same topic, or neither variant notifies.
    operations = yaml.safe_load(files.get("infrastructure/operations.yml", "Resources: {}"))["Resources"]
    rule = operations.get("DeployAlertRule")
    failure = declarative_outline(deploy_tree)["post"].get("failure", [])
    notify = [shlex.split(node["args"][0]) for node in calls(failure, "sh")]
    assert all(c[1].endswith("/notify.py") for c in notify), notify
    assert bool(rule) == bool(notify), "one variant notifies about failed deployments, the other does not"
    if rule:
        deploy_pipeline = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]["ModelDeployPipeline"]
        assert rule["Properties"]["EventPattern"]["detail"] == {
            "pipeline": [deploy_pipeline["Properties"]["Name"]],
            "state": ["FAILED"],
        }
        assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": "Topic"}
        (command,) = notify
        topic_name = operations["Topic"]["Properties"]["TopicName"]
        assert _option(command, "--topic-arn").rsplit(":", 1)[1] == topic_name
    # A batch stage without a run on approval or a smoke run is left to its schedule: neither CI runs it.
    if any(step[0] == "batch" for step in _codepipeline_deploy_graph(files)):
        batch_spec = yaml.safe_load(files["model-deploy/test/batch-buildspec.yml"])["phases"]["build"]["commands"]
        assert batch_spec[0] in jenkins_commands
    # Same parameters: the Jenkins jobs take what the CodeBuild projects set.
    stack = yaml.safe_load(files["infrastructure/project.yml"])["Resources"]

    def env(resource: str) -> dict[str, str]:
        variables = stack[resource]["Properties"]["Environment"]["EnvironmentVariables"]
        return {v["Name"]: v["Value"] for v in variables}

    for seed, projects in (
        ("model-build/jenkins/seed_job.groovy", ["BuildProject"]),
        ("model-deploy/jenkins/seed_job.groovy", ["DeployBuildProject", "TestProject"]),
    ):
        params = {c["args"][0]: c["args"][1] for c in calls(parsed[f"{name}/{seed}"].tree, "stringParam")}
        expected: dict[str, str] = {}
        for project in projects:
            expected |= env(project)
        assert params == expected, seed


def _rollout_seconds(parameters: dict[str, str]) -> int:
    """The longest a stage's rollout may take by its stack parameters (its bound, else its baking time)."""
    if int(parameters["RolloutTimeoutSeconds"]):
        return int(parameters["RolloutTimeoutSeconds"])
    traffic, step = parameters["RolloutTraffic"], int(parameters["RolloutStepSize"])
    steps = {"ALL_AT_ONCE": 1, "CANARY": 2}.get(traffic) or -(-100 // step)
    return steps * int(parameters["RolloutWaitSeconds"]) + int(parameters["RolloutTerminationWaitSeconds"])


@pytest.mark.parametrize("blueprint", JENKINS_BLUEPRINTS, ids=[b.stem for b in JENKINS_BLUEPRINTS])
def test_jenkins_waits_as_long_as_each_rollout_may_take(
    blueprint: Path, rendered: dict[str, dict[str, str]], parsed: dict[str, Any]
) -> None:
    """CodePipeline waits for the stack (set) as long as it runs; Jenkins stops at its timeout, failing a
    blue/green update that is still baking. Each stage's Jenkins wait must cover its rollout (MLG346)."""
    files = rendered[blueprint.stem]
    waits = {}
    for stage in declarative_outline(parsed[f"{blueprint.stem}/model-deploy/jenkins/Jenkinsfile"].tree)["stages"]:
        for step in calls(stage["steps"], "cfnUpdate"):
            waits[step["named"]["paramsFile"].removesuffix("-params-export.json")] = step["named"]["timeoutInMinutes"]
        for node in calls(stage["steps"], "sh"):
            command = shlex.split(node["args"][0])
            if command[1:2] and command[1].endswith("/deploy_stackset.py"):
                stage_name = _option(command, "--parameters-file").removesuffix("-params-export.json")
                waits[stage_name] = int(_option(command, "--timeout-minutes"))
    for path, text in files.items():
        if not path.endswith("-config.json") or "RolloutTraffic" not in text:
            continue
        parameters = json.loads(text)["Parameters"]
        if parameters["RolloutTraffic"] != "NONE":
            stage_name = parameters["StageName"]
            assert waits[stage_name] * 60 >= _rollout_seconds(parameters), (stage_name, waits[stage_name])


def test_parity_covers_monitored_stages(rendered: dict[str, dict[str, str]]) -> None:
    """A stage with model monitors (its stack carries the schedules) is among the stages the parity test compares."""
    monitored = [
        f"{name}/{path}"
        for name, files in rendered.items()
        for path, content in files.items()
        if path.endswith("-config.json")
        and any(key.endswith("Monitor") and value == "true" for key, value in json.loads(content)["Parameters"].items())
    ]
    assert monitored, "no Jenkins example deploys a monitored stage"


ADVERSARIAL = [
    "it's",
    'say "hi"',
    "back\\slash",
    "${env.SECRET}",
    "$(rm -rf /)",
    "`id`",
    "'''",
    '"""',
    "line1\nline2",
    "ünïcødé ✓ 🚀",
    "$HOME",
    "a;b|c&d",
]


# Tags take AWS's tag characters only (validated): the hostile ones AWS accepts, YAML 1.1 traps among them.
TAG_ADVERSARIAL = ["a:b/c=d+e-f@g", "ünïcødé ١٢٣", "=", "@x", "-1", "on", "0123", "null", "x\u3000y", ""]
BLUEPRINT_DIR = "bp/it's ${x} $(id)"
OUTPUT_DIR = "out/`id` ''' \\ ü"


def test_adversarial_values_arrive_intact_and_inert(tmp_path: Path) -> None:
    text = (ROOT / "blueprints" / "abalone.yaml").read_text()
    tags = "".join(f"\n    evil{i}: {json.dumps(v, ensure_ascii=False)}" for i, v in enumerate(TAG_ADVERSARIAL))
    text = text.replace("  tags:\n    team: ml-platform", "  tags:\n    team: ml-platform" + tags)
    params = "".join(f"\n    Param{i}: {json.dumps(v, ensure_ascii=False)}" for i, v in enumerate(ADVERSARIAL))
    text = text.replace(
        "  parameters:\n",
        "  parameters:" + "".join(f"\n    Param{i}: {{type: string}}" for i in range(len(ADVERSARIAL))) + "\n",
    )
    layout = "\n  layout:\n    blueprint_dir: " + json.dumps(BLUEPRINT_DIR, ensure_ascii=False)
    layout += "\n    output_dir: " + json.dumps(OUTPUT_DIR, ensure_ascii=False) + "\n"
    text = text.replace("ci:\n", f"ci:\n  execution_parameters:{params}{layout}")
    root = ROOT / "blueprints"
    code = {
        p: (root / p).read_bytes()
        for p in ("pipelines/abalone/preprocess.py", "pipelines/abalone/evaluate.py", "tests/abalone-sample.csv")
    }
    result = mlopsgen.render(text, code=code, name="abalone.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    groovy = {p: result.files[p] for p in JENKINSFILES + SEED_JOBS}
    parsed = parse_groovy(groovy)
    assert all(r.ok for r in parsed.values()), {p: r.errors for p, r in parsed.items() if not r.ok}
    run = next(c for c in _sh_commands(parsed["model-build/jenkins/Jenkinsfile"].tree) if "run_pipeline.py" in c)
    argv = shlex.split(run)  # what the shell will see: quoted, so nothing expands or runs
    values = [argv[i + 1] for i, a in enumerate(argv) if a == "--parameter"]
    assert [v.split("=", 1)[1] for v in values if v.startswith("Param")] == ADVERSARIAL
    assert argv[argv.index("--repo-root") + 1] == BLUEPRINT_DIR
    assert argv[argv.index("--definition") + 1] == f"{OUTPUT_DIR}/model-build/pipeline-definition.json"
    (script_path,) = calls(parsed["model-build/jenkins/seed_job.groovy"].tree, "scriptPath")
    assert script_path["args"] == [f"{OUTPUT_DIR}/model-build/jenkins/Jenkinsfile"]
    sent_tags = {t["Key"]: t["Value"] for t in json.loads(argv[argv.index("--tags") + 1])}
    assert [sent_tags[f"evil{i}"] for i in range(len(TAG_ADVERSARIAL))] == TAG_ADVERSARIAL
    # The same values also survive the buildspec (YAML) and the CloudFormation tags.
    buildspec = yaml.safe_load(result.files["model-build/buildspec.yml"])["phases"]["build"]["commands"][0]
    assert buildspec == run
    plan, _ = plan_blueprint(text, code=code, name="abalone.yaml")
    assert plan is not None


def test_parity_covers_the_serving_modes(rendered: dict[str, dict[str, str]], parsed: dict[str, Any]) -> None:
    """The smoke test of serverless and asynchronous stages runs the same command in both backends."""
    for name, flag in (("hub_spoke", "--cold-start-seconds 180"), ("fraud_secure", "--async-result-seconds 600")):
        files = rendered[name]
        test_spec = yaml.safe_load(files["model-deploy/test/buildspec.yml"])["phases"]["build"]["commands"][0]
        assert flag in test_spec, name
        assert test_spec in _sh_commands(parsed[f"{name}/model-deploy/jenkins/Jenkinsfile"].tree), name
