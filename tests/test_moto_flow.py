"""The generated CodePipeline variant exercised against moto (no AWS account): every stage's endpoint
stack deploys, the definition is created and started through the SageMaker API, CodePipeline accepts
the deploy pipeline, and the runtime scripts run the whole flow end to end.

moto limits, stated where they matter: its CloudFormation skips AWS::ApplicationAutoScaling::*
(cfn-lint checks those), names endpoints after the logical resource instead of EndpointName (so
the tests read the stack output), and does not validate pipeline definitions or CodePipeline
action configurations beyond their structure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.runtime import deploy_config, deploy_stackset, run_pipeline, test_endpoint

from .conftest import BLUEPRINTS, ROOT

ACCOUNT = "123456789012"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def _render_into(blueprint: Path, out: Path) -> tuple[dict[str, str | bytes], Path]:
    """Render a blueprint and write its files under ``out``, as a checkout of the repository holds them."""
    files = mlopsgen.render(blueprint).files
    for rel, content in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):  # the sample payload, copied byte for byte
            (out / rel).write_bytes(content)
        else:
            (out / rel).write_text(content)
    return files, out


def _register_approved(region: str, group: str) -> str:
    sm = boto3.client("sagemaker", region_name=region)
    sm.create_model_package_group(ModelPackageGroupName=group)
    arn: str = sm.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/model:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    return arn


def _deploy_stack(region: str, stack: str, template: str, config_file: Path) -> str:
    cfn = boto3.client("cloudformation", region_name=region)
    config = json.loads(config_file.read_text())
    cfn.create_stack(
        StackName=stack,
        TemplateBody=template,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in config["Parameters"].items()],
        Tags=[{"Key": k, "Value": v} for k, v in config["Tags"].items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    return outputs["EndpointName"]


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_deploy_flow_end_to_end(blueprint: Path, aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Register and approve a model, resolve it, write configs, deploy and test every stage in order."""
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None and plan.deploy is not None
    region = plan.project.region
    files, out = _render_into(blueprint, tmp_path / "generated")
    package = _register_approved(region, plan.names.model_package_group)

    stage_configs = [str(out / f"model-deploy/{s.name}-config.json") for s in plan.deploy.stages]
    args = ["--model-package-group", plan.names.model_package_group, "--region", region, "--output-dir", str(tmp_path)]
    for config in stage_configs:
        args += ["--stage-config", config]
    assert deploy_config.main(args) == 0

    template = files["model-deploy/endpoint-config-template.yml"]
    sm = boto3.client("sagemaker", region_name=region)
    for stage in plan.deploy.stages:
        if stage.targets is not None:
            continue  # deployed by stack set: test_multi_account_flow_end_to_end
        export = tmp_path / f"{stage.name}-config-export.json"
        assert json.loads(export.read_text())["Parameters"]["ModelPackageName"] == package
        params = json.loads((tmp_path / f"{stage.name}-params-export.json").read_text())
        assert {"ParameterKey": "ModelPackageName", "ParameterValue": package} in params
        endpoint = _deploy_stack(region, stage.stack_name, template, export)
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
        if stage.test:
            test_args = ["--endpoint-name", endpoint, "--region", region, "--poll-seconds", "0.01"]
            test_args += ["--export-test-results", str(tmp_path / f"{stage.name}-results.json")]
            if plan.deploy.sample_payload is not None:
                test_args += ["--payload-file", str(ROOT / "blueprints" / plan.deploy.sample_payload.path)]
            assert test_endpoint.main(test_args) == 0
            results = json.loads((tmp_path / f"{stage.name}-results.json").read_text())
            assert results["success"] is True
    capsys.readouterr()


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_build_flow_creates_and_runs_the_pipeline(blueprint: Path, aws: None, tmp_path: Path) -> None:
    """The build script uploads the code to its content-addressed keys, creates the pipeline and runs it."""
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None and plan.ci is not None
    region = plan.project.region
    files = mlopsgen.render(blueprint).files
    for rel, content in files.items():  # the whole model-build tree, as CI checks it out
        if rel.startswith("model-build/"):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                (tmp_path / rel).write_bytes(content)
            else:
                (tmp_path / rel).write_text(content)
    s3 = boto3.client("s3", region_name=region)
    kwargs: dict[str, Any] = {}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(Bucket=plan.project.artifact_bucket, **kwargs)
    args = [
        "--definition", str(tmp_path / "model-build/pipeline-definition.json"),
        "--manifest", str(tmp_path / "model-build/code-manifest.json"),
        "--repo-root", str(ROOT / "blueprints"),
        "--pipeline-name", plan.names.pipeline,
        "--role-arn", plan.project.pipeline_role_arn,
        "--region", region,
        "--poll-seconds", "0.01",
    ]  # fmt: skip
    for name, value in plan.ci.execution_parameters:
        args += ["--parameter", f"{name}={value}"]
    assert run_pipeline.main(args) == 0
    sm = boto3.client("sagemaker", region_name=region)
    described = sm.describe_pipeline(PipelineName=plan.names.pipeline)
    assert json.loads(described["PipelineDefinition"]) == json.loads(files["model-build/pipeline-definition.json"])
    executions = sm.list_pipeline_executions(PipelineName=plan.names.pipeline)["PipelineExecutionSummaries"]
    assert len(executions) == 1
    for code in plan.code_files:
        bucket, _, key = code.s3_uri.removeprefix("s3://").partition("/")
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == (ROOT / "blueprints" / code.path).read_bytes()


