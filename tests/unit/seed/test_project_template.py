"""The SageMaker project template: valid, audited, least privilege that suffices, and wired to the handler.

The permission test reads the boto3 calls the seed package makes (``tests/support/boto_calls.py``:
``ast`` + botocore's models), so a new call the role does not allow fails here; it then evaluates
the role's policy (``tests/support/iam_policy.py``) on the project's own ARNs, and on another
project's, which must be refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from typer.testing import CliRunner

from mlopsgen import project_template
from mlopsgen.audit import audit_files
from mlopsgen.cli import app
from mlopsgen.seed.handler import handler
from tests.conftest import ROOT
from tests.support.boto_calls import calls
from tests.support.cfn import lint
from tests.support.codecommit_fake import FakeCodeCommit
from tests.support.github_fake import cloudformation_responses
from tests.support.iam_policy import Statement, allowed, statements
from tests.unit.seed.conftest import PROJECT, TEMPLATE_BUCKET, template_bundle

SEED = ROOT / "mlopsgen" / "seed"
STACK = "generated/abalone/infrastructure/project.yml"
ACCOUNT, REGION = "111111111111", "eu-west-1"
VALUES = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "SageMakerProjectName": PROJECT["ProjectName"],
    "SageMakerProjectId": PROJECT["ProjectId"],
    "TemplateBucket": TEMPLATE_BUCKET,
    "TemplatePrefix": "abalone/",
    "Branch": "main",
    "SeedCodeBucket": "platform-lambdas",
    "SeedCodeKey": "seed.zip",
    "GitHubRepository": "example-org/churn",
    "GitHubTokenSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:churn-token-AbCdEf",
    "GitHubApiUrl": "https://api.github.com",
    "SeedZipBucket": "seed-zips",
    "Team": "ml-platform",
    # What CloudFormation would return for the resources (Ref / GetAtt).
    "StackTemplateBucket": "churn-stack-templates",
    "StackTemplateBucket.Arn": "arn:aws:s3:::churn-stack-templates",
    "Repository.Name": "sagemaker-churn-model-p-1a2b3c4d5e6f",
    "Repository.Arn": f"arn:aws:codecommit:{REGION}:{ACCOUNT}:sagemaker-churn-model-p-1a2b3c4d5e6f",
    "SeedFunction.Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-p-1a2b3c4d5e6f-seed",
}


def resolve(value: Any) -> Any:
    """A CloudFormation value with ``VALUES`` for parameters, pseudo parameters and attributes."""
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return VALUES[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        return VALUES[".".join(value["Fn::GetAtt"])]
    if set(value) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}!]+)\}", lambda m: VALUES[m.group(1)], value["Fn::Sub"])
    return {k: resolve(v) for k, v in value.items()}


def template(delivery: project_template.Delivery, text: str | None = None, stack: str | None = STACK) -> dict[str, Any]:
    blueprint = text if text is not None else template_bundle()["abalone.yaml"].decode()
    emitted = project_template.emit(blueprint, "abalone.yaml", delivery, stack)
    data: dict[str, Any] = yaml.safe_load(emitted)
    return data


def role_policy(data: dict[str, Any]) -> list[Statement]:
    [policy] = data["Resources"]["SeedFunctionRole"]["Properties"]["Policies"]
    return statements(policy["PolicyDocument"], lambda v: str(resolve(v)))


@pytest.mark.parametrize("delivery", project_template.DELIVERIES)
def test_the_template_is_deterministic_lint_clean_and_guard_clean(
    delivery: project_template.Delivery, tmp_path: Path
) -> None:
    out = tmp_path / f"{delivery}.yaml"
    args = ["project-template", str(ROOT / "blueprints" / "abalone.yaml"), "--delivery", delivery, "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    text = out.read_text()
    assert text == project_template.emit(
        (ROOT / "blueprints/abalone.yaml").read_text(), "abalone.yaml", delivery, STACK
    )
    assert lint(text, REGION) == []
    findings, checked = audit_files([out])
    assert checked == [out] and findings == [], [f.format() for f in findings]


def test_the_service_catalog_wrapper_is_lint_and_guard_clean_and_visible_in_studio(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.yaml"
    args = ["project-template", str(ROOT / "blueprints/abalone.yaml"), "--form", "service-catalog", "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert lint(out.read_text(), REGION) == []
    assert audit_files([out])[0] == []
    product = yaml.safe_load(out.read_text())["Resources"]["Product"]["Properties"]
    assert {"Key": "sagemaker:studio-visibility", "Value": "true"} in product["Tags"]


@pytest.mark.parametrize("delivery", project_template.DELIVERIES)
def test_no_wildcard_actions_and_trust_policies_name_their_principal(delivery: project_template.Delivery) -> None:
    data = template(delivery)
    for name, resource in data["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}, name
        for policy in resource["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                assert not any("*" in action for action in statement["Action"]), (name, statement)


SERVICES = "\nimport boto3\n" + "\n".join(f'boto3.client("{s}")' for s in ("s3", "codecommit", "secretsmanager"))


def handler_calls() -> set[tuple[str, str]]:
    """(module, IAM action) for every AWS call in the seed package (services as the handler creates them)."""
    found = set()
    for path in sorted(SEED.glob("*.py")):
        source = path.read_text()
        lines = source.count("\n") + 1
        found |= {(path.stem, c.action) for c in calls(source + SERVICES) if c.line <= lines}
    return found


OTHER_PROJECT = "p-0f0f0f0f0f0f"
TEMPLATE_OBJECT = f"arn:aws:s3:::{TEMPLATE_BUCKET}/abalone/abalone.yaml"
# Which call needs what, per delivery: (module, action) → (ARN it acts on, an ARN it must not reach).
NEEDS: dict[tuple[str, str], tuple[str, tuple[str, ...], str]] = {
    ("handler", "s3:ListBucket"): (
        f"arn:aws:s3:::{TEMPLATE_BUCKET}",
        project_template.DELIVERIES,
        "arn:aws:s3:::other",
    ),
    ("handler", "s3:GetObject"): (
        TEMPLATE_OBJECT,
        project_template.DELIVERIES,
        f"arn:aws:s3:::{TEMPLATE_BUCKET}/x/a.yaml",
    ),
    ("handler", "secretsmanager:GetSecretValue"): (
        VALUES["GitHubTokenSecretArn"],
        ("github",),
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:other-AbCdEf",
    ),
    **{
        ("codecommit", f"codecommit:{op}"): (
            VALUES["Repository.Arn"],
            ("codecommit",),
            f"arn:aws:codecommit:{REGION}:{ACCOUNT}:sagemaker-other-{OTHER_PROJECT}",
        )
        for op in ("GetBranch", "GetFolder", "CreateCommit")
    },
    **{
        ("s3zip", action): (
            f"arn:aws:s3:::seed-zips/seeds/{PROJECT['ProjectId']}.zip",
            ("s3",),
            f"arn:aws:s3:::seed-zips/seeds/{OTHER_PROJECT}.zip",
        )
        for action in ("s3:GetObject", "s3:PutObject")
    },
    ("ci_stack", "s3:PutObject"): (
        "arn:aws:s3:::churn-stack-templates/ci-stack/0123abcd/project.yml",
        project_template.DELIVERIES,
        f"arn:aws:s3:::{TEMPLATE_BUCKET}/abalone/abalone.yaml",
    ),
}


def test_every_call_of_the_seed_package_is_accounted_for() -> None:
    assert handler_calls() == set(NEEDS), "a new AWS call: add what it acts on to NEEDS (and to the role)"


@pytest.mark.parametrize("delivery", project_template.DELIVERIES)
def test_the_role_allows_every_call_the_handler_makes_and_only_on_this_project(
    delivery: project_template.Delivery,
) -> None:
    policy = role_policy(template(delivery))
    missing, too_broad = [], []
    for (module, action), (arn, deliveries, other) in NEEDS.items():
        if delivery not in deliveries:
            assert not allowed(policy, action, arn), f"{delivery} needs no {action} on {arn}"
            continue
        if not allowed(policy, action, arn):
            missing.append(f"{module}: {action} on {arn}")
        if allowed(policy, action, other):
            too_broad.append(f"{module}: {action} also on {other}")
    assert not missing and not too_broad, (missing, too_broad)
    assert allowed(policy, "logs:PutLogEvents", None)


def test_placeholders_become_parameters_and_bad_names_are_refused() -> None:
    text = template_bundle()["abalone.yaml"].decode().replace("team: ml-platform", "team: ${Team}")
    data = template("codecommit", text)
    assert "Team" in data["Parameters"]
    assert data["Resources"]["SeedCode"]["Properties"]["Parameters"]["Team"] == {"Ref": "Team"}
    assert "RepositoryName" not in data["Parameters"]  # filled by the template itself
    with pytest.raises(project_template.ProjectTemplateError, match="my_team"):
        project_template.emit("a: ${my_team}\n", "a.yaml", "codecommit", None)
    assert "CiCdStack" not in template("codecommit", stack=None)["Resources"]


@pytest.fixture
def repository(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCodeCommit]:
    fake = FakeCodeCommit(VALUES["Repository.Name"])
    real = boto3.client
    monkeypatch.setattr(boto3, "client", lambda s, *a, **k: fake.client if s == "codecommit" else real(s, *a, **k))
    with fake:
        yield fake


def test_the_seed_resource_as_the_template_writes_it_seeds_and_feeds_the_nested_stack(
    repository: FakeCodeCommit,
) -> None:
    """The properties the template passes, resolved as CloudFormation would, drive the real handler."""
    data = template("codecommit")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=VALUES["StackTemplateBucket"], CreateBucketConfiguration={"LocationConstraint": REGION})
    properties = resolve(data["Resources"]["SeedCode"]["Properties"])
    with cloudformation_responses() as (url, responses):
        event = {
            "RequestType": "Create",
            "ResponseURL": url,
            "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/SC-churn/abc",
            "RequestId": "r1",
            "LogicalResourceId": "SeedCode",
            "ResourceType": "Custom::SeedCode",
            "ResourceProperties": properties,
        }
        handler(event, None)
    assert [r["Status"] for r in responses] == ["SUCCESS"], responses
    files = repository.files()
    assert STACK in files and b'id: "p-1a2b3c4d5e6f"' in files["blueprints/abalone.yaml"]
    nested = data["Resources"]["CiCdStack"]["Properties"]["TemplateURL"]
    assert nested == {"Fn::GetAtt": ["SeedCode", "InfrastructureTemplateUrl"]}
    url_ = responses[0]["Data"]["InfrastructureTemplateUrl"]
    key = url_.split(".amazonaws.com/", 1)[1]
    assert s3.get_object(Bucket=VALUES["StackTemplateBucket"], Key=key)["Body"].read() == files[STACK]
