"""The framework-container table agrees with the pinned SDK's image_uris.retrieve; misses list the choices."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import mlopsgen
from mlopsgen.plan.framework_images import GRAVITON_FAMILIES, _table, framework_image_uri, processor_of
from mlopsgen.plan.images import UnknownImage
from tests.conftest import ROOT

_INSTANCE = {"cpu": "ml.m5.xlarge", "gpu": "ml.g5.xlarge"}


@pytest.mark.parametrize(("table_key", "scope"), [("frameworks", "training"), ("inference", "inference")])
def test_table_matches_sdk_for_every_combination(table_key: str, scope: str) -> None:
    """Every (framework, version, py_version, processor) in one region each, a few regions for some."""
    table = _table()
    cases = []
    for framework, versions in table[table_key].items():
        for key, pythons in versions.items():
            version, _, base = key.partition("-") if framework == "huggingface" else (key, "", "")
            for py, processors in pythons.items():
                for processor, (registry, _, _) in processors.items():
                    regions = sorted(table["registries"][registry])
                    for region in regions[:: max(1, len(regions) // 2)]:
                        cases.append((framework, version, py or None, processor, region, base or None))
    ours = [framework_image_uri(*case, scope=scope) for case in cases]  # type: ignore[arg-type]
    script = (
        "import os, json, sys; os.environ.setdefault('AWS_DEFAULT_REGION', 'eu-west-1');"
        "from sagemaker.core import image_uris;"
        "cases = json.loads(sys.stdin.read());"
        f"print(json.dumps([image_uris.retrieve(f, region=r, version=v, py_version=p, image_scope={scope!r},"
        f" instance_type={_INSTANCE!r}[c], **({{'base_framework_version': b}} if b else {{}}))"
        " for f, v, p, c, r, b in cases]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(cases), cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ours == json.loads(proc.stdout.splitlines()[-1])
    assert {c[0] for c in cases} == {"pytorch", "tensorflow", "huggingface"} and len(cases) > 200
    if scope == "inference":  # TensorFlow Serving images have no Python version, and are in the table
        assert any(c[0] == "tensorflow" and c[2] is None for c in cases)


@pytest.mark.parametrize(
    ("instance", "processor"),
    [("ml.m5.xlarge", "cpu"), ("ml.c5.2xlarge", "cpu"), ("ml.g5.xlarge", "gpu"), ("ml.p4d.24xlarge", "gpu"),
     ("ml.trn1.2xlarge", None), ("ml.inf2.xlarge", None)],
)  # fmt: skip
def test_processor_follows_the_sdk(instance: str, processor: str | None) -> None:
    assert processor_of(instance) == processor


def test_graviton_serves_from_its_own_images() -> None:
    """sagemaker 3.27.0 picks the inference_graviton scope for these families, which the table does not hold."""
    from sagemaker.core.fw_utils import GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY

    assert sorted(GRAVITON_FAMILIES) == sorted(GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY)
    assert processor_of("ml.c7g.xlarge") == "cpu" and processor_of("ml.c7g.xlarge", "inference") is None


def test_short_versions_are_the_sdks_aliases() -> None:
    """Short "2.1" is the SDK alias of 2.1.0: looked up as 2.1.0, tagged as ``retrieve`` does (the floating tag)."""
    assert framework_image_uri("pytorch", "2.1", None, "cpu", "eu-west-1", None).endswith(":2.1-cpu-py310")
    assert framework_image_uri("pytorch", "2.1.0", None, "cpu", "eu-west-1", None).endswith(":2.1.0-cpu-py310")
    hf = framework_image_uri("huggingface", "4.28", "py310", "gpu", "eu-west-1", "pytorch2.0")
    assert hf.endswith(":2.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04")


def test_misses_list_the_choices() -> None:
    with pytest.raises(UnknownImage) as version:
        framework_image_uri("pytorch", "2.1.9", None, "cpu", "eu-west-1", None)
    assert "2.1.0" in version.value.hint
    with pytest.raises(UnknownImage) as py:
        framework_image_uri("pytorch", "2.1.0", "py27", "cpu", "eu-west-1", None)
    assert "py310" in py.value.hint
    with pytest.raises(UnknownImage) as base:
        framework_image_uri("huggingface", "4.28.1", None, "gpu", "eu-west-1", None)
    assert "pytorch2.0.0" in base.value.hint
    with pytest.raises(UnknownImage) as processor:
        framework_image_uri("huggingface", "4.28.1", "py310", "cpu", "eu-west-1", "pytorch2.0.0")
    assert "gpu" in processor.value.hint


def _training(image: dict[str, Any], instance: str) -> dict[str, Any]:
    return {
        "project": {"name": "scripted", "id": "p-abc123", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "parameters": {"Instance": {"type": "string", "default": "ml.g5.xlarge"}},
            "steps": [
                {
                    "name": "Train",
                    "type": "training",
                    "image": image,
                    "instance": {"type": instance},
                    "source_dir": "src",
                    "entry_point": "train.py",
                }
            ],
        },
    }


def test_a_step_gets_the_processor_of_its_instance() -> None:
    code = {"src/train.py": b""}
    for instance, tag in (("ml.g5.xlarge", "2.1.0-gpu-py310"), ("ml.m5.xlarge", "2.1.0-cpu-py310")):
        result = mlopsgen.render(_training({"framework": "pytorch", "version": "2.1.0"}, instance), code=code)
        assert result.ok, [d.format() for d in result.diagnostics]
        definition = json.loads(result.files["model-build/pipeline-definition.json"])
        image = definition["Steps"][0]["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
        assert image == f"763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:{tag}"
    parameter = mlopsgen.render(
        _training({"framework": "pytorch", "version": "2.1.0"}, "${params.Instance}"), code=code
    )
    assert [d.code for d in parameter.diagnostics] == ["MLG355"]
    given = {"framework": "pytorch", "version": "2.1.0", "processor": "gpu"}
    assert mlopsgen.render(_training(given, "${params.Instance}"), code=code).ok
