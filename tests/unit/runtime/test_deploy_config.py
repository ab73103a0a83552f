"""deploy_config.py: newest Approved model package → per-stage CloudFormation configuration files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3  # noqa: E402
import pytest

from mlopsgen.runtime import deploy_config  # noqa: E402

from .conftest import StubSession  # noqa: E402

GROUP = "abalone-p-abc123def456"
ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/" + GROUP


def _register(statuses: list[str]) -> None:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    for status in statuses:
        sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )


def _configs(tmp_path: Path) -> list[Path]:
    staging = tmp_path / "staging-config.json"
    staging.write_text(
        json.dumps(
            {
                "Parameters": {
                    "StageName": "staging",
                    "EndpointInstanceType": "ml.m5.large",
                    "EndpointInstanceCount": "1",
                    "ModelPackageName": "placeholder",
                },
                "Tags": {"team": "ml", "cost-center": "42"},
            }
        )
    )
    prod = tmp_path / "prod-config.json"
    prod.write_text(json.dumps({"Parameters": {"StageName": "prod", "SamplingPercentage": "80"}}))
    return [staging, prod]


def _args(configs: list[Path], out: Path) -> list[str]:
    args = ["--model-package-group", GROUP, "--output-dir", str(out)]
    for config in configs:
        args += ["--stage-config", str(config)]
    return args


def test_newest_approved_package_wins_and_three_files_per_stage(
    tmp_path: Path, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Versions 1 and 2 approved; the newer 3 and 4 are rejected / pending: version 2 must be chosen.
    _register(["Approved", "Approved", "Rejected", "PendingManualApproval"])
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out)) == 0

    stdout = capsys.readouterr().out
    assert f"using model package {ARN}/2 (version 2, created 20" in stdout
    assert sorted(path.name for path in out.iterdir()) == [
        "prod-config-export.json",
        "prod-params-export.json",
        "prod-tags-export.json",
        "staging-config-export.json",
        "staging-params-export.json",
        "staging-tags-export.json",
    ]
    assert (out / "staging-config-export.json").read_text() == (
        "{\n"
        '  "Parameters": {\n'
        '    "EndpointInstanceCount": "1",\n'
        '    "EndpointInstanceType": "ml.m5.large",\n'
        f'    "ModelPackageName": "{ARN}/2",\n'
        '    "StageName": "staging"\n'
        "  },\n"
        '  "Tags": {\n'
        '    "cost-center": "42",\n'
        '    "team": "ml"\n'
        "  }\n"
        "}\n"
    )
    assert json.loads((out / "staging-params-export.json").read_text()) == [
        {"ParameterKey": "EndpointInstanceCount", "ParameterValue": "1"},
        {"ParameterKey": "EndpointInstanceType", "ParameterValue": "ml.m5.large"},
        {"ParameterKey": "ModelPackageName", "ParameterValue": f"{ARN}/2"},
        {"ParameterKey": "StageName", "ParameterValue": "staging"},
    ]
    assert (out / "staging-tags-export.json").read_text() == (
        '[\n  {\n    "Key": "cost-center",\n    "Value": "42"\n  },\n'
        '  {\n    "Key": "team",\n    "Value": "ml"\n  }\n]\n'
    )
    assert json.loads((out / "prod-config-export.json").read_text()) == {
        "Parameters": {"ModelPackageName": f"{ARN}/2", "SamplingPercentage": "80", "StageName": "prod"},
        "Tags": {},
    }
    assert (out / "prod-tags-export.json").read_text() == "[]\n"


def test_later_approval_of_a_newer_version_takes_over(tmp_path: Path, session: Any) -> None:
    _register(["Approved", "PendingManualApproval"])
    boto3.client("sagemaker").update_model_package(ModelPackageArn=f"{ARN}/2", ModelApprovalStatus="Approved")
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path)[1:], out), session=session) == 0
    parameters = json.loads((out / "prod-config-export.json").read_text())["Parameters"]
    assert parameters["ModelPackageName"] == f"{ARN}/2"


def test_no_approved_package_is_an_error(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _register(["PendingManualApproval", "Rejected"])
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out), session=session) == 1
    err = capsys.readouterr().err
    assert err == f"error: no Approved model package in model package group '{GROUP}'; " + (
        "approve a model version in the SageMaker model registry first\n"
    )
    assert not out.exists()


def test_missing_group_is_an_error(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_config.main(_args(_configs(tmp_path), tmp_path / "out"), session=session) == 1
    assert "no Approved model package" in capsys.readouterr().err


class _PagedSageMaker:
    """A stub whose first page is empty but has a NextToken, as ListModelPackages may answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def list_model_packages(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if "NextToken" not in request:
            return {"ModelPackageSummaryList": [], "NextToken": "t1"}
        return {
            "ModelPackageSummaryList": [
                {"ModelPackageArn": f"{ARN}/7", "ModelPackageVersion": 7, "ModelApprovalStatus": "Approved"},
                {"ModelPackageArn": f"{ARN}/5", "ModelPackageVersion": 5, "ModelApprovalStatus": "Approved"},
            ]
        }


def test_follows_pages_and_asks_for_descending_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stub = _PagedSageMaker()
    out = tmp_path / "out"
    assert deploy_config.main(_args(_configs(tmp_path), out), session=StubSession(sagemaker=stub)) == 0
    assert stub.requests == [
        {
            "ModelPackageGroupName": GROUP,
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 100,
        },
        {
            "ModelPackageGroupName": GROUP,
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 100,
            "NextToken": "t1",
        },
    ]
    assert "(version 7, created ?)" in capsys.readouterr().out
    assert json.loads((out / "prod-config-export.json").read_text())["Parameters"]["ModelPackageName"] == f"{ARN}/7"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("staging.json", "{}", "must be named <stage>-config.json"),
        ("-config.json", "{}", "must be named <stage>-config.json"),
        ("staging-config.json", "{oops", "is not valid JSON"),
        ("staging-config.json", "[]", "must be a JSON object"),
        ("staging-config.json", '{"Parameters": {"EndpointInstanceCount": 1}}', "must be a string"),
        ("staging-config.json", '{"Parameters": [], "Tags": {}}', "Parameters must be a JSON object"),
        ("staging-config.json", '{"Parameter": {}}', "unknown key(s) Parameter"),
    ],
)
def test_bad_stage_config_writes_nothing(
    tmp_path: Path, name: str, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / name
    config.write_text(content)
    out = tmp_path / "out"
    # No session is needed: configs are checked before any AWS call.
    assert deploy_config.main(_args([config], out), session=StubSession()) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_duplicate_stage_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configs = _configs(tmp_path)
    (tmp_path / "again").mkdir()
    duplicate = tmp_path / "again" / "prod-config.json"
    duplicate.write_text("{}")
    assert deploy_config.main(_args([*configs, duplicate], tmp_path / "out"), session=StubSession()) == 1
    assert "stage 'prod' is given more than once" in capsys.readouterr().err


def test_missing_stage_config_is_a_usage_error(tmp_path: Path) -> None:
    assert deploy_config.main(["--model-package-group", GROUP, "--output-dir", str(tmp_path)]) == 2


# --- multi-account stages: <stage>-targets.json → <stage>-accounts-export.json --------------------------------

OWN_ACCOUNT = "123456789012"  # moto's caller account
GROUP_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/" + GROUP


def _targets(tmp_path: Path, stage: str, content: object) -> Path:
    path = tmp_path / f"{stage}-targets.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _target_args(configs: list[Path], targets: list[Path], out: Path, *extra: str) -> list[str]:
    args = _args(configs, out)
    for path in targets:
        args += ["--stage-targets", str(path)]
    return [*args, *extra]


class _Organization:
    """A moto organization: helpers to build an OU tree and create accounts in it."""

    def __init__(self) -> None:
        self.client = boto3.client("organizations")
        self.client.create_organization(FeatureSet="ALL")
        self.root = self.client.list_roots()["Roots"][0]["Id"]

    def ou(self, name: str, parent: str | None = None) -> str:
        answer = self.client.create_organizational_unit(ParentId=parent or self.root, Name=name)
        return str(answer["OrganizationalUnit"]["Id"])

    def account(self, name: str, ou: str) -> str:
        status = self.client.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        account_id = str(status["AccountId"])
        self.client.move_account(AccountId=account_id, SourceParentId=self.root, DestinationParentId=ou)
        return account_id


class _RecordingSession:
    """Real (moto) clients, recording which services were asked for; ``forbidden`` ones raise."""

    def __init__(self, session: Any, forbidden: tuple[str, ...] = ()) -> None:
        self.session = session
        self.forbidden = forbidden
        self.requested: list[str] = []
        self.sagemaker = _PolicySageMaker(session.client("sagemaker"))

    def client(self, name: str, **kwargs: Any) -> Any:
        self.requested.append(name)
        if name in self.forbidden:
            raise AssertionError(f"{name} client requested")
        return self.sagemaker if name == "sagemaker" else self.session.client(name, **kwargs)


class _PolicySageMaker:
    """moto's SageMaker client plus the model package group policy calls moto 5.2.5 lacks."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.policies: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def put_model_package_group_policy(self, ModelPackageGroupName: str, ResourcePolicy: str) -> dict[str, Any]:  # noqa: N803
        self.client.describe_model_package_group(ModelPackageGroupName=ModelPackageGroupName)  # must exist
        self.policies[ModelPackageGroupName] = ResourcePolicy
        return {"ModelPackageGroupArn": GROUP_ARN}

    def get_model_package_group_policy(self, ModelPackageGroupName: str) -> dict[str, Any]:  # noqa: N803
        return {"ResourcePolicy": self.policies[ModelPackageGroupName]}


def test_explicit_accounts_need_no_organizations(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(["Approved"])
    configs = _configs(tmp_path)
    targets = [_targets(tmp_path, "prod", {"accounts": ["555555555555", "444444444444", "555555555555"]})]
    recording = _RecordingSession(session, forbidden=("organizations",))
    out = tmp_path / "out"
    assert deploy_config.main(_target_args(configs, targets, out), session=recording) == 0
    assert "organizations" not in recording.requested
    assert (out / "prod-accounts-export.json").read_bytes() == b'[\n  "444444444444",\n  "555555555555"\n]\n'
    assert not (out / "staging-accounts-export.json").exists()  # a stage without targets stays single-account
    stdout = capsys.readouterr().out
    assert "stage prod deploys to 2 account(s): 444444444444, 555555555555 (listed: 444444444444, 555555555555)\n" in (
        stdout
    )
    assert f"wrote {out / 'prod-accounts-export.json'}\n" in stdout


def test_ou_with_nested_ou_and_suspended_account(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(["Approved"])
    org = _Organization()
    workloads = org.ou("workloads")
    nested = org.ou("eu", parent=workloads)
    deeper = org.ou("eu-prod", parent=nested)
    elsewhere = org.ou("sandbox")
    direct = org.account("direct", workloads)
    in_nested = org.account("nested", nested)
    in_deeper = org.account("deeper", deeper)
    suspended = org.account("suspended", nested)
    org.client.close_account(AccountId=suspended)
    org.account("sandbox", elsewhere)  # outside the OU: not a target
    listed = "444444444444"
    targets = [_targets(tmp_path, "prod", {"accounts": [listed, in_deeper], "organizational_units": [workloads]})]
    out = tmp_path / "out"
    assert deploy_config.main(_target_args(_configs(tmp_path), targets, out), session=session) == 0
    expected = sorted([listed, direct, in_nested, in_deeper])
    assert json.loads((out / "prod-accounts-export.json").read_text()) == expected
    stdout = capsys.readouterr().out
    assert f"stage prod deploys to 4 account(s): {', '.join(expected)} (listed: " in stdout
    assert f"{workloads}: {', '.join(sorted([direct, in_nested, in_deeper]))})" in stdout


def test_pages_of_accounts_and_ous_are_followed(tmp_path: Path, session: Any) -> None:
    # moto answers 20 accounts / 20 OUs per page: 23 of each makes both lists take two pages.
    _register(["Approved"])
    org = _Organization()
    parent = org.ou("many")
    accounts = [org.account(f"a{index}", parent) for index in range(23)]
    children = [org.ou(f"child{index}", parent=parent) for index in range(23)]
    accounts.append(org.account("last-child", children[-1]))
    page = org.client.list_accounts_for_parent(ParentId=parent)
    assert page.get("NextToken") and len(page["Accounts"]) < 23  # moto really pages
    targets = [_targets(tmp_path, "prod", {"organizational_units": [parent]})]
    out = tmp_path / "out"
    assert deploy_config.main(_target_args(_configs(tmp_path), targets, out), session=session) == 0
    assert json.loads((out / "prod-accounts-export.json").read_text()) == sorted(accounts)


class _FakeOrganizations:
    """One account or OU per page, and accounts that carry only the older ``Status`` key."""

    def __init__(self, accounts: dict[str, list[dict[str, str]]], ous: dict[str, list[str]]) -> None:
        self.accounts = accounts
        self.ous = ous
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @staticmethod
    def _page(items: list[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
        start = int(request.get("NextToken", "0"))
        answer: dict[str, Any] = {key: items[start : start + 1]}
        if start + 1 < len(items):
            answer["NextToken"] = str(start + 1)
        return answer

    def list_accounts_for_parent(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("accounts", request))
        return self._page(self.accounts.get(request["ParentId"], []), request, "Accounts")

    def list_organizational_units_for_parent(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("ous", request))
        return self._page([{"Id": ou} for ou in self.ous.get(request["ParentId"], [])], request, "OrganizationalUnits")


def test_status_key_is_used_when_state_is_missing(tmp_path: Path) -> None:
    top, child = "ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb"
    organizations = _FakeOrganizations(
        accounts={
            top: [
                {"Id": "111111111111", "Status": "ACTIVE"},
                {"Id": "222222222222", "Status": "SUSPENDED"},
                {"Id": "333333333333", "State": "PENDING_CLOSURE", "Status": "ACTIVE"},  # State wins
            ],
            child: [{"Id": "444444444444", "State": "ACTIVE"}, {"Id": "555555555555", "Status": "ACTIVE"}],
        },
        ous={top: ["ou-ab12-cccccccc", child]},
    )
    targets = [_targets(tmp_path, "prod", {"organizational_units": [top]})]
    out = tmp_path / "out"
    stub = StubSession(sagemaker=_PagedSageMaker(), organizations=organizations)
    assert deploy_config.main(_target_args(_configs(tmp_path), targets, out), session=stub) == 0
    assert json.loads((out / "prod-accounts-export.json").read_text()) == [
        "111111111111",
        "444444444444",
        "555555555555",
    ]
    assert ("accounts", {"ParentId": top, "NextToken": "2"}) in organizations.calls
    assert ("ous", {"ParentId": top, "NextToken": "1"}) in organizations.calls


def test_ou_without_active_account_writes_nothing(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(["Approved"])
    org = _Organization()
    empty = org.ou("empty")
    closed = org.ou("closed")
    org.client.close_account(AccountId=org.account("gone", closed))
    # staging is fine and comes first: it must not be written either.
    targets = [
        _targets(tmp_path, "staging", {"accounts": ["444444444444"]}),
        _targets(tmp_path, "prod", {"organizational_units": [empty, closed]}),
    ]
    out = tmp_path / "out"
    args = _target_args(_configs(tmp_path), targets, out, "--share-with-target-accounts")
    assert deploy_config.main(args, session=_RecordingSession(session)) == 1
    assert capsys.readouterr().err == f"error: stage 'prod' targets no active account (OUs {empty}, {closed})\n"
    assert not out.exists()


def test_unknown_ou_is_one_line_naming_the_ou(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _register(["Approved"])
    _Organization()
    targets = [_targets(tmp_path, "prod", {"organizational_units": ["ou-zzzz-nothere1"]})]
    out = tmp_path / "out"
    assert deploy_config.main(_target_args(_configs(tmp_path), targets, out), session=session) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot list the accounts under ou-zzzz-nothere1 (stage 'prod', ")
    assert "ParentNotFoundException" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("prod.json", "{}", "must be named <stage>-targets.json"),
        ("-targets.json", "{}", "must be named <stage>-targets.json"),
        ("prod-targets.json", "{oops", "is not valid JSON"),
        ("prod-targets.json", '["444444444444"]', "must be a JSON object"),
        ("prod-targets.json", '{"accounts": ["444444444444"], "ous": []}', "unknown key(s) ous"),
        ("prod-targets.json", '{"accounts": ["44444444444"]}', 'accounts[0] "44444444444" is not a 12-digit'),
        ("prod-targets.json", '{"accounts": [444444444444]}', "accounts[0] must be a string"),
        ("prod-targets.json", '{"accounts": "444444444444"}', "accounts must be a JSON array"),
        ("prod-targets.json", '{"organizational_units": ["r-ab12"]}', 'organizational_units[0] "r-ab12" is not'),
        ("prod-targets.json", '{"organizational_units": ["ou-AB12-cdefgh34"]}', "is not an OU id"),
        ("prod-targets.json", "{}", "lists no accounts and no organizational_units"),
        ("prod-targets.json", '{"accounts": [], "organizational_units": []}', "lists no accounts"),
        ("dev-targets.json", '{"accounts": ["444444444444"]}', "stage 'dev' has no --stage-config (stages: staging"),
    ],
)
def test_bad_stage_targets_write_nothing(
    tmp_path: Path, name: str, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "out"
    # No client at all: targets are checked before any AWS call.
    assert deploy_config.main(_target_args(_configs(tmp_path), [path], out), session=StubSession()) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: stage targets ") or err.startswith("error: cannot read stage targets ")
    assert message in err and str(path) in err and err.count("\n") == 1
    assert not out.exists()


def test_duplicate_stage_targets_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _targets(tmp_path, "prod", {"accounts": ["444444444444"]})
    (tmp_path / "again").mkdir()
    second = _targets(tmp_path / "again", "prod", {"accounts": ["555555555555"]})
    out = tmp_path / "out"
    assert deploy_config.main(_target_args(_configs(tmp_path), [first, second], out), session=StubSession()) == 1
    assert "stage 'prod' has targets given more than once" in capsys.readouterr().err
    assert not out.exists()


def test_share_with_target_accounts_sets_group_policy(
    tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(["Approved"])
    org = _Organization()
    ou = org.ou("workloads")
    from_ou = org.account("prod", ou)
    targets = [
        _targets(tmp_path, "staging", {"accounts": [OWN_ACCOUNT, "444444444444"]}),
        _targets(tmp_path, "prod", {"accounts": ["444444444444"], "organizational_units": [ou]}),
    ]
    recording = _RecordingSession(session)
    out = tmp_path / "out"
    args = _target_args(_configs(tmp_path), targets, out, "--share-with-target-accounts")
    assert deploy_config.main(args, session=recording) == 0
    assert recording.requested.count("organizations") == 1

    # The own account stays a stack set target but needs no grant.
    assert json.loads((out / "staging-accounts-export.json").read_text()) == ["123456789012", "444444444444"]
    raw = recording.sagemaker.get_model_package_group_policy(ModelPackageGroupName=GROUP)["ResourcePolicy"]
    principals = {"AWS": [f"arn:aws:iam::{account}:root" for account in sorted(["444444444444", from_ou])]}
    expected = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TargetAccountsReadGroup",
                "Effect": "Allow",
                "Principal": principals,
                "Action": ["sagemaker:DescribeModelPackageGroup"],
                "Resource": GROUP_ARN,
            },
            {
                "Sid": "TargetAccountsDeployVersions",
                "Effect": "Allow",
                "Principal": principals,
                "Action": ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
                "Resource": f"{ARN}/*",
            },
        ],
    }
    assert json.loads(raw) == expected
    assert raw == json.dumps(expected, sort_keys=True)
    accounts = ", ".join(sorted(["444444444444", from_ou]))
    assert f"shared model package group {GROUP} with 2 account(s): {accounts}\n" in capsys.readouterr().out


def test_share_skips_when_only_own_account(tmp_path: Path, session: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _register(["Approved"])
    targets = [_targets(tmp_path, "prod", {"accounts": [OWN_ACCOUNT]})]
    recording = _RecordingSession(session, forbidden=("organizations",))
    out = tmp_path / "out"
    args = _target_args(_configs(tmp_path), targets, out, "--share-with-target-accounts")
    assert deploy_config.main(args, session=recording) == 0
    assert recording.sagemaker.policies == {}
    assert "not shared: no target account other than this one (123456789012)" in capsys.readouterr().out
    assert json.loads((out / "prod-accounts-export.json").read_text()) == [OWN_ACCOUNT]


def test_share_without_targets_changes_nothing(tmp_path: Path, session: Any) -> None:
    _register(["Approved"])
    recording = _RecordingSession(session)
    out = tmp_path / "out"
    assert (
        deploy_config.main(_target_args(_configs(tmp_path), [], out, "--share-with-target-accounts"), session=recording)
        == 0
    )
    assert recording.requested == ["sagemaker"]
    assert recording.sagemaker.policies == {}
    assert not list(out.glob("*-accounts-export.json"))
