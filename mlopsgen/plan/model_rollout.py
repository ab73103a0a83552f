"""Plan items of a stage's safe rollout (frozen, fully resolved): the endpoint's DeploymentConfig.

Split out of ``model.py`` so each serving feature of a stage keeps its own small module; the
endpoint target turns a ``Rollout`` into CloudFormation (``targets/endpoint_rollout.py``).
"""

from __future__ import annotations

from mlopsgen.frozen import frozen


@frozen
class GeneratedAlarms:
    """Thresholds of the CloudWatch alarms created with the endpoint, per variant."""

    errors_5xx: int
    """Invocation5XXErrors, sum per minute, at or above which the alarm fires."""
    latency_microseconds: int
    """ModelLatency (CloudWatch reports microseconds), average per minute, at or above which it fires."""
    evaluation_periods: int
    """Consecutive breaching minutes."""


@frozen
class Rollout:
    """How an update reaches the endpoint: blue/green traffic shifting or rolling, and what rolls it back."""

    traffic: str
    """ALL_AT_ONCE, CANARY or LINEAR (blue/green, TrafficRoutingConfig.Type), or ROLLING."""
    step_type: str
    """CAPACITY_PERCENT or INSTANCE_COUNT (CapacitySize.Type); empty for ALL_AT_ONCE."""
    step_size: int
    """CapacitySize.Value; 0 for ALL_AT_ONCE."""
    wait_seconds: int
    termination_wait_seconds: int
    """Blue/green only; 0 for ROLLING."""
    max_execution_timeout_seconds: int
    """0 leaves SageMaker's default."""
    alarms: tuple[str, ...]
    """Existing CloudWatch alarms (by name) that roll the update back."""
    generated_alarms: GeneratedAlarms | None
    """Alarms created with the endpoint; None when the blueprint turns them off."""

    @property
    def rolls_back(self) -> bool:
        """True when any alarm can roll the update back (AutoRollbackConfiguration is set)."""
        return bool(self.alarms) or self.generated_alarms is not None
