"""Hub-and-spoke promotion (mlopsgen/runtime/promote.py) on moto with three accounts: spoke, hub, target.

moto keeps one backend per account and routes a request to the account of its credentials, so
assuming a role in the hub really writes into the hub's registry and bucket (MOTO_ACCOUNT_ID would
pin every request to one account: the tests assume roles into each account instead). moto does not evaluate
IAM (trust policies, bucket and key policies, model package group policies): denial is exercised
with a botocore Stubber answering AccessDenied, and the policies themselves are checked offline
(tests/test_hub_templates.py).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.runtime import deploy_config, deploy_stackset, promote

SPOKE, HUB, TARGET = "111111111111", "444444444444", "333333333333"
REGION = "eu-west-1"
SPOKE_GROUP = "abalone-spoke-p-hub123spoke"
HUB_GROUP = "central-abalone"
HUB_BUCKET = "acme-model-hub-eu-west-1"
PROMOTION_ROLE = f"arn:aws:iam::{HUB}:role/mlopsgen-model-hub-promotion"
IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def _in_account(account: str, role: str = "setup") -> boto3.session.Session:
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="test"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def _spoke_approved(status: str = "Approved") -> str:
    """The spoke registers a version (artifact + metrics in its bucket) and approves it."""
    spoke = _in_account(SPOKE, "spoke-ci")
    s3 = spoke.client("s3")
    s3.create_bucket(Bucket="sagemaker-project-p-hub123spoke", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="sagemaker-project-p-hub123spoke", Key="train/model.tar.gz", Body=b"model-bytes")
    s3.put_object(Bucket="sagemaker-project-p-hub123spoke", Key="eval/evaluation.json", Body=b'{"mse": 4.2}')
    sm = spoke.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=SPOKE_GROUP)
    arn = str(
        sm.create_model_package(
            ModelPackageGroupName=SPOKE_GROUP,
            ModelApprovalStatus="PendingManualApproval",
            InferenceSpecification={
                "Containers": [
                    {"Image": IMAGE, "ModelDataUrl": "s3://sagemaker-project-p-hub123spoke/train/model.tar.gz"}
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            ModelMetrics={
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": "s3://sagemaker-project-p-hub123spoke/eval/evaluation.json",
                    }
                }
            },
        )["ModelPackageArn"]
    )
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus=status)
    return arn


def _hub() -> tuple[boto3.session.Session, str]:
    """The hub account's one-time setup: key + alias, bucket, group (what the hub template creates)."""
    hub = _in_account(HUB)
    key = hub.client("kms").create_key()["KeyMetadata"]["Arn"]
    hub.client("kms").create_alias(AliasName="alias/model-hub", TargetKeyId=key)
    hub.client("s3").create_bucket(Bucket=HUB_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    hub.client("sagemaker").create_model_package_group(ModelPackageGroupName=HUB_GROUP)
    return hub, f"arn:aws:kms:{REGION}:{HUB}:alias/model-hub"


def _push_argv(alias: str) -> list[str]:
    return [
        "--source-group", SPOKE_GROUP, "--region", REGION, "--hub-role-arn", PROMOTION_ROLE,
        "--hub-region", REGION, "--hub-group", HUB_GROUP, "--hub-bucket", HUB_BUCKET, "--hub-kms-key", alias,
    ]  # fmt: skip


def _hub_packages(hub: boto3.session.Session) -> list[dict[str, Any]]:
    sm = hub.client("sagemaker")
    summaries = sm.list_model_packages(ModelPackageGroupName=HUB_GROUP)["ModelPackageSummaryList"]
    return [sm.describe_model_package(ModelPackageName=s["ModelPackageArn"]) for s in summaries]


def _assert_promoted(hub: boto3.session.Session, source_arn: str, alias: str) -> dict[str, Any]:
    (package,) = _hub_packages(hub)
    assert package["ModelPackageArn"].startswith(f"arn:aws:sagemaker:{REGION}:{HUB}:model-package/{HUB_GROUP}/")
    assert package["ModelApprovalStatus"] == "Approved"
    metadata = package["CustomerMetadataProperties"]
    assert metadata[promote.SOURCE_ACCOUNT] == SPOKE
    assert metadata[promote.SOURCE_PACKAGE] == source_arn
    (container,) = package["InferenceSpecification"]["Containers"]
    assert container["Image"] == IMAGE
    uri = container["ModelDataUrl"]
    assert uri.startswith(f"s3://{HUB_BUCKET}/models/{SPOKE}/{SPOKE_GROUP}/1/")
    head = hub.client("s3").head_object(Bucket=HUB_BUCKET, Key=uri.split("/", 3)[3])
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] in (alias, hub.client("kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"])
    body = hub.client("s3").get_object(Bucket=HUB_BUCKET, Key=uri.split("/", 3)[3])["Body"].read()
    assert body == b"model-bytes"
    metrics_uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    assert metrics_uri.startswith(f"s3://{HUB_BUCKET}/models/{SPOKE}/")
    return package


