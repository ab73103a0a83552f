"""BlueprintSpec → diagnostics for batch deploy stages (MLG334-MLG337); the specs are in ``stage_batch.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.delivery import StageSpec
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Scope
from mlopsgen.blueprint.steps import RegisterModelStepSpec

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_batch import BatchSpec


def _batch_stages(spec: BlueprintSpec) -> list[tuple[int, StageSpec, BatchSpec]]:
    if spec.deploy is None:
        return []
    return [(i, s, s.batch) for i, s in enumerate(spec.deploy.stages) if s.batch is not None]


ENDPOINT_ONLY = ("data_capture", "autoscaling", "instance_type", "instance_count", "serving", "rollout", "monitoring")
"""Stage keys that configure an endpoint (its capacity, variants, updates, monitors): meaningless on a batch
stage, whose transform job has its own instances and nothing to update in place or monitor."""


def check_batch_stages(spec: BlueprintSpec, scope: Scope) -> list[Issue]:
    """A batch stage sets no endpoint options, runs at some point, stays in this account, fits the model.

    MLG334: endpoint settings (data capture, autoscaling, endpoint instances) on a batch stage;
    MLG335: a batch stage that never runs (no schedule and on_approval false);
    MLG336: a batch stage deployed to other accounts (stack sets are endpoint-only for now);
    MLG337: a transform instance type the register steps do not list in transform_instances
    (the model package's SupportedTransformInstanceTypes bound where the transform may run).
    """
    issues: list[Issue] = []
    registers = [s for s in (spec.pipeline.steps if spec.deploy else ()) if isinstance(s, RegisterModelStepSpec)]
    for i, stage, batch in _batch_stages(spec):
        where = ("deploy", "stages", i)
        name = stage.name
        given = stage.model_fields_set
        for key in ENDPOINT_ONLY:
            if key in given and getattr(stage, key) is not None:
                issues.append(
                    Issue(
                        "MLG334",
                        (*where, key),
                        f"stage '{name}' is a batch stage and has no endpoint, so {key} does not apply",
                        "remove it (batch.instance_type and batch.instance_count size the transform job).",
                    )
                )
        if batch.schedule is None and not batch.on_approval:
            issues.append(
                Issue(
                    "MLG335",
                    (*where, "batch", "on_approval"),
                    f"batch stage '{name}' never runs: on_approval is false and it has no schedule",
                    "set batch.schedule (e.g. cron(0 2 * * ? *)) or leave on_approval true.",
                    at_value=True,
                )
            )
        for key in ("accounts", "organizational_units"):
            if getattr(stage, key) is not None:
                issues.append(
                    Issue(
                        "MLG336",
                        (*where, key),
                        f"batch stage '{name}' cannot deploy to other accounts: stack set stages are endpoints only",
                        "deploy the batch stage in the project account, or use an endpoint stage.",
                    )
                )
        for step in registers:
            listed = step.transform_instances
            if listed and batch.instance_type not in listed:
                allowed = ", ".join(listed)
                issues.append(
                    Issue(
                        "MLG337",
                        (*where, "batch", "instance_type"),
                        f"batch stage '{name}' runs on {batch.instance_type}, which register_model step "
                        f"'{step.name}' does not list in transform_instances ({allowed})",
                        f"use one of {allowed}, or add {batch.instance_type} to transform_instances of '{step.name}'.",
                        at_value=True,
                    )
                )
    return issues


BATCH_CHECKS: tuple[Callable[[BlueprintSpec, Scope], list[Issue]], ...] = (check_batch_stages,)
