"""The rendered CI/CD stack template → S3, so the project template's nested stack can create it.

A nested stack (``AWS::CloudFormation::Stack``) reads its template from an S3 URL. The seed
resource puts the rendered ``infrastructure/project.yml`` under a key named by its SHA-256 and
returns the URL: the nested stack's ``TemplateURL`` is that ``Fn::GetAtt``, so it changes (and
CloudFormation updates the CI/CD stack) exactly when the render changed, and a retry writes the
same object again. The bucket is the project's own, created by the project template.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mlopsgen.seed.changes import DeliveryError


def template_url(bucket: str, key: str, region: str) -> str:
    """The virtual-hosted-style HTTPS URL CloudFormation accepts as a ``TemplateURL``."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{bucket}.s3.{region}.{suffix}/{key}"


def publish(client: Any, bucket: str, prefix: str, path: str, files: dict[str, bytes]) -> str:
    """Put ``files[path]`` at ``<prefix>/<sha256>/<file name>`` in ``bucket`` and return its URL.

    Args:
        client: A boto3 ``s3`` client (its region names the URL).
        bucket: The project's bucket for stack templates.
        prefix: Key prefix (``ci-stack``).
        path: The stack template's path in the seeded repository.
        files: The seeded repository.

    Raises:
        DeliveryError: The render holds no such file (a blueprint without the CodePipeline backend).
    """
    if path not in files:
        raise DeliveryError(f"the render has no {path} to create the CI/CD stack from (is codepipeline a ci backend?)")
    body = files[path]
    key = f"{prefix.strip('/')}/{hashlib.sha256(body).hexdigest()}/{path.rsplit('/', 1)[-1]}".lstrip("/")
    client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-yaml")
    return template_url(bucket, key, client.meta.region_name)
