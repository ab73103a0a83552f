"""Targets: one module per generated artifact family, listed in one literal registry."""

from __future__ import annotations

from mlopsgen.targets import (
    codebuild,
    codepipeline,
    endpoint,
    guardrails,
    hub,
    jenkins,
    jenkins_trigger,
    multi_account,
    operations,
    pipeline_policy,
    sagemaker,
    scripts,
)
from mlopsgen.targets.base import Target

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
    "hub": hub,
    "pipeline_policy": pipeline_policy,
    "operations": operations,
}
