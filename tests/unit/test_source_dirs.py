"""Script mode's source directories: deterministic archives, the containers' contract, CI's packing, refusals."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import mlopsgen
from mlopsgen.api import plan_blueprint
from mlopsgen.runtime import run_pipeline, sourcedir
from mlopsgen.targets import sagemaker as native

FILES = {
    "src/train.py": b"import lib.util\nprint('train')\n",
    "src/lib/util.py": b"x = 1\n",
    "src/requirements.txt": b"numpy==1.26.4\n",
}

BLUEPRINT: dict[str, Any] = {
    "project": {"name": "scripted", "id": "p-abc123", "region": "eu-west-1", "account": "111111111111"},
    "pipeline": {
        "steps": [
            {
                "name": "Train",
                "type": "training",
                "image": {"framework": "sklearn", "version": "1.2-1"},
                "source_dir": "src",
                "entry_point": "train.py",
                "hyperparameters": {"epochs": 3},
            }
        ]
    },
}


def _definition_and_manifest(code: dict[str, bytes], blueprint: dict[str, Any] | None = None) -> tuple[Any, Any]:
    result = mlopsgen.render(blueprint or BLUEPRINT, code=code, name="scripted.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    return (
        json.loads(result.files["model-build/pipeline-definition.json"]),
        json.loads(result.files["model-build/code-manifest.json"]),
    )


# --- the archive ---------------------------------------------------------------------------------


def test_same_files_in_any_order_give_identical_archives() -> None:
    items = [(name.removeprefix("src/"), data) for name, data in FILES.items()]
    tars = {sourcedir.pack_tar(order) for order in (items, items[::-1], sorted(items))}
    assert len(tars) == 1
    tar = tars.pop()
    assert len({sourcedir.compress(tar) for _ in range(3)}) == 1


def test_mtimes_owners_and_modes_of_the_files_do_not_reach_the_archive(tmp_path: Path) -> None:
    """Two checkouts that differ only in metadata render the same S3 key (and CI packs the same bytes)."""
    digests = []
    for index, (mtime, mode) in enumerate(((1_000_000, 0o600), (2_000_000_000, 0o755))):
        root = tmp_path / f"checkout{index}"
        (root / ".git").mkdir(parents=True)
        for name, data in FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, mode)
            os.utime(path, (mtime, mtime))
        # A workstation's caches and hidden files are not packed: a clean CI checkout has none.
        (root / "src/__pycache__").mkdir()
        (root / "src/__pycache__/train.cpython-311.pyc").write_bytes(os.urandom(16))
        (root / "src/.env").write_bytes(b"SECRET=1\n")
        (root / "scripted.yaml").write_text(yaml.safe_dump(BLUEPRINT))
        plan, diagnostics = plan_blueprint(root / "scripted.yaml")
        assert plan is not None, [d.format() for d in diagnostics]
        (bundle,) = plan.source_bundles
        assert [n for n, _ in bundle.files] == ["lib/util.py", "requirements.txt", "train.py"]
        digests.append(bundle.s3_uri)
    assert digests[0] == digests[1]


def test_archive_entries_are_normalised() -> None:
    tar = sourcedir.pack_tar([("b.py", b"b"), ("a/x.py", b"x")])
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == ["a/x.py", "b.py"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode, m.type) for m in members} == {
        (0, 0, 0, "", "", 0o644, tarfile.REGTYPE)
    }
    header = sourcedir.compress(tar)[:10]
    assert header[4:8] == b"\0\0\0\0"  # gzip MTIME 0
    assert header[3] & 0x08 == 0  # no FNAME field


# --- the containers' contract --------------------------------------------------------------------


def test_submit_directory_holds_what_the_container_runs() -> None:
    """The archive CI uploads to ``sagemaker_submit_directory`` extracts to the source folder, entry point at
    ``sagemaker_program`` and requirements.txt at the top, where the framework containers look for them."""
    definition, manifest = _definition_and_manifest(FILES)
    hyper = definition["Steps"][0]["Arguments"]["HyperParameters"]
    assert hyper["epochs"] == "3"
    (entry,) = manifest["source_dirs"]
    assert hyper["sagemaker_submit_directory"] == entry["s3_uri"]
    assert entry["s3_uri"].endswith(f"/code/{entry['sha256']}/sourcedir.tar.gz")

    archive = _ci_archive(entry)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:  # how the containers open it
        extracted = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert extracted == {name.removeprefix("src/"): data for name, data in FILES.items()}
    assert hyper["sagemaker_program"] in extracted
    assert "requirements.txt" in extracted
    assert hashlib.sha256(gzip.decompress(archive)).hexdigest() == entry["sha256"]


def _ci_archive(entry: dict[str, Any], root: Path | None = None) -> bytes:
    """What run_pipeline.py uploads for one source_dirs entry, from the files in FILES."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, data in FILES.items():
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            (base / name).write_bytes(data)
        manifest = base / "manifest.json"
        manifest.write_text(json.dumps({"files": [], "source_dirs": [entry]}))
        (uploaded,) = run_pipeline.verify_manifest(manifest, base)
    assert (uploaded.bucket, uploaded.key) == tuple(entry["s3_uri"].removeprefix("s3://").split("/", 1))
    return uploaded.data


