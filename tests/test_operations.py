"""Schedules, new-data trigger and notifications: expressions, AWS request shapes, policies, moto, review.

Shapes and limits come from AWS's own data: botocore's scheduler and events service models (the
parameters a schedule or rule sends to the pipeline), and the scheduler's documented expression
syntax (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from moto import mock_aws

import mlopsgen
from mlopsgen.audit import audit_template
from mlopsgen.blueprint.operations import expression_problem, time_zones
from mlopsgen.runtime import notify
from mlopsgen.targets.operations import input_template
from mlopsgen.views.review_risks import risks
from tests.unit.views.support import edit, summary_of, text

from .conftest import ROOT
from .support.blueprint_strategy import blueprints
from .support.cfn import lint
from .support.cfn_permissions import handler_permissions

FRAUD = ROOT / "blueprints" / "fraud_secure.yaml"


@pytest.fixture(scope="module")
def fraud_files() -> dict[str, Any]:
    result = mlopsgen.render(FRAUD)
    assert result.ok, [d.format() for d in result.diagnostics]
    return dict(result.files)


@pytest.fixture(scope="module")
def operations(fraud_files: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load(fraud_files["infrastructure/operations.yml"])
    return body


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == kind}


# --- expressions ---------------------------------------------------------------------------------

# Examples from the EventBridge Scheduler and EventBridge cron/rate documentation.
VALID = [
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0 0 L * ? *)",
    "cron(0 0 ? * 6L *)",
    "cron(0 0 15W * ? *)",
    "cron(0 0 LW * ? *)",
    "cron(30 2 * JAN,JUL ? 2027)",
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(7 days)",
    "at(2026-11-20T13:00:00)",
]
INVALID = [
    "cron(0 10 * * *)",  # five fields (Unix cron)
    "cron(0 10 * * ? * *)",
    "cron(0 10 * * MON *)",  # neither day field is ?
    "cron(0 10 ? * ? *)",  # both are
    "cron(60 10 * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 0 32 * ? *)",
    "cron(0 0 ? 13 ? *)",
    "cron(0 0 ? * MON#6 *)",
    "cron(0 ? * * ? *)",
    "cron(0 0 * * ? 1969)",
    "cron(0 0 1W-5 * ? *)",
    "rate(0 minutes)",
    "rate(1 hours)",
    "rate(2 hour)",
    "rate(1 week)",
    "rate(-1 days)",
    "at(2026-11-20 13:00:00)",
    "at(2026-02-30T25:00:00)",
    "every day",
    "",
]


@pytest.mark.parametrize("expression", VALID)
def test_documented_expressions_are_accepted(expression: str) -> None:
    assert expression_problem(expression) == ""


@pytest.mark.parametrize("expression", INVALID)
def test_expressions_the_scheduler_refuses_are_reported(expression: str) -> None:
    assert expression_problem(expression) != ""


# --- request shapes ------------------------------------------------------------------------------


def _shape_ok(shape: Any, value: str) -> bool:
    meta = shape.metadata
    return meta.get("min", 0) <= len(value) <= meta.get("max", 10**9) and bool(
        re.fullmatch(meta.get("pattern", ".*"), value, re.S)
    )


@pytest.mark.parametrize("service", ["scheduler", "events"])
def test_pipeline_parameters_fit_the_service_models(service: str, operations: dict[str, Any]) -> None:
    """Every SageMakerPipelineParameters entry a schedule or rule sends fits botocore's shape for it."""
    model = botocore.session.get_session().get_service_model(service)
    parameter = model.shape_for("SageMakerPipelineParameter")
    targets = (
        [p["Target"] for p in _of_type(operations, "AWS::Scheduler::Schedule").values()]
        if service == "scheduler"
        else [t for p in _of_type(operations, "AWS::Events::Rule").values() for t in p["Targets"]]
    )
    lists = [
        t["SageMakerPipelineParameters"]["PipelineParameterList"] for t in targets if "SageMakerPipelineParameters" in t
    ]
    assert lists, f"no {service} target starts the pipeline"
    for entries in lists:
        assert (
            len(entries)
            <= model.shape_for("SageMakerPipelineParameters").members["PipelineParameterList"].metadata["max"]
        )
        for entry in entries:
            assert set(entry) == set(parameter.members)
            for key, value in entry.items():
                assert _shape_ok(parameter.members[key], value), (key, value)


