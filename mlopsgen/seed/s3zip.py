"""Seeded files → one deterministic zip in S3, for an organisation's own check-in (e.g. CodeConnections).

The same files always give the same bytes (sorted entries, fixed timestamps and modes), and the
zip's SHA-256 is stored as object metadata: an unchanged render writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from mlopsgen.seed.changes import Delivered

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
DIGEST_KEY = "mlopsgen-sha256"


def deterministic_zip(files: Mapping[str, bytes], mode: int = 0o644) -> bytes:
    """A zip of ``files`` whose bytes depend on nothing but the files (sorted, fixed time and mode)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, files[path], compresslevel=9)
    return buffer.getvalue()


def deliver(client: Any, bucket: str, key: str, files: Mapping[str, bytes]) -> Delivered:
    """Write the zip of ``files`` to ``s3://bucket/key`` unless the object already holds it.

    Args:
        client: A boto3 ``s3`` client.
        bucket: Bucket name.
        key: Object key.
        files: Repository path → content.

    Returns:
        The zip's SHA-256 (the object's content, whichever version holds it) and whether it was written.
    """
    body = deterministic_zip(files)
    digest = hashlib.sha256(body).hexdigest()
    try:
        current = client.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get(DIGEST_KEY)
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
        current = None
    if current == digest:
        return Delivered(digest, False)
    client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/zip", Metadata={DIGEST_KEY: digest})
    return Delivered(digest, True)
