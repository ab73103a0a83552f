"""The offline Groovy tooling (tests/support/groovy.py) catches what matters for Jenkinsfiles and seed jobs.

Every source below goes through ONE groovy run (one JVM, ~0.5 s): the module fixture parses them all at once.
Groovy is required: when it is missing the fixture raises RuntimeError, so these tests fail rather than skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import groovy
from tests.support.groovy import GroovyError, GroovyResult, calls, declarative_outline, parse_groovy

JENKINSFILE = """\
pipeline {
    agent any
    options {
        disableConcurrentBuilds()
        timeout(time: 1, unit: 'HOURS')
    }
    parameters {
        booleanParam(name: 'DEPLOY', defaultValue: false, description: 'Deploy after build')
    }
    environment {
        AWS_REGION = 'eu-west-1'
        STACK = "abalone-${env.BRANCH_NAME}"
    }
    stages {
        stage('Build') {
            steps {
                withAWS(credentials: 'aws-ci', region: "${AWS_REGION}") {
                    sh '''
                        set -euo pipefail
                        python -m mlopsgen render --out build/
                    '''
                }
            }
        }
        stage('Deploy') {
            when { expression { return params.DEPLOY } }
            input {
                message 'Deploy to production?'
                ok 'Deploy'
            }
            steps {
                withAWS(credentials: 'aws-ci', region: 'eu-west-1') {
                    cfnUpdate(stack: 'abalone-prod', file: 'build/deploy.yml', timeoutInMinutes: 30)
                }
            }
        }
    }
    post {
        always { cleanWs() }
    }
}
"""

SEED_JOB = """\
def repoUrl = 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/abalone'
def branchName = 'main'