def test_schedule_names_fit_create_schedule(operations: dict[str, Any]) -> None:
    request = botocore.session.get_session().get_service_model("scheduler").operation_model("CreateSchedule")
    members = request.input_shape.members
    for props in _of_type(operations, "AWS::Scheduler::Schedule").values():
        assert _shape_ok(members["Name"], props["Name"])
        assert props["ScheduleExpressionTimezone"] == "Europe/Berlin"
        assert props["State"] in members["State"].enum
    (group,) = _of_type(operations, "AWS::Scheduler::ScheduleGroup").values()
    assert _shape_ok(members["GroupName"], group["Name"])


def test_scheduled_values_are_the_blueprints(operations: dict[str, Any]) -> None:
    schedules = {p["Name"]: p for p in _of_type(operations, "AWS::Scheduler::Schedule").values()}
    weekly = schedules["weekly-strict"]["Target"]["SageMakerPipelineParameters"]["PipelineParameterList"]
    assert weekly == [{"Name": "MaxFalsePositiveRate", "Value": "0.01"}]
    assert schedules["weekly-strict"]["ScheduleExpression"] == "cron(0 4 ? * SUN *)"


# --- policies ------------------------------------------------------------------------------------


def test_start_roles_are_scoped_to_this_pipeline_and_their_caller(operations: dict[str, Any]) -> None:
    roles = _of_type(operations, "AWS::IAM::Role")
    assert set(roles) == {"ScheduleRole", "NewDataRole"}
    for name, service, source in (
        ("ScheduleRole", "scheduler.amazonaws.com", ":schedule/fraud-p-secure0001/*"),
        ("NewDataRole", "events.amazonaws.com", ":rule/sagemaker-fraud-p-secure0001-new-data"),
    ):
        (trust,) = roles[name]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": service}
        assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert trust["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"].endswith(source)
        (policy,) = roles[name]["Policies"]
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert statement["Action"] == ["sagemaker:StartPipelineExecution"]
        # SageMaker writes pipeline ARNs in lower case; IAM compares them case-sensitively.
        (arn,) = statement["Resource"]
        assert arn["Fn::Sub"].endswith(":pipeline/fraud-p-secure0001")


