"""The offline image table agrees with the pinned SDK's image_uris.retrieve, entry by entry."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlopsgen.plan.images import UnknownImage, _table, image_uri
from tests.conftest import ROOT


def test_table_matches_sdk_for_every_entry() -> None:
    table = _table()
    cases = [
        (fw, version, region)
        for fw, versions in table["images"].items()
        for version, entry in versions.items()
        for region in sorted(table["registries"][entry["registries"]])[::5]
    ]
    ours = [image_uri(*case) for case in cases]
    script = (
        "import os, json, sys; os.environ.setdefault('AWS_DEFAULT_REGION', 'eu-west-1');"
        "from sagemaker.core import image_uris;"
        "cases = json.loads(sys.stdin.read());"
        "print(json.dumps([image_uris.retrieve(f, region=r, version=v, image_scope='training',"
        " instance_type='ml.m5.xlarge') for f, v, r in cases]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(cases), cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ours == json.loads(proc.stdout.splitlines()[-1])
    assert len(cases) > 50


def test_unknown_version_and_framework() -> None:
    with pytest.raises(UnknownImage) as version:
        image_uri("xgboost", "0.1", "eu-west-1")
    assert "1.7-1" in version.value.hint
    with pytest.raises(UnknownImage):
        image_uri("tensorflowz", "1", "eu-west-1")
