"""Plan → what model monitoring in target accounts needs: the model role's grants and the artifact bucket's.

In a stack-set stage the monitoring jobs run as the target account's model role (as the endpoint does),
reading the stage's data capture and explicit baselines in the project's artifact bucket and writing
their reports there. Package baselines (written by the pipeline wherever its check steps put them) are
not granted here: give a stage in other accounts explicit baselines under a known prefix.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.model_monitoring import KINDS, PACKAGE_BASELINE
from mlopsgen.targets.iam import allow

PROCESSING_LOGS = "log-group:/aws/sagemaker/ProcessingJobs:*"
"""Monitoring jobs are processing jobs: they log under this group."""


def _monitored(plan: ir.Plan) -> list[ir.Stage]:
    assert plan.deploy is not None
    return [s for s in plan.deploy.stages if s.targets is not None and s.monitoring is not None]


def _in_bucket(plan: ir.Plan, uri: str, bucket_arn: str) -> str | None:
    prefix = f"s3://{plan.project.artifact_bucket}/"
    return f"{bucket_arn}/{uri.removeprefix(prefix)}" if uri.startswith(prefix) else None


def object_access(plan: ir.Plan, bucket_arn: str) -> tuple[list[str], list[str]]:
    """(objects the target monitoring jobs read, objects they write) in the artifact bucket, as ARNs."""
    reads: list[str] = []
    writes: list[str] = []
    for stage in _monitored(plan):
        assert stage.monitoring is not None
        capture = _in_bucket(plan, stage.data_capture.destination.rstrip("/"), bucket_arn)
        if capture:
            reads.append(f"{capture}/*")
        for monitor in stage.monitoring.monitors:
            for uri in (monitor.statistics, monitor.constraints, monitor.analysis_config):
                arn = _in_bucket(plan, uri, bucket_arn) if uri and not uri.startswith(PACKAGE_BASELINE) else None
                if arn:
                    reads.append(arn)
            ground_truth = _in_bucket(plan, monitor.ground_truth.rstrip("/"), bucket_arn)
            if ground_truth:
                reads.append(f"{ground_truth}/*")
        output = _in_bucket(plan, stage.monitoring.output, bucket_arn)
        if output:
            writes.append(f"{output}/*")
    return sorted(set(reads)), sorted(set(writes))


def list_prefixes(reads: list[str], bucket_arn: str) -> dict[str, Any] | None:
    """The condition limiting s3:ListBucket to the prefixes jobs read whole (data capture, ground truth)."""
    prefixes = [arn.removeprefix(f"{bucket_arn}/") for arn in reads if arn.endswith("/*")]
    return {"StringLike": {"s3:prefix": prefixes}} if prefixes else None


def images(plan: ir.Plan) -> list[str]:
    """The monitoring images the target-account jobs pull (model-monitor and/or Clarify)."""
    found = set()
    for stage in _monitored(plan):
        assert stage.monitoring is not None
        available = dict(stage.monitoring.images)
        for monitor in stage.monitoring.monitors:
            found.add(available.get(KINDS[monitor.kind][2], ""))
    return sorted(uri for uri in found if uri)


def role_statements(plan: ir.Plan, bucket_arn: str, local: Any) -> list[dict[str, Any]]:
    """The target model role's grants for monitoring jobs (nothing when no stack-set stage monitors).

    Args:
        plan: The resolved blueprint.
        bucket_arn: The artifact bucket's ARN.
        local: Builds a same-account ARN from (service, resource).
    """
    if not _monitored(plan):
        return []
    reads, writes = object_access(plan, bucket_arn)
    namespaces = sorted({KINDS[m.kind][3] for s in _monitored(plan) if s.monitoring for m in s.monitoring.monitors})
    statements = [
        allow(
            "MonitoringJobLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            [local("logs", PROCESSING_LOGS)],
        ),
        allow(
            "MonitoringMetrics",
            ["cloudwatch:PutMetricData"],
            ["*"],  # PutMetricData has no resource-level permissions; the namespace condition scopes it
            {"StringEquals": {"cloudwatch:namespace": namespaces}},
        ),
    ]
    if reads:
        statements.append(allow("ReadMonitoringInputs", ["s3:GetObject"], reads))
        listed = list_prefixes(reads, bucket_arn)
        if listed:
            statements.append(allow("ListMonitoringInputs", ["s3:ListBucket"], [bucket_arn], listed))
    if writes:
        statements.append(allow("WriteMonitoringReports", ["s3:PutObject"], writes))
    return statements
