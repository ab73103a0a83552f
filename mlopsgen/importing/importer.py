"""A SageMaker pipeline definition (CreatePipeline JSON, as data) → blueprint data, code files, findings.

The reverse stage beside ``blueprint/``: it reads what ``targets/sagemaker.py`` (or the SageMaker SDK)
writes and builds the mapping a blueprint file holds, in the definition's order: parameters, then steps
(a condition's branch steps right after it). It never renders; ``import_command.py`` renders the result
and compares it with the definition, so a construct this module misreads is a finding, never a silent
difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mlopsgen.blueprint.models import PipelineSpec, ProjectSpec, SecuritySpec
from mlopsgen.blueprint.versions import CURRENT
from mlopsgen.importing import checks, checks_clarify, flow, jobs, models
from mlopsgen.importing.context import PROJECTS_ROLE, ROLE_ACCOUNT, CodeFile, Context, Finding
from mlopsgen.importing.defaults import prune, step_model
from mlopsgen.importing.images import is_table_image

STEP_KINDS: dict[str, str] = {
    "Processing": "processing",
    "Training": "training",
    "Tuning": "tuning",
    "RegisterModel": "register_model",
    "Model": "create_model",
    "Transform": "transform",
    "Condition": "condition",
    "Fail": "fail",
    "Lambda": "lambda",
    "Callback": "callback",
    "EMR": "emr",
    "QualityCheck": "quality_check",
    "ClarifyCheck": "clarify_check",
}
"""Definition step ``Type`` → blueprint step ``type``, for the kinds this importer reads."""

SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)
"""What reading an unexpected shape raises (a list where a mapping was expected, a missing key, ...)."""

_PIPELINE = re.compile(r"^([a-zA-Z](?:-*[a-zA-Z0-9]){0,31})-(p-[a-z0-9]{1,20})$")
_LAMBDA = re.compile(r"^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:")
PARAMETER_TYPES = {"String": "string", "Integer": "integer", "Float": "float", "Boolean": "boolean"}


@dataclass
class Imported:
    """The outcome of importing one definition.

    Attributes:
        blueprint: The blueprint as data (key order is the order to write).
        code: Code files the steps read from S3, by their blueprint path.
        findings: What the blueprint does not express (before rendering it back).
        notes: Facts the definition did not hold and the import assumed (project name, region, ...).
        aliases: Definition URI → the token the round trip compares it as (helper files).
    """

    blueprint: dict[str, Any]
    code: list[CodeFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for item in node.values():
            yield from _walk(item)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _flatten(steps: list[Any]) -> Iterator[dict[str, Any]]:
    """Every step in blueprint order: a condition, then its if and else steps (recursively)."""
    for s in steps:
        if not isinstance(s, dict):
            continue
        yield s
        if s.get("Type") == "Condition":
            args = s.get("Arguments", {})
            yield from _flatten(list(args.get("IfSteps", [])) + list(args.get("ElseSteps", [])))


def helper_uris(definition: Any) -> list[str]:
    """S3 URIs of helper files that hold settings the definition does not.

    A framework processor's runproc.sh, a Clarify check's analysis configuration, and, when the pipeline
    has Clarify checks, the ``analysis_config.json`` a register step's drift baselines name (recognised as
    a Clarify check's monitoring configuration by its content; a file of another name is the user's own).
    """
    found: list[str] = []
    clarify = any(isinstance(n, dict) and n.get("Type") == "ClarifyCheck" for n in _walk(definition))
    for node in _walk(definition):
        if not isinstance(node, dict):
            continue
        uris = []
        if node.get("InputName") in ("entrypoint", "analysis_config") and isinstance(node.get("S3Input"), dict):
            uris.append(node["S3Input"].get("S3Uri"))
        for group in ("Bias", "Explainability") if clarify else ():
            config = node.get(group, {}).get("ConfigFile") if isinstance(node.get(group), dict) else None
            if isinstance(config, dict) and str(config.get("S3Uri")).endswith("/analysis_config.json"):
                uris.append(config.get("S3Uri"))
        found += [u for u in uris if isinstance(u, str) and u.startswith("s3://") and u not in found]
    return found


def _tagged_id(definition: dict[str, Any]) -> str | None:
    """The project id an EMR cluster created for a step is tagged with, if any."""
    for node in _walk(definition):
        if isinstance(node, dict) and node.get("Key") == "sagemaker:project-id" and isinstance(node.get("Value"), str):
            return str(node["Value"])
    return None


def _project_guess(definition: dict[str, Any]) -> tuple[str, str, str] | None:
    """(bucket, project name, project id) from mlopsgen's per-execution paths or code keys, if any."""
    for node in _walk(definition):
        if isinstance(node, dict) and isinstance(node.get("Std:Join"), dict):
            values = node["Std:Join"].get("Values")
            if (
                node["Std:Join"].get("On") == "/"
                and isinstance(values, list)
                and len(values) >= 4
                and values[0] == "s3:/"
                and values[3] == {"Get": "Execution.PipelineExecutionId"}
                and isinstance(values[2], str)
                and (match := _PIPELINE.match(values[2]))
            ):
                return str(values[1]), match.group(1), match.group(2)
        if isinstance(node, str) and (found := re.match(r"^s3://([^/]+)/([^/]+)/", node)):
            match = _PIPELINE.match(found.group(2))
            if match:
                return found.group(1), match.group(1), match.group(2)
    return None


