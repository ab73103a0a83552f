"""The buildspec 0.2 oracle in tests/support/buildspec.py: it accepts a realistic file and rejects the mistakes
a template is likely to make (typos, YAML-typed scalars, misplaced keys, values outside the reference)."""

from __future__ import annotations

import textwrap

import pytest
from pydantic import ValidationError

from tests.support.buildspec import Buildspec, parse_buildspec

VALID = textwrap.dedent(
    """\
    version: 0.2

    env:
      shell: bash
      variables:
        PIPELINE_NAME: "abalone-pipeline"
        SAGEMAKER_PROJECT_NAME: abalone
      parameter-store:
        MODEL_BUCKET: /mlops/abalone/model-bucket
      secrets-manager:
        GITHUB_TOKEN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-token:token"
      exported-variables:
        - PIPELINE_EXECUTION_ARN
        - CODEBUILD_BUILD_NUMBER
      git-credential-helper: yes

    phases:
      install:
        runtime-versions:
          python: "3.12"
        commands:
          - pip install --upgrade --force-reinstall . "awscli>1.20.30"
      pre_build:
        on-failure: ABORT
        commands:
          - echo "pre_build started on `date`"
      build:
        on-failure: RETRY-2-ThrottlingException
        commands:
          - export PYTHONUNBUFFERED=TRUE
          - "export PIPELINE_EXECUTION_ARN=$(run-pipeline --module-name pipelines.abalone.pipeline)"
          - pytest --junitxml=reports/junit.xml tests
        finally:
          - echo "build finished"
      post_build:
        commands:
          - echo Build completed on `date`

    reports:
      abalone-unit-tests:
        files:
          - junit.xml
        base-directory: reports
        discard-paths: no
        file-format: JUNITXML
      coverage:
        files:
          - coverage.xml
        file-format: CoberturaXml

    artifacts:
      files:
        - "**/*"
      base-directory: build
      name: abalone-$(date +%Y-%m-%d)
      discard-paths: no
      secondary-artifacts:
        template:
          files:
            - template-export.yml
          base-directory: build/cfn

    cache:
      key: pip-$(codebuild-hash-files requirements.txt)
      fallback-keys:
        - pip-
      paths:
        - /root/.cache/pip/**/*
    """
)


def _invalid(text: str) -> str:
    """Parse text expected to be rejected; return the error message for content checks."""
    with pytest.raises(ValueError) as excinfo:
        parse_buildspec(textwrap.dedent(text))
    return str(excinfo.value)


def test_realistic_buildspec_parses() -> None:
    spec = parse_buildspec(VALID)

    assert isinstance(spec, Buildspec)
    assert spec.version == "0.2"
    assert spec.env is not None and spec.env.variables == {
        "PIPELINE_NAME": "abalone-pipeline",
        "SAGEMAKER_PROJECT_NAME": "abalone",
    }
    assert spec.env.exported_variables == ["PIPELINE_EXECUTION_ARN", "CODEBUILD_BUILD_NUMBER"]
    assert spec.env.git_credential_helper is True
    assert spec.phases.install is not None and spec.phases.install.runtime_versions == {"python": "3.12"}
    assert spec.phases.build is not None and spec.phases.build.finally_ == ['echo "build finished"']
    assert spec.phases.build.commands[1].startswith("export PIPELINE_EXECUTION_ARN=")
    assert spec.reports is not None
    assert spec.reports["abalone-unit-tests"].file_format == "JUNITXML"
    assert spec.reports["abalone-unit-tests"].discard_paths is False
    assert spec.reports["coverage"].file_format == "COBERTURAXML"  # "This value is not case sensitive."
    assert spec.artifacts is not None and spec.artifacts.files == ["**/*"]
    assert spec.artifacts.base_directory == "build"
    assert spec.cache is not None and spec.cache.paths == ["/root/.cache/pip/**/*"]


def test_minimal_buildspec_and_quoted_version() -> None:
    spec = parse_buildspec('version: "0.2"\nphases:\n  build:\n    commands:\n      - make\n')
    assert spec.version == "0.2"
    assert spec.phases.build is not None and spec.phases.build.commands == ["make"]


@pytest.mark.parametrize("value", ["ABORT", "CONTINUE", "RETRY", "RETRY-3", "RETRY-.*timeout.*", "RETRY-0-oom"])
def test_documented_on_failure_forms(value: str) -> None:
    spec = parse_buildspec(f"version: 0.2\nphases:\n  build:\n    on-failure: {value}\n    commands: [make]\n")
    assert spec.phases.build is not None and spec.phases.build.on_failure == value


