"""Processing with a source directory in the SDK's FrameworkProcessor convention (issue 13, point 2).

The SDK engine builds the step with sagemaker 3.27.0's own ``FrameworkProcessor`` (offline, in a
subprocess whose sockets refuse to connect); the definitions are compared as data, and the runproc.sh
the SDK generated (recorded instead of uploaded) must be the file mlopsgen emits, byte for byte. The
emitted runproc.sh is then run with bash against a packed archive, the way the container runs it.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_frameproc import runproc_script
from mlopsgen.runtime import run_pipeline, sourcedir

from .conftest import ROOT

ENTRY = b"""import json, sys
from lib import util
with open(sys.argv[-1], "w") as out:
    json.dump({"args": sys.argv[1:-1], "util": util.X}, out)
"""
FILES = {
    "src/prep/prep.py": ENTRY,
    "src/prep/lib/util.py": b"X = 41\n",
    "src/prep/reqs/dev.txt": b"numpy==1.26.4\n",
    "src/plain/run.py": b"print('plain')\n",
    "src/plain/requirements.txt": b"pandas\n",
}

PROJECT = {"name": "frames", "id": "p-abc123", "region": "eu-west-1", "account": "111111111111"}


def _step(name: str = "Prep", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": "processing",
        "image": {"framework": "pytorch", "version": "2.1.0"},
        "entry_point": "prep.py",
        "source_dir": "src/prep",
        **extra,
    }


BLUEPRINT: dict[str, Any] = {
    "project": PROJECT,
    "pipeline": {
        "parameters": {"InputData": {"type": "string", "default": "s3://acme/raw"}},
        "steps": [
            _step(
                command=["python3", "-u"],
                requirements="reqs/dev.txt",
                arguments=["--input", "${params.InputData}"],
                inputs={"raw": {"source": "${params.InputData}", "destination": "/opt/ml/processing/raw"}},
                outputs={"train": "/opt/ml/processing/train"},
                instance={"type": "ml.g5.xlarge"},
            ),
            {
                "name": "Plain",
                "type": "processing",
                "image": {"framework": "sklearn", "version": "1.2-1"},
                "entry_point": "run.py",
                "source_dir": "src/plain",
                "depends_on": ["Prep"],
            },
        ],
    },
}

_SDK_RUNNER = r"""
import json, socket, sys, pathlib

def refuse(*args, **kwargs):
    raise OSError("network access attempted while building offline")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from mlopsgen.api import plan_blueprint
from mlopsgen.targets import sagemaker_sdk
plan, diagnostics = plan_blueprint(pathlib.Path(sys.argv[1]))
assert plan is not None, [d.format() for d in diagnostics]
files = {f.path: f.content for f in sagemaker_sdk.emit(plan)}
pipeline = sagemaker_sdk.build_pipeline(plan)
pipeline.definition()
print(json.dumps({"files": files, "uploads": pipeline.sagemaker_session.mlopsgen_uploads}))
"""


def _write_repo(root: Path, blueprint: dict[str, Any]) -> Path:
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / ".git").mkdir(exist_ok=True)
    path = root / "frames.yaml"
    path.write_text(yaml.safe_dump(blueprint), encoding="utf-8")
    return path


def _plan(blueprint: dict[str, Any] = BLUEPRINT) -> ir.Plan:
    plan, diagnostics = plan_blueprint(blueprint, code=FILES, name="frames.yaml")
    assert plan is not None, [d.format() for d in diagnostics]
    return plan


def _processing(plan: ir.Plan, name: str) -> ir.ProcessingStep:
    step = next(s for s in plan.pipeline.steps if s.common.name == name)
    assert isinstance(step, ir.ProcessingStep)
    return step


@pytest.fixture(scope="module")
def sdk_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = _write_repo(tmp_path_factory.mktemp("repo"), BLUEPRINT)
    proc = subprocess.run(
        [sys.executable, "-c", _SDK_RUNNER, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return path, json.loads(proc.stdout.splitlines()[-1])


def test_sdk_framework_processor_builds_the_native_definition_and_files(sdk_build: tuple[Path, dict[str, Any]]) -> None:
    path, sdk = sdk_build
    native = mlopsgen.render(path)
    assert native.ok, [d.format() for d in native.diagnostics]
    assert sdk["files"].keys() == {
        "model-build/pipeline-definition.json",
        "model-build/code-manifest.json",
        "model-build/processing/Prep/runproc.sh",
        "model-build/processing/Plain/runproc.sh",
        "model-build/processing/install_requirements.py",
    }
    for name, text in sdk["files"].items():
        if name.endswith(".json"):
            assert json.loads(native.files[name]) == json.loads(text), name
        else:
            assert native.files[name] == text, name


def test_runproc_the_sdk_generated_is_the_file_mlopsgen_emits(sdk_build: tuple[Path, dict[str, Any]]) -> None:
    """The SDK's upload of runproc.sh went to the key in the definition, with exactly the emitted text;
    its installer went to mlopsgen's installer key; nothing went to a job-named (timestamped) key."""
    path, sdk = sdk_build
    plan, _ = plan_blueprint(path)
    assert plan is not None
    uploads: dict[str, str] = sdk["uploads"]
    helpers = {h.s3_uri: h for h in plan.helper_files}
    assert set(uploads) == set(helpers)
    for name in ("Prep", "Plain"):
        code = _processing(plan, name).framework
        assert code is not None
        assert uploads[code.runproc.s3_uri] == code.runproc.content
    installer = next(h for h in plan.helper_files if h.path.endswith("install_requirements.py"))
    # The SDK uploads its own installer there; CI uploads mlopsgen's equivalent to the same key.
    assert "pip" in uploads[installer.s3_uri] and "CA_REPOSITORY_ARN" in uploads[installer.s3_uri]


