"""Both engines agree on every generated valid blueprint (issue 13, point 5).

For each blueprint the generator draws (tests/support/blueprint_strategy.py): it validates, the
native engine renders it (never failing once validation passed) twice with identical bytes, and the
SDK engine builds the same definition, compared as data. The SDK engine runs in ONE long-lived
subprocess whose sockets refuse to connect (as in test_sdk_oracle.py), fed a blueprint per line, so
its ~3 s import is paid once while hypothesis can still shrink a failing example. Seeded
(derandomize); ``MLOPSGEN_ENGINE_EXAMPLES`` sets how many blueprints (default 500, the issue's floor
per run: ~0.3 s each for the SDK build once the SDK engine shares one botocore loader, ~2.5 min in all).
On failure hypothesis shrinks the blueprint and prints it (``note``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings

import mlopsgen
from mlopsgen.api import plan_blueprint

from .conftest import ROOT
from .support.blueprint_strategy import blueprints

EXAMPLES = int(os.environ.get("MLOPSGEN_ENGINE_EXAMPLES", "500"))
DEFINITION = "model-build/pipeline-definition.json"
_MARK = "@@mlopsgen-sdk "

_SDK_WORKER = r"""
import json, socket, sys, base64

def refuse(*args, **kwargs):
    raise OSError("network access attempted while building offline")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk

MARK = "@@mlopsgen-sdk "
for line in sys.stdin:
    request = json.loads(line)
    code = {k: base64.b64decode(v) for k, v in request["code"].items()}
    try:
        plan, diagnostics = plan_blueprint(request["blueprint"], code=code)
        assert plan is not None, [d.format() for d in diagnostics]
        files = {f.path: f.content for f in sagemaker_sdk.emit(plan)}
        answer = {"definition": files["model-build/pipeline-definition.json"]}
    except Exception as exc:  # reported to the test, which fails with it
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    print(MARK + json.dumps(answer), flush=True)
"""


class SdkWorker:
    """One offline subprocess that builds definitions with the SDK engine, a blueprint per request."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SDK_WORKER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def definition(self, blueprint: dict[str, Any], code: dict[str, bytes]) -> dict[str, Any]:
        import base64

        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"blueprint": blueprint, "code": {k: base64.b64encode(v).decode() for k, v in code.items()}}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith(_MARK):
                answer: dict[str, Any] = json.loads(line[len(_MARK) :])
                assert "error" not in answer, f"the SDK engine failed: {answer['error']}"
                parsed: dict[str, Any] = json.loads(answer["definition"])
                return parsed
        raise AssertionError(f"the SDK worker exited ({self.proc.wait()})")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def sdk() -> Iterator[SdkWorker]:
    worker = SdkWorker()
    yield worker
    worker.close()


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(drawn=blueprints())
def test_engines_agree_on_generated_blueprints(drawn: tuple[dict[str, Any], dict[str, bytes]], sdk: SdkWorker) -> None:
    blueprint, code = drawn
    note("blueprint:\n" + yaml.safe_dump(blueprint, sort_keys=False, allow_unicode=True))
    plan, diagnostics = plan_blueprint(blueprint, code=code)
    assert plan is not None, [d.format() for d in diagnostics]  # the generator draws valid blueprints only
    first = mlopsgen.render(blueprint, code=code)
    assert first.ok, [d.format() for d in first.diagnostics]
    second = mlopsgen.render(blueprint, code=code)
    assert first.files == second.files, "native output is not deterministic"
    native = json.loads(first.files[DEFINITION])
    assert native == sdk.definition(blueprint, code)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(drawn=blueprints())
def test_generator_draws_valid_blueprints(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    """The generator builds valid blueprints by construction; a draw that fails validation is its bug."""
    blueprint, code = drawn
    note("blueprint:\n" + yaml.safe_dump(blueprint, sort_keys=False, allow_unicode=True))
    assert mlopsgen.validate(blueprint, code=code) == []
