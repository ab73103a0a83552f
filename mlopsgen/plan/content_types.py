"""Register steps' content types → how endpoints capture them and what the smoke test sends.

SageMaker data capture writes a payload as text when its Content-Type is listed in the endpoint
configuration's CaptureContentTypeHeader (CsvContentTypes or JsonContentTypes) and base64-encoded
otherwise. Listing the model's CSV and JSON types keeps captured text readable (and usable by Model
Monitor); binary types (image/jpeg, application/x-npy, ...) stay base64, which is right for them.
ref: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-sagemaker-endpointconfig-capturecontenttypeheader.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CAPTURE_TYPE_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*/[a-zA-Z0-9](-*[a-zA-Z0-9.])*")
"""botocore's CsvContentType / JsonContentType pattern (matched whole): no parameters, no ``+suffix``."""
CAPTURE_TYPES_MAX = 10
"""botocore: CsvContentTypes and JsonContentTypes hold 1 to 10 items."""

_CSV_SUBTYPES = frozenset({"csv", "x-csv"})
_JSON_SUBTYPES = frozenset({"json", "jsonlines", "x-jsonlines", "x-ndjson", "ndjson"})


def media_type(content_type: str) -> str:
    """A Content-Type without parameters, lower case (``text/csv; charset=utf-8`` → ``text/csv``)."""
    return content_type.split(";", 1)[0].strip().lower()


def capture_content_types(types: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a model's request and response types into the CSV and JSON lists data capture takes.

    Args:
        types: Content types as the register steps list them (requests and responses).

    Returns:
        The CSV media types and the JSON media types, each sorted and unique. Types that are
        neither, or that AWS's pattern would reject, are left out: they are captured base64.
    """
    csv: set[str] = set()
    json: set[str] = set()
    for content_type in types:
        media = media_type(content_type)
        if not CAPTURE_TYPE_PATTERN.fullmatch(media):
            continue
        subtype = media.split("/", 1)[1]
        if subtype in _CSV_SUBTYPES:
            csv.add(media)
        elif subtype in _JSON_SUBTYPES:
            json.add(media)
    return tuple(sorted(csv)), tuple(sorted(json))