def test_the_step_carries_the_conventions_inputs_and_entrypoint() -> None:
    result = mlopsgen.render(BLUEPRINT, code=FILES, name="frames.yaml")
    assert result.ok
    definition = json.loads(result.files["model-build/pipeline-definition.json"])
    manifest = json.loads(result.files["model-build/code-manifest.json"])
    args = definition["Steps"][0]["Arguments"]
    assert args["AppSpecification"]["ContainerEntrypoint"] == [
        "/bin/bash",
        "/opt/ml/processing/input/entrypoint/runproc.sh",
    ]
    assert args["AppSpecification"]["ImageUri"].endswith("/pytorch-training:2.1.0-gpu-py310")  # training scope
    inputs = [(i["InputName"], i["S3Input"]["S3Uri"], i["S3Input"]["LocalPath"]) for i in args["ProcessingInputs"]]
    prep_dir = next(d for d in manifest["source_dirs"] if d["path"] == "src/prep")
    helpers = {h["path"]: h for h in manifest["helpers"]}
    assert inputs == [
        ("raw", {"Get": "Parameters.InputData"}, "/opt/ml/processing/raw"),
        ("code", prep_dir["s3_uri"].removesuffix("sourcedir.tar.gz"), "/opt/ml/processing/input/code/"),
        ("aux", helpers["processing/install_requirements.py"]["s3_uri"], "/opt/ml/processing/input/aux"),
        ("entrypoint", helpers["processing/Prep/runproc.sh"]["s3_uri"], "/opt/ml/processing/input/entrypoint"),
    ]
    for path, helper in helpers.items():
        text = result.files[f"model-build/{path}"]
        assert isinstance(text, str)
        assert helper["s3_uri"].endswith(f"/code/{helper['sha256']}/{path.rsplit('/', 1)[-1]}")
    runproc = result.files["model-build/processing/Prep/runproc.sh"]
    assert isinstance(runproc, str)
    assert runproc.endswith('python3 -u prep.py "$@"\n') and "'reqs/dev.txt'" in runproc


def _stub_bin(root: Path) -> tuple[Path, Path]:
    """A PATH with python3 (this interpreter) and a logging ``pip``, and a ``pip`` module that logs too."""
    log = root / "pip.log"
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    pip = bin_dir / "pip"
    pip.write_text(f'#!/bin/sh\necho "pip $*" >> {log}\n')
    pip.chmod(pip.stat().st_mode | stat.S_IEXEC)
    module = root / "stubs" / "pip"
    module.mkdir(parents=True)
    (module / "__init__.py").write_text("")
    (module / "__main__.py").write_text(
        f"import sys\nwith open({str(log)!r}, 'a') as f:\n    f.write('-m pip ' + ' '.join(sys.argv[1:]) + '\\n')\n"
    )
    return bin_dir, log