def import_definition(definition: dict[str, Any], **given: Any) -> Imported:
    """Import one pipeline definition (see ``_import``); a shape outside every step is one MLG602 finding.

    Args:
        definition: The parsed CreatePipeline definition.
        **given: ``project_name``, ``project_id``, ``region``, ``account`` (each may be None).

    Returns:
        The blueprint data with its code files, findings and assumptions.
    """
    try:
        return _import(definition, **given)
    except SHAPE_ERRORS as exc:
        finding = Finding("MLG602", "", "", f"not a definition mlopsgen can read ({type(exc).__name__}: {exc})")
        return Imported({}, [], [finding], [])


def _import(
    definition: dict[str, Any],
    *,
    project_name: str | None = None,
    project_id: str | None = None,
    region: str | None = None,
    account: str | None = None,
    helpers: dict[str, bytes] | None = None,
) -> Imported:
    """Import one pipeline definition.

    Args:
        definition: The parsed CreatePipeline definition.
        project_name: The project name (default: read from mlopsgen's paths in the definition).
        project_id: The project id (likewise).
        region: The region (default: the images' region).
        account: The development account (default: the pipeline role's account).
        helpers: Downloaded helper files by S3 URI (``helper_uris``), read where the definition points at them.

    Returns:
        The blueprint data with its code files, findings and assumptions.
    """
    notes: list[str] = []
    guess = _project_guess(definition)
    name = project_name or (guess[1] if guess else None)
    pid = project_id or (guess[2] if guess else None) or _tagged_id(definition)
    if name is None or pid is None:
        notes.append("the definition does not name the project: pass --project-name and --project-id")
    ctx = Context(name or "imported", pid or "p-imported", helpers=dict(helpers or {}))
    if guess and guess[1:] == (ctx.project_name, ctx.project_id):
        ctx.buckets.append(guess[0])
    steps = [s for s in _flatten(definition.get("Steps", [])) if isinstance(s.get("Name"), str)]
    for s in steps:
        ctx.step_types.setdefault(s["Name"], STEP_KINDS.get(str(s.get("Type")), "unknown"))
    training_images = {s["Name"]: _training_image(s) for s in steps if s.get("Type") in ("Training", "Tuning")}
    for s in steps:  # images first: the register step's SAGEMAKER_REGION is the project's region
        for node in _walk(s):
            if isinstance(node, dict):
                ctx.image(node.get("ImageUri") or node.get("TrainingImage") or node.get("Image"))
    lambda_arn = next((m for s in steps if (m := _LAMBDA.match(str(s.get("FunctionArn", ""))))), None)
    # An image the offline tables name pins the region (a private image may live in another one).
    named = [r for r in ctx.regions if any(is_table_image(uri, r) for uri in _images(steps))]
    candidates = named or ctx.regions
    the_region = region or (candidates[0] if candidates else lambda_arn.group(1) if lambda_arn else None)
    if the_region is None:
        notes.append("no image or function names the region: pass --region (us-east-1 assumed)")
    the_region = the_region or "us-east-1"
    for s in steps:  # before the register steps whose drift baselines name their monitoring configuration
        if s.get("Type") == "ClarifyCheck":
            checks_clarify.remember(s, ctx)
    built = [_step(s, ctx, f"Steps[{s['Name']}]", training_images, the_region) for s in steps]
    the_account = account or _account(ctx, lambda_arn)
    if the_account is None:
        notes.append("no role or function names the account: pass --account (111111111111 assumed)")
    project: dict[str, Any] = {
        "name": ctx.project_name,
        "id": ctx.project_id,
        "region": the_region,
        "account": the_account or "111111111111",
    }
    if ctx.bucket != f"sagemaker-project-{ctx.project_id}":
        project["artifact_bucket"] = ctx.bucket
    if ctx.roles and not (PROJECTS_ROLE.match(ctx.roles[0]) and ctx.roles[0].split(":")[4] == project["account"]):
        project["roles"] = {"pipeline": ctx.roles[0]}
    if len(ctx.roles) > 1:
        ctx.lose("", "Steps", f"the steps run as {len(ctx.roles)} roles; a blueprint has one pipeline role", "MLG604")
    pipeline: dict[str, Any] = {
        "experiment_tracking": _experiment(definition, ctx),
        "parameters": {p["Name"]: _parameter(p) for p in definition.get("Parameters", []) or []},
        "steps": built,
    }
    blueprint: dict[str, Any] = {
        "version": CURRENT,  # the language version this mlopsgen writes
        "project": prune(project, ProjectSpec),
        "pipeline": prune(pipeline, PipelineSpec),
    }
    security = prune(_security(ctx), SecuritySpec)
    if security:
        blueprint["security"] = security
    codes = sorted(ctx.code.values(), key=lambda c: c.path)
    return Imported(blueprint, codes, ctx.findings, notes, ctx.aliases)


