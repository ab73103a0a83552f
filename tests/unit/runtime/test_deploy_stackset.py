"""deploy_stackset.py: SELF_MANAGED stack set create/update, missing instances, waiting, input checks.

moto 5.2.5 serves every call this script makes (CreateStackSet, UpdateStackSet, DescribeStackSet,
CreateStackInstances, ListStackInstances, DescribeStackSetOperation, ListStackSetOperationResults), but
its operations always finish SUCCEEDED at once, its UpdateStackSet (without Accounts/Regions) changes
only the stack set, not the stacks of existing instances, and it ignores OperationPreferences. Failed,
running, stopped and paginated operations are therefore tested with the recording fake ``_FakeCloudFormation``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import deploy_stackset  # noqa: E402

from .conftest import REGION, StubSession, client_error  # noqa: E402

NAME = "abalone-prod"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/abalone-stackset-admin"
EXEC_ROLE = "abalone-stackset-exec"
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
OTHER_REGION = "us-east-1"
PARAMETER = "/mlopsgen/stage"

# A tiny template moto deploys for real into each target account: one SSM parameter.
TEMPLATE = f"""\
Parameters:
  StageName: {{Type: String}}
  ModelPackageName: {{Type: String}}
Resources:
  Stage:
    Type: AWS::SSM::Parameter
    Properties:
      Name: {PARAMETER}
      Type: String
      Value: !Ref StageName
      Description: !Ref ModelPackageName