def test_unknown_top_level_key() -> None:
    message = _invalid(
        """\
        version: 0.2
        phases:
          build:
            commands: [make]
        artefacts:
          files: ["**/*"]
        """
    )
    assert "artefacts" in message and "Extra inputs are not permitted" in message


def test_phase_name_typo() -> None:
    message = _invalid(
        """\
        version: 0.2
        phases:
          biuld:
            commands: [make]
        """
    )
    assert "phases.biuld" in message


def test_runtime_versions_outside_install() -> None:
    message = _invalid(
        """\
        version: 0.2
        phases:
          build:
            runtime-versions:
              python: "3.12"
            commands: [make]
        """
    )
    assert "runtime-versions is only allowed in phases.install" in message


@pytest.mark.parametrize("version", ["0.1", "'0.1'", "1", "'0.2.0'"])
def test_version_other_than_0_2(version: str) -> None:
    message = _invalid(f"version: {version}\nphases:\n  build:\n    commands: [make]\n")
    assert "version must be 0.2" in message


def test_missing_version() -> None:
    assert "version" in _invalid("phases:\n  build:\n    commands: [make]\n")


@pytest.mark.parametrize("command", ["yes", "on", "true", "42", "3.10", "null", "{a: b}", "echo: hi"])
def test_command_that_yaml_does_not_parse_as_a_string(command: str) -> None:
    # `- yes` is YAML 1.1 for True; `- echo: hi` is a mapping. None of them is a shell command.
    message = _invalid(f"version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      - {command}\n")
    assert "phases.build.commands.1" in message


def test_finally_command_that_is_a_bool() -> None:
    message = _invalid("version: 0.2\nphases:\n  build:\n    commands: [make]\n    finally:\n      - no\n")
    assert "phases.build.finally.0" in message


@pytest.mark.parametrize("value", ["true", "no", "8080", "1.10", ""])
def test_env_variable_value_that_is_not_a_string(value: str) -> None:
    # 1.10 would reach CodeBuild as 1.1; an empty value is null.
    message = _invalid(
        f"version: 0.2\nenv:\n  variables:\n    MY_VAR: {value}\nphases:\n  build:\n    commands: [make]\n"
    )
    assert "env.variables.MY_VAR" in message


def test_reserved_env_variable_prefix() -> None:
    message = _invalid(
        'version: 0.2\nenv:\n  variables:\n    CODEBUILD_X: "1"\nphases:\n  build:\n    commands: [make]\n'
    )
    assert "CODEBUILD_ prefix is reserved" in message


def test_bad_report_file_format() -> None:
    message = _invalid(
        """\
        version: 0.2
        phases:
          build:
            commands: [make]
        reports:
          unit:
            files: [junit.xml]
            file-format: JUNIT
        """
    )
    assert "reports.unit.file-format" in message


@pytest.mark.parametrize("value", ["IGNORE", "abort", "RETRY-101", "RETRY-2-(unclosed", "RETRY-"])
def test_bad_on_failure_value(value: str) -> None:
    message = _invalid(f"version: 0.2\nphases:\n  build:\n    on-failure: '{value}'\n    commands: [make]\n")
    assert "phases.build.on-failure" in message


def test_phase_without_commands() -> None:
    assert "phases.build.commands" in _invalid("version: 0.2\nphases:\n  build:\n    finally: [echo]\n")


def test_python_field_name_is_not_an_accepted_spelling() -> None:
    message = _invalid("version: 0.2\nphases:\n  build:\n    on_failure: ABORT\n    commands: [make]\n")
    assert "on_failure" in message


def test_artifacts_require_files() -> None:
    assert "artifacts.files" in _invalid(
        "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  base-directory: build\n"
    )


def test_not_yaml_or_not_a_mapping() -> None:
    assert "not valid YAML" in _invalid("version: [0.2\n")
    assert "mapping at the top level" in _invalid("- version: 0.2\n")


def test_batch_keys_are_checked_and_errors_are_validation_errors() -> None:
    assert issubclass(ValidationError, ValueError)
    with pytest.raises(ValidationError, match="batch.build-lsit"):
        parse_buildspec("version: 0.2\nphases: {}\nbatch:\n  fast-fail: yes\n  build-lsit: []\n")
