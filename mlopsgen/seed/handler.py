"""CloudFormation custom resource event → seeded repository → response PUT to the pre-signed ResponseURL.

Create renders the blueprint template for the project and delivers it; Update does the same and
commits only what changed; Delete leaves repositories and zips in place (they hold the team's
work from the first day) and reports SUCCESS. Every outcome is reported, so the stack never waits
for the hour-long custom-resource timeout: an invalid blueprint is FAILED with its diagnostics as
the Reason, cut to fit CloudFormation's 4 KB response. Nothing secret is logged.

Resource properties (strings, as CloudFormation passes them)::

    ProjectName, ProjectId      → ${SageMakerProjectName}, ${SageMakerProjectId}
    Parameters                  → more ${Name} values (optional mapping)
    Template: {Bucket, Prefix}  → a template folder in S3; or {Shipped: name} → one in the zip
    Blueprint                   → the blueprint's file name in the template (abalone.yaml)
    Delivery: {Type: CodeCommit, Repository, Branch}
            | {Type: GitHub, Repository: owner/name, Branch, TokenSecretArn, ApiUrl?}
            | {Type: S3, Bucket, Key}
    Infrastructure: {Bucket, Prefix?, Path}  (optional) → the rendered CI/CD stack template (Path in
                                 the repository) put in S3; its URL is the InfrastructureTemplateUrl
                                 attribute, which a nested stack uses as its TemplateURL.

The work runs under ``deadline.guard``: shortly before the invocation's time runs out it stops
and the resource is FAILED with a reason saying so.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlopsgen.seed import deadline
from mlopsgen.seed.changes import Delivered, DeliveryError
from mlopsgen.seed.template import TemplateError, seed_repository

LOG = logging.getLogger("mlopsgen.seed")
LOG.setLevel(logging.INFO)
MAX_RESPONSE_BYTES = 4096  # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
SHIPPED_ROOT = "seed-templates"
COMMIT_MESSAGE = "Seed the project from its mlopsgen blueprint"


class SeedError(Exception):
    """A problem the stack's author must fix; its text becomes the FAILED Reason."""


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point: do the request, then always answer CloudFormation.

    Args:
        event: The custom resource request.
        context: The Lambda context (its log stream names the response on failure).

    Returns:
        The response sent (also handy in tests).
    """
    request = event.get("RequestType")
    physical = event.get("PhysicalResourceId") or _physical_id(event.get("ResourceProperties", {}))
    LOG.info("%s %s for stack %s", request, physical, event.get("StackId"))
    status, reason, data = "SUCCESS", "", {}
    try:
        if request in ("Create", "Update"):
            with deadline.guard(context):
                data = seed_and_publish(event["ResourceProperties"])
            reason = "seeded" if data["Changed"] == "true" else "up to date"
        elif request == "Delete":
            reason = "repository left in place"
        else:
            raise SeedError(f"unknown RequestType {request!r}")
    except (SeedError, TemplateError, DeliveryError, deadline.DeadlineExceeded) as exc:
        status, reason = "FAILED", str(exc)
    except Exception as exc:  # an AWS error or a bug: still answer, or the stack hangs for an hour
        LOG.exception("seeding failed")
        status, reason = "FAILED", f"{type(exc).__name__}: {exc} (see {getattr(context, 'log_stream_name', 'the log')})"
    body = response_body(event, status, reason, physical, data)
    LOG.info("responding %s: %s", status, reason[:200])
    send(event["ResponseURL"], body)
    sent: dict[str, Any] = json.loads(body)
    return sent


def _physical_id(properties: Mapping[str, Any]) -> str:
    """Stable across retries and Updates: names where the seed goes, never when it happened."""
    delivery = properties.get("Delivery", {})
    where = delivery.get("Repository") or f"{delivery.get('Bucket')}/{delivery.get('Key')}"
    return f"mlopsgen-seed:{delivery.get('Type', '?')}:{where}"[:1024]


def response_body(event: Mapping[str, Any], status: str, reason: str, physical: str, data: dict[str, str]) -> bytes:
    """The response document, with the Reason cut so the whole body stays within 4096 bytes."""
    document = {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": physical,
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "NoEcho": False,
        "Data": data,
    }
    body = json.dumps(document).encode("utf-8")
    while len(body) > MAX_RESPONSE_BYTES:
        excess = len(body) - MAX_RESPONSE_BYTES
        document["Reason"] = str(document["Reason"])[: -(excess + 20)] + " … (truncated)"
        body = json.dumps(document).encode("utf-8")
    return body


def send(url: str, body: bytes) -> None:
    """PUT the response to the pre-signed S3 URL (an empty content type, which the signature expects)."""
    request = urllib.request.Request(url, data=body, method="PUT")
    request.add_header("Content-Type", "")
    request.add_header("Content-Length", str(len(body)))
    with urllib.request.urlopen(request, timeout=deadline.SEND_TIMEOUT_SECONDS) as response:  # noqa: S310 - CloudFormation's URL
        response.read()


def seed_and_publish(properties: Mapping[str, Any]) -> dict[str, str]:
    """``seed``, then the CI/CD stack template to S3 when ``Infrastructure`` asks; the resource's Data."""
    files = render(properties)
    delivered = deliver(properties.get("Delivery") or {}, files)
    data = {"Reference": delivered.reference, "Changed": str(delivered.changed).lower()}
    infrastructure = properties.get("Infrastructure")
    if infrastructure:
        import boto3

        from mlopsgen.seed import ci_stack

        bucket, path = _required(infrastructure, "Bucket"), _required(infrastructure, "Path")
        prefix = str(infrastructure.get("Prefix") or "ci-stack")
        data["InfrastructureTemplateUrl"] = ci_stack.publish(boto3.client("s3"), bucket, prefix, path, files)
    return data


