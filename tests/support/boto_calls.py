"""The AWS API calls a generated script makes, read with ``ast``, mapped to IAM actions with botocore.

A script's services are the constant names it passes to ``client(...)``; a call ``x.<method>(...)``
is an API call when ``<method>`` is the snake-case name (botocore's ``xform_name``) of an operation
of one of those services, whatever the client variable is called; ``get_paginator("op")`` and
``get_waiter("name")`` (through the waiter model's operation) count too. The IAM action is the
service's signing name (else endpoint prefix) and the operation name, except the few operations
AWS authorizes under another action (``AUTHORIZED_AS``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import botocore.exceptions
import botocore.session
from botocore import xform_name

# Operations authorized by a differently named action (Service Authorization Reference, Amazon S3).
AUTHORIZED_AS = {
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
}
# boto3's managed transfers (boto3.s3.inject) are client methods outside the service model; an upload
# is PutObject, or CreateMultipartUpload/UploadPart/CompleteMultipartUpload, all authorized as
# s3:PutObject (Service Authorization Reference, Amazon S3), and a download is GetObject.
TRANSFER_METHODS = {
    "s3": {
        "upload_fileobj": "PutObject",
        "upload_file": "PutObject",
        "download_fileobj": "GetObject",
        "download_file": "GetObject",
    }
}
# Calls that need no permission (STS API reference, GetCallerIdentity: "No permissions are required").
NO_PERMISSION = {"sts:GetCallerIdentity"}


@dataclass(frozen=True)
class Call:
    """One API call site: service (botocore name), operation, IAM action, line."""

    service: str
    operation: str
    action: str
    line: int


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _operations(service: str) -> dict[str, str]:
    """snake_case method name → operation name."""
    model = _session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names} | TRANSFER_METHODS.get(service, {})


@cache
def _waiters(service: str) -> dict[str, str]:
    """snake_case waiter name → the operation it polls."""
    try:
        config = _session().get_waiter_model(service)
    except botocore.exceptions.DataNotFoundError:
        return {}
    return {xform_name(name): config.get_waiter(name).operation for name in config.waiter_names}


def iam_action(service: str, operation: str) -> str:
    """The IAM action authorizing ``operation`` of botocore service ``service``."""
    metadata = _session().get_service_model(service).metadata
    action = f"{metadata.get('signingName') or metadata['endpointPrefix']}:{operation}"
    return AUTHORIZED_AS.get(action, action)


def _constant(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def calls(source: str) -> list[Call]:
    """Every API call site of ``source``; a name matching operations of two services is an error.

    Besides ``client.op(...)`` this counts a bound method passed on (``_pages(client.op, ...)``) and a
    method named by a string (``getattr(client, "op")``): any attribute or string equal to an
    operation's method name of one of the script's services.
    """
    tree = ast.parse(source)
    services = sorted(
        {  # a set: a script may create the same service's client in several places
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "client"
            if (name := _constant(node))
        }
    )
    names: list[tuple[str, int, Callable[[str], dict[str, str]]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_waiter":
            names.append((_constant(node) or "", node.lineno, _waiters))
        elif isinstance(node, ast.Attribute):
            names.append((node.attr, node.lineno, _operations))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.append((node.value, node.lineno, _operations))
    found: set[Call] = set()
    for name, line, table in names:
        owners = [(s, table(s)[name]) for s in services if name in table(s)]
        if len(owners) > 1:
            raise ValueError(f"line {line}: {name} is an operation of {[s for s, _ in owners]}")
        found |= {Call(s, op, iam_action(s, op), line) for s, op in owners}
    return sorted(found, key=lambda c: (c.line, c.action))
