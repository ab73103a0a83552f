"""Targets: one module per generated artifact family, listed in one literal registry."""

from __future__ import annotations

from mlopsgen.plan import model as ir
from mlopsgen.targets import (
    codebuild,
    codepipeline,
    endpoint,
    guardrails,
    jenkins,
    jenkins_trigger,
    multi_account,
    sagemaker,
    scripts,
)
from mlopsgen.targets.base import LazyTarget, Target

TARGETS: dict[str, Target] = {
    "sagemaker": sagemaker,
    "endpoint": endpoint,
    "codebuild": codebuild,
    "codepipeline": codepipeline,
    "scripts": scripts,
    "jenkins": jenkins,
    "jenkins_trigger": jenkins_trigger,
    "guardrails": guardrails,
    "multi_account": multi_account,
    "hub": LazyTarget("hub", "mlopsgen.targets.hub", lambda plan: plan.registry is not None),
    "pipeline_policy": LazyTarget(
        "pipeline_policy",
        "mlopsgen.targets.pipeline_policy",
        lambda plan: bool(ir.steps_of(plan.pipeline.steps, ir.LambdaStep, ir.CallbackStep, ir.EmrStep)),
    ),
    "operations": LazyTarget("operations", "mlopsgen.targets.operations", lambda plan: plan.operations is not None),
}
"""Every target, in emission order. Targets for optional constructs load on demand (``LazyTarget``)."""
