"""A strict pydantic model of the AWS CodeBuild buildspec file, version 0.2.

Written from the official reference, "Build specification reference for CodeBuild":

    https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html

and, for the ``batch`` key, its companion page "Batch build buildspec reference":

    https://docs.aws.amazon.com/codebuild/latest/userguide/batch-build-buildspec.html

The model is a test oracle for the buildspec files mlopsgen generates. It is deliberately
stricter than "whatever CodeBuild happens to tolerate" where YAML typing is the hazard:

* Every mapping forbids unknown keys (``extra="forbid"``), so ``biuld:`` or ``base-dir:``
  fails instead of being silently ignored by CodeBuild.
* Validation runs in pydantic strict mode: nothing is coerced. A command that YAML 1.1
  resolved to a bool (``- yes``, ``- on``, ``- no``) or a number (``- 1``), or an env
  variable value such as ``DEBUG: true`` / ``PORT: 8080``, is rejected; those are exactly
  the values a template renders unquoted by mistake.
* Hyphenated keys are declared through aliases (``run-as``, ``on-failure``, ...). Only the
  spelling from the reference is accepted; the Python field names (``run_as``) are not.

``parse_buildspec`` is the entry point: YAML text in, a validated ``Buildspec`` out, or a
``ValueError`` (pydantic's ``ValidationError`` is a subclass) saying what is wrong and where.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

BUILDSPEC_REFERENCE = "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html"
BATCH_REFERENCE = "https://docs.aws.amazon.com/codebuild/latest/userguide/batch-build-buildspec.html"


class _Strict(BaseModel):
    # strict=True: no coercion anywhere (True is not a str, 8080 is not a str, "1" is not a bool).
    # extra="forbid": a misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- scalar helpers ------------------------------------------------------------------------------


def _yes_no(value: object) -> object:
    # The reference writes these flags as ``no | yes`` (discard-paths, git-credential-helper,
    # proxy/*, enable-symlinks) and its own example also uses ``discard-paths: false``.
    # PyYAML implements YAML 1.1, where unquoted yes/no/on/off/true/false are all booleans, so
    # ``discard-paths: yes`` arrives here as True. A quoted "yes"/"no" is kept as the documented
    # spelling. Anything else (1, "true", "Y") is rejected.
    if isinstance(value, bool):
        return value
    if value in ("yes", "no"):
        return value == "yes"
    raise ValueError("expected yes or no (or a YAML boolean)")


YesNo = Annotated[bool, BeforeValidator(_yes_no)]


def _not_codebuild_reserved(name: str) -> str:
    # env/variables, env/parameter-store: "Do not set any environment variable with a name that
    # starts with CODEBUILD_. This prefix is reserved for internal use."
    if name.startswith("CODEBUILD_"):
        raise ValueError(f"environment variable {name!r}: the CODEBUILD_ prefix is reserved for CodeBuild")
    if not name:
        raise ValueError("environment variable name is empty")
    return name


EnvName = Annotated[str, AfterValidator(_not_codebuild_reserved)]


def _exportable(name: str) -> str:
    # env/exported-variables: "The following cannot be exported: ... Environment variables that
    # start with AWS_."
    if name.startswith("AWS_"):
        raise ValueError(f"exported variable {name!r}: variables starting with AWS_ cannot be exported")
    return name


ExportedName = Annotated[str, AfterValidator(_exportable)]

# A command is one string. Strict mode already rejects bool/int/float/None/mappings; a YAML
# "- key: value" line (a command containing ": ") parses as a one-item mapping, which is also
# rejected here. The reference: "If a command contains a character, or a string of characters,
# that is not supported by YAML, you must enclose the command in quotation marks".
Command = str
Commands = list[Command]

_RETRY = re.compile(r"RETRY(?:-(?P<rest>.+))?", re.DOTALL)
_RETRY_COUNT_REGEX = re.compile(r"(?P<count>\d+)(?:-(?P<regex>.+))?", re.DOTALL)


def _on_failure(value: str) -> str:
    # phases/*/on-failure: ABORT | CONTINUE | RETRY | RETRY-count | RETRY-regex | RETRY-count-regex.
    # RETRY retries up to 3 times on errors matching ".*"; count must be between 0 and 100.
    # The reference spells the values in upper case only, so "abort" is rejected.
    # Note: the reference also says on-failure is not supported for Lambda compute or reserved
    # capacity; that is a project setting this file-level model cannot see.
    if value in ("ABORT", "CONTINUE"):
        return value
    retry = _RETRY.fullmatch(value)
    if retry is None:
        raise ValueError(
            f"on-failure {value!r}: expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> "
            "or RETRY-<count>-<regex>"
        )
    rest = retry.group("rest")
    if rest is None:
        return value
    count_regex = _RETRY_COUNT_REGEX.fullmatch(rest)
    regex = rest
    if count_regex is not None:
        count = int(count_regex.group("count"))
        if not 0 <= count <= 100:
            raise ValueError(f"on-failure {value!r}: the retry count must be between 0 and 100")
        regex = count_regex.group("regex") or ""
    if regex:
        # CodeBuild's regex dialect is not documented; Python's re is a close-enough sanity check
        # that catches unbalanced brackets and similar template accidents.
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"on-failure {value!r}: invalid regex {regex!r}: {exc}") from exc
    return value


OnFailure = Annotated[str, AfterValidator(_on_failure)]

# reports/<report-group>/file-format. "If not specified, JUNITXML is used. This value is not case
# sensitive." Test reports, then code coverage reports.
ReportFileFormat = Literal[
    "CUCUMBERJSON",
    "JUNITXML",
    "NUNITXML",
    "NUNIT3XML",
    "TESTNGXML",
    "VISUALSTUDIOTRX",
    "CLOVERXML",
    "COBERTURAXML",
    "JACOCOXML",
    "SIMPLECOV",
]


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


# phases/install/runtime-versions values. The reference allows "a specific version, a major
# version followed by .x, or latest", and says "You can specify the runtime using a number or an
# environment variable" (its examples: ``ruby: 2.6``, ``android: 29``, ``ruby: "$MY_RUBY_VAR"``).
# So numbers are accepted here. Quirk worth knowing: YAML reads an unquoted ``python: 3.10`` as
# the float 3.1; quote versions with a trailing zero. Booleans are rejected (strict mode).
RuntimeVersion = str | int | float


# --- env, proxy, batch ---------------------------------------------------------------------------


class Env(_Strict):
    """``env``: custom environment variables and where they come from."""

    # env/shell: "For Linux operating systems, supported shell tags are: bash, /bin/sh.
    # For Windows operating systems, supported shell tags are: powershell.exe, cmd.exe."
    shell: Literal["bash", "/bin/sh", "powershell.exe", "cmd.exe"] | None = None
    # env/variables: a mapping of key/value scalars. Values must be strings: an unquoted
    # ``true``/``8080``/``1.10`` is a YAML bool/int/float, and what CodeBuild exports for it is
    # not what the template author wrote (1.10 -> 1.1), so it is rejected.
    variables: dict[EnvName, str] | None = None
    # env/parameter-store: key = variable name, value = the Parameter Store parameter name.
    parameter_store: dict[EnvName, str] | None = Field(default=None, alias="parameter-store")
    # env/exported-variables: a list of names (the reference calls it a "mapping", but its syntax
    # block and every example is a sequence).
    exported_variables: list[ExportedName] | None = Field(default=None, alias="exported-variables")
    # env/secrets-manager: key = variable name, value = "secret-id:json-key:version-stage:version-id"
    # (only secret-id is required). secret-id may itself be an ARN full of colons, so the value is
    # only checked to be a non-empty string.
    secrets_manager: dict[EnvName, Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, alias="secrets-manager"
    )
    # env/git-credential-helper: yes | no.
    git_credential_helper: YesNo | None = Field(default=None, alias="git-credential-helper")


class Proxy(_Strict):
    """``proxy``: settings for builds that run behind an explicit proxy server."""

    upload_artifacts: YesNo | None = Field(default=None, alias="upload-artifacts")
    logs: YesNo | None = None


class Batch(_Strict):
    """``batch``: batch build settings (see the batch build buildspec reference).

    Only the keys of ``batch`` itself are checked. The per-task bodies (identifier, buildspec,
    env overrides, depend-on, ignore-failure, ...) are kept as plain data: mlopsgen does not
    generate batch builds, and the reference's own examples for them are not valid YAML (they mix
    ``ignore-failure:`` with list items), so a strict model of them would be guesswork.
    """

    # batch/fast-fail: "false | true".
    fast_fail: bool | None = Field(default=None, alias="fast-fail")
    build_list: list[dict[str, Any]] | None = Field(default=None, alias="build-list")
    build_graph: list[dict[str, Any]] | None = Field(default=None, alias="build-graph")
    build_matrix: dict[str, Any] | None = Field(default=None, alias="build-matrix")
    build_fanout: dict[str, Any] | None = Field(default=None, alias="build-fanout")


# --- phases --------------------------------------------------------------------------------------


class _PhaseBase(_Strict):
    # phases/*/run-as: a Linux user for this phase; overrides the top-level run-as.
    run_as: str | None = Field(default=None, alias="run-as")
    on_failure: OnFailure | None = Field(default=None, alias="on-failure")
    # phases/*/finally: "Commands specified in a finally block are executed after commands in the
    # commands block ... even if a command in the commands block fails."
    finally_: Commands | None = Field(default=None, alias="finally")


class InstallPhase(_PhaseBase):
    """``phases.install``: the only phase that may carry ``runtime-versions``."""

    # phases/install/runtime-versions: "If specified, at least one runtime must be included".
    runtime_versions: dict[str, RuntimeVersion] | None = Field(default=None, alias="runtime-versions", min_length=1)
    # phases/install/commands: "Optional sequence" (install may only select runtimes).
    commands: Commands | None = None


class Phase(_PhaseBase):
    """``phases.pre_build``, ``phases.build`` and ``phases.post_build``."""

    # phases/{pre_build,build,post_build}/commands: "Required ... if <phase> is specified".
    commands: Commands

    @model_validator(mode="before")
    @classmethod
    def _runtime_versions_only_in_install(cls, data: object) -> object:
        # extra="forbid" would reject it anyway; this says why.
        if isinstance(data, dict) and "runtime-versions" in data:
            raise ValueError("runtime-versions is only allowed in phases.install")
        return data


class Phases(_Strict):
    """``phases``: "The allowed build phase names are" install, pre_build, build, post_build."""

    install: InstallPhase | None = None
    pre_build: Phase | None = None
    build: Phase | None = None
    post_build: Phase | None = None


# --- reports, artifacts, cache -------------------------------------------------------------------


class ReportGroup(_Strict):
    """One entry of ``reports``, keyed by report group name or ARN."""

    files: list[str]  # "Required sequence"
    base_directory: str | None = Field(default=None, alias="base-directory")
    discard_paths: YesNo | None = Field(default=None, alias="discard-paths")
    file_format: Annotated[ReportFileFormat, BeforeValidator(_upper)] | None = Field(default=None, alias="file-format")


class _ArtifactBase(_Strict):
    # artifacts/files: "Required sequence"; also "The artifacts/files sequence is always required,
    # even when there are only secondary artifacts defined." Secondary artifacts have "the same
    # syntax as the artifacts block".
    files: list[str]
    name: str | None = None
    discard_paths: YesNo | None = Field(default=None, alias="discard-paths")
    base_directory: str | None = Field(default=None, alias="base-directory")
    # artifacts/exclude-paths: paths relative to base-directory; the syntax block shows a single
    # value ("exclude-paths: excluded paths"), so a string or a list of strings is accepted.
    exclude_paths: str | list[str] | None = Field(default=None, alias="exclude-paths")
    # artifacts/enable-symlinks: "no | yes"; only meaningful for ZIP output.
    enable_symlinks: YesNo | None = Field(default=None, alias="enable-symlinks")
    # artifacts/s3-prefix: used when the project's artifact namespace type is BUILD_ID.
    s3_prefix: str | None = Field(default=None, alias="s3-prefix")


class SecondaryArtifact(_ArtifactBase):
    """One entry of ``artifacts.secondary-artifacts``, keyed by artifact identifier."""


class Artifacts(_ArtifactBase):
    """``artifacts``: where the build output is and how it is packaged for S3."""

    # Keys must match artifactIdentifier values in the project's secondaryArtifacts.
    secondary_artifacts: dict[str, SecondaryArtifact] | None = Field(default=None, alias="secondary-artifacts")


class Cache(_Strict):
    """``cache``: the locations CodeBuild caches between builds."""

    paths: list[str]  # "Required sequence"
    key: str | None = None
    # cache/fallback-keys: "up to five fallback keys"; "ignored if key is not provided".
    fallback_keys: list[str] | None = Field(default=None, alias="fallback-keys", max_length=5)
    # cache/action: restore | save; when absent CodeBuild both restores and saves.
    action: Literal["restore", "save"] | None = None

    @model_validator(mode="after")
    def _fallback_needs_key(self) -> Cache:
        # CodeBuild silently ignores fallback-keys without key; for generated files that is a bug.
        if self.fallback_keys is not None and self.key is None:
            raise ValueError("cache.fallback-keys has no effect without cache.key")
        return self


# --- the file ------------------------------------------------------------------------------------


class Buildspec(_Strict):
    """A whole ``buildspec.yml`` (version 0.2)."""

    version: Literal["0.2"]
    run_as: str | None = Field(default=None, alias="run-as")
    env: Env | None = None
    proxy: Proxy | None = None
    batch: Batch | None = None
    phases: Phases  # "Required sequence"
    # reports/<report-group-name-or-arn>: "A project can have a maximum of five report groups."
    reports: dict[Annotated[str, Field(min_length=1)], ReportGroup] | None = Field(default=None, max_length=5)
    artifacts: Artifacts | None = None
    cache: Cache | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_0_2(cls, value: object) -> object:
        # "version: Required mapping ... We recommend that you use 0.2." The reference itself
        # writes it unquoted, so YAML hands us the float 0.2; the quoted string "0.2" is the same
        # thing. 0.1 (each command in its own shell) is still supported by CodeBuild but is not
        # what mlopsgen generates, so it is rejected along with everything else.
        if value == "0.2" or (type(value) is float and value == 0.2):
            return "0.2"
        raise ValueError(f"version must be 0.2 (written 0.2 or '0.2'), got {value!r}")


def validate_buildspec(data: object) -> Buildspec:
    """Validate an already-parsed buildspec document.

    Raises:
        ValueError: the document is not a mapping, or (as ``pydantic.ValidationError``) does not
            match the buildspec 0.2 reference.
    """
    if not isinstance(data, dict):
        raise ValueError(f"a buildspec must be a YAML mapping at the top level, got {type(data).__name__}")
    return Buildspec.model_validate(data)


def parse_buildspec(text: str) -> Buildspec:
    """Load buildspec YAML with ``yaml.safe_load`` and validate it against the 0.2 reference.

    Note: ``yaml.safe_load`` keeps the last of duplicate mapping keys without complaint, so a
    duplicated key is not detected here.

    Raises:
        ValueError: the text is not YAML, not a mapping, or (as ``pydantic.ValidationError``)
            does not match the reference.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"buildspec is not valid YAML: {exc}") from exc
    return validate_buildspec(data)