def _resolve(node: Any, resources: dict[str, Any]) -> Any:
    """Replace CloudFormation intrinsics with plausible values, as CloudFormation would at deploy time."""
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return node["Ref"] if node["Ref"] not in resources else f"{node['Ref'].lower()}-resolved"
        if set(node) == {"Fn::GetAtt"}:
            return f"arn:aws:iam::{ACCOUNT}:role/{node['Fn::GetAtt'][0]}"
        if set(node) == {"Fn::Sub"}:
            return node["Fn::Sub"].replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", ACCOUNT)
        return {k: _resolve(v, resources) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, resources) for v in node]
    if isinstance(node, bool):
        return str(node).lower()  # the API takes configuration values as text
    return node


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_codepipeline_accepts_both_pipelines(blueprint: Path, aws: None) -> None:
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None
    region = plan.project.region
    stack = yaml.safe_load(mlopsgen.render(blueprint).files["infrastructure/project.yml"])
    resources = stack["Resources"]
    iam = boto3.client("iam", region_name=region)
    trust = resources["CodePipelineRole"]["Properties"]["AssumeRolePolicyDocument"]
    role = iam.create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    client = boto3.client("codepipeline", region_name=region)
    for logical in ("ModelBuildPipeline", "ModelDeployPipeline"):
        props = _resolve(resources[logical]["Properties"], resources)
        stages = [
            {
                "name": s["Name"],
                "actions": [
                    {
                        "name": a["Name"],
                        "actionTypeId": {k[0].lower() + k[1:]: v for k, v in a["ActionTypeId"].items()},
                        "runOrder": a["RunOrder"],
                        "configuration": {k: str(v) for k, v in a.get("Configuration", {}).items()},
                        "inputArtifacts": [{"name": i["Name"]} for i in a.get("InputArtifacts", [])],
                        "outputArtifacts": [{"name": o["Name"]} for o in a.get("OutputArtifacts", [])],
                    }
                    for a in s["Actions"]
                ],
            }
            for s in props["Stages"]
        ]
        created = client.create_pipeline(
            pipeline={
                "name": props["Name"],
                "roleArn": role,
                "artifactStore": {"type": "S3", "location": props["ArtifactStore"]["Location"]},
                "stages": stages,
            }
        )["pipeline"]
        assert [s["name"] for s in created["stages"]] == [s["Name"] for s in props["Stages"]]
    names = [s["name"] for s in client.get_pipeline(name=plan.names.deploy_pipeline)["pipeline"]["stages"]]
    assert names == ["Source", "Build", *(f"Deploy{s.name.capitalize()}" for s in plan.deploy.stages)]  # type: ignore[union-attr]