pipelineJob('abalone-build') {
    description('Builds the abalone model')
    parameters {
        stringParam('MODEL_NAME', 'abalone', 'Name of the model')
        credentialsParam('AWS_CREDENTIAL') {
            required(true)
        }
    }
    definition {
        cpsScm {
            scm {
                git {
                    remote { url(repoUrl) }
                    branch(branchName)
                }
            }
            scriptPath('jenkins/Jenkinsfile')
        }
    }
    triggers { scm('H/5 * * * *') }
    properties { disableConcurrentBuilds() }
}
"""


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"fixture edit {old!r} must match exactly once"
    return text.replace(old, new)


SOURCES = {
    "Jenkinsfile": JENKINSFILE,
    "jobs/seed_job.groovy": SEED_JOB,
    # Syntax errors, each reported with line:col.
    "bad/missing_brace": _edit(JENKINSFILE, "    }\n}\n", "    }\n"),
    "bad/unterminated_string": _edit(JENKINSFILE, "AWS_REGION = 'eu-west-1'", "AWS_REGION = 'eu-west-1"),
    "bad/bad_paren.groovy": _edit(SEED_JOB, "branch(branchName)", "branch(branchName"),
    # Valid Groovy, invalid declarative layout.
    "layout/stagez": _edit(JENKINSFILE, "    stages {\n", "    stagez {\n"),
    "layout/step_outside_steps": _edit(JENKINSFILE, "            when {", "            sh 'make'\n            when {"),
    "layout/def_in_steps": _edit(
        JENKINSFILE,
        "                withAWS(credentials: 'aws-ci', region: 'eu",
        "def x = 1\nwithAWS(credentials: 'aws-ci', region: 'eu",
    ),
    "layout/no_agent": _edit(JENKINSFILE, "    agent any\n", ""),
    "layout/duplicate_stage": _edit(JENKINSFILE, "stage('Deploy')", "stage('Build')"),
}

RUNS: list[list[str]] = []


@pytest.fixture(scope="module")
def parsed() -> dict[str, GroovyResult]:
    """All sources in one groovy run; counts the subprocess runs so the batching itself is tested."""
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        RUNS.append(list(args))
        return real_run(args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(subprocess, "run", counting_run)
        return parse_groovy(SOURCES)


def _ok(parsed: dict[str, GroovyResult], name: str) -> list[dict[str, Any]]:
    result = parsed[name]
    assert result.ok, result.describe(name)
    return result.tree


def test_all_files_go_through_one_groovy_run(parsed: dict[str, GroovyResult]) -> None:
    assert set(parsed) == set(SOURCES)
    assert len(RUNS) == 1 and len(RUNS[0]) == 2 + len(SOURCES)


def test_valid_jenkinsfile_outline(parsed: dict[str, GroovyResult]) -> None:
    tree = _ok(parsed, "Jenkinsfile")
    outline = declarative_outline(tree)

    assert outline["agent"] == "any"
    assert [(o["call"], o["args"], o["named"]) for o in outline["options"]] == [
        ("disableConcurrentBuilds", [], {}),
        ("timeout", [], {"time": 1, "unit": "HOURS"}),
    ]
    assert outline["parameters"][0]["named"] == {
        "name": "DEPLOY",
        "defaultValue": False,
        "description": "Deploy after build",
    }
    assert outline["environment"] == {"AWS_REGION": "eu-west-1", "STACK": {"expr": '"abalone-${env.BRANCH_NAME}"'}}
    assert [c["call"] for c in outline["post"]["always"]] == ["cleanWs"]

    build, deploy = outline["stages"]
    assert build["name"] == "Build" and build["when"] is None and build["input"] is None
    [with_aws] = build["steps"]
    assert with_aws["call"] == "withAWS"
    assert with_aws["named"] == {"credentials": "aws-ci", "region": {"expr": '"${AWS_REGION}"'}}
    [sh] = with_aws["body"]
    assert sh["call"] == "sh" and sh["line"] == 18
    # A triple-single-quoted script is a plain constant string, newlines and all.
    script = JENKINSFILE.split("sh '''", 1)[1].split("'''", 1)[0]
    assert "set -euo pipefail\n" in script and sh["args"] == [script]

    assert deploy["name"] == "Deploy"
    assert deploy["input"] == {"message": "Deploy to production?", "ok": "Deploy"}
    [expression] = deploy["when"]
    assert expression["call"] == "expression" and expression["body"] == [
        {"return": {"expr": "params.DEPLOY"}, "line": 26}
    ]
    [cfn] = calls(deploy["steps"], "cfnUpdate")
    assert cfn["named"] == {"stack": "abalone-prod", "file": "build/deploy.yml", "timeoutInMinutes": 30}
    assert cfn["args"] == [] and cfn["body"] == []

    # calls() reaches into closures at any depth, in source order.
    assert [c["line"] for c in calls(tree, "withAWS")] == [17, 32]
    assert [c["call"] for c in calls(tree, "stage")] == ["stage", "stage"]


def test_seed_job_structure(parsed: dict[str, GroovyResult]) -> None:
    tree = _ok(parsed, "jobs/seed_job.groovy")
    assert tree[:2] == [
        {"declare": "repoUrl", "line": 1, "value": "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/abalone"},
        {"declare": "branchName", "line": 2, "value": "main"},
    ]
    [job] = calls(tree, "pipelineJob")
    assert job["args"] == ["abalone-build"] and job["line"] == 4
    assert [c["call"] for c in job["body"]] == ["description", "parameters", "definition", "triggers", "properties"]

    [string_param] = calls(job["body"], "stringParam")
    assert string_param["args"] == ["MODEL_NAME", "abalone", "Name of the model"]
    [credentials] = calls(tree, "credentialsParam")
    assert credentials["args"] == ["AWS_CREDENTIAL"]
    assert [(c["call"], c["args"]) for c in credentials["body"]] == [("required", [True])]

    assert calls(tree, "url")[0]["args"] == [{"expr": "repoUrl"}]
    assert calls(tree, "branch")[0]["args"] == [{"expr": "branchName"}]
    assert calls(tree, "scriptPath")[0]["args"] == ["jenkins/Jenkinsfile"]
    assert calls(tree, "scm")[0]["args"] == [] and calls(tree, "scm")[1]["args"] == ["H/5 * * * *"]
    assert len(calls(tree, "disableConcurrentBuilds")) == 1


@pytest.mark.parametrize(
    ("name", "line", "col", "message"),
    [
        ("bad/missing_brace", 41, 1, "expecting '}', found ''"),
        ("bad/unterminated_string", 11, 32, "expecting ''', found '\\n'"),
        ("bad/bad_paren.groovy", 18, 17, "unexpected token: }"),
    ],
)
def test_syntax_errors_have_line_and_column(
    parsed: dict[str, GroovyResult], name: str, line: int, col: int, message: str
) -> None:
    result = parsed[name]
    assert not result.ok and result.tree == []
    assert result.errors == [GroovyError(line, col, message)]
    assert result.describe(name) == f"{name}:{line}:{col}: {message}"


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("layout/stagez", r"unknown directive 'stagez' at line 14"),
        ("layout/step_outside_steps", r"stage 'Deploy': unknown directive 'sh' at line 26"),
        ("layout/def_in_steps", r"steps may only hold step calls, found declare 'x' at line 32 .*script"),
        ("layout/no_agent", r"missing agent"),
        ("layout/duplicate_stage", r"duplicate stage name 'Build' at line 25 \(first at line 15\)"),
    ],
)
def test_declarative_layout_errors_are_caught(parsed: dict[str, GroovyResult], name: str, match: str) -> None:
    tree = _ok(parsed, name)  # valid Groovy: only the structural check can tell
    with pytest.raises(ValueError, match=match):
        declarative_outline(tree)


def test_seed_job_is_not_a_declarative_pipeline(parsed: dict[str, GroovyResult]) -> None:
    with pytest.raises(ValueError, match=r"only pipeline \{ \.\.\. \} is expected, found call 'pipelineJob' at line 4"):
        declarative_outline(_ok(parsed, "jobs/seed_job.groovy"))


def test_missing_groovy_fails_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not groovy.groovy_available()
    with pytest.raises(RuntimeError, match=r"apt-get install -y groovy"):
        parse_groovy({"Jenkinsfile": JENKINSFILE})


def test_groovy_is_installed() -> None:
    assert groovy.groovy_available(), groovy.INSTALL_HINT
    assert groovy.java_home() is not None
