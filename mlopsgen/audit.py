"""CloudFormation templates → policy findings: the Guard policy pack run in-process (cfn-guard-rs).

Works on generated output and on templates written by hand (short-form ``!Ref``/``!Sub`` tags are
read as their long forms). Each resource is checked on its own so a finding names the file, the
resource and the rule it breaks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

POLICY = "secure.guard"
_RULE_DOC = re.compile(r"^# ([a-z0-9_]+): (.+)$", re.M)


@dataclass(frozen=True, order=True)
class Finding:
    """A resource that breaks a rule."""

    file: str
    resource: str
    rule: str
    message: str

    def format(self) -> str:
        """``file: resource: rule: message``."""
        return f"{self.file}: {self.resource}: {self.rule}: {self.message}"


class AuditUnavailable(Exception):  # noqa: N818 - a missing optional dependency, reported to the user
    """cfn-guard-rs is not installed."""


@cache
def policy() -> str:
    """The policy pack's Guard rules."""
    return resources.files("mlopsgen.policies").joinpath(POLICY).read_text(encoding="utf-8")


def rules() -> dict[str, str]:
    """Rule name → what it requires, from the policy pack's comments."""
    return dict(_RULE_DOC.findall(policy()))


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML, turning short-form intrinsics into their long forms."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(text: str) -> dict[str, Any] | None:
    """A CloudFormation template as data, or None when the text is not one (no Resources mapping)."""
    try:
        data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
        return data
    return None


def audit_template(template: dict[str, Any], file: str) -> list[Finding]:
    """Check every resource of one template against the policy pack.

    Args:
        template: A parsed CloudFormation template.
        file: Name to report findings under.

    Returns:
        The findings, sorted.

    Raises:
        AuditUnavailable: When cfn-guard-rs is not installed.
    """
    try:
        from cfn_guard_rs.cfn_guard_rs import run_checks_rs
    except ImportError as exc:
        raise AuditUnavailable("mlopsgen audit needs cfn-guard-rs: pip install 'mlopsgen[audit]'") from exc
    docs = rules()
    findings = []
    for name, resource in sorted(template["Resources"].items()):
        output = run_checks_rs(json.dumps({"Resources": {name: resource}}), policy(), False)
        passed = _passed_rules(output)
        findings += [Finding(file, name, rule, doc) for rule, doc in docs.items() if rule not in passed]
    return sorted(findings)


_TAIL = re.compile(r'"not_applicable":\s*(\[[^\]]*\]),\s*"compliant":\s*(\[[^\]]*\])\s*\}\s*$')


def _passed_rules(output: str) -> set[str]:
    """Rules that passed or did not apply, read from Guard's JSON report.

    cfn-guard-rs 0.3.3 can return a report whose beginning is cut off when it quotes large values
    (seen on CodeBuild projects), so the two lists at its end are read directly; every rule not in
    them failed.
    """
    match = _TAIL.search(output)
    if match is None:
        raise ValueError("unreadable Guard report")
    return set(json.loads(match.group(1))) | set(json.loads(match.group(2)))


def audit_files(paths: list[Path]) -> tuple[list[Finding], list[Path]]:
    """Audit every CloudFormation template among ``paths`` (folders are searched for *.yml/*.yaml/*.json).

    Args:
        paths: Files or folders.

    Returns:
        The findings, and the templates that were checked.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml", ".json") and p.is_file())
        else:
            files.append(path)
    findings: list[Finding] = []
    checked = []
    for file in files:
        template = load_template(file.read_text(encoding="utf-8", errors="replace"))
        if template is None:
            continue
        checked.append(file)
        findings += audit_template(template, str(file))
    return findings, checked
