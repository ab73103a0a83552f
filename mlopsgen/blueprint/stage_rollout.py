"""Blueprint specs for safe rollouts of a deploy stage: blue/green or rolling updates, rolled back on alarms.

A stage's ``rollout`` becomes the endpoint's DeploymentConfig (CloudFormation AWS::SageMaker::Endpoint,
the UpdateEndpoint API's shape). Field bounds are botocore's (WaitIntervalInSeconds 0-3600,
TerminationWaitInSeconds 0-3600, MaximumExecutionTimeoutInSeconds 600-28800, AlarmList 1-10);
the rules that depend on the stage (sizes against the instance count) are in ``checks_rollout``.
ref: https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails.html
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from mlopsgen.blueprint.base import Spec, flag_or_model, no_items

ALARM_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.,:/()#+=@\-]{0,254}$"
"""CloudWatch takes any 1-255 characters; we keep names free of what needs escaping downstream
(``$`` ``{`` for Fn::Sub, quotes and backslashes for Groovy and shell, ``*`` ``?`` for IAM)."""

MAX_ROLLBACK_ALARMS = 10
"""AutoRollbackConfig.Alarms holds 1-10 alarms (botocore AlarmList)."""


class GeneratedAlarmsSpec(Spec):
    """CloudWatch alarms created with the endpoint, on each variant's errors and latency."""

    errors_5xx: int = Field(
        default=1,
        ge=1,
        description="Alarm when the variant's Invocation5XXErrors (sum per minute) reach this many.",
    )
    latency_ms: int = Field(
        default=1000,
        ge=1,
        le=3_600_000,
        description="Alarm when the variant's average ModelLatency over a minute reaches this many milliseconds.",
    )
    evaluation_minutes: int = Field(
        default=2,
        ge=1,
        le=60,
        description="Consecutive breaching minutes before an alarm fires. Missing data (no traffic) is not breaching.",
    )


class RolloutSpec(Spec):
    """How a new model version replaces the running one on this stage's endpoint, and when to roll back."""

    strategy: Literal["all_at_once", "canary", "linear", "rolling"] = Field(
        description="Blue/green with all_at_once, canary or linear traffic shifting, or a rolling update "
        "(batches of instances replaced in place)."
    )
    step_percent: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="Canary size, linear step or rolling batch as a share of the variant's capacity "
        "(CAPACITY_PERCENT). Canary: at most 50; linear: 10-50; rolling: 5-50.",
    )
    step_instances: int | None = Field(
        default=None,
        ge=1,
        description="Canary size, linear step or rolling batch in instances (INSTANCE_COUNT), against the "
        "stage's instance_count with the same bounds as step_percent.",
    )
    wait_seconds: int = Field(
        default=300,
        ge=0,
        le=3600,
        description="Baking time after each traffic step (WaitIntervalInSeconds), watched by the rollback alarms.",
    )
    termination_wait_seconds: int = Field(
        default=0,
        ge=0,
        le=3600,
        description="Blue/green only: how long the old fleet is kept after all traffic moved "
        "(TerminationWaitInSeconds).",
    )
    max_execution_timeout_seconds: int | None = Field(
        default=None,
        ge=600,
        le=28800,
        description="Bound for the whole deployment (MaximumExecutionTimeoutInSeconds); default: SageMaker's.",
    )
    alarms: list[Annotated[str, Field(pattern=ALARM_NAME_PATTERN)]] = Field(
        default_factory=no_items,
        description="Names of existing CloudWatch alarms that roll the deployment back (in the account the "
        "stage deploys into).",
    )
    generated_alarms: Annotated[
        GeneratedAlarmsSpec | None,
        BeforeValidator(flag_or_model, json_schema_input_type=GeneratedAlarmsSpec | bool | None),
    ] = Field(
        default_factory=GeneratedAlarmsSpec,
        description="true/false, or the thresholds of the 5xx-error and latency alarms created with the endpoint "
        "(default: on). With neither these nor alarms, nothing rolls the deployment back.",
    )
