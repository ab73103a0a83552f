"""Generator pieces for schedules, the new-data trigger and notifications (used by ``blueprint_strategy``).

Draws valid ones by construction: cron expressions composed field by field from the values the
scheduler documents, rate and at expressions, time zones, and execution parameter values of each
parameter's type (one of its allowed values when it has them).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .blueprint_strategy import _FLOATS, _INTS, _optional, _State

_MINUTES = st.sampled_from(["0", "30", "0/15", "5,35", "*"])
_HOURS = st.sampled_from(["0", "3", "8-17", "*", "0/6"])
_MONTHS = st.sampled_from(["*", "1", "JAN,JUL", "3-9"])
_DAYS_OF_MONTH = st.sampled_from(["1", "15", "L", "15W", "1-7", "*"])
_DAYS_OF_WEEK = st.sampled_from(["MON", "MON-FRI", "2#1", "6L", "SUN,SAT", "*"])
_YEARS = st.sampled_from(["*", "2027", "2026-2030"])
_ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"])


@st.composite
def _expression(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["cron", "rate", "at"]))
    if kind == "rate":
        value = draw(st.sampled_from([1, 2, 12, 90]))
        unit = draw(st.sampled_from(["minute", "hour", "day"]))
        return f"rate({value} {unit}{'' if value == 1 else 's'})"
    if kind == "at":
        return draw(st.sampled_from(["at(2027-01-01T00:00:00)", "at(2026-12-31T23:59:59)"]))
    day_of_month, day_of_week = draw(_DAYS_OF_MONTH), draw(_DAYS_OF_WEEK)
    if draw(st.booleans()):
        day_of_month = "?"
    else:
        day_of_week = "?"
    fields = (draw(_MINUTES), draw(_HOURS), day_of_month, draw(_MONTHS), day_of_week, draw(_YEARS))
    return f"cron({' '.join(fields)})"


def _values(draw: st.DrawFn, state: _State) -> dict[str, Any]:
    values: dict[str, Any] = {}
    chosen = draw(st.lists(st.sampled_from(sorted(state.params)), unique=True)) if state.params else []
    # Parameters without a default must be set (MLG416): a triggered execution gets only these values.
    chosen += [n for n in sorted(state.params) if "default" not in state.params[n] and n not in chosen]
    for name in chosen:
        spec = state.params[name]
        if spec.get("allowed"):
            values[name] = draw(st.sampled_from(spec["allowed"]))
        else:
            values[name] = draw(
                {
                    "string": st.sampled_from(["s3://bucket/new/", "ml.m5.large", 'it\'s "quoted" ${x} <y>']),
                    "integer": _INTS,
                    "float": _FLOATS,
                    "boolean": st.booleans(),
                }[spec["type"]]
            )
    return values


def add_operations(draw: st.DrawFn, state: _State, blueprint: dict[str, Any]) -> None:
    """Maybe add schedules, an on_new_data trigger and notifications to a drawn blueprint."""
    if draw(st.integers(0, 3)) != 0:
        return
    pipeline = blueprint["pipeline"]
    names = draw(st.lists(st.sampled_from(["nightly", "weekly", "hourly.v2", "x_1"]), unique=True, max_size=3))
    if names:
        pipeline["schedules"] = []
        for name in names:
            schedule: dict[str, Any] = {"name": name, "expression": draw(_expression())}
            _optional(draw, schedule, "timezone", _ZONES)
            _optional(draw, schedule, "enabled", st.booleans())
            values = _values(draw, state)
            if values:
                schedule["parameters"] = values
            pipeline["schedules"].append(schedule)
    if draw(st.booleans()):
        pipeline["on_new_data"] = {"prefix": draw(st.sampled_from(["s3://data-bucket/in/", "s3://data-bucket"]))}
        values = _values(draw, state)
        if values:
            pipeline["on_new_data"]["parameters"] = values
    if draw(st.booleans()):
        notifications: dict[str, Any] = {"pipeline_failed": True}
        if "deploy" in blueprint and "ci" not in blueprint:  # deploy_failed (on by default) needs CI (MLG413)
            notifications["deploy_failed"] = False
        _optional(draw, notifications, "pipeline_succeeded", st.booleans())
        _optional(draw, notifications, "email", st.just(["ops@example.com"]))
        _optional(draw, notifications, "https", st.just(["https://hooks.example.com/ml?x=<y>&z='1'"]))
        if not blueprint.get("security", {}).get("required"):
            _optional(draw, notifications, "encrypted", st.booleans())
        blueprint["notifications"] = notifications