def seed(properties: Mapping[str, Any]) -> Delivered:
    """Render the template for the project and deliver it where the properties say.

    Raises:
        SeedError: Missing properties, or an invalid blueprint (with its diagnostics).
    """
    return deliver(properties.get("Delivery") or {}, render(properties))


def render(properties: Mapping[str, Any]) -> dict[str, bytes]:
    """The seeded repository's files for the project the properties name.

    Raises:
        SeedError: Missing properties, or an invalid blueprint (with its diagnostics).
    """
    parameters = {str(k): str(v) for k, v in (properties.get("Parameters") or {}).items()}
    parameters["SageMakerProjectName"] = _required(properties, "ProjectName")
    parameters["SageMakerProjectId"] = _required(properties, "ProjectId")
    blueprint = _required(properties, "Blueprint")
    seeded = seed_repository(load_template(properties.get("Template") or {}, blueprint), blueprint, parameters)
    for warning in seeded.warnings:  # an older language version renders; say so in the function's log
        LOG.warning("%s", warning.format())
    if not seeded.ok:
        lines = [d.format() for d in seeded.diagnostics]
        raise SeedError(f"the blueprint is invalid ({len(lines)} problem(s)):\n" + "\n".join(lines))
    return seeded.files


def _required(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise SeedError(f"the custom resource needs the property {key}")
    return value


def load_template(template: Mapping[str, Any], blueprint: str) -> dict[str, bytes]:
    """The template folder (S3 prefix, or shipped in the zip) as path → bytes; other blueprints left out.

    Raises:
        SeedError: No such template, or neither form given.
    """
    if "Shipped" in template:
        root = Path(
            os.environ.get("MLOPSGEN_SEED_TEMPLATES") or Path(os.environ.get("LAMBDA_TASK_ROOT", ".")) / SHIPPED_ROOT
        )
        folder = root / str(template["Shipped"])
        if "/" in str(template["Shipped"]) or str(template["Shipped"]).startswith(".") or not folder.is_dir():
            raise SeedError(f"no shipped template {template['Shipped']!r}")
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    elif "Bucket" in template:
        files = _s3_folder(str(template["Bucket"]), str(template.get("Prefix", "")))
    else:
        raise SeedError("Template needs Bucket (and Prefix) or Shipped")
    return {p: c for p, c in files.items() if p == blueprint or "/" in p or not p.endswith((".yaml", ".yml"))}


def _s3_folder(bucket: str, prefix: str) -> dict[str, bytes]:
    import boto3  # only the Lambda's delivery path needs AWS

    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    s3 = boto3.client("s3")
    files: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                files[item["Key"][len(prefix) :]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    if not files:
        raise SeedError(f"no template files under s3://{bucket}/{prefix}")
    return files


def deliver(delivery: Mapping[str, Any], files: dict[str, bytes]) -> Delivered:
    """Send the seeded files to the repository or bucket named by ``Delivery``.

    Raises:
        SeedError: An unknown delivery type or a missing property.
    """
    import boto3

    kind = delivery.get("Type")
    if kind == "CodeCommit":
        from mlopsgen.seed import codecommit

        client = boto3.client("codecommit")
        branch = str(delivery.get("Branch") or "main")
        return codecommit.deliver(client, _required(delivery, "Repository"), branch, files, COMMIT_MESSAGE)
    if kind == "GitHub":
        from mlopsgen.seed import github

        secret = boto3.client("secretsmanager").get_secret_value(SecretId=_required(delivery, "TokenSecretArn"))
        api = github.GitHub(
            _required(delivery, "Repository"),
            _token(secret["SecretString"]),
            delivery.get("ApiUrl") or github.DEFAULT_API,
        )
        return github.deliver(api, str(delivery.get("Branch") or "main"), files, COMMIT_MESSAGE)
    if kind == "S3":
        from mlopsgen.seed import s3zip

        return s3zip.deliver(boto3.client("s3"), _required(delivery, "Bucket"), _required(delivery, "Key"), files)
    raise SeedError(f"Delivery.Type must be CodeCommit, GitHub or S3, not {kind!r}")


def _token(secret: str) -> str:
    """The token: the secret's text, or its ``token`` field when the secret is JSON."""
    try:
        data = json.loads(secret)
    except ValueError:
        return secret.strip()
    if isinstance(data, dict) and isinstance(data.get("token"), str):
        return str(data["token"])
    raise SeedError("the token secret is JSON without a 'token' field")
