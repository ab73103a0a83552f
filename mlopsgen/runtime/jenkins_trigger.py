"""AWS Lambda: start the Jenkins model-deploy job when a model package's approval status changes.

Inlined by CloudFormation, so one file, stdlib + boto3 only. Env: JENKINS_URL (https), JENKINS_JOB
(``a/b`` = job b in folder a), JENKINS_SECRET_ARN (SecretString JSON with user, api_token, job_token),
MAX_ATTEMPTS (3), RETRY_SECONDS (5), TIMEOUT_SECONDS (10), ALLOW_HTTP (``true`` allows http).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3

KEYS = ("user", "api_token", "job_token")
_sleep = time.sleep


class TriggerError(Exception):
    """The job could not be triggered; the message never holds a secret."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # keep credentials on this host
        return None


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Trigger ``buildWithParameters`` of the deploy job, retrying 5xx, 429 and network errors.

    Args:
        event: The EventBridge "SageMaker Model Package State Change" event.
        context: The Lambda context (unused).

    Returns:
        ``{"status": <HTTP status>, "job": <job name>, "attempts": <attempts made>}``.

    Raises:
        TriggerError: Bad configuration or secret, or Jenkins did not answer 2xx.
    """
    base, job = _env("JENKINS_URL").rstrip("/"), _env("JENKINS_JOB")
    parts = urllib.parse.urlsplit(base)
    if parts.scheme != "https" and not (parts.scheme == "http" and os.environ.get("ALLOW_HTTP") == "true"):
        raise TriggerError("JENKINS_URL must start with https:// (http needs ALLOW_HTTP=true)")
    if not parts.hostname or "@" in parts.netloc or parts.query or parts.fragment:
        raise TriggerError("JENKINS_URL must be a base URL: host, optional path, no user, query or fragment")
    tries, pause = int(_num("MAX_ATTEMPTS", 3, 1, int)), _num("RETRY_SECONDS", 5, 0)
    timeout = _num("TIMEOUT_SECONDS", 10, 0.001)
    detail = event.get("detail") or {}
    arn, status = detail.get("ModelPackageArn", "?"), detail.get("ModelApprovalStatus", "?")
    print(f"model package {arn} (version {detail.get('ModelPackageVersion')}) approval status: {status}")
    secret = _secret(_env("JENKINS_SECRET_ARN"))
    url = f"{base}/job/" + "/job/".join(urllib.parse.quote(p, safe="") for p in job.strip("/").split("/"))
    url += "/buildWithParameters"
    query = urllib.parse.urlencode(
        {"token": secret["job_token"], "cause": f"Model package {arn} approval status: {status}"}
    )
    auth = base64.b64encode(f"{secret['user']}:{secret['api_token']}".encode()).decode()
    opener = urllib.request.build_opener(_NoRedirect)
    for attempt in range(1, tries + 1):
        request = urllib.request.Request(f"{url}?{query}", b"", {"Authorization": f"Basic {auth}"}, method="POST")
        code: int | None = None
        try:
            with opener.open(request, timeout=timeout) as response:
                code = response.status
            outcome = f"HTTP {code}"
        except urllib.error.HTTPError as exc:
            code, outcome = exc.code, f"HTTP {exc.code}"
            exc.close()
        except (OSError, http.client.HTTPException) as exc:  # refused, DNS, TLS, timeout
            outcome = f"network error: {getattr(exc, 'reason', exc)}"
        outcome = _redact(outcome, secret)
        print(f"attempt {attempt}/{tries}: POST {url} -> {outcome}")
        if code is not None and 200 <= code < 300:
            return {"status": code, "job": job, "attempts": attempt}
        if (code is not None and code != 429 and code < 500) or attempt == tries:
            raise TriggerError(f"Jenkins trigger failed: {outcome} from {url} after {attempt} attempt(s)")
        _sleep(pause)
    raise AssertionError("unreachable: MAX_ATTEMPTS >= 1")


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise TriggerError(f"environment variable {name} is not set")
    return value


def _num(name: str, default: float, minimum: float, cast: Callable[[str], float] = float) -> float:
    text = os.environ.get(name, "").strip() or str(default)
    try:
        value = cast(text)
    except ValueError:
        value = minimum - 1
    if not value >= minimum:  # also rejects nan
        kind = "an integer" if cast is int else "a number"
        raise TriggerError(f"{name} must be {kind} >= {minimum}, got {text!r}")
    return value


def _secret(arn: str) -> dict[str, str]:
    try:
        text = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    except Exception as exc:  # botocore errors name the secret, never its value
        raise TriggerError(f"cannot read secret {arn}: {type(exc).__name__}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise TriggerError(f"secret {arn} is not JSON") from None
    if not isinstance(data, dict):
        raise TriggerError(f"secret {arn} must be a JSON object with keys {', '.join(KEYS)}")
    missing = [key for key in KEYS if not isinstance(data.get(key), str) or not data[key].strip()]
    if missing:
        raise TriggerError(f"secret {arn} lacks a non-empty string for key(s): {', '.join(missing)}")
    return {key: data[key].strip() for key in KEYS}


def _redact(text: str, secret: dict[str, str]) -> str:
    for value in (secret["job_token"], secret["api_token"]):
        for form in (value, urllib.parse.quote_plus(value)):  # raw and as sent in the query
            text = text.replace(form, "***")
    return text
