"""The endpoint target and the sample payload: data capture follows the model's content types, and the
smoke test's payload goes byte for byte from the blueprint into the generated tree and the request.

The blueprints are abalone.yaml with its register step's content types and its sample payload changed.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.output import MANIFEST, diff_files, write_files
from mlopsgen.plan.content_types import capture_content_types
from mlopsgen.runtime import test_endpoint
from tests.unit.runtime.conftest import StubSession
from tests.unit.views.support import _code, edit

CSV_REGISTER = "      content_types: [text/csv]\n      response_types: [text/csv]\n"
PAYLOAD_LINE = "  sample_payload: tests/abalone-sample.csv\n"
TEMPLATES = ("model-deploy/endpoint-config-template.yml", "model-deploy/endpoint-stackset-template.yml")

# A numpy .npy header, a NUL, bytes that are not UTF-8, and CR LF / lone CR that text handling would change.
NPY = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n\x00\xff\xfe\r\n\r\x80"


def _render(
    request: str, response: str, payload: str = PAYLOAD_LINE, code: dict[str, bytes] | None = None
) -> dict[str, Any]:
    register = f"      content_types: [{request}]\n      response_types: [{response}]\n"
    text = edit("abalone", (CSV_REGISTER, register), (PAYLOAD_LINE, payload))
    result = mlopsgen.render(text, name="abalone.yaml", code={**_code(), **(code or {})})
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.files


def _smoke_test_argv(files: dict[str, Any]) -> list[str]:
    """The smoke test command of the CodeBuild test buildspec, split as the shell splits it."""
    commands = yaml.safe_load(files["model-deploy/test/buildspec.yml"])["phases"]["build"]["commands"]
    [command] = [c for c in commands if "test_endpoint.py" in c]
    return shlex.split(command)


def _capture(files: dict[str, Any], template: str = TEMPLATES[0]) -> dict[str, Any]:
    resources = yaml.safe_load(files[template])["Resources"]
    capture: dict[str, Any] = resources["EndpointConfig"]["Properties"]["DataCaptureConfig"]
    return capture


def test_json_model_is_captured_as_json() -> None:
    """Before: CsvContentTypes [text/csv] whatever the model took, so JSON traffic was captured base64."""
    capture = _capture(_render("application/json", "application/json"))
    assert capture["CaptureContentTypeHeader"] == {"JsonContentTypes": ["application/json"]}


def test_csv_request_with_json_response_lists_both_in_every_endpoint_template() -> None:
    files = mlopsgen.render(mlopsgen.api.Path("blueprints/fraud_secure.yaml")).files
    for template in TEMPLATES:
        assert _capture(files, template)["CaptureContentTypeHeader"] == {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        }, template


def test_binary_model_is_captured_base64_without_a_header() -> None:
    """With no CSV or JSON type, AWS's default (base64) is right; empty lists would be rejected (min 1)."""
    assert "CaptureContentTypeHeader" not in _capture(_render("image/jpeg", "application/x-npy"))


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["text/csv; charset=utf-8", "text/csv"], (("text/csv",), ())),
        (
            ["application/jsonlines", "application/JSON", "application/x-csv"],
            (("application/x-csv",), ("application/json", "application/jsonlines")),
        ),
        (["application/vnd.api+json", "image/png", "application/x-recordio-protobuf"], ((), ())),
    ],
)
def test_capture_content_types_follow_the_aws_pattern(types: list[str], expected: Any) -> None:
    """Parameters are dropped and '+json' is left to base64: AWS's type pattern admits neither."""
    assert capture_content_types(types) == expected


def test_sample_content_type_defaults_to_the_register_steps_one_type() -> None:
    """Before: text/csv unless the blueprint said otherwise, whatever the model accepted."""
    files = _render(
        "application/json",
        "application/json",
        "  sample_payload: tests/sample.json\n",
        {"tests/sample.json": b'{"x": [1]}'},
    )
    argv = _smoke_test_argv(files)
    assert argv[argv.index("--content-type") + 1] == "application/json"


def test_binary_payload_reaches_the_tree_the_manifest_and_the_request(tmp_path: Path) -> None:
    """Before: MLG308 'not UTF-8 text'; the payload could only be text."""
    files = _render(
        "application/x-npy", "application/json", "  sample_payload: tests/digit.npy\n", {"tests/digit.npy": NPY}
    )
    rel = "model-deploy/test/sample-payload.npy"
    assert files[rel] == NPY

    folder = tmp_path / "abalone"
    write_files(files, folder, blueprint="abalone.yaml")
    assert (folder / rel).read_bytes() == NPY
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["files"][rel] == hashlib.sha256(NPY).hexdigest()
    assert diff_files(files, folder, blueprint="abalone.yaml") == []
    (folder / rel).write_bytes(NPY[:-1] + b"\x81")
    [drift] = diff_files(files, folder, blueprint="abalone.yaml")
    assert (drift.path, drift.kind, drift.diff) == (rel, "hand-edited", f"Binary files a/{rel} and b/{rel} differ\n")
    write_files(files, folder, blueprint="abalone.yaml", force=True)
    assert (folder / rel).read_bytes() == NPY

    # The smoke test exactly as CI runs it (the buildspec's command), from the repository root.
    argv = _smoke_test_argv(files)
    script_args = argv[argv.index("--endpoint-name") :]
    script_args[script_args.index("--payload-file") + 1] = str(folder / rel)
    script_args[script_args.index("--endpoint-name") + 1] = "abalone-staging"
    assert script_args[script_args.index("--content-type") + 1] == "application/x-npy"
    requests: list[dict[str, Any]] = []

    class _Body:
        def read(self) -> bytes:
            return b'{"predictions": [7]}'

    class _Runtime:
        def invoke_endpoint(self, **request: Any) -> dict[str, Any]:
            requests.append(request)
            return {"Body": _Body(), "ContentType": "application/json"}

    class _SageMaker:
        def describe_endpoint(self, **_: Any) -> dict[str, Any]:
            return {"EndpointStatus": "InService"}

    session = StubSession(sagemaker=_SageMaker(), sagemaker_runtime=_Runtime())
    assert test_endpoint.main(_without_ci_variables(script_args), session=session) == 0
    assert [(r["Body"], r["ContentType"]) for r in requests] == [(NPY, "application/x-npy")]


def _without_ci_variables(argv: list[str]) -> list[str]:
    """Drop options whose value is a CI variable ($AWS_REGION, $EXPORT_TEST_RESULTS, ...), keep the rest."""
    out: list[str] = []
    for i, item in enumerate(argv):
        if item.startswith("$") or (item.startswith("--") and i + 1 < len(argv) and argv[i + 1].startswith("$")):
            continue
        out.append(item)
    return out


def test_jenkins_only_project_has_the_payload_its_smoke_test_reads() -> None:
    """Before: only the CodeBuild target wrote the payload, so a Jenkins-only project tested without it."""
    text = edit("abalone", ("backends: [codepipeline, jenkins]", "backends: [jenkins]"))
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("trigger_owner:"))
    result = mlopsgen.render(text, name="abalone.yaml", code=_code())
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.files["model-deploy/test/sample-payload.csv"] == _code()["tests/abalone-sample.csv"]
    assert "model-deploy/test/sample-payload.csv" in result.files["model-deploy/jenkins/Jenkinsfile"]