def test_push_promotes_into_the_hub_with_the_hub_key_and_lineage(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    source_arn = _spoke_approved()
    hub, alias = _hub()
    assert promote.main(_push_argv(alias), session=_in_account(SPOKE, "spoke-ci")) == 0
    _assert_promoted(hub, source_arn, alias)
    assert "promoted" in capsys.readouterr().out


def test_push_twice_creates_one_package(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    source_arn = _spoke_approved()
    hub, alias = _hub()
    assert promote.main(_push_argv(alias), session=_in_account(SPOKE, "spoke-ci")) == 0
    assert promote.main(_push_argv(alias), session=_in_account(SPOKE, "spoke-ci")) == 0
    _assert_promoted(hub, source_arn, alias)
    assert "already promoted" in capsys.readouterr().out


def test_push_refuses_a_version_that_is_not_approved(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    source_arn = _spoke_approved("Rejected")
    _, alias = _hub()
    assert promote.main([*_push_argv(alias), "--package-arn", source_arn], session=_in_account(SPOKE, "spoke-ci")) == 1
    assert "not Approved" in capsys.readouterr().err


def test_pull_handler_replicates_a_forwarded_event(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    source_arn = _spoke_approved()
    hub, alias = _hub()
    for key, value in {"SPOKE_ACCOUNTS": SPOKE, "HUB_GROUP": HUB_GROUP, "HUB_BUCKET": HUB_BUCKET}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUB_KMS_KEY", alias)
    event = {
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Package State Change",
        "account": SPOKE,
        "region": REGION,
        "detail": {
            "ModelPackageArn": source_arn,
            "ModelPackageGroupName": SPOKE_GROUP,
            "ModelApprovalStatus": "Approved",
        },
    }
    # The Lambda runs as the hub's replication role; it reads the spoke through <group>-hub-read.
    replication = _in_account(HUB, "mlopsgen-model-hub-replication")
    first = promote.handler(event, None, session=replication)
    again = promote.handler(event, None, session=replication)
    assert first["created"] and not again["created"] and first["hub_package"] == again["hub_package"]
    _assert_promoted(hub, source_arn, alias)
    rejected = {**event, "detail": {**event["detail"], "ModelApprovalStatus": "Rejected"}}
    promote.handler(rejected, None, session=replication)
    assert _hub_packages(hub)[0]["ModelApprovalStatus"] == "Rejected"


def test_pull_handler_refuses_an_account_that_is_not_a_spoke(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOKE_ACCOUNTS", SPOKE)
    arn = f"arn:aws:sagemaker:{REGION}:{TARGET}:model-package/x/1"
    event = {"account": TARGET, "detail": {"ModelPackageArn": arn, "ModelApprovalStatus": "Approved"}}
    with pytest.raises(promote.PromotionError, match="not from an admitted spoke"):
        promote.handler(event, None, session=boto3.session.Session(region_name=REGION))


def test_pull_handler_admits_an_ou_account_only_with_org_paths(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """With OU spokes the bus policy admitted the sender by org path; the event must still name its own package."""
    source_arn = _spoke_approved()
    hub, alias = _hub()
    for key, value in {"SPOKE_ACCOUNTS": "", "HUB_GROUP": HUB_GROUP, "HUB_BUCKET": HUB_BUCKET}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUB_KMS_KEY", alias)
    event = {
        "account": SPOKE,
        "detail": {
            "ModelPackageArn": source_arn,
            "ModelPackageGroupName": SPOKE_GROUP,
            "ModelApprovalStatus": "Approved",
        },
    }
    replication = _in_account(HUB, "mlopsgen-model-hub-replication")
    with pytest.raises(promote.PromotionError, match="not from an admitted spoke"):
        promote.handler(event, None, session=replication)
    monkeypatch.setenv("SPOKE_ORG_PATHS", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/")
    assert promote.handler(event, None, session=replication)["created"]
    forged = {**event, "account": TARGET}  # another account's event naming the spoke's package
    with pytest.raises(promote.PromotionError, match="not from an admitted spoke"):
        promote.handler(forged, None, session=replication)


class _ReadsHubRegistry:
    """The spoke's deploy job: SageMaker calls reach the hub registry, everything else the spoke.

    In AWS the hub group's resource policy lets the spoke read the hub's packages by group ARN;
    moto keeps one registry per account and evaluates no resource policy, so the ARN is served by
    the hub's backend here (the policy itself is checked in tests/test_hub_templates.py).
    """

    def __init__(self, spoke: boto3.session.Session, hub: boto3.session.Session) -> None:
        self.spoke, self.hub = spoke, hub

    def client(self, name: str, **kwargs: Any) -> Any:
        if name != "sagemaker":
            return self.spoke.client(name, **kwargs)
        client = self.hub.client(name, **kwargs)

        def describe_project(ProjectName: str) -> dict[str, Any]:  # noqa: N803
            # moto has no SageMaker projects: this flow runs without one (no project tags to add).
            error = {"Code": "ValidationException", "Message": f"Project {ProjectName} does not exist."}
            raise ClientError({"Error": error}, "DescribeProject")

        client.describe_project = describe_project
        return client


def _generated_argv(command: tuple[str, ...], out: Path, tmp_path: Path) -> list[str]:
    """A generated CI command's arguments, with the CI variables set as the deploy job sets them."""
    values = {
        "$SOURCE_MODEL_PACKAGE_GROUP_NAME": SPOKE_GROUP,
        "$AWS_REGION": REGION,
        "$SAGEMAKER_PROJECT_NAME": "abalone-spoke",
    }
    argv = [values.get(arg, arg).replace("generated/hub_spoke", str(out)) for arg in command[2:]]
    if "--output-dir" in argv:
        argv[argv.index("--output-dir") + 1] = str(tmp_path)
    return argv


def test_spoke_to_hub_to_target_account(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example's prod stage: promoted into the hub, deployed from the hub into the target account.

    The generated commands run in order: promote.py (push) in the spoke, deploy_config.py resolving
    the hub group's latest approved version, deploy_stackset.py creating the prod stack instance in
    the target account. There the model is created from the hub's package as the target account's
    model role, and that role reads the hub's copy of the artifact (encrypted with the hub key).
    """
    blueprint = Path(__file__).resolve().parents[1] / "blueprints" / "hub_spoke.yaml"
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None and plan.ci is not None and plan.deploy is not None
    multi = plan.deploy.multi_account
    assert multi is not None and multi.accounts == (TARGET,)
    out = tmp_path / "generated"
    files = mlopsgen.render(blueprint).files
    for rel, content in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(content if isinstance(content, bytes) else content.encode())

    # One-time setup: the hub's key, bucket and group; the target account's roles (target-account.yml).
    source_arn = _spoke_approved()
    hub, alias = _hub()
    target_cfn = _in_account(TARGET).client("cloudformation")
    target_cfn.create_stack(
        StackName="mlopsgen-target-account",
        TemplateBody=str(files["infrastructure/target-account.yml"]),
        Parameters=[{"ParameterKey": "TestPrincipalArns", "ParameterValue": f"arn:aws:iam::{SPOKE}:role/test"}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    assert target_cfn.describe_stacks(StackName="mlopsgen-target-account")["Stacks"][0]["StackStatus"] == (
        "CREATE_COMPLETE"
    )

    # The deploy job, as generated: promote, resolve from the hub, deploy the prod stack set.
    spoke = _in_account(SPOKE, "spoke-ci")
    promote_cmd, config_cmd, *_ = plan.ci.deploy_commands
    assert promote_cmd[1].endswith("promote.py") and config_cmd[1].endswith("deploy_config.py")
    assert promote.main(_generated_argv(promote_cmd, out, tmp_path), session=spoke) == 0
    hub_package = _hub_packages(hub)[0]
    assert "--share-with-target-accounts" not in config_cmd  # the hub template shares the hub group
    assert deploy_config.main(_generated_argv(config_cmd, out, tmp_path), session=_ReadsHubRegistry(spoke, hub)) == 0
    params = {
        p["ParameterKey"]: p["ParameterValue"] for p in json.loads((tmp_path / "prod-params-export.json").read_text())
    }
    assert params["ModelPackageName"] == hub_package["ModelPackageArn"] != source_arn
    assert json.loads((tmp_path / "prod-accounts-export.json").read_text()) == [TARGET]
    (tmp_path / "stackset-template-export.yml").write_text(str(files["model-deploy/endpoint-stackset-template.yml"]))
    ((stage, command),) = plan.ci.stackset_commands
    argv = [REGION if a == "$AWS_REGION" else a for a in command[2:]]
    argv = [str(tmp_path / a) if a.endswith((".json", ".yml")) else a for a in argv]
    assert deploy_stackset.main([*argv, "--poll-seconds", "0.01"], session=spoke) == 0, stage

    # In the target account: the model comes from the hub's package and runs as the target model role...
    target = _in_account(TARGET)
    sm = target.client("sagemaker")
    (model,) = sm.list_models()["Models"]
    described = sm.describe_model(ModelName=model["ModelName"])
    assert described["PrimaryContainer"]["ModelPackageName"] == hub_package["ModelPackageArn"]
    assert described["ExecutionRoleArn"] == f"arn:aws:iam::{TARGET}:role/{multi.model_role}"
    # ...which reads the hub's copy of the artifact, in the hub bucket under the hub key.
    (container,) = hub_package["InferenceSpecification"]["Containers"]
    bucket, key = container["ModelDataUrl"].removeprefix("s3://").split("/", 1)
    assert bucket == HUB_BUCKET
    as_model_role = _in_account(TARGET, multi.model_role).client("s3")
    read = as_model_role.get_object(Bucket=bucket, Key=key)
    assert read["Body"].read() == b"model-bytes"
    assert read["ServerSideEncryption"] == "aws:kms"
    capsys.readouterr()


class _Denying:
    """A session whose S3 client answers AccessDenied to the artifact read (moto grants everything)."""

    def __init__(self, real: boto3.session.Session) -> None:
        self.real = real
        self.stubs: list[Stubber] = []

    def client(self, name: str, **kwargs: Any) -> Any:
        client = self.real.client(name, **kwargs)
        if name == "s3":
            stub = Stubber(client)
            stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
            stub.activate()
            self.stubs.append(stub)
        return client


def test_access_denied_on_the_artifact_is_a_clear_error(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    _spoke_approved()
    hub, alias = _hub()
    assert promote.main(_push_argv(alias), session=_Denying(_in_account(SPOKE, "spoke-ci"))) == 1
    err = capsys.readouterr().err
    assert "cannot read s3://sagemaker-project-p-hub123spoke/train/model.tar.gz (AccessDenied)" in err
    assert "s3:GetObject" in err
    assert _hub_packages(hub) == []


def test_missing_promotion_role_is_a_clear_error(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    _spoke_approved()
    session = _in_account(SPOKE, "spoke-ci")
    sts = session.client("sts")
    stub = Stubber(sts)
    stub.add_client_error("assume_role", "AccessDenied", "not authorized to perform: sts:AssumeRole", 403)
    stub.activate()

    class _Session:
        def client(self, name: str, **kwargs: Any) -> Any:
            return sts if name == "sts" else session.client(name, **kwargs)

    assert promote.main(_push_argv("arn:aws:kms:eu-west-1:444444444444:alias/model-hub"), session=_Session()) == 1
    err = capsys.readouterr().err
    assert f"cannot assume {PROMOTION_ROLE} (AccessDenied)" in err and "trusts" in err


def test_copy_streams_the_body_unchanged(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="src-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.create_bucket(Bucket="dst-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    payload = bytes(range(256)) * 40000  # over the multipart threshold
    s3.upload_fileobj(io.BytesIO(payload), "src-bucket", "m/model.tar.gz")
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    target = promote.HubTarget("g", "dst-bucket", key)
    uri = promote.copy_object("s3://src-bucket/m/model.tar.gz", "models/x/model.tar.gz", s3, s3, target)
    assert s3.get_object(Bucket="dst-bucket", Key="models/x/model.tar.gz")["Body"].read() == payload
    assert uri == "s3://dst-bucket/models/x/model.tar.gz"
