"""Loaded blueprint data → MLG340 issues for credentials written into it (keys, tokens, passwords).

A blueprint is committed and its values are copied into up to six generated files (tags, build
commands, Jenkinsfiles, templates), so a credential in it leaks wherever those go. The detector
runs on the loaded data, before the schema, so it sees every key and value, even misspelt ones.
It names what it found and where, never the value itself.

Specific shapes (AWS access key ids, GitHub and Slack tokens, private key blocks, passwords in
URLs) are looked for everywhere; generic high-entropy text only under secret-sounding keys such as
``password`` or ``api_key``, so ids, ARNs and digests elsewhere are never mistaken for secrets.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.paths import display_path

CODE = "MLG340"
HINT = (
    "store the credential in AWS Secrets Manager or SSM Parameter Store (SecureString) and reference it "
    "by name or ARN; rotate it, since the blueprint is committed and copied into generated files"
)

# ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
# (AKIA: long-term access key, ASIA: temporary one; AIDA/AROA and friends are ids, not secrets.)
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])")),
    # ref: https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Slack webhook URL", re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9]+")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")),
    # scheme://user:password@host — the userinfo's password part (RFC 3986 §3.2.1 deprecates it).
    ("a password in a URL", re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:[^/\s@]+@")),
)
# An AWS secret access key: 40 characters of base64, reported only in a blueprint that also holds
# an access key id (alone the shape is too common) or under a secret-sounding key (generic rule).
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

_SECRET_WORDS = {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential", "credentials"}
_SECRET_PAIRS = {("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"), ("auth", "token")}
# ``secret_name``, ``token_arn``, ``password_parameter``: the key names where a secret is, not a secret.
_REFERENCE_WORDS = {"name", "id", "arn", "path", "ref", "parameter", "param", "file", "length", "type", "env", "var"}
_REFERENCE = re.compile(r"^(\$\{|\{\{resolve:|arn:|s3://|ssm:|secretsmanager:|/)")


def find_secrets(data: Any) -> list[Issue]:
    """Every credential-like key or value in loaded blueprint data.

    Args:
        data: The loaded blueprint (plain mappings, lists and scalars).

    Returns:
        One MLG340 issue per key or value holding a credential, in document order.
    """
    texts = list(_texts(data, ()))
    has_key_id = any(_SHAPES[0][1].search(text) for _, text, _, _ in texts)
    issues = []
    for path, text, at_value, secret_context in texts:
        what = _shape(text) or _generic(text, secret_context, has_key_id and at_value)
        if what:
            where = "value" if at_value else "key"
            message = f"the {where} of {display_path(data, path)} holds {what}; credentials must not be in a blueprint"
            issues.append(Issue(CODE, path, message, HINT, at_value))
    return issues


def _texts(node: Any, path: PathKey, context: bool = False) -> Iterator[tuple[PathKey, str, bool, bool]]:
    """(path, text, is a value, under a secret-sounding key) for every string key and value."""
    if isinstance(node, dict):
        for key, value in node.items():
            text = str(key)
            yield (*path, text), text, False, False
            yield from _texts(value, (*path, text), context or _secret_sounding(text))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            named = isinstance(item, dict) and isinstance(item.get("name"), str) and _secret_sounding(item["name"])
            yield from _texts(item, (*path, i), context or named)
    elif isinstance(node, str):
        yield path, node, True, context


def _words(key: str) -> list[str]:
    """``DbPassword`` / ``api_key`` / ``auth-token`` → lower-case words."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", key)]


def _secret_sounding(key: str) -> bool:
    words = _words(key)
    if not words or words[-1] in _REFERENCE_WORDS:
        return False
    pairs = set(zip(words, words[1:], strict=False))
    return bool(_SECRET_WORDS & set(words) or _SECRET_PAIRS & pairs)


def _shape(text: str) -> str:
    for what, pattern in _SHAPES:
        if pattern.search(text):
            return what
    return ""


def _generic(text: str, secret_context: bool, look_for_aws_secret: bool) -> str:
    if look_for_aws_secret and any(_mixed(m.group(0)) for m in _AWS_SECRET.finditer(text)):
        return "what looks like an AWS secret access key (next to an access key id)"
    if secret_context and not _REFERENCE.match(text) and len(text) >= 8 and _entropy(text) >= 2.5:
        return "a literal secret under a secret-sounding key"
    return ""


def _mixed(text: str) -> bool:
    """Upper case, lower case and digits: base64 secrets have all three, hex digests and words do not."""
    return any(c.isupper() for c in text) and any(c.islower() for c in text) and any(c.isdigit() for c in text)


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character: random secrets score high, repeated or plain words lower."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