"""


def _params(stage: str = "prod", package: str = "pkg/1") -> list[dict[str, str]]:
    return [
        {"ParameterKey": "ModelPackageName", "ParameterValue": package},
        {"ParameterKey": "StageName", "ParameterValue": stage},
    ]


def _args(
    tmp_path: Path,
    accounts: list[str],
    *extra: str,
    parameters: list[dict[str, str]] | None = None,
    tags: list[dict[str, str]] | None = None,
    regions: tuple[str, ...] = (REGION,),
) -> list[str]:
    files = {
        "template.yml": TEMPLATE,
        "prod-params-export.json": json.dumps(_params() if parameters is None else parameters),
        "prod-accounts-export.json": json.dumps(accounts),
    }
    if tags is not None:
        files["prod-tags-export.json"] = json.dumps(tags)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [
        "--stack-set-name",
        NAME,
        "--template-file",
        str(tmp_path / "template.yml"),
        "--parameters-file",
        str(tmp_path / "prod-params-export.json"),
        "--accounts-file",
        str(tmp_path / "prod-accounts-export.json"),
        "--administration-role-arn",
        ADMIN_ROLE,
        "--execution-role-name",
        EXEC_ROLE,
        "--poll-seconds",
        "0.01",
    ]
    if tags is not None:
        args += ["--tags-file", str(tmp_path / "prod-tags-export.json")]
    for region in regions:
        args += ["--deployment-region", region]
    return [*args, *extra]


def _instances() -> list[tuple[str, str, str]]:
    summaries = boto3.client("cloudformation").list_stack_instances(StackSetName=NAME)["Summaries"]
    return sorted((s["Account"], s["Region"], s["Status"]) for s in summaries)


def _deployed_value(account: str, region: str) -> str:
    """The SSM parameter the instance's stack created in the target account (moto: via an assumed role)."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{EXEC_ROLE}", RoleSessionName="test"
    )["Credentials"]
    ssm = boto3.client(
        "ssm",
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return str(ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"])


class _Recorder:
    """Wraps a real (moto) client and records the calls that change something."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(**request: Any) -> Any:
            if not name.startswith(("describe_", "list_")):
                self.calls.append((name, request))
            return method(**request)

        return call


def test_first_run_creates_the_stack_set_and_every_instance(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = [{"Key": "team", "Value": "ml"}]
    args = _args(
        tmp_path,
        [ACCOUNT_A, ACCOUNT_B, ACCOUNT_A],  # duplicates are dropped
        "--description",
        "abalone prod endpoint",
        tags=tags,
        regions=(REGION, OTHER_REGION),
    )
    assert deploy_stackset.main(args) == 0

    stack_set = boto3.client("cloudformation").describe_stack_set(StackSetName=NAME)["StackSet"]
    assert stack_set["PermissionModel"] == "SELF_MANAGED"
    assert stack_set["AdministrationRoleARN"] == ADMIN_ROLE
    assert stack_set["ExecutionRoleName"] == EXEC_ROLE
    assert stack_set["Description"] == "abalone prod endpoint"
    assert stack_set["TemplateBody"] == TEMPLATE
    assert sorted(stack_set["Parameters"], key=lambda p: p["ParameterKey"]) == _params()
    assert stack_set["Tags"] == tags
    assert _instances() == [
        (ACCOUNT_A, REGION, "CURRENT"),
        (ACCOUNT_A, OTHER_REGION, "CURRENT"),
        (ACCOUNT_B, REGION, "CURRENT"),
        (ACCOUNT_B, OTHER_REGION, "CURRENT"),
    ]
    assert _deployed_value(ACCOUNT_B, OTHER_REGION) == "prod"

    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    assert f"created stack set {NAME} (" in out
    assert (
        f"creating 4 stack instance(s) in account(s) {ACCOUNT_A}, {ACCOUNT_B} x region(s) {REGION}, {OTHER_REGION}"
        in out
    )
    assert f"stack set {NAME} CREATE " in out and ": SUCCEEDED" in out
    assert f"stack set {NAME}: 2 target account(s) ({ACCOUNT_A}, {ACCOUNT_B}) x 2 region(s)" in out
    assert f"  {ACCOUNT_B} {OTHER_REGION}: CURRENT (SUCCEEDED)\n" in out


def test_second_run_updates_and_adds_only_the_new_account(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy_stackset.main(_args(tmp_path, [ACCOUNT_A]), session=session) == 0
    capsys.readouterr()
    recorder = _Recorder(session.client("cloudformation"))
    args = _args(
        tmp_path,
        [ACCOUNT_A, ACCOUNT_B],
        "--max-concurrent-percentage",
        "50",
        "--failure-tolerance-count",
        "1",
        parameters=_params(package="pkg/2"),
        tags=[{"Key": "team", "Value": "ml"}],
    )
    assert deploy_stackset.main(args, session=StubSession(cloudformation=recorder)) == 0

    preferences = {"FailureToleranceCount": 1, "MaxConcurrentPercentage": 50}
    assert [name for name, _ in recorder.calls] == ["update_stack_set", "create_stack_instances"]
    update = recorder.calls[0][1]
    assert update["Parameters"] == _params(package="pkg/2")
    assert update["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert update["OperationPreferences"] == preferences
    assert (update["AdministrationRoleARN"], update["ExecutionRoleName"]) == (ADMIN_ROLE, EXEC_ROLE)
    assert "Accounts" not in update and "Regions" not in update  # the update reaches every existing instance
    assert recorder.calls[1][1] == {
        "StackSetName": NAME,
        "Accounts": [ACCOUNT_B],
        "Regions": [REGION],
        "OperationPreferences": preferences,
    }
    stack_set = boto3.client("cloudformation").describe_stack_set(StackSetName=NAME)["StackSet"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack_set["Parameters"]}["ModelPackageName"] == "pkg/2"
    assert _instances() == [(ACCOUNT_A, REGION, "CURRENT"), (ACCOUNT_B, REGION, "CURRENT")]
    out = capsys.readouterr().out
    assert f"updating stack set {NAME} and all its stack instances (2 parameter(s)), operation " in out
    assert f"stack set {NAME} UPDATE " in out


def test_a_new_region_is_added_without_naming_existing_instances(tmp_path: Path, session: Any) -> None:
    assert deploy_stackset.main(_args(tmp_path, [ACCOUNT_A]), session=session) == 0
    recorder = _Recorder(session.client("cloudformation"))
    args = _args(tmp_path, [ACCOUNT_A, ACCOUNT_B], regions=(REGION, OTHER_REGION))
    assert deploy_stackset.main(args, session=StubSession(cloudformation=recorder)) == 0
    creates = [(r["Accounts"], r["Regions"]) for name, r in recorder.calls if name == "create_stack_instances"]
    assert creates == [([ACCOUNT_A], [OTHER_REGION]), ([ACCOUNT_B], [REGION, OTHER_REGION])]
    assert len(_instances()) == 4


def test_instances_no_longer_targeted_are_kept_with_a_warning(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        deploy_stackset.main(_args(tmp_path, [ACCOUNT_A, ACCOUNT_B], regions=(REGION, OTHER_REGION)), session=session)
        == 0
    )
    capsys.readouterr()
    recorder = _Recorder(session.client("cloudformation"))
    args = _args(tmp_path, [ACCOUNT_B], regions=(REGION, OTHER_REGION))
    assert deploy_stackset.main(args, session=StubSession(cloudformation=recorder)) == 0

    assert [name for name, _ in recorder.calls] == ["update_stack_set"]  # nothing deleted, nothing created
    assert len(_instances()) == 4
    captured = capsys.readouterr()
    assert captured.err == (
        f"warning: 2 stack instance(s) of {NAME} are no longer targeted and were kept (they still receive stack set "
        "updates; delete them with `aws cloudformation delete-stack-instances` if intended): "
        f"{ACCOUNT_A}/{REGION}, {ACCOUNT_A}/{OTHER_REGION}\n"
    )
    assert "all 2 targeted stack instance(s) already exist" in captured.out
    assert f"  {ACCOUNT_A} {REGION}: CURRENT (SUCCEEDED) [not targeted]\n" in captured.out


class _FakeCloudFormation:
    """A recording CloudFormation fake for what moto cannot produce: running, failed and paged operations.

    ``statuses`` are the DescribeStackSetOperation answers in turn (the last one repeats); ``results`` are
    the pages of ListStackSetOperationResults.
    """

    def __init__(
        self,
        statuses: list[str],
        *,
        results: list[list[dict[str, Any]]] | None = None,
        exists: bool = False,
        update_error: Exception | None = None,
    ) -> None:
        self.statuses = statuses
        self.results = results or [[]]
        self.exists = exists
        self.update_error = update_error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, name: str, request: dict[str, Any]) -> None:
        self.calls.append((name, request))

    def describe_stack_set(self, **request: Any) -> dict[str, Any]:
        self._record("describe_stack_set", request)
        if not self.exists:
            raise client_error("StackSetNotFoundException", f"StackSet {NAME} not found", "DescribeStackSet")
        return {"StackSet": {"StackSetName": NAME}}

    def create_stack_set(self, **request: Any) -> dict[str, Any]:
        self._record("create_stack_set", request)
        return {"StackSetId": f"{NAME}:1"}

    def update_stack_set(self, **request: Any) -> dict[str, Any]:
        self._record("update_stack_set", request)
        if self.update_error is not None:
            raise self.update_error
        return {"OperationId": "op-update"}

    def list_stack_instances(self, **request: Any) -> dict[str, Any]:
        self._record("list_stack_instances", request)
        return {"Summaries": []}

    def create_stack_instances(self, **request: Any) -> dict[str, Any]:
        self._record("create_stack_instances", request)
        return {"OperationId": "op-create"}

    def describe_stack_set_operation(self, **request: Any) -> dict[str, Any]:
        self._record("describe_stack_set_operation", request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        operation: dict[str, Any] = {"OperationId": request["OperationId"], "Action": "CREATE", "Status": status}
        if status == "FAILED":
            operation["StatusReason"] = "The operation failed in 2 accounts"
        return {"StackSetOperation": operation}

    def list_stack_set_operation_results(self, **request: Any) -> dict[str, Any]:
        self._record("list_stack_set_operation_results", request)
        page = int(request.get("NextToken", "0"))
        answer: dict[str, Any] = {"Summaries": self.results[page]}
        if page + 1 < len(self.results):
            answer["NextToken"] = str(page + 1)
        return answer


def test_failed_operation_reports_each_account_and_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    role_missing = (
        f"Account {ACCOUNT_A} should have '{EXEC_ROLE}' role with trust relationship to Role 'abalone-stackset-admin'."
    )
    fake = _FakeCloudFormation(
        ["RUNNING", "RUNNING", "FAILED"],
        results=[
            [{"Account": ACCOUNT_A, "Region": REGION, "Status": "FAILED", "StatusReason": role_missing}],
            [
                {
                    "Account": ACCOUNT_B,
                    "Region": REGION,
                    "Status": "CANCELLED",
                    "StatusReason": "Cancelled since failure tolerance has exceeded",
                },
                {"Account": "333333333333", "Region": REGION, "Status": "SUCCEEDED"},
            ],
        ],
    )
    args = _args(tmp_path, [ACCOUNT_A, ACCOUNT_B, "333333333333"])
    assert deploy_stackset.main(args, session=StubSession(cloudformation=fake)) == 1

    captured = capsys.readouterr()
    assert captured.err == (
        f"error: stack set {NAME} CREATE operation op-create FAILED (The operation failed in 2 accounts): "
        f"{ACCOUNT_A}/{REGION} FAILED: {role_missing}; "
        f"{ACCOUNT_B}/{REGION} CANCELLED: Cancelled since failure tolerance has exceeded\n"
    )
    assert captured.out.count("op-create: RUNNING") == 2
    assert f"  {ACCOUNT_A} {REGION}: FAILED - {role_missing}\n" in captured.out
    assert f"  333333333333 {REGION}: SUCCEEDED - -\n" in captured.out
    pages = [r for name, r in fake.calls if name == "list_stack_set_operation_results"]
    assert pages == [
        {"StackSetName": NAME, "OperationId": "op-create"},
        {"StackSetName": NAME, "OperationId": "op-create", "NextToken": "1"},
    ]
    create = next(r for name, r in fake.calls if name == "create_stack_set")
    assert create["PermissionModel"] == "SELF_MANAGED" and create["Capabilities"] == []
    assert "Tags" not in create and "Description" not in create


def test_timeout_names_the_operation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = _FakeCloudFormation(["RUNNING"], exists=True)
    args = _args(tmp_path, [ACCOUNT_A], "--timeout-minutes", "0.0005")
    assert deploy_stackset.main(args, session=StubSession(cloudformation=fake)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: timed out after 0m00s waiting for stack set {NAME} CREATE operation op-update ")
    assert "(last status: RUNNING); it keeps running in AWS" in err
    assert err.count("\n") == 1
    assert "create_stack_instances" not in [name for name, _ in fake.calls]


def test_operation_in_progress_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    busy = client_error("OperationInProgressException", "Another Operation on StackSet is in progress", "X")
    fake = _FakeCloudFormation(["SUCCEEDED"], exists=True, update_error=busy)
    assert deploy_stackset.main(_args(tmp_path, [ACCOUNT_A]), session=StubSession(cloudformation=fake)) == 1
    assert capsys.readouterr().err == (
        f"error: another operation is running on stack set {NAME} (Another Operation on StackSet is in progress); "
        "wait for it to finish or stop it with `aws cloudformation stop-stack-set-operation`, then run again\n"
    )


class _NoAws:
    """A session that must not be used: input checks come before any AWS call."""

    def __init__(self) -> None:
        self.used = False

    def client(self, name: str, **_: Any) -> Any:
        self.used = True
        raise AssertionError(f"unexpected AWS client {name}")


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("template.yml", "  \n", "template file {path} is empty"),
        ("template.yml", "x" * 51_201, "is 51201 bytes; CloudFormation accepts at most 51200 bytes"),
        ("prod-params-export.json", "{oops", "parameters file {path} is not valid JSON"),
        ("prod-params-export.json", '{"StageName": "prod"}', "must be a JSON array of"),
        (
            "prod-params-export.json",
            '[{"ParameterKey": "A"}]',
            "item 0 must be {{'ParameterKey': ..., 'ParameterValue': ...}}",
        ),
        ("prod-params-export.json", '[{"ParameterKey": "A", "ParameterValue": 1}]', "a string ParameterValue"),
        (
            "prod-params-export.json",
            '[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "A", "ParameterValue": "2"}]',
            "ParameterKey 'A' is given more than once",
        ),
        ("prod-tags-export.json", '[{"Key": "", "Value": "v"}]', "non-empty string Key"),
        ("prod-accounts-export.json", "[]", "lists no account"),
        ("prod-accounts-export.json", '{"accounts": []}', "must be a JSON array of account ids"),
        ("prod-accounts-export.json", "[111111111111]", "111111111111 is not a 12-digit account id string"),
        ("prod-accounts-export.json", '["11111111111"]', '"11111111111" is not a 12-digit account id string'),
        ("prod-accounts-export.json", None, "cannot read accounts file {path}"),
    ],
)
def test_bad_input_files_fail_before_any_aws_call(
    tmp_path: Path, file: str, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(tmp_path, [ACCOUNT_A], tags=[])
    path = tmp_path / file
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    no_aws = _NoAws()
    assert deploy_stackset.main(args, session=no_aws) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message.format(path=path) in err
    assert not no_aws.used


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-concurrent-percentage", "0", "--max-concurrent-percentage: must be between 1 and 100, got '0'"),
        ("--max-concurrent-percentage", "101", "must be between 1 and 100, got '101'"),
        ("--max-concurrent-percentage", "half", "expected a whole number, got 'half'"),
        ("--failure-tolerance-count", "-1", "--failure-tolerance-count: must be at least 0, got '-1'"),
        ("--timeout-minutes", "0", "--timeout-minutes: must be greater than 0, got '0'"),
        ("--poll-seconds", "soon", "--poll-seconds: expected a number, got 'soon'"),
        ("--execution-role-name", f"arn:aws:iam::123456789012:role/{EXEC_ROLE}", "is not an IAM role name"),
        ("--administration-role-arn", EXEC_ROLE, "is not an IAM role ARN"),
        ("--stack-set-name", "abalone_prod", "'abalone_prod' is not a stack set name"),
        ("--deployment-region", "Ireland", "'Ireland' is not an AWS region name such as eu-west-1"),
        ("--capability", "CAPABILITY_ALL", "invalid choice: 'CAPABILITY_ALL'"),
    ],
)
def test_usage_errors_exit_2_before_any_aws_call(
    tmp_path: Path, flag: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    no_aws = _NoAws()
    # The last value of an option wins; --deployment-region and --capability add to the list.
    assert deploy_stackset.main([*_args(tmp_path, [ACCOUNT_A]), flag, value], session=no_aws) == 2
    assert message in capsys.readouterr().err
    assert not no_aws.used


def test_a_deployment_region_is_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_stackset.main(_args(tmp_path, [ACCOUNT_A], regions=()), session=_NoAws()) == 2
    assert "the following arguments are required: --deployment-region" in capsys.readouterr().err
