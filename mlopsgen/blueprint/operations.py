"""Blueprint ``pipeline.schedules``, ``pipeline.on_new_data`` and ``notifications`` → specs and checks.

Operations around the pipeline: when it starts without a commit (an EventBridge Scheduler schedule,
or new objects under an S3 prefix) and whom SNS tells when an execution or a deployment fails.
Kept apart from ``models.py`` so the whole feature reads in one file; ``PipelineSpec`` and
``BlueprintSpec`` hold the specs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from mlopsgen.blueprint.base import Spec, no_entries, no_items

if TYPE_CHECKING:
    from mlopsgen.blueprint.checks import Issue
    from mlopsgen.blueprint.loader import PathKey
    from mlopsgen.blueprint.models import BlueprintSpec
    from mlopsgen.blueprint.resolve import Scope

ParameterValues = dict[str, str | int | float | bool]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s/]+(/\S*)?$", max_length=2048)]

# EventBridge Scheduler's CreateSchedule: Name 1-64 of [0-9a-zA-Z-_.]; the blueprint name is a suffix.
SCHEDULE_NAME_PATTERN = r"^[0-9a-zA-Z][0-9a-zA-Z_.-]{0,31}$"
S3_PREFIX_PATTERN = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$"
# Lengths from botocore's scheduler model (SageMakerPipelineParameterValue: 1-1024).
MAX_PARAMETER_VALUE = 1024


class ScheduleSpec(Spec):
    """A schedule that starts the pipeline (an EventBridge Scheduler schedule)."""

    name: str = Field(pattern=SCHEDULE_NAME_PATTERN, description="Schedule name, unique in the blueprint.")
    expression: str = Field(
        max_length=256,
        description="When it runs: cron(minutes hours day-of-month month day-of-week year), "
        "rate(value unit) or at(yyyy-mm-ddThh:mm:ss), as EventBridge Scheduler reads them.",
    )
    timezone: str = Field(
        default="UTC", max_length=50, description="IANA time zone the expression is read in, e.g. Europe/Berlin."
    )
    parameters: ParameterValues = Field(
        default_factory=no_entries, description="Pipeline parameter values the scheduled executions start with."
    )
    enabled: bool = Field(default=True, description="Whether the schedule runs (false: created disabled).")


class NewDataSpec(Spec):
    """Start the pipeline when an object is created under an S3 prefix (an EventBridge rule)."""

    prefix: str = Field(
        pattern=S3_PREFIX_PATTERN,
        max_length=1024,
        description="s3://bucket/prefix/ watched for new objects. The bucket must send its events to "
        "EventBridge (its EventBridgeConfiguration notification).",
    )
    parameters: ParameterValues = Field(
        default_factory=no_entries, description="Pipeline parameter values the executions start with."
    )


class NotificationsSpec(Spec):
    """Who SNS tells when something goes wrong (one topic per project)."""

    pipeline_failed: bool = Field(default=True, description="Notify when a pipeline execution fails or stops.")
    pipeline_succeeded: bool = Field(default=False, description="Notify when a pipeline execution succeeds.")
    deploy_failed: bool = Field(
        default=True,
        description="Notify when a deployment fails (the CodePipeline deploy pipeline's failed executions; "
        "the Jenkins deploy job's post-failure step).",
    )
    email: list[Email] = Field(
        default_factory=no_items, description="E-mail addresses subscribed to the topic (each confirms once)."
    )
    https: list[HttpsUrl] = Field(
        default_factory=no_items, description="HTTPS endpoints subscribed to the topic (each confirms once)."
    )
    encrypted: bool | None = Field(
        default=None,
        description="Encrypt the topic with a customer-managed KMS key the template creates (its key policy "
        "lets EventBridge publish). Default: when the security block sets an output key or is required.",
    )


# --- schedule expressions ------------------------------------------------------------------------

_RATE = re.compile(r"^rate\((?P<value>[1-9][0-9]*) (?P<unit>minutes?|hours?|days?)\)$")
_AT = re.compile(r"^at\((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")
# Per cron field: (name, low, high, names allowed, extra wildcard characters).
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...], str], ...] = (
    ("minutes", 0, 59, (), ""),
    ("hours", 0, 23, (), ""),
    ("day-of-month", 1, 31, (), "?LW"),
    ("month", 1, 12, _MONTHS, ""),
    ("day-of-week", 1, 7, _DAYS, "?L#"),
    ("year", 1970, 2199, (), ""),
)


def expression_problem(expression: str) -> str:
    """Why EventBridge Scheduler would refuse ``expression`` ("" when it reads it).

    Ref: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html

    Args:
        expression: A cron(...), rate(...) or at(...) expression.

    Returns:
        The problem in words, or "".
    """
    if expression.startswith("rate("):
        match = _RATE.match(expression)
        if not match:
            return "a rate expression is rate(<positive whole number> <minute(s)|hour(s)|day(s)>)"
        if (match["value"] == "1") != (not match["unit"].endswith("s")):
            return "a rate of 1 takes a singular unit (minute, hour, day) and any other value a plural one"
        return ""
    if expression.startswith("at("):
        match = _AT.match(expression)
        if not match:
            return "an at expression is at(yyyy-mm-ddThh:mm:ss)"
        _, month, day, hour, minute, second = (int(g) for g in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
            return "the date or time of the at expression is out of range"
        return ""
    match = _CRON.match(expression)
    if not match:
        return "the expression must be cron(...), rate(...) or at(...)"
    fields = match["fields"].split(" ")
    if len(fields) != len(_FIELDS):
        return f"a cron expression has 6 fields separated by single spaces (minutes ... year), not {len(fields)}"
    for value, (name, low, high, names, extra) in zip(fields, _FIELDS, strict=True):
        problem = _cron_field_problem(value, low, high, names, extra)
        if problem:
            return f"cron field {name} {value!r}: {problem}"
    if (fields[2] == "?") == (fields[4] == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    return ""


def _cron_field_problem(value: str, low: int, high: int, names: tuple[str, ...], extra: str) -> str:
    if value in ("*", "?"):
        return "" if value == "*" or "?" in extra else "'?' is allowed in day-of-month and day-of-week only"
    for part in value.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return f"step {step!r} is not a number"
        if "#" in base and "#" in extra:
            day, _, nth = base.partition("#")
            if not (_in_range(day, low, high, names) and nth in {"1", "2", "3", "4", "5"}):
                return "'#' takes a day of the week and an occurrence 1-5"
            continue
        if base in ("L", "W", "LW") or (base.endswith(("L", "W")) and base[-1] in extra):
            stripped = base.rstrip("LW")
            if base[-1] in extra and (not stripped or _in_range(stripped, low, high, names)):
                continue
            return f"'{base[-1]}' is not allowed here"
        ends = base.split("-")
        if base == "*" or (len(ends) <= 2 and all(_in_range(e, low, high, names) for e in ends)):
            continue
        allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
        return f"{base!r} is not a value or range in {allowed}"
    return ""


def _in_range(word: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if word.upper() in names:
        return True
    return word.isdigit() and low <= int(word) <= high


@cache
def time_zones() -> frozenset[str]:
    """IANA time zone names, from a table under version control (``time_zones.json``).

    Not the host's tz database: validation must give the same answer everywhere, the seed-code
    Lambda included.
    """
    import json
    from importlib import resources

    text = resources.files("mlopsgen.blueprint").joinpath("time_zones.json").read_text(encoding="utf-8")
    return frozenset(json.loads(text)["zones"])


# --- checks --------------------------------------------------------------------------------------


def check_operations(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """Schedules, new-data triggers and notifications that cannot work, each at the key to change.

    Args:
        spec: A blueprint that passed schema validation.
        scope: The pipeline's parameters (name → type).

    Returns:
        The issues found (MLG202, MLG301, MLG304, MLG305, MLG410-MLG414, MLG416).
    """
    from mlopsgen.blueprint.checks import Issue  # checks imports models, which imports this module

    issues: list[Issue] = []
    seen: set[str] = set()
    for i, schedule in enumerate(spec.pipeline.schedules):
        where: PathKey = ("pipeline", "schedules", i)
        if schedule.name in seen:
            issues.append(Issue("MLG301", (*where, "name"), f"duplicate schedule '{schedule.name}'", at_value=True))
        seen.add(schedule.name)
        problem = expression_problem(schedule.expression)
        if problem:
            issues.append(
                Issue(
                    "MLG410",
                    (*where, "expression"),
                    f"schedule '{schedule.name}': {problem}",
                    "e.g. cron(0 3 * * ? *) (03:00 every day) or rate(12 hours).",
                    at_value=True,
                )
            )
        zones = time_zones()
        if schedule.timezone not in zones:
            from mlopsgen.errors import did_you_mean

            issues.append(
                Issue(
                    "MLG411",
                    (*where, "timezone"),
                    f"unknown time zone '{schedule.timezone}' in schedule '{schedule.name}'",
                    did_you_mean(schedule.timezone, sorted(zones)).strip() or "an IANA name such as Europe/Berlin.",
                    at_value=True,
                )
            )
        issues += parameter_value_issues(spec, scope, (*where, "parameters"), schedule.parameters)
        issues += _unset_issues(spec, where, f"schedule '{schedule.name}'", schedule.parameters)
    if spec.pipeline.on_new_data is not None:
        data = spec.pipeline.on_new_data
        issues += parameter_value_issues(spec, scope, ("pipeline", "on_new_data", "parameters"), data.parameters)
        issues += _unset_issues(spec, ("pipeline", "on_new_data"), "on_new_data", data.parameters)
    issues += _notification_issues(spec)
    return issues


def parameter_value_issues(spec: BlueprintSpec, scope: Scope, where: PathKey, values: ParameterValues) -> list[Issue]:
    """Execution parameter values that name no pipeline parameter, or do not fit its type or allowed values.

    Args:
        spec: The blueprint (for the parameters' allowed values).
        scope: The pipeline's parameters (name → type).
        where: Path of the ``parameters`` mapping.
        values: Parameter name → value.

    Returns:
        MLG202 (unknown), MLG304 (wrong type), MLG305 (not allowed) and MLG412 (too long or empty).
    """
    from mlopsgen.blueprint.checks import Issue, _article, _known, _yaml

    kinds: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "integer": (int,),
        "float": (int, float),
        "boolean": (bool,),
    }
    issues: list[Issue] = []
    for name, value in values.items():
        at: PathKey = (*where, name)
        if name not in scope.params:
            issues.append(
                Issue("MLG202", at, f"unknown pipeline parameter '{name}'", _known(name, scope.params, "parameters"))
            )
            continue
        kind = scope.params[name]
        if not isinstance(value, kinds[kind]) or (isinstance(value, bool) and kind != "boolean"):
            issues.append(
                Issue(
                    "MLG304", at, f"value {_yaml(value)} for parameter '{name}' is not {_article(kind)}", at_value=True
                )
            )
            continue
        allowed = spec.pipeline.parameters[name].allowed
        if allowed is not None and value not in allowed:
            issues.append(
                Issue(
                    "MLG305",
                    at,
                    f"value {_yaml(value)} for parameter '{name}' is not one of its allowed values",
                    "allowed: " + ", ".join(str(v) for v in allowed) + ".",
                    at_value=True,
                )
            )
        if not 1 <= len(execution_text(value)) <= MAX_PARAMETER_VALUE:
            issues.append(
                Issue(
                    "MLG412",
                    at,
                    f"value for parameter '{name}' must be 1-{MAX_PARAMETER_VALUE} characters "
                    "(SageMaker's pipeline parameter value)",
                    at_value=True,
                )
            )
    return issues


def _unset_issues(spec: BlueprintSpec, where: PathKey, what: str, values: ParameterValues) -> list[Issue]:
    """MLG416: a parameter without a default that the trigger does not set.

    A scheduled or event-started execution gets only the values the trigger sends; the SageMaker SDK
    refuses triggers on such pipelines outright (``validate_default_parameters_for_schedules``).
    """
    from mlopsgen.blueprint.checks import Issue

    unset = [name for name, p in spec.pipeline.parameters.items() if p.default is None and name not in values]
    if not unset:
        return []
    names = ", ".join(f"'{n}'" for n in unset)
    return [
        Issue(
            "MLG416",
            where,
            f"{what} does not set {names}, which {'has' if len(unset) == 1 else 'have'} no default: "
            "its executions would fail to start",
            "set them under parameters, or give them defaults.",
        )
    ]


def execution_text(value: Any) -> str:
    """A parameter value as StartPipelineExecution takes it (text; booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _notification_issues(spec: BlueprintSpec) -> list[Issue]:
    from mlopsgen.blueprint.checks import Issue

    notifications = spec.notifications
    if notifications is None:
        return []
    issues: list[Issue] = []
    where: PathKey = ("notifications",)
    explicit = "deploy_failed" in notifications.model_fields_set
    if notifications.deploy_failed and spec.deploy is None and explicit:
        issues.append(
            Issue(
                "MLG413",
                (*where, "deploy_failed"),
                "deploy_failed needs a deploy section: nothing is deployed",
                "remove deploy_failed, or add deploy stages.",
                at_value=True,
            )
        )
    # Only when written: by default deploy_failed follows what exists (off without a ci section, as planned).
    if notifications.deploy_failed and spec.deploy is not None and spec.ci is None and explicit:
        issues.append(
            Issue(
                "MLG413",
                (*where, "deploy_failed"),
                "deploy_failed needs a ci section: deployments run in the generated CI",
                "add a ci section, or set deploy_failed: false.",
                at_value=True,
            )
        )
    if not (notifications.pipeline_failed or notifications.pipeline_succeeded or notifications.deploy_failed):
        issues.append(
            Issue(
                "MLG413",
                where,
                "notifications notify about nothing: pipeline_failed, pipeline_succeeded and deploy_failed are off",
                "turn one on, or remove the notifications section.",
            )
        )
    if notifications.encrypted is False and spec.security.required:
        issues.append(
            Issue(
                "MLG414",
                (*where, "encrypted"),
                "security.required needs an encrypted notification topic",
                "remove encrypted: false (the topic is then encrypted with a key the template creates).",
                at_value=True,
            )
        )
    return issues