JENKINS_BLUEPRINTS = [b for b in BLUEPRINTS if "trigger_owner: jenkins" in b.read_text()]


@pytest.mark.parametrize("blueprint", JENKINS_BLUEPRINTS, ids=[b.stem for b in JENKINS_BLUEPRINTS])
def test_jenkins_trigger_stack_deploys_and_its_lambda_calls_the_deploy_job(
    blueprint: Path, aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trigger stack creates its secret from NoEcho parameters in the format the Lambda reads; the
    Lambda (run in-process, as moto cannot run Lambda containers here) then calls the deploy job."""
    import http.server
    import threading

    from mlopsgen.runtime import jenkins_trigger

    plan, _ = plan_blueprint(blueprint)
    assert plan is not None
    region = plan.project.region
    text = mlopsgen.render(blueprint).files["infrastructure/jenkins-trigger.yml"]
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_stack(
        StackName="jenkins-trigger",
        TemplateBody=text,
        Parameters=[
            {"ParameterKey": "JenkinsUser", "ParameterValue": "deployer"},
            {"ParameterKey": "JenkinsApiToken", "ParameterValue": "api-secret-123"},
            {"ParameterKey": "JenkinsJobToken", "ParameterValue": "job-secret-456"},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    assert cfn.describe_stacks(StackName="jenkins-trigger")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    template = yaml.safe_load(text)
    # moto's CloudFormation skips AWS::SecretsManager::Secret, so create it from the template's own
    # SecretString, substituting the parameters as CloudFormation would: this checks the format contract.
    secret_string = template["Resources"]["JenkinsSecret"]["Properties"]["SecretString"]["Fn::Sub"]
    for key, value in (
        ("JenkinsUser", "deployer"),
        ("JenkinsApiToken", "api-secret-123"),
        ("JenkinsJobToken", "job-secret-456"),
    ):
        secret_string = secret_string.replace("${" + key + "}", value)
    secret_arn = boto3.client("secretsmanager", region_name=region).create_secret(
        Name="jenkins-trigger", SecretString=secret_string
    )["ARN"]
    variables = template["Resources"]["TriggerFunction"]["Properties"]["Environment"]["Variables"]
    pattern = template["Resources"]["ApprovalRule"]["Properties"]["EventPattern"]
    assert pattern["detail"] == {
        "ModelPackageGroupName": [plan.names.model_package_group],
        "ModelApprovalStatus": ["Approved", "Rejected"],
    }
    seen: list[tuple[str, str, str]] = []

    class Jenkins(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            seen.append((self.command, self.path, self.headers.get("Authorization", "")))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Jenkins)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("JENKINS_URL", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("ALLOW_HTTP", "true")
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)  # Lambda sets AWS_REGION; boto3 reads this
        monkeypatch.setenv("JENKINS_JOB", variables["JENKINS_JOB"])
        monkeypatch.setenv("JENKINS_SECRET_ARN", secret_arn)
        event = {
            "detail": {
                "ModelPackageGroupName": plan.names.model_package_group,
                "ModelPackageArn": f"arn:aws:sagemaker:{region}:{ACCOUNT}:model-package/x/1",
                "ModelApprovalStatus": "Approved",
                "ModelPackageVersion": 1,
            }
        }
        result = jenkins_trigger.lambda_handler(event, None)
    finally:
        server.shutdown()
    assert result["status"] == 201
    ((method, path, auth),) = seen
    assert method == "POST"
    assert path.startswith(f"/job/{plan.names.deploy_job}/buildWithParameters?token=job-secret-456")
    import base64

    assert base64.b64decode(auth.split()[1]).decode() == "deployer:api-secret-123"


def _session_in(account: str, region: str) -> Any:
    """A moto session acting in another account (moto lets the test assume any role there)."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="setup"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


class _SharingRecorded:
    """moto 5.2.5 has no PutModelPackageGroupPolicy: record that call, pass everything else to moto."""

    def __init__(self, region: str) -> None:
        self.session = boto3.session.Session(region_name=region)
        self.policies: dict[str, Any] = {}

    def client(self, name: str, **kwargs: Any) -> Any:
        client = self.session.client(name, **kwargs)
        if name == "sagemaker":
            recorded = self.policies

            def put_model_package_group_policy(ModelPackageGroupName: str, ResourcePolicy: str) -> dict[str, Any]:  # noqa: N803
                recorded[ModelPackageGroupName] = json.loads(ResourcePolicy)
                return {}

            def describe_project(ProjectName: str) -> dict[str, Any]:  # noqa: N803
                # moto has no SageMaker projects: this flow runs without one (no project tags to add).
                from botocore.exceptions import ClientError

                error = {"Code": "ValidationException", "Message": f"Project {ProjectName} does not exist."}
                raise ClientError({"Error": error}, "DescribeProject")

            client.put_model_package_group_policy = put_model_package_group_policy
            client.describe_project = describe_project
        return client


def _organization(region: str) -> tuple[dict[str, str], list[str]]:
    """An organization with two prod OUs (one nested) and their accounts; returns OU ids and prod accounts."""
    org = boto3.client("organizations", region_name=region)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    prod = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
    prod_eu = org.create_organizational_unit(ParentId=prod, Name="prod-eu")["OrganizationalUnit"]["Id"]
    other = org.create_organizational_unit(ParentId=root, Name="sandbox")["OrganizationalUnit"]["Id"]
    accounts = []
    for name, parent in (("prod-a", prod), ("prod-eu-b", prod_eu), ("sandbox", other)):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=parent)
        accounts.append(status["AccountId"])
    return {"prod": prod, "prod-eu": prod_eu}, sorted(accounts[:2])


