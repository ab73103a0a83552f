"""Writing generated output safely: manifest ownership, hand edits, orphans, eject, atomic swaps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlopsgen import output
from mlopsgen.output import MANIFEST, HandEdited, diff_files, eject, read_manifest, write_files

RENDERED = {"a.yml": "a: 1\n", "dir/b.json": "{}\n", "dir/c.txt": "c\n"}
SUMMARY = {"pipeline": {"name": "x"}}


def _write(folder: Path, files: dict[str, str] | None = None, **kwargs: object) -> list[output.Drift]:
    return write_files(files or RENDERED, folder, blueprint="x.yaml", summary=SUMMARY, **kwargs)  # type: ignore[arg-type]


def _diff(folder: Path, files: dict[str, str] | None = None) -> list[output.Drift]:
    return diff_files(files or RENDERED, folder, blueprint="x.yaml", summary=SUMMARY)


def test_first_write_records_every_file_with_its_hash(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    manifest = read_manifest(folder)
    assert manifest is not None
    assert manifest.files == {p: output.sha256(c) for p, c in RENDERED.items()}
    assert manifest.summary == SUMMARY
    assert _diff(folder) == []


def test_tampered_file_is_reported_and_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    (folder / "a.yml").write_text("a: 2  # tuned by hand\n")
    (drift,) = _diff(folder)
    assert (drift.path, drift.kind) == ("a.yml", "hand-edited")
    assert "+a: 1" in drift.diff and "-a: 2  # tuned by hand" in drift.diff
    with pytest.raises(HandEdited) as refused:
        _write(folder, {**RENDERED, "dir/c.txt": "new\n"})
    assert [d.path for d in refused.value.drift] == ["a.yml"]
    assert (folder / "a.yml").read_text() == "a: 2  # tuned by hand\n"
    assert (folder / "dir/c.txt").read_text() == "c\n", "nothing written when refusing"
    _write(folder, force=True)
    assert (folder / "a.yml").read_text() == "a: 1\n"


def test_stale_owned_file_is_changed_drift_and_rewritten(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    newer = {**RENDERED, "a.yml": "a: 3\n"}
    assert {d.path: d.kind for d in _diff(folder, newer)} == {"a.yml": "changed", MANIFEST: "changed"}
    _write(folder, newer)
    assert (folder / "a.yml").read_text() == "a: 3\n"


def test_orphans_removed_only_when_owned(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    (folder / "notes.md").write_text("mine\n")
    fewer = {k: v for k, v in RENDERED.items() if k != "dir/c.txt"}
    kinds = {d.path: d.kind for d in _diff(folder, fewer)}
    assert kinds == {"dir/c.txt": "orphaned", MANIFEST: "changed"}
    _write(folder, fewer)
    assert not (folder / "dir/c.txt").exists()
    assert (folder / "notes.md").read_text() == "mine\n", "unowned files are never touched"


def test_existing_unowned_file_is_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "a.yml").write_text("someone else's\n")
    (drift, *_) = _diff(folder)
    assert drift.kind == "unowned"
    with pytest.raises(HandEdited):
        _write(folder)


def test_eject_hands_a_file_over(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    assert eject(folder, ["a.yml"]) == []
    (folder / "a.yml").write_text("mine now\n")
    assert _diff(folder) == []
    _write(folder, {**RENDERED, "dir/b.json": '{"x": 1}\n'})
    assert (folder / "a.yml").read_text() == "mine now\n"
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["ejected"] == ["a.yml"] and "a.yml" not in manifest["files"]
    assert eject(folder, ["nope.txt"]) == ["nope.txt"]


def test_failure_while_writing_leaves_the_previous_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "x"
    _write(folder)
    before = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    real_open = open
    written: list[str] = []

    def failing_open(path: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        mode = str(args[0] if args else kwargs.get("mode", ""))
        if "w" in mode or "x" in mode:
            written.append(str(path))
            if len(written) == 2:
                raise OSError("disk full (injected)")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(output.OutputError, match="injected"):  # a filesystem error, named (exit 1), not a bug
        _write(folder, {k: v + "changed\n" for k, v in RENDERED.items()})
    monkeypatch.undo()
    after = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["x"], "no staging folders left behind"


def test_interrupted_swap_restores_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "x"
    _write(folder)
    real_replace = os.replace
    calls: list[tuple[str, str]] = []

    def flaky_replace(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # the new tree moving into place
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky_replace)
    with pytest.raises(KeyboardInterrupt):
        _write(folder, {k: v + "changed\n" for k, v in RENDERED.items()})
    monkeypatch.undo()
    assert (folder / "a.yml").read_text() == "a: 1\n"
    assert _diff(folder) == []
