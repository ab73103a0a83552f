"""Structural checks on every generated definition: references resolve, the step graph is acyclic."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import mlopsgen
from mlopsgen.targets import TARGETS
from tests.conftest import BLUEPRINTS

_STEP_GET = re.compile(r"^Steps\.([A-Za-z0-9\-_]+)\.(.+)$")


def _walk(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            found.append(node["Get"])
        if "Std:JsonGet" in node:
            found.append(node["Std:JsonGet"]["PropertyFile"]["Get"])
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        out.append(step)
        if step["Type"] == "Condition":
            out += _steps(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])
    return out


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_every_reference_resolves_and_graph_is_acyclic(blueprint: Path) -> None:
    definition = json.loads(mlopsgen.render(blueprint).files["model-build/pipeline-definition.json"])
    params = {p["Name"] for p in definition["Parameters"]}
    steps = {s["Name"]: s for s in _steps(definition["Steps"])}
    property_files = {(s["Name"], p["PropertyFileName"]) for s in steps.values() for p in s.get("PropertyFiles", [])}
    edges: dict[str, set[str]] = {name: set() for name in steps}
    for name, step in steps.items():
        refs: list[str] = []
        _walk(step["Arguments"], refs)
        for ref in refs:
            if ref.startswith("Parameters."):
                assert ref.removeprefix("Parameters.") in params, f"{name}: {ref}"
            elif ref.startswith("Execution."):
                assert ref.split(".")[1] in {
                    "PipelineExecutionId",
                    "PipelineName",
                    "PipelineArn",
                    "PipelineExecutionArn",
                    "StartDateTime",
                    "CurrentDateTime",
                }
            else:
                match = _STEP_GET.match(ref)
                assert match, f"{name}: unexpected reference {ref}"
                target, rest = match.groups()
                assert target in steps, f"{name}: reference to missing step {target}"
                if rest.startswith("PropertyFiles."):
                    assert (target, rest.split(".")[1]) in property_files
                if step["Type"] != "Condition":
                    edges[name].add(target)
        edges[name] |= set(step.get("DependsOn", []))
        if step["Type"] == "Condition":
            for branch in step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"]:
                edges[branch["Name"]].add(name)
    seen: dict[str, int] = {}

    def visit(node: str) -> None:
        seen[node] = 1
        for dep in edges[node]:
            assert seen.get(dep) != 1, f"cycle through {node} → {dep}"
            if dep not in seen:
                visit(dep)
        seen[node] = 2

    for node in edges:
        if node not in seen:
            visit(node)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_code_manifest_lists_every_code_uri_in_the_definition(blueprint: Path) -> None:
    files = mlopsgen.render(blueprint).files
    manifest = json.loads(files["model-build/code-manifest.json"])
    definition = files["model-build/pipeline-definition.json"]
    uris = set(re.findall(r'"(s3://[^"]+/code/[0-9a-f]{64}/[^"]+)"', definition))
    # Code files, source-directory archives (packed by CI) and generated helpers (runproc.sh, installers,
    # Clarify configurations): every content-addressed URI the definition names is uploaded by CI.
    listed = manifest["files"] + manifest.get("source_dirs", []) + manifest.get("helpers", [])
    assert uris == {f["s3_uri"] for f in listed}
    for entry in listed:
        assert entry["sha256"] in entry["s3_uri"]
        assert not entry["path"].startswith("/")


def test_code_keys_change_when_code_changes() -> None:
    text = (BLUEPRINTS[0].parent / "abalone.yaml").read_text()
    code = {
        "pipelines/abalone/preprocess.py": b"a",
        "pipelines/abalone/evaluate.py": b"b",
        "tests/abalone-sample.csv": b"1",
    }
    first = mlopsgen.render(text, code=code).files["model-build/code-manifest.json"]
    second = mlopsgen.render(text, code={**code, "pipelines/abalone/evaluate.py": b"c"}).files[
        "model-build/code-manifest.json"
    ]
    assert first != second


def test_no_two_targets_emit_the_same_path() -> None:
    plan, _ = mlopsgen.api.plan_blueprint(BLUEPRINTS[0])
    assert plan is not None
    paths = [f.path for target in TARGETS.values() for f in target.emit(plan)]
    assert len(paths) == len(set(paths))