def test_multi_account_flow_end_to_end(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """fraud_secure's staging (account list) and prod (OUs) stages reach their accounts through stack sets.

    One-time setup as the README says (target-account.yml in each target account, the administration
    stack in the project account), then the generated commands: deploy_config resolves the OUs and
    shares the model package group, deploy_stackset creates each stage's stack set and instances, and
    the endpoint exists in every target account, read back there and smoke-tested through the test role.
    The example's OU ids are replaced by the ids moto gave the OUs it created (moto picks them).
    """
    blueprint = ROOT / "blueprints" / "fraud_secure.yaml"
    plan, _ = plan_blueprint(blueprint)
    assert plan is not None and plan.deploy is not None and plan.deploy.multi_account is not None
    multi = plan.deploy.multi_account
    region = plan.project.region
    files, out = _render_into(blueprint, tmp_path / "generated")
    units, prod_accounts = _organization(region)
    prod_targets = json.loads((out / "model-deploy/prod-targets.json").read_text())
    assert len(prod_targets["organizational_units"]) == 2
    (out / "model-deploy/prod-targets.json").write_text(json.dumps({"organizational_units": list(units.values())}))
    staging_accounts = sorted(json.loads((out / "model-deploy/staging-targets.json").read_text())["accounts"])

    # One-time setup: the administration stack here, the target-account stack in every target account.
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_stack(
        StackName="stackset-admin",
        TemplateBody=files["infrastructure/stackset-administration.yml"],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    assert cfn.describe_stacks(StackName="stackset-admin")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    for account in staging_accounts + prod_accounts:
        target = _session_in(account, region).client("cloudformation")
        target.create_stack(
            StackName="mlopsgen-target-account",
            TemplateBody=files["infrastructure/target-account.yml"],
            Parameters=[
                {"ParameterKey": "SubnetIds", "ParameterValue": "subnet-0123456789abcdef0,subnet-0fedcba9876543210"},
                {"ParameterKey": "SecurityGroupIds", "ParameterValue": "sg-0123456789abcdef0"},
                {
                    "ParameterKey": "VolumeKmsKeyArn",
                    "ParameterValue": f"arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                },
                {"ParameterKey": "TestPrincipalArns", "ParameterValue": f"arn:aws:iam::{ACCOUNT}:role/test"},
            ],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        described = target.describe_stacks(StackName="mlopsgen-target-account")["Stacks"][0]
        assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
        iam = _session_in(account, region).client("iam")
        for role in (multi.execution_role, multi.model_role, multi.test_role):
            assert iam.get_role(RoleName=role)["Role"]["Arn"] == f"arn:aws:iam::{account}:role/{role}"

    # The deploy build: resolve the approved package and the OUs, share the group, write the exports.
    package = _register_approved(region, plan.names.model_package_group)
    recorder = _SharingRecorded(region)
    (command,) = [c for c in plan.ci.deploy_commands if c[1].endswith("deploy_config.py")]  # type: ignore[union-attr]
    argv = [arg.replace("$SOURCE_MODEL_PACKAGE_GROUP_NAME", plan.names.model_package_group) for arg in command[2:]]
    argv = [arg.replace("$SAGEMAKER_PROJECT_NAME", plan.project.name) for arg in argv]
    argv = [arg.replace("$AWS_REGION", region).replace(plan.ci.output_dir, str(out)) for arg in argv]  # type: ignore[union-attr]
    argv[argv.index("--output-dir") + 1] = str(tmp_path)
    assert deploy_config.main(argv, session=recorder) == 0
    assert json.loads((tmp_path / "staging-accounts-export.json").read_text()) == staging_accounts
    assert json.loads((tmp_path / "prod-accounts-export.json").read_text()) == prod_accounts  # sandbox left out
    (policy,) = recorder.policies.values()
    principals = {p for s in policy["Statement"] for p in s["Principal"]["AWS"]}
    assert principals == {f"arn:aws:iam::{a}:root" for a in staging_accounts + prod_accounts}
    (tmp_path / "stackset-template-export.yml").write_text(files["model-deploy/endpoint-stackset-template.yml"])

    # Each stack set stage, as the Jenkinsfile runs it (CodePipeline's action takes the same inputs).
    for stage_name, command in plan.ci.stackset_commands:  # type: ignore[union-attr]
        argv = [arg.replace("$AWS_REGION", region) for arg in command[2:]]
        argv = [str(tmp_path / arg) if arg.endswith((".json", ".yml")) else arg for arg in argv]
        assert deploy_stackset.main(argv + ["--poll-seconds", "0.01"]) == 0, stage_name
        stage = next(s for s in plan.deploy.stages if s.name == stage_name)
        instances = cfn.list_stack_instances(StackSetName=stage.stack_name)["Summaries"]
        expected = staging_accounts if stage_name == "staging" else prod_accounts
        assert sorted(i["Account"] for i in instances) == expected
        for account in expected:
            sm = _session_in(account, region).client("sagemaker")
            (endpoint,) = sm.list_endpoints()["Endpoints"]
            config = sm.describe_endpoint_config(
                EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint["EndpointName"])["EndpointConfigName"]
            )
            assert config["KmsKeyId"].startswith(f"arn:aws:kms:{region}:{account}:key/")  # the account's own key
            (model,) = sm.list_models()["Models"]
            described = sm.describe_model(ModelName=model["ModelName"])
            assert described["ExecutionRoleArn"] == f"arn:aws:iam::{account}:role/{multi.model_role}"
            assert described["VpcConfig"]["Subnets"] == ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
            assert described["PrimaryContainer"]["ModelPackageName"] == package
            if stage.test:
                # moto names each account's endpoint after its logical id plus a random suffix (AWS uses
                # EndpointName, the same in every account), so each account is tested under its own name;
                # --stack-set-name with one shared name is tested in tests/unit/runtime.
                results = tmp_path / f"{stage_name}-{account}-results.json"
                accounts_file = tmp_path / f"{account}.json"
                accounts_file.write_text(json.dumps([account]))
                test_args = ["--endpoint-name", endpoint["EndpointName"], "--region", region, "--poll-seconds", "0.01"]
                test_args += ["--accounts-file", str(accounts_file), "--role-name", multi.test_role]
                assert test_endpoint.main(test_args + ["--export-test-results", str(results)]) == 0
                assert json.loads(results.read_text())["passed"] is True
    capsys.readouterr()
