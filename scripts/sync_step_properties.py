"""Regenerate mlopsgen/blueprint/step_properties.json from the pinned botocore SageMaker service model.

Run with the test extra installed: ``python scripts/sync_step_properties.py``. The table holds, per
blueprint step type, the response shapes the SageMaker SDK's ``Properties`` reads a step's
properties from (sagemaker/mlops/workflow/steps.py, model_step.py, condition_step.py), and every
shape reachable from them, reduced to what a property path needs: structure members, list items,
map values. ``resolve.py`` checks ``${steps.S.properties.PATH}`` against it offline;
tests/unit/blueprint/test_step_properties.py checks the committed file equals a fresh generation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped]
import botocore.loaders  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "mlopsgen" / "blueprint" / "step_properties.json"

# Blueprint step type → the shapes the SDK step's Properties are built from, in the SDK's order.
STEP_SHAPES: dict[str, list[str]] = {
    "processing": ["DescribeProcessingJobResponse"],  # ProcessingStep
    "training": ["DescribeTrainingJobResponse"],  # TrainingStep
    # TuningStep: both shapes (TrainingJobSummaries comes from the second).
    "tuning": ["DescribeHyperParameterTuningJobResponse", "ListTrainingJobsForHyperParameterTuningJobResponse"],
    "transform": ["DescribeTransformJobResponse"],  # TransformStep
    "register_model": ["DescribeModelPackageOutput"],  # ModelStep with register() step args
    "create_model": ["DescribeModelOutput"],  # ModelStep with create() step args
}
# Steps whose Properties come from another service's model (EMRStep: Properties(shape_name="Step",
# service_name="emr"), EMR's DescribeStep result); their shapes are stored as "<service>:<shape>".
OTHER_SERVICE_SHAPES: dict[str, tuple[str, str]] = {"emr": ("emr", "Step")}
# The check steps' Properties are not a botocore response: sagemaker 3.27.0 builds them by hand
# (QualityCheckStep.__init__ in mlops/workflow/quality_check_step.py), each an S3 URI.
CHECK_STEP_SHAPES: dict[str, dict[str, list[str]]] = {
    "quality_check": {
        "QualityCheckStepProperties": [
            "BaselineUsedForDriftCheckConstraints",
            "BaselineUsedForDriftCheckStatistics",
            "CalculatedBaselineConstraints",
            "CalculatedBaselineStatistics",
        ]
    },
    # ClarifyCheckStep.__init__ (mlops/workflow/clarify_check_step.py): constraints only.
    "clarify_check": {
        "ClarifyCheckStepProperties": ["BaselineUsedForDriftCheckConstraints", "CalculatedBaselineConstraints"]
    },
}
# ConditionStep's Properties has Outcome only; FailStep has none; LambdaStep and CallbackStep have
# only their declared outputs (read as ${steps.S.outputs.o}).
CONDITION_PROPERTIES = ["Outcome"]


def _reduce(shapes: dict[str, Any], name: str, out: dict[str, Any], prefix: str = "") -> None:
    """Copy ``name`` and every shape reachable from it into ``out``, keeping only the path-relevant parts.

    ``prefix`` namespaces another service's shapes (``emr:Step``) so they cannot collide with SageMaker's.
    """
    if prefix + name in out:
        return
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        members = {key: prefix + info["shape"] for key, info in sorted(shape["members"].items())}
        out[prefix + name] = {"members": members}
        for info in shape["members"].values():
            _reduce(shapes, info["shape"], out, prefix)
    elif kind == "list":
        out[prefix + name] = {"list": prefix + shape["member"]["shape"]}
        _reduce(shapes, shape["member"]["shape"], out, prefix)
    elif kind == "map":
        out[prefix + name] = {"map": prefix + shape["value"]["shape"]}
        _reduce(shapes, shape["value"]["shape"], out, prefix)
    else:
        out[prefix + name] = {}


def generate() -> str:
    """The table's JSON text, from the installed botocore's SageMaker model."""
    model = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    shapes: dict[str, Any] = {}
    for roots in STEP_SHAPES.values():
        for root in roots:
            _reduce(model["shapes"], root, shapes)
    other: dict[str, list[str]] = {}
    for step_type, (service, root) in OTHER_SERVICE_SHAPES.items():
        service_model = botocore.loaders.Loader().load_service_model(service, "service-2")
        _reduce(service_model["shapes"], root, shapes, f"{service}:")
        other[step_type] = [f"{service}:{root}"]
    check_roots: dict[str, list[str]] = {}
    for step_type, roots in CHECK_STEP_SHAPES.items():
        check_roots[step_type] = sorted(roots)
        for root, members in roots.items():
            shapes[root] = {"members": dict.fromkeys(members, "S3Uri")}
            _reduce(model["shapes"], "S3Uri", shapes)
    services = ", ".join(sorted({"sagemaker", *(service for service, _ in OTHER_SERVICE_SHAPES.values())}))
    table = {
        "source": f"botocore {botocore.__version__} service-2 of {services}",
        "steps": {**STEP_SHAPES, **other, **check_roots, "condition": [], "fail": [], "lambda": [], "callback": []},
        "condition_properties": CONDITION_PROPERTIES,
        "shapes": dict(sorted(shapes.items())),
    }
    return json.dumps(table, indent=1, sort_keys=False) + "\n"


def main() -> int:
    """Write the table."""
    TARGET.write_text(generate(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