def test_encrypted_topic_lets_eventbridge_use_its_key_and_publish(operations: dict[str, Any]) -> None:
    """EventBridge publishing to an SSE-KMS topic needs kms:GenerateDataKey* and kms:Decrypt in the key policy."""
    resources = operations["Resources"]
    assert resources["Topic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "TopicKey"}
    key = resources["TopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    events = [s for s in key["KeyPolicy"]["Statement"] if s["Principal"] == {"Service": ["events.amazonaws.com"]}]
    assert len(events) == 1 and {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(events[0]["Action"])
    (publish,) = resources["TopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert publish["Action"] == "sns:Publish" and publish["Principal"] == {"Service": ["events.amazonaws.com"]}
    jenkins = resources["JenkinsNotifyPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    granted = {action for s in jenkins for action in s["Action"]}
    assert granted == {"sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"}


def test_unencrypted_topic_without_security() -> None:
    folder = ROOT / "blueprints"
    code = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    blueprint = text("abalone") + "notifications: {pipeline_succeeded: true}\n"
    result = mlopsgen.render(blueprint, name="abalone.yaml", code=code)
    assert result.ok, [d.format() for d in result.diagnostics]
    files = result.files
    template = yaml.safe_load(files["infrastructure/operations.yml"])
    assert "TopicKey" not in template["Resources"]
    assert "KmsMasterKeyId" not in template["Resources"]["Topic"]["Properties"]
    pattern = template["Resources"]["PipelineAlertRule"]["Properties"]["EventPattern"]
    assert pattern["detail"]["currentPipelineExecutionStatus"] == ["Failed", "Succeeded"]
    # The Guard pack flags the unencrypted topic (a secure blueprint cannot produce one: MLG414).
    findings = audit_template(template, "operations.yml")
    assert [(f.resource, f.rule) for f in findings] == [("Topic", "sns_topic_kms_encrypted")]


# --- escaping ------------------------------------------------------------------------------------

HOSTILE = ['say "hi"', "back\\slash", "<script>", "a\nb", "}{", "ünï ✓", "<execution>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_input_template_keeps_literals_inert(value: str) -> None:
    template = input_template(f"{value} ran {{execution}}", ("execution",))
    assert template.count("<") == 1 and template.count(">") == 1  # the one placeholder
    filled = template.replace("<execution>", "arn:x")
    assert json.loads(filled) == f"{value.replace('<', '(').replace('>', ')')} ran arn:x"


# --- notify.py and moto --------------------------------------------------------------------------


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


def test_operations_stack_deploys_and_jenkins_notice_reaches_the_topic(
    aws: None, fraud_files: dict[str, Any], operations: dict[str, Any]
) -> None:
    """moto creates the stack (it skips AWS::Scheduler::*: the schedules are created from their own
    properties with the scheduler API instead), then notify.py publishes to the stack's topic."""
    region = "eu-central-1"
    cfn = boto3.client("cloudformation", region_name=region)
    body = yaml.safe_load(fraud_files["infrastructure/operations.yml"])
    del body["Resources"]["TopicKey"]["Properties"]["Tags"]  # moto 5.2.5 reads KMS tags as TagKey/TagValue
    cfn.create_stack(StackName="operations", TemplateBody=json.dumps(body), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName="operations")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    topic_arn = outputs["TopicArn"]
    assert topic_arn.endswith(":sagemaker-fraud-p-secure0001-notifications")
    rules = boto3.client("events", region_name=region).list_rules(NamePrefix="sagemaker-fraud-p-secure0001")["Rules"]
    assert sorted(r["Name"] for r in rules) == [
        "sagemaker-fraud-p-secure0001-deploy-alert",
        "sagemaker-fraud-p-secure0001-new-data",
        "sagemaker-fraud-p-secure0001-pipeline-alert",
    ]
    scheduler = boto3.client("scheduler", region_name=region)
    (group,) = _of_type(operations, "AWS::Scheduler::ScheduleGroup").values()
    scheduler.create_schedule_group(Name=group["Name"])
    for props in _of_type(operations, "AWS::Scheduler::Schedule").values():
        target = {**props["Target"], "Arn": "arn:aws:sagemaker:eu-central-1:123456789012:pipeline/fraud-p-secure0001"}
        target["RoleArn"] = "arn:aws:iam::123456789012:role/schedule"
        scheduler.create_schedule(
            Name=props["Name"],
            GroupName=group["Name"],
            ScheduleExpression=props["ScheduleExpression"],
            ScheduleExpressionTimezone=props["ScheduleExpressionTimezone"],
            FlexibleTimeWindow=props["FlexibleTimeWindow"],
            State=props["State"],
            Target=target,
        )
    listed = scheduler.list_schedules(GroupName=group["Name"])["Schedules"]
    assert sorted(s["Name"] for s in listed) == ["nightly", "weekly-strict"]
    # The Jenkins post { failure } command, pointed at the topic moto created (its account differs).
    jenkinsfile = fraud_files["model-deploy/jenkins/Jenkinsfile"]
    assert "scripts/notify.py --topic-arn arn:aws:sns:eu-central-1:333333333333:" in jenkinsfile
    sns = boto3.client("sns", region_name=region)
    queue = boto3.client("sqs", region_name=region).create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = boto3.client("sqs", region_name=region).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    argv = ["--topic-arn", topic_arn, "--region", region, "--subject", "deploy failed", "--build-url", "http://j/1"]
    assert notify.main(argv) == 0
    (message,) = boto3.client("sqs", region_name=region).receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(message["Body"])
    assert body["Subject"] == "deploy failed" and "http://j/1" in body["Message"]


def test_notify_never_hides_the_deployment_failure(capsys: pytest.CaptureFixture[str]) -> None:
    class Broken:
        def client(self, name: str, region_name: str) -> Any:
            raise RuntimeError("no credentials\nat all")

    arn = "arn:aws:sns:eu-central-1:333333333333:topic"
    assert notify.main(["--topic-arn", arn, "--region", "eu-central-1", "--subject", "x"], session=Broken()) == 0
    assert "warning: could not publish" in capsys.readouterr().err
    assert notify.main(["--topic-arn", "not-an-arn", "--region", "eu-central-1", "--subject", "x"]) == 2


# --- review --------------------------------------------------------------------------------------

NOTIFICATIONS = (
    "notifications:\n  pipeline_failed: true\n  deploy_failed: true\n  email: [fraud-ml-oncall@example.com]\n"
)


def _risks(new_text: str) -> list[str]:
    return risks(summary_of(text("fraud_secure")), summary_of(new_text))


def test_removing_notifications_is_a_risk() -> None:
    assert "notifications removed: failed pipeline executions and deployments no longer notify anyone" in _risks(
        edit("fraud_secure", (NOTIFICATIONS, ""))
    )


def test_switching_off_failure_notices_is_a_risk() -> None:
    found = _risks(edit("fraud_secure", ("  deploy_failed: true\n", "  deploy_failed: false\n")))
    assert found == ["failed deployments no longer notify anyone"]


def test_schedule_changes_are_risks() -> None:
    found = _risks(edit("fraud_secure", ("cron(0 4 ? * SUN *)", "cron(0 4 ? * SAT *)")))
    assert found == [
        "schedule `weekly-strict` changed from `cron(0 4 ? * SUN *) in Europe/Berlin` with "
        "`MaxFalsePositiveRate`=`0.01` to `cron(0 4 ? * SAT *) in Europe/Berlin` with `MaxFalsePositiveRate`=`0.01`"
    ]
    removed = _risks(
        edit(
            "fraud_secure",
            (
                "    - name: nightly\n      expression: cron(30 2 * * ? *)\n",
                "    - name: nightly\n      expression: rate(1 day)\n",
            ),
        )
    )
    assert len(removed) == 1 and removed[0].startswith("schedule `nightly` changed from `cron(30 2 * * ? *)")


def test_new_data_trigger_removed_is_a_risk() -> None:
    found = _risks(
        edit(
            "fraud_secure",
            (
                "  on_new_data:\n    prefix: s3://fraud-data-333333333333/labelled/\n"
                '    parameters: {TransactionsUrl: "s3://fraud-data-333333333333/labelled/"}\n',
                "",
            ),
        )
    )
    assert found == ["the pipeline no longer starts on new data under `s3://fraud-data-333333333333/labelled/`"]


def test_unchanged_operations_are_no_risk() -> None:
    assert _risks(text("fraud_secure")) == []


# --- generated blueprints ------------------------------------------------------------------------


@settings(max_examples=20, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=blueprints())
def test_drawn_operations_pass_cfn_lint_and_keep_their_values(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    """Every operations template the generator leads to lints clean, and each parameter value arrives intact."""
    blueprint, code = drawn
    pipeline = blueprint["pipeline"]
    assume("schedules" in pipeline or "on_new_data" in pipeline or "notifications" in blueprint)
    result = mlopsgen.render(blueprint, code=code)
    assert result.ok, [d.format() for d in result.diagnostics]
    text_ = result.files["infrastructure/operations.yml"]
    assert isinstance(text_, str)
    assert lint(text_, blueprint["project"]["region"]) == []
    template = yaml.safe_load(text_)
    schedules = {p["Name"]: p for p in _of_type(template, "AWS::Scheduler::Schedule").values()}
    for schedule in pipeline.get("schedules", []):
        sent = schedules[schedule["name"]]["Target"]["SageMakerPipelineParameters"]["PipelineParameterList"]
        expected = schedule.get("parameters", {})
        # A value shaped like a substitution is an Fn::Join of literal pieces: CloudFormation sends its text.
        assert {e["Name"]: _joined(e["Value"]) for e in sent} == {
            k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in expected.items()
        }


def _joined(value: Any) -> Any:
    """What CloudFormation makes of a literal or an ``Fn::Join`` of literals."""
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        delimiter, parts = value["Fn::Join"]
        assert all(isinstance(p, str) for p in parts), value
        return delimiter.join(parts)
    return value


# --- one CI variant at a time --------------------------------------------------------------------


def _fraud_with(*replacements: tuple[str, str]) -> dict[str, Any]:
    folder = ROOT / "blueprints"
    code = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = mlopsgen.render(edit("fraud_secure", *replacements), name="fraud_secure.yaml", code=code)
    assert result.ok, [d.format() for d in result.diagnostics]
    return dict(result.files)


def test_jenkins_only_reports_failed_deployments_from_the_job() -> None:
    files = _fraud_with(("backends: [codepipeline, jenkins]", "backends: [jenkins]"))
    resources = yaml.safe_load(files["infrastructure/operations.yml"])["Resources"]
    assert "DeployAlertRule" not in resources and "JenkinsNotifyPolicy" in resources
    assert "post {\n    failure {" in files["model-deploy/jenkins/Jenkinsfile"]
    assert "model-deploy/scripts/notify.py" in files


def test_codepipeline_only_reports_failed_deployments_from_eventbridge() -> None:
    files = _fraud_with(
        ("backends: [codepipeline, jenkins]", "backends: [codepipeline]"),
        (
            "  trigger_owner: jenkins        # Jenkins polls and takes the approval trigger;"
            " CodePipeline runs on demand\n",
            "",
        ),
        (
            "  jenkins:\n    url: https://jenkins.fraud.example.com/ci\n    polling: H/15 * * * *\n"
            "    deploy_timeout_minutes: 45\n",
            "",
        ),
    )
    resources = yaml.safe_load(files["infrastructure/operations.yml"])["Resources"]
    assert "DeployAlertRule" in resources and "JenkinsNotifyPolicy" not in resources
    assert "model-deploy/scripts/notify.py" not in files


@pytest.mark.parametrize("kind", sorted({"AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup", "AWS::SNS::Topic",
                                          "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription", "AWS::Events::Rule",
                                          "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::IAM::ManagedPolicy"}))  # fmt: skip
def test_permission_data_covers_the_operations_resource_types(kind: str, operations: dict[str, Any]) -> None:
    """The provider schemas the permission test reads know each type operations.yml creates, and a
    schedule's create handler passes its role (who deploys operations.yml needs iam:PassRole on it)."""
    assert kind in {r["Type"] for r in operations["Resources"].values()}
    permissions = handler_permissions(kind)
    assert all(permissions.get(h) for h in ("create", "delete")), permissions
    if kind == "AWS::Scheduler::Schedule":
        assert "iam:PassRole" in permissions["create"]


def test_time_zone_table_is_iana_names() -> None:
    """The shipped table (not the host's database) decides MLG411; every name in it is a real zone."""
    import zoneinfo

    zones = time_zones()
    assert {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"} <= zones
    host = zoneinfo.available_timezones()
    if host:  # where the host has a tz database, the table names zones it knows
        assert zones <= host


def test_subscription_changes_are_listed_in_their_section() -> None:
    from mlopsgen.views.review import review_markdown

    new = edit("fraud_secure", ("email: [fraud-ml-oncall@example.com]", "email: [fraud-ml-lead@example.com]"))
    markdown = review_markdown("fraud_secure.yaml", summary_of(text("fraud_secure")), summary_of(new), [])
    section = markdown.split("#### Schedules and notifications\n\n", 1)[1]
    assert section.startswith("- Notification subscriptions: ")
    assert "fraud-ml-lead@example.com" in section and "fraud-ml-oncall@example.com" in section


def test_operations_diagram_escapes_endpoints_and_links_every_trigger() -> None:
    from mlopsgen.api import plan_blueprint
    from mlopsgen.views.graph_operations import operations_mermaid

    folder = ROOT / "blueprints"
    code = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    hostile = 'https://hooks.example.com/a"]-->x[<b>&#'
    blueprint = edit("fraud_secure", ("  email: [fraud-ml-oncall@example.com]\n", f"  https: ['{hostile}']\n"))
    plan, diagnostics = plan_blueprint(blueprint, code=code)
    assert plan is not None, [d.format() for d in diagnostics]
    diagram = operations_mermaid(plan)
    assert hostile not in diagram and "#quot;" in diagram and "#lt;b#gt;" in diagram
    edges = [line.strip() for line in diagram.splitlines() if "-->" in line or "-.->" in line]
    assert "schedule_nightly --> pipeline" in edges and "schedule_weekly_strict --> pipeline" in edges
    assert "new_data --> pipeline" in edges and "pipeline -.->|Failed| topic" in edges
    assert "deploy -.->|failed| topic" in edges


def test_schedules_target_the_pipeline_as_the_sagemaker_sdk_does(
    operations: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Oracle: the SDK's own schedule helper (``put_triggers``) sends the same target shape and window:
    the pipeline's ARN with SageMakerPipelineParameters (required for target resolution) and no
    flexible time window; the expressions it builds from cron/rate/at arguments are ones we accept."""
    from datetime import datetime, timezone

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")  # the SDK builds a client at import time
    from sagemaker.mlops.workflow._event_bridge_client_helper import EventBridgeSchedulerHelper
    from sagemaker.mlops.workflow.triggers import PipelineSchedule

    sent: list[dict[str, Any]] = []

    class Client:
        def update_schedule(self, **request: Any) -> dict[str, str]:
            sent.append(request)
            return {"ScheduleArn": "arn"}

    arn = "arn:aws:sagemaker:eu-central-1:333333333333:pipeline/fraud-p-secure0001"
    for schedule in _of_type(operations, "AWS::Scheduler::Schedule").values():
        EventBridgeSchedulerHelper(Client()).upsert_schedule(
            schedule["Name"], arn, schedule["ScheduleExpression"], schedule["State"], datetime.now(timezone.utc), "role"
        )
        request = sent[-1]
        assert request["FlexibleTimeWindow"] == schedule["FlexibleTimeWindow"]
        assert set(request["Target"]) <= set(schedule["Target"])  # Arn, RoleArn, SageMakerPipelineParameters
        assert request["State"] == schedule["State"]
    at = datetime(2027, 1, 1, 12, 0, tzinfo=timezone.utc)
    for trigger in (PipelineSchedule(cron="0 3 * * ? *"), PipelineSchedule(rate=(2, "hours")), PipelineSchedule(at=at)):
        assert expression_problem(trigger.resolve_schedule_expression()) == ""


def test_deploy_failed_left_default_follows_what_exists() -> None:
    """A default the user never wrote is no error: without a ci section there is no deployment to watch.

    Found by the blueprint generator once it drew deploy sections without ci: the defaulted
    ``deploy_failed: true`` made the blueprint invalid (MLG413) although the plan already leaves it off.
    Written explicitly, it is still reported.
    """
    blueprint = yaml.safe_load((ROOT / "blueprints" / "abalone.yaml").read_text())
    del blueprint["ci"]
    code = {
        "pipelines/abalone/preprocess.py": b"x",
        "pipelines/abalone/evaluate.py": b"y",
        "tests/abalone-sample.csv": b"1",
    }
    assert mlopsgen.validate({**blueprint, "notifications": {}}, code=code) == []
    written = mlopsgen.validate({**blueprint, "notifications": {"deploy_failed": True}}, code=code)
    assert [d.code for d in written] == ["MLG413"]
