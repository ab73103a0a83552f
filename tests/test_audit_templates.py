"""`mlopsgen audit` on hand-written and hostile templates: it fails closed, never crashes, locates findings.

The fixtures in tests/audit_templates/ have the shapes of hand-written SageMaker MLOps templates
(unquoted dates, short-form tags, Fn::If, managed and standalone policies, mixed-case actions,
tab-indented JSON, a syntax error); each expected finding below is (file, line, col, resource, rule).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlopsgen.audit import READABLE, audit_files, load_template
from mlopsgen.cli import app

from .conftest import ROOT

TEMPLATES = ROOT / "tests" / "audit_templates"

EXPECTED = [
    ("conditional_encryption.yaml", 32, 7, "ModelBucket", "s3_bucket_public_access_blocked"),
    ("conditional_encryption.yaml", 37, 7, "ModelBucket", "s3_bucket_kms_encrypted"),
    ("hand_written_roles.yaml", 36, 21, "TeamAdminRole", "iam_no_wildcard_actions"),
    ("hand_written_roles.yaml", 39, 11, "TeamAdminRole", "iam_no_broad_managed_policies"),
    ("hand_written_roles.yaml", 41, 11, "TeamAdminRole", "iam_no_broad_managed_policies"),
    ("hand_written_roles.yaml", 55, 11, "ExecutionRole", "iam_no_broad_managed_policies"),
    ("hand_written_roles.yaml", 66, 17, "ExecutionPolicy", "iam_no_wildcard_actions"),
    ("hand_written_roles.yaml", 84, 45, "SetupPolicy", "iam_no_wildcard_actions"),
    ("hand_written_roles.yaml", 93, 25, "PublicRole", "iam_trust_not_open"),
    ("syntax_error.yaml", 11, 16, "", READABLE),
    ("tab_indented.json", 8, 40, "OpenRole", "iam_trust_not_open"),
    ("tab_indented.json", 12, 59, "OpenRole", "iam_no_wildcard_actions"),
]


def test_hand_written_templates_give_located_findings() -> None:
    findings, checked = audit_files([TEMPLATES])
    assert [(Path(f.file).name, f.line, f.col, f.resource, f.rule) for f in findings] == EXPECTED
    assert len(checked) == 4


def test_messages_say_what_is_wrong_in_the_resource() -> None:
    messages = {f.message for f in audit_files([TEMPLATES])[0]}
    assert "role OpenRole allows action '*' in policy Everything" in messages
    assert "managed policy ExecutionPolicy allows action 'S3:*'" in messages
    assert "policy SetupPolicy allows action 'Iam:*'" in messages  # in one branch of Fn::If
    assert "role TeamAdminRole attaches the AWS-managed policy AmazonSageMakerFullAccess" in messages  # !Sub
    assert "role ExecutionRole attaches the AWS-managed policy PowerUserAccess" in messages  # !Join
    assert "role PublicRole may be assumed by any AWS account (AWS '*')" in messages
    bucket = next(m for m in messages if m.startswith("bucket ModelBucket is not encrypted"))
    assert bucket.endswith("(when HasKmsKey is false)")


def test_dates_stay_text_and_tags_become_long_forms() -> None:
    template = load_template(b"AWSTemplateFormatVersion: 2010-09-09\nVersion: 2012-10-17\nA: !GetAtt R.Arn\n")
    assert template.data == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Version": "2012-10-17",
        "A": {"Fn::GetAtt": ["R", "Arn"]},
    }


def _bucket_with(tags: str) -> str:
    return f"Resources:\n  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: {tags}\n"


ALIAS_BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
UNREADABLE = {
    "alias_bomb": ("x0: &l0 [lol]\n" + ALIAS_BOMB + _bucket_with("*l9")).encode(),
    "recursive_anchor": _bucket_with("&a [*a]").encode(),
    "recursive_merge": b"Resources: &r\n  <<: *r\n",
    "deep_yaml": _bucket_with("[" * 5000 + "]" * 5000).encode(),
    "deep_json": b'{"Resources": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "not_utf8": b"Resources:\n  B:\n    Type: AWS::SNS::Topic\xff\n",
    "too_large": b"Resources: {}\n" + b"#" * 1_000_000,
    "duplicate_resource": b"Resources:\n  B: {Type: AWS::SNS::Topic}\n  B: {Type: AWS::SNS::Topic}\n",
    "bad_json": b'{"Resources": {"R": {"Type": "AWS::SNS::Topic",}}}',
    "not_a_template": b"Resources: [1, 2]\n",
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_input_is_a_finding(case: str, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(UNREADABLE[case])
    started = time.monotonic()
    findings, checked = audit_files([path])
    assert time.monotonic() - started < 10
    assert [f.rule for f in findings] == [READABLE]
    assert checked == [path]


def test_odd_but_valid_yaml_is_audited(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        "Resources:\n"
        "  1:\n"  # an int-looking logical id next to a text one
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {SecretString: !!binary aGVsbG8=}\n"
        "  Named:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: '*'}]}}]\n"
    )
    findings, _ = audit_files([path])
    assert [(f.resource, f.rule, f.line) for f in findings] == [
        ("1", "secrets_kms_encrypted", 4),
        ("Named", "iam_no_wildcard_actions", 8),
    ]


def test_folder_run_reports_every_file_and_never_exits_3(tmp_path: Path) -> None:
    (tmp_path / "a_broken.yaml").write_bytes(UNREADABLE["recursive_anchor"])
    (tmp_path / "b_dates.yaml").write_text(
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Version: 2012-10-17\n"
        "        Statement: [{Effect: Allow, Principal: '*', Action: 'sts:AssumeRole'}]\n"
    )
    (tmp_path / "c_buildspec.yml").write_text("version: 0.2\nphases: {}\n")  # not a template: skipped
    result = CliRunner().invoke(app, ["audit", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in lines] == ["a_broken.yaml", "b_dates.yaml"]
    assert "b_dates.yaml:8:37: iam_trust_not_open: role R may be assumed by anyone" in result.stdout


def test_github_format_cannot_be_forged(tmp_path: Path) -> None:
    hostile = "X\n::error file=evil.yaml,line=1::forged%0A"
    role = {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]}}
    path = tmp_path / "a,b:c.json"
    path.write_text(json.dumps({"Resources": {hostile: role}}))
    result = CliRunner().invoke(app, ["audit", str(path), "--format", "github"])
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=") and "a%2Cb%3Ac.json,line=1,col=" in line
    assert '"X\\n::error file=evil.yaml,line=1::forged%250A"' in line
    text = CliRunner().invoke(app, ["audit", str(path)])
    assert len(text.stdout.splitlines()) == 1