def _images(steps: list[dict[str, Any]]) -> list[str]:
    found = []
    for s in steps:
        for node in _walk(s):
            if isinstance(node, dict):
                for key in ("ImageUri", "TrainingImage", "Image"):
                    if isinstance(node.get(key), str):
                        found.append(node[key])
    return found


def _training_image(s: dict[str, Any]) -> Any:
    args = s.get("Arguments", {})
    job = args.get("TrainingJobDefinition", {}) if s.get("Type") == "Tuning" else args
    return job.get("AlgorithmSpecification", {}).get("TrainingImage")


def _account(ctx: Context, lambda_arn: re.Match[str] | None) -> str | None:
    for role in ctx.roles:
        if match := ROLE_ACCOUNT.match(role):
            return match.group(1)
    return lambda_arn.group(2) if lambda_arn else None


def _experiment(definition: dict[str, Any], ctx: Context) -> bool:
    config = definition.get("PipelineExperimentConfig")
    if config is None:
        return False
    default = {
        "ExperimentName": {"Get": "Execution.PipelineName"},
        "TrialName": {"Get": "Execution.PipelineExecutionId"},
    }
    if config != default:
        ctx.lose("", "PipelineExperimentConfig", "experiment and trial names other than the pipeline and execution")
    return True


def _parameter(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": PARAMETER_TYPES.get(p.get("Type", ""), p.get("Type"))}
    if "DefaultValue" in p:
        out["default"] = p["DefaultValue"]
    if p.get("EnumValues"):
        out["allowed"] = list(p["EnumValues"])
    return out


def _security(ctx: Context) -> dict[str, Any]:
    seen = ctx.security
    out: dict[str, Any] = {}
    if "vpc" in seen:
        out["vpc"] = seen["vpc"]
    kms = {k: seen[k] for k in ("volume", "output") if k in seen}
    if kms:
        out["kms"] = kms
    out["encrypt_inter_container_traffic"] = bool(seen.get("encrypt"))
    out["network_isolation"] = bool(seen.get("isolation"))
    return out


def _step(s: dict[str, Any], ctx: Context, base: str, training_images: dict[str, Any], region: str) -> dict[str, Any]:
    name = s["Name"]
    kind = STEP_KINDS.get(str(s.get("Type")))
    head: dict[str, Any] = {"name": name, "type": kind or str(s.get("Type"))}
    if kind is None:
        ctx.lose(name, f"{base}.Type", f"step type {s.get('Type')!r} is not imported (yet)", "MLG600")
        return head
    readers: dict[str, Callable[[], dict[str, Any]]] = {
        "processing": lambda: jobs.processing(s, ctx, base),
        "training": lambda: jobs.training(s, ctx, base),
        "tuning": lambda: jobs.tuning(s, ctx, base),
        "register_model": lambda: models.register(s, ctx, base, training_images, region),
        "create_model": lambda: models.create_model(s, ctx, base, training_images),
        "transform": lambda: models.transform(s, ctx, base),
        "condition": lambda: flow.condition(s, ctx, base),
        "fail": lambda: flow.fail(s, ctx, base),
        "lambda": lambda: flow.lambda_step(s, ctx, base),
        "callback": lambda: flow.callback(s, ctx, base),
        "emr": lambda: flow.emr(s, ctx, base),
        "quality_check": lambda: checks.quality_check(s, ctx, base),
        "clarify_check": lambda: checks_clarify.clarify_check(s, ctx, base),
    }
    if kind == "clarify_check" and checks_clarify.read_config(s, ctx) is None:
        checks_clarify.refusal(s, ctx, base)  # its settings are in S3 and were not downloaded
        return head
    try:
        step = {**head, **flow.envelope(s, ctx, base), **readers[kind]()}
        model = step_model(kind)
        if model is not None:
            prune(step, model)
    except SHAPE_ERRORS as exc:  # a shape mlopsgen does not write: a finding, never a crash
        ctx.lose(name, base, f"unexpected shape for a {s.get('Type')} step ({type(exc).__name__}: {exc})", "MLG602")
        return head
    if isinstance(step.get("channels"), dict):  # a channel with only a source is written as the source
        step["channels"] = {k: c["source"] if set(c) == {"source"} else c for k, c in step["channels"].items()}
    return step