def _run_in_container(tmp_path: Path, code: ir.FrameworkCode, files: dict[str, bytes], args: list[str]) -> Path:
    """Lay out the job's inputs as SageMaker does (under tmp_path instead of /opt/ml/processing/input) and run."""
    base = tmp_path / "input"
    for folder in ("code", "aux", "entrypoint"):
        (base / folder).mkdir(parents=True)
    tar = sourcedir.pack_tar(files.items())
    assert sourcedir.digest(tar) == code.source.sha256
    (base / "code" / "sourcedir.tar.gz").write_bytes(sourcedir.compress(tar))
    (base / "aux" / "install_requirements.py").write_text(code.installer.content)
    runproc = base / "entrypoint" / "runproc.sh"
    runproc.write_text(code.runproc.content.replace("/opt/ml/processing/input", str(base)))
    bin_dir, log = _stub_bin(tmp_path)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(tmp_path / "stubs"),
    }
    env.pop("CA_REPOSITORY_ARN", None)
    proc = subprocess.run(["/bin/bash", str(runproc), *args], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return log


def test_runproc_unpacks_installs_the_requirements_and_runs_the_entry_point(tmp_path: Path) -> None:
    code = _processing(_plan(), "Prep").framework
    assert code is not None
    files = {name.removeprefix("src/prep/"): data for name, data in FILES.items() if name.startswith("src/prep/")}
    result = tmp_path / "result.json"
    log = _run_in_container(tmp_path, code, files, ["--input", "s3://acme/raw data", str(result)])
    assert json.loads(result.read_text()) == {"args": ["--input", "s3://acme/raw data"], "util": 41}
    assert log.read_text().splitlines() == ["pip uninstall --yes typing", "-m pip install -r reqs/dev.txt"]


def test_runproc_skips_the_installer_without_a_requirements_file(tmp_path: Path) -> None:
    code = _processing(_plan(), "Prep").framework
    assert code is not None
    files = {"prep.py": ENTRY, "lib/util.py": b"X = 2\n"}  # the archive without reqs/dev.txt
    plain = runproc_script(("python3",), "prep.py", "reqs/dev.txt")
    assert plain == code.runproc.content.replace("python3 -u", "python3")
    code = ir.FrameworkCode(
        ir.SourceBundle("x", sourcedir.digest(sourcedir.pack_tar(files.items())), "", ()),
        "prep.py",
        "reqs/dev.txt",
        ir.HelperFile("r", plain, "", ""),
        code.installer,
    )
    result = tmp_path / "result.json"
    log = _run_in_container(tmp_path, code, files, [str(result)])
    assert json.loads(result.read_text()) == {"args": [], "util": 2}
    assert not log.exists()


def test_ci_uploads_the_helpers_from_the_rendered_tree(tmp_path: Path) -> None:
    path = _write_repo(tmp_path / "repo", BLUEPRINT)
    result = mlopsgen.render(path)
    out = tmp_path / "repo" / "generated"
    for name, content in result.files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(content) if isinstance(content, str) else (out / name).write_bytes(content)
    manifest = out / "model-build" / "code-manifest.json"
    uploaded = {f.key.rsplit("/", 1)[-1]: f for f in run_pipeline.verify_manifest(manifest, tmp_path / "repo")}
    assert set(uploaded) == {"sourcedir.tar.gz", "runproc.sh", "install_requirements.py"}
    helpers = json.loads(manifest.read_text())["helpers"]
    keys = {f"s3://{f.bucket}/{f.key}": f.data for f in run_pipeline.verify_manifest(manifest, tmp_path / "repo")}
    for helper in helpers:
        assert keys[helper["s3_uri"]] == (out / "model-build" / helper["path"]).read_bytes()
    (out / "model-build/processing/Prep/runproc.sh").write_text("#!/bin/bash\nexit 0\n")
    with pytest.raises(run_pipeline.ScriptError, match=r"processing/Prep/runproc.sh \(sha256 differs\)"):
        run_pipeline.verify_manifest(manifest, tmp_path / "repo")


def _codes(step: dict[str, Any], code: dict[str, bytes] | None = None) -> list[tuple[str, str]]:
    blueprint = {"project": PROJECT, "pipeline": {"steps": [step]}}
    _, diagnostics = plan_blueprint(blueprint, code=FILES if code is None else code, name="frames.yaml")
    return [(d.code, d.path) for d in diagnostics]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (_step(code="x.py"), ("MLG357", "code")),
        ({**_step(), "source_dir": None, "entry_point": None, "requirements": "r.txt"}, ("MLG357", "requirements")),
        ({**_step(), "entry_point": None}, ("MLG350", "source_dir")),
        ({**_step(), "source_dir": None}, ("MLG350", "entry_point")),
        (_step(entry_point="missing.py"), ("MLG351", "entry_point")),
        (_step(entry_point="lib/util.py"), ("MLG358", "entry_point")),
        (_step(requirements="requirements.txt"), ("MLG358", "requirements")),
        (_step(command=["python3", "-c", "import x; x()"]), ("MLG359", "command[2]")),
        (_step(requirements="reqs/my reqs.txt"), ("MLG359", "requirements")),
        (_step(image={"framework": "linear-learner", "version": "1"}), ("MLG354", "image.framework")),
    ],
    ids=[
        "with-code",
        "requirements-alone",
        "no-entry",
        "no-folder",
        "missing",
        "nested",
        "no-reqs",
        "quote",
        "space",
        "algorithm",
    ],
)
def test_wrong_framework_processing_is_reported_where_it_was_written(
    step: dict[str, Any], expected: tuple[str, str]
) -> None:
    step = {k: v for k, v in step.items() if v is not None}
    code, where = expected
    assert (code, f"pipeline.steps[Prep].{where}") in _codes(step)


def test_ci_refuses_a_helper_outside_the_generated_tree(tmp_path: Path) -> None:
    manifest = tmp_path / "model-build" / "code-manifest.json"
    manifest.parent.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    entry = {"path": "../secret.txt", "sha256": "0" * 64, "s3_uri": "s3://b/k/secret.txt"}
    manifest.write_text(json.dumps({"files": [], "helpers": [entry]}))
    with pytest.raises(run_pipeline.ScriptError, match="outside"):
        run_pipeline.verify_manifest(manifest, tmp_path)
