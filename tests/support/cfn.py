"""cfn-lint in-process with one reused Runner (building a Runner costs ~0.2 s; linting ~50 ms)."""

from __future__ import annotations

from functools import cache

from cfnlint.api import ConfigMixIn, Runner, decode_str


@cache
def _runner(region: str) -> Runner:
    return Runner(ConfigMixIn(regions=[region]))


def lint(text: str, region: str) -> list[str]:
    """Every cfn-lint finding for a template, as 'RULE line:col message' lines."""
    template, errors = decode_str(text)
    if errors:
        return [f"{e.rule.id} {e.linenumber}:{e.columnnumber} {e.message}" for e in errors]
    assert template is not None
    matches = _runner(region).validate_template(template)
    return [f"{m.rule.id} {m.linenumber}:{m.columnnumber} {m.message}" for m in matches]
