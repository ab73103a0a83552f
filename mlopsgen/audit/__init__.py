"""CloudFormation templates → located policy findings: Guard pack (cfn-guard-rs) plus IAM rules in Python.

Works on generated output and on templates written by hand. It fails closed: a template it cannot
read (syntax error, not UTF-8, over a size, depth or alias budget, duplicate keys) is a finding of
its own, and a folder run reports every file whatever happens in one of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlopsgen.audit.guard import AuditUnavailable, check_guard, guard_rules, policy
from mlopsgen.audit.iam import RULES as IAM_RULES
from mlopsgen.audit.iam import check_iam
from mlopsgen.audit.loader import Template, Unreadable, load_template
from mlopsgen.audit.report import READABLE, Finding, label

__all__ = [
    "READABLE",
    "AuditUnavailable",
    "Finding",
    "Template",
    "audit_files",
    "audit_template",
    "load_template",
    "policy",
    "rules",
]

_SUFFIXES = (".yml", ".yaml", ".json", ".template")
_TEMPLATE_KEYS = ("AWSTemplateFormatVersion", "Resources", "Transform")


def rules() -> dict[str, str]:
    """Rule name → what it requires: the Guard pack's rules, the Python IAM rules and readability."""
    return {
        **guard_rules(),
        **IAM_RULES,
        READABLE: "templates are valid JSON or YAML within CloudFormation's size and sane depth and alias budgets.",
    }


def audit_template(template: Template | dict[str, Any], file: str) -> list[Finding]:
    """Check every resource of one template (data with a ``Resources`` mapping).

    Raises:
        AuditUnavailable: When cfn-guard-rs is not installed.
    """
    if not isinstance(template, Template):
        template = Template(template)
    resources = template.data["Resources"]
    findings: list[Finding] = []
    for name, resource in resources.items():
        at = ("Resources", name)

        def found(
            rule: str, path: tuple[str | int, ...], message: str, at: tuple[str, str] = at, name: str = name
        ) -> None:
            line, col = template.locate((*at, *path))
            findings.append(Finding(file, line, col, name, rule, message))

        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            found(READABLE, (), f"resource {label(str(name))} is not a mapping with a Type")
            continue
        for rule, path, message in check_guard(name, resource) + check_iam(name, resource):
            found(rule, path, message)
    return sorted(findings)


def _candidates(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(file, named explicitly): folders are searched for template-like suffixes, symlinks not followed."""
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file() and not p.is_symlink())
            files += [(p, False) for p in sorted(found)]
        else:
            files.append((path, True))
    return files


def audit_files(paths: list[Path]) -> tuple[list[Finding], list[Path]]:
    """Audit every CloudFormation template among ``paths``.

    A file named explicitly must be a template; in a folder, parsed files that are not templates
    (buildspecs, pipeline definitions) are skipped, but a file that cannot be parsed is a finding,
    since it could be a template.

    Returns:
        The findings, and the templates that were checked.

    Raises:
        AuditUnavailable: When cfn-guard-rs is not installed.
    """
    findings: list[Finding] = []
    checked: list[Path] = []
    for file, explicit in _candidates(paths):
        name = str(file)
        try:
            template = load_template(file.read_bytes())
        except Unreadable as exc:
            findings.append(Finding(name, *exc.position, "", READABLE, f"cannot read the template: {exc.message}"))
            checked.append(file)
            continue
        except OSError as exc:
            findings.append(Finding(name, 1, 1, "", READABLE, f"cannot read the file: {exc.strerror or exc}"))
            checked.append(file)
            continue
        data = template.data
        resources = data.get("Resources") if isinstance(data, dict) else None
        if not isinstance(resources, dict):
            looks_like = isinstance(data, dict) and any(key in data for key in _TEMPLATE_KEYS)
            if explicit or looks_like:
                line, col = template.locate(("Resources",))
                message = "not a CloudFormation template: no Resources mapping"
                findings.append(Finding(name, line, col, "", READABLE, message))
                checked.append(file)
            continue
        checked.append(file)
        try:
            findings += audit_template(template, name)
        except AuditUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - one odd template must not hide the others' findings
            message = f"audit failed on this template ({type(exc).__name__}: {label(str(exc))}); please report it"
            findings.append(Finding(name, 1, 1, "", READABLE, message))
    return sorted(findings), checked