def test_ci_reports_a_changed_added_or_removed_file_as_stale(tmp_path: Path) -> None:
    _, manifest = _definition_and_manifest(FILES)
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "src/train.py").write_bytes(b"print('edited')\n")
    (tmp_path / "src/extra.py").write_bytes(b"")
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    with pytest.raises(run_pipeline.ScriptError) as caught:
        run_pipeline.verify_manifest(tmp_path / "m.json", tmp_path)
    assert "src/train.py (sha256 differs)" in str(caught.value)
    assert "src/extra.py (not in the manifest)" in str(caught.value)


def test_both_ci_variants_get_the_packer_beside_run_pipeline() -> None:
    blueprint = {
        **BLUEPRINT,
        "ci": {
            "backends": ["codepipeline", "jenkins"],
            "triggers": "codepipeline",
            "jenkins": {"url": "https://jenkins.example.com"},
            "source": {"provider": "codecommit", "repository": "r"},
        },
    }
    result = mlopsgen.render(blueprint, code=FILES, name="scripted.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    for backend in ("jenkins", "buildspec"):  # each variant runs run_pipeline.py on the manifest
        assert any(
            backend in path.lower() and "run_pipeline.py" in text and "code-manifest.json" in text
            for path, text in result.files.items()
        ), backend
    copy = result.files["model-build/scripts/sourcedir.py"]
    assert copy.split("\n", 1)[1] == Path(sourcedir.__file__).read_text()
    plain = mlopsgen.render({**blueprint, "pipeline": {"steps": [_processing()]}}, code=FILES, name="s.yaml")
    assert "model-build/scripts/sourcedir.py" not in plain.files


# --- processing without code ---------------------------------------------------------------------


def _processing(**extra: Any) -> dict[str, Any]:
    return {"name": "Prep", "type": "processing", "image": {"framework": "sklearn", "version": "1.2-1"}, **extra}


def test_processing_without_code_runs_the_image_entrypoint() -> None:
    definition, manifest = _definition_and_manifest({}, {**BLUEPRINT, "pipeline": {"steps": [_processing()]}})
    args = definition["Steps"][0]["Arguments"]
    assert "ContainerEntrypoint" not in args["AppSpecification"]
    assert "ProcessingInputs" not in args
    assert manifest["files"] == [] and "source_dirs" not in manifest
    definition, _ = _definition_and_manifest(
        {}, {**BLUEPRINT, "pipeline": {"steps": [_processing(command=["bash", "-c", "ls"])]}}
    )
    assert definition["Steps"][0]["Arguments"]["AppSpecification"]["ContainerEntrypoint"] == ["bash", "-c", "ls"]


# --- refusals ------------------------------------------------------------------------------------


def test_a_source_dir_linking_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "train.py").write_bytes(b"print('secret')\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    (repo / "src/train.py").write_bytes(b"print(1)\n")
    (repo / "linked").symlink_to(outside)
    (repo / "src/leak.py").symlink_to(outside / "train.py")
    (repo / "src/sub").symlink_to(repo / "src")
    for folder, expected in (
        ("linked", "is a symlink resolving outside the repository"),
        ("src", "holds a link to a folder ('sub')"),
    ):
        steps = [{**BLUEPRINT["pipeline"]["steps"][0], "source_dir": folder}]
        (repo / "b.yaml").write_text(yaml.safe_dump({**BLUEPRINT, "pipeline": {"steps": steps}}))
        _, diagnostics = plan_blueprint(repo / "b.yaml")
        assert [(d.code, expected in d.message, d.pos is not None) for d in diagnostics] == [("MLG352", True, True)]
    (repo / "src/sub").unlink()
    _, diagnostics = plan_blueprint(repo / "b.yaml")
    assert [d.code for d in diagnostics] == ["MLG352"]
    assert "src/leak.py" in diagnostics[0].message and "outside the repository" in diagnostics[0].message


def test_a_source_dir_over_the_limits_is_refused() -> None:
    many = {f"src/m{i}.py": b"" for i in range(sourcedir.MAX_FILES + 1)} | {"src/train.py": b""}
    big = {"src/train.py": b"", "src/data.bin": b"\0" * (sourcedir.MAX_BYTES + 1)}
    for code, words in ((many, "files, more than"), (big, "MB")):
        _, diagnostics = plan_blueprint(BLUEPRINT, code=code, name="scripted.yaml")
        assert [d.code for d in diagnostics] == ["MLG352"] and words in diagnostics[0].message
        assert diagnostics[0].path == "pipeline.steps[Train].source_dir"


def test_native_manifest_lists_each_folder_once() -> None:
    steps = [{**BLUEPRINT["pipeline"]["steps"][0], "name": n} for n in ("A", "B")]
    plan, _ = plan_blueprint({**BLUEPRINT, "pipeline": {"steps": steps}}, code=FILES, name="s.yaml")
    assert plan is not None
    assert len(native.code_manifest(plan)["source_dirs"]) == 1
