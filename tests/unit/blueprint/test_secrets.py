"""MLG340: credentials in a blueprint are found, located and named, never echoed; ids and digests pass."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.blueprint.secrets import find_secrets
from tests.conftest import ROOT
from tests.unit.test_api import ABALONE, CODE

BASE: dict[str, Any] = yaml.safe_load(ABALONE.read_text())
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return data


CASES = [
    ("project.tags.owner", KEY_ID, "AWS access key id"),
    ("project.tags.owner", "ASIAY34FZKBOKMUTVV7A", "AWS access key id"),
    ("project.tags.owner", GITHUB, "GitHub token"),
    ("project.tags.owner", "gho_16C7e42F292c6912E7710c838347Ae178B4a", "GitHub token"),
    ("project.tags.owner", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token"),
    ("project.tags.owner", "xoxb-1234567890-abcdefghijklmn", "Slack token"),
    ("pipeline.parameters.Note", {"type": "string", "default": "-----BEGIN RSA PRIVATE KEY-----"}, "private key"),
    ("project.tags.owner", "-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
    ("pipeline.parameters.InputDataUrl.default", "https://admin:secret@data.example.com/x.csv", "password in a URL"),
    ("pipeline.parameters.DbPassword", {"type": "string", "default": "Sup3r-s3cret!"}, "literal secret"),
    ("pipeline.parameters.ApiKey", {"type": "string", "default": "9f8e7d6c5b4a39281706"}, "literal secret"),
]


@pytest.mark.parametrize(("path", "value", "what"), CASES)
def test_credentials_are_located_errors_that_do_not_echo_them(path: str, value: Any, what: str) -> None:
    diagnostics = mlopsgen.validate(yaml.safe_dump(_with(path, value)), code=CODE, name="abalone.yaml")
    assert [d.code for d in diagnostics] == ["MLG340"], diagnostics
    (d,) = diagnostics
    assert what in d.message and d.pos is not None and "Secrets Manager" in d.hint
    secret = value if isinstance(value, str) else value["default"]
    for piece in (secret, secret[4:20], secret.split("@")[0].split(":")[-1]):
        assert piece not in d.format()


def test_an_aws_key_pair_in_tags_is_two_errors() -> None:
    data = _with("project.tags", {"key": KEY_ID, "secret": SECRET_KEY})
    diagnostics = mlopsgen.validate(data, code=CODE, name="abalone.yaml")
    assert [(d.code, d.path) for d in diagnostics] == [
        ("MLG340", "project.tags.key"),
        ("MLG340", "project.tags.secret"),
    ]


def test_a_credential_in_a_key_is_found_too() -> None:
    issues = find_secrets({"project": {"tags": {KEY_ID: "x"}}})
    assert [(i.path, i.at_value) for i in issues] == [(("project", "tags", KEY_ID), False)]


def test_credentials_are_reported_beside_schema_errors() -> None:
    data = _with("project.tags.owner", GITHUB)
    data["pipelin"] = {}
    assert {d.code for d in mlopsgen.validate(data, code=CODE)} == {"MLG340", "MLG110"}


NOT_SECRETS = [
    {"tags": {"commit": "0123456789abcdef0123456789abcdef01234567"}},  # a git sha (hex, 40)
    {"digest": "sha256:" + "ab" * 32},
    {"role": "arn:aws:iam::111111111111:role/service-role/AmazonSageMakerProjectsExecutionRole"},
    {"id": "AROAJQABLZS4A3QDU576Q", "user": "AIDAJQABLZS4A3QDU576Q"},  # unique ids, not keys
    {"hyperparameters": {"max_tokens": "512", "tokenizer": "bert-base-uncased-v2"}},
    {"password_parameter": "/prod/db/password", "secret_name": "prod/db-credentials"},
    {"DbPassword": {"default": "{{resolve:secretsmanager:prod/db:SecretString:password}}"}},
    {"ApiToken": {"default": "${params.Token}"}},
    {"url": "https://jenkins.example.com", "ssh": "git@github.com:org/repo.git", "s3": "s3://b/k@v:1"},
    {"kms": "arn:aws:kms:eu-west-1:111111111111:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b"},
    # Without an access key id, a 40-character mixed string is not taken for a secret key.
    {"tags": {"note": SECRET_KEY}},
]


@pytest.mark.parametrize("data", NOT_SECRETS)
def test_ids_arns_digests_and_references_are_not_secrets(data: dict[str, Any]) -> None:
    assert find_secrets(data) == []


@pytest.mark.parametrize("path", sorted((ROOT / "blueprints").glob("*.yaml")), ids=lambda p: Path(p).stem)
def test_no_false_positives_on_the_examples(path: Path) -> None:
    assert find_secrets(yaml.safe_load(path.read_text())) == []
