"""A small IAM identity-policy evaluator for the permission-sufficiency tests.

Enough of IAM's rules to answer "may this role call this action (on this ARN)?" for the policies we
generate: Allow and Deny statements, Action/NotAction and Resource/NotResource with `*` and `?`
wildcards, actions matched case-insensitively, resources case-sensitively, an explicit Deny wins.
Conditions are not evaluated (the statement is assumed to apply): the calls checked here are the
ones the statement was written for, and the guardrail tests evaluate condition keys on their own.
One exception: a condition on a key that only some actions' requests carry (``KEY_ONLY_IN``) makes
the statement useless for every other action, since a missing key fails the condition.

Resources are CloudFormation values; `resolve` turns them into strings. What cannot be resolved
(a `Ref` to a resource, say) becomes a placeholder that matches no concrete ARN, so such a
statement still counts for an action-level check (`resource=None`) but never for an ARN check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

UNRESOLVED = "<unresolved>"
# Condition keys present only in these actions' requests (Service Authorization Reference: AWS KMS,
# IAM); a statement conditioned on one (without ...IfExists) cannot allow any other action.
KEY_ONLY_IN = {
    "kms:grantisforawsresource": {"kms:creategrant", "kms:listgrants", "kms:revokegrant"},
    "iam:passedtoservice": {"iam:passrole"},
    "iam:awsservicename": {"iam:createservicelinkedrole"},
}

# Request tag keys: only requests that carry tags have them (a create with tags, AddTags/TagResource),
# so a statement conditioned on one cannot allow a Describe or Delete (IAM User Guide, "Controlling
# access during AWS requests"; Service Authorization Reference, per-action condition keys).
TAGGING_KEYS = ("aws:requesttag/", "aws:tagkeys")


def _tags_request(action: str) -> bool:
    verb = action.lower().split(":", 1)[-1]
    return verb.startswith("create") or verb in ("addtags", "tagresource")


@dataclass(frozen=True)
class Statement:
    """One normalised policy statement (conditions dropped, see the module docstring)."""

    sid: str
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] | None = None
    condition_keys: frozenset[str] = frozenset()

    def matches_action(self, action: str) -> bool:
        if any(action.lower() not in KEY_ONLY_IN.get(key, {action.lower()}) for key in self.condition_keys):
            return False
        if any(key.startswith(TAGGING_KEYS) for key in self.condition_keys) and not _tags_request(action):
            return False
        if self.not_actions is not None:
            return not any(_pattern(p, True).fullmatch(action) for p in self.not_actions)
        return any(_pattern(p, True).fullmatch(action) for p in self.actions)

    def matches_resource(self, resource: str | None) -> bool:
        """``None`` asks "some resource of this action": any Allow counts, a Deny only if it covers ``*``."""
        if resource is None:
            if self.effect == "Allow":
                return True
            return self.not_resources is None and "*" in self.resources
        if self.not_resources is not None:
            return not any(_pattern(p, False).fullmatch(resource) for p in self.not_resources)
        return any(_pattern(p, False).fullmatch(resource) for p in self.resources)


def statements(document: dict[str, Any], resolve: Callable[[Any], str | None]) -> list[Statement]:
    """The statements of a policy document, resources resolved with ``resolve``."""
    found = document.get("Statement", [])
    return [_statement(raw, index, resolve) for index, raw in enumerate(found if isinstance(found, list) else [found])]


def _statement(raw: dict[str, Any], index: int, resolve: Callable[[Any], str | None]) -> Statement:
    def values(key: str) -> tuple[str, ...] | None:
        if key not in raw:
            return None
        items = raw[key] if isinstance(raw[key], list) else [raw[key]]
        return tuple(resolve(item) or UNRESOLVED for item in items)

    return Statement(
        sid=str(raw.get("Sid", f"#{index}")),
        effect=raw["Effect"],
        actions=values("Action") or (),
        not_actions=values("NotAction"),
        resources=values("Resource") or (),
        not_resources=values("NotResource"),
        condition_keys=frozenset(
            key.lower()
            for operator, block in raw.get("Condition", {}).items()
            if not operator.endswith("IfExists")
            for key in block
        ),
    )


def allowed(policy: Iterable[Statement], action: str, resource: str | None = None) -> bool:
    """Whether ``action`` (on ``resource``, or on some resource when ``None``) is allowed and not denied."""
    matching = [s for s in policy if s.matches_action(action) and s.matches_resource(resource)]
    return any(s.effect == "Allow" for s in matching) and not any(s.effect == "Deny" for s in matching)


def action_matches(pattern: str, action: str) -> bool:
    """Whether a policy's action ``pattern`` (wildcards allowed) covers ``action``."""
    return bool(_pattern(pattern, True).fullmatch(action))


@cache
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters (``/`` and ``:`` included), ``?`` one character."""
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, re.IGNORECASE if ignore_case else 0)
