"""Output under faults: symlinks never followed, no user file lost at any crash point, locks, modes, bad manifests."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlopsgen.output import MANIFEST, HandEdited, OutputError, diff_files, eject, leftovers, read_manifest, write_files
from tests.conftest import ROOT

RENDERED = {"a.yml": "a: 1\n", "dir/b.json": "{}\n", "dir/c.txt": "c\n"}
CHANGED = {k: v + "# changed\n" for k, v in RENDERED.items()}
SECRET = "AWS_SECRET_ACCESS_KEY=do-not-print-me\n"


def _write(folder: Path, files: dict[str, str] | None = None, **kwargs: object) -> list[object]:
    return write_files(files or RENDERED, folder, blueprint="x.yaml", **kwargs)  # type: ignore[arg-type]


def _diff(folder: Path, files: dict[str, str] | None = None) -> list[object]:
    return diff_files(files or RENDERED, folder, blueprint="x.yaml")  # type: ignore[return-value]


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "environ"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    return secret


# --- symlinks ---------------------------------------------------------------------------------


def test_check_reports_a_symlinked_file_and_never_reads_its_target(tmp_path: Path) -> None:
    folder = tmp_path / "gen" / "x"
    _write(folder)
    secret = _secret(tmp_path)
    (folder / "a.yml").unlink()
    (folder / "a.yml").symlink_to(secret)
    drift = _diff(folder)
    assert [(d.path, d.kind) for d in drift] == [("a.yml", "symlink")]  # type: ignore[attr-defined]
    assert all("do-not-print-me" not in d.diff for d in drift)  # type: ignore[attr-defined]
    with pytest.raises(HandEdited):
        _write(folder)
    assert (folder / "a.yml").is_symlink() and secret.read_text() == SECRET
    _write(folder, force=True)
    assert not (folder / "a.yml").is_symlink() and (folder / "a.yml").read_text() == "a: 1\n"
    assert secret.read_text() == SECRET, "the link's target is never written"


def test_a_symlinked_folder_in_the_tree_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "gen" / "x"
    _write(folder)
    secret = _secret(tmp_path)
    (secret.parent / "b.json").write_text(SECRET)
    for name in ("b.json", "c.txt"):
        (folder / "dir" / name).unlink()
    (folder / "dir").rmdir()
    (folder / "dir").symlink_to(secret.parent)
    drift = _diff(folder)
    assert [(d.path, d.kind) for d in drift] == [("dir", "symlink")]  # type: ignore[attr-defined]
    assert "do-not-print-me" not in repr(drift)


def test_render_keeps_user_symlinks_and_empty_folders_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "gen" / "x"
    _write(folder)
    secret = _secret(tmp_path)
    (folder / "docs").mkdir()
    (folder / "dir" / "mine").mkdir()
    (folder / "notes.txt").symlink_to(secret)
    (folder / "shared").symlink_to(secret.parent, target_is_directory=True)
    _write(folder, CHANGED)
    assert (folder / "docs").is_dir() and (folder / "dir" / "mine").is_dir()
    assert (folder / "notes.txt").is_symlink() and os.readlink(folder / "notes.txt") == str(secret)
    assert (folder / "shared").is_symlink() and os.readlink(folder / "shared") == str(secret.parent)
    assert secret.read_text() == SECRET and [p.name for p in secret.parent.iterdir()] == ["environ"]


def test_a_symlinked_output_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "x").symlink_to(elsewhere)
    assert [(d.path, d.kind) for d in _diff(tmp_path / "gen" / "x")] == [("", "symlink")]  # type: ignore[attr-defined]
    with pytest.raises(HandEdited):
        _write(tmp_path / "gen" / "x")
    assert list(elsewhere.iterdir()) == []


# --- crashes at any point -----------------------------------------------------------------------

KILLER = textwrap.dedent(
    """
    import builtins, os, signal, sys
    from pathlib import Path
    from mlopsgen.output import write_files
    kind, at = sys.argv[2], int(sys.argv[3])
    calls = [0]
    def kill_at_call(real):
        def wrapper(*args, **kwargs):
            calls[0] += 1
            if calls[0] == at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return wrapper
    if kind == "replace":
        os.replace = kill_at_call(os.replace)
    else:
        real_open = builtins.open
        def opening(path, mode="r", *args, **kwargs):
            if "w" in mode or "x" in mode:
                return kill_at_call(real_open)(path, mode, *args, **kwargs)
            return real_open(path, mode, *args, **kwargs)
        builtins.open = opening
    files = {k: v + "# changed\\n" for k, v in {"a.yml": "a: 1\\n", "dir/b.json": "{}\\n", "dir/c.txt": "c\\n"}.items()}
    write_files(files, Path(sys.argv[1]), blueprint="x.yaml")
    """
)


def _user_state(folder: Path) -> dict[str, bytes]:
    return {
        "user.txt": (folder / "user.txt").read_bytes(),
        "dir/mine.txt": (folder / "dir" / "mine.txt").read_bytes(),
        "a.yml": (folder / "a.yml").read_bytes(),
    }


@pytest.mark.parametrize(("kind", "at"), [("replace", 1), ("replace", 2), ("replace", 3), ("open", 2)])
def test_kill_at_any_point_loses_no_user_file(tmp_path: Path, kind: str, at: int) -> None:
    folder = tmp_path / "gen" / "x"
    _write(folder)
    (folder / "user.txt").write_text("my notes\n")
    (folder / "dir" / "mine.txt").write_text("mine\n")
    assert eject(folder, ["a.yml"]) == []
    (folder / "a.yml").write_text("ejected and edited\n")
    before = _user_state(folder)
    killed = subprocess.run([sys.executable, "-c", KILLER, str(folder), kind, str(at)], cwd=ROOT, check=False)
    assert killed.returncode == -signal.SIGKILL, "the injected kill happened"
    _write(folder, CHANGED)  # the next render recovers whatever the kill left
    assert _user_state(folder) == before
    manifest = read_manifest(folder)
    assert manifest is not None and manifest.ejected == ["a.yml"], "an ejected file stays ejected"
    assert leftovers(folder) == [] and [p.name for p in folder.parent.iterdir()] == ["x"], "no lock nor leftovers"
    assert _diff(folder, CHANGED) == []


def test_a_leftover_old_tree_holding_user_files_is_never_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "gen" / "x"
    _write(folder)
    (folder / "user.txt").write_text("my notes\n")
    os.replace(folder, tmp_path / "gen" / ".x.old")  # died between the renames ...
    _write(tmp_path / "other" / "x")
    os.replace(tmp_path / "other" / "x", folder)  # ... and the folder came back from elsewhere (git checkout)
    with pytest.raises(OutputError, match=r"\.x\.old.*user\.txt"):
        _write(folder)
    assert (tmp_path / "gen" / ".x.old" / "user.txt").read_text() == "my notes\n"


# --- hand edits, bytes, modes -----------------------------------------------------------------


def test_an_orphaned_hand_edited_file_is_refused_like_an_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    (folder / "dir" / "c.txt").write_text("my edit\n")
    without_c = {k: v for k, v in RENDERED.items() if k != "dir/c.txt"}
    with pytest.raises(HandEdited) as refused:
        _write(folder, without_c)
    assert [(d.path, d.kind) for d in refused.value.drift] == [("dir/c.txt", "edited-orphan")]
    assert (folder / "dir" / "c.txt").read_text() == "my edit\n"
    _write(folder, without_c, force=True)
    assert not (folder / "dir" / "c.txt").exists()


def test_crlf_content_is_compared_as_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    files = {**RENDERED, "tests/sample-payload.csv": "1,2,3\r\n4,5,6\r\n"}
    _write(folder, files)
    assert (folder / "tests/sample-payload.csv").read_bytes() == b"1,2,3\r\n4,5,6\r\n"
    assert _diff(folder, files) == []
    assert _write(folder, files) == []


def test_folder_and_file_modes_are_kept(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        folder = tmp_path / "x"
        _write(folder)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, "a new folder gets the umask's default"
        assert stat.S_IMODE((folder / "dir").stat().st_mode) == 0o755
        folder.chmod(0o750)
        (folder / "dir").chmod(0o710)
        (folder / "a.yml").chmod(0o640)
        _write(folder, CHANGED)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o750
        assert stat.S_IMODE((folder / "dir").stat().st_mode) == 0o710
        assert stat.S_IMODE((folder / "a.yml").stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)


def _render_many_times(folder: str) -> str:
    try:
        for i in range(6):
            files = RENDERED if i % 2 else CHANGED
            write_files(files, Path(folder), blueprint="x.yaml")
            conflicts = [d for d in diff_files(files, Path(folder), blueprint="x.yaml") if d.kind != "changed"]
            if conflicts:
                return f"spurious drift: {conflicts}"
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_concurrent_renders_into_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "gen" / "x"
    with multiprocessing.get_context("fork").Pool(12) as pool:
        outcomes = pool.map(_render_many_times, [str(folder)] * 12)
    assert outcomes == ["ok"] * 12
    assert [p.name for p in folder.parent.iterdir()] == ["x"], "no lock file nor leftovers"
    assert _diff(folder) == [] or _diff(folder, CHANGED) == []


# --- errors named, never a crash --------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest",
    ['{"ejected": 5}', '{"summary": [1]}', '{"files": {"../../etc/passwd": "x"}}', "[" * 100_000, "5", "\xff"],
)
def test_a_corrupted_manifest_is_an_error_naming_it(tmp_path: Path, manifest: str) -> None:
    folder = tmp_path / "x"
    _write(folder)
    (folder / MANIFEST).write_text(manifest, encoding="latin-1")
    for action in (lambda: _diff(folder), lambda: _write(folder), lambda: eject(folder, ["a.yml"])):
        with pytest.raises(OutputError, match="corrupted manifest") as error:
            action()
        assert error.value.path == str(folder / MANIFEST)


def test_a_full_disk_is_an_error_naming_the_path_and_keeps_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "x"
    _write(folder)
    real_open = open

    def full(path: object, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if "w" in mode or "x" in mode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", full)
    with pytest.raises(OutputError, match="No space left on device") as error:
        _write(folder, CHANGED)
    monkeypatch.undo()
    assert str(tmp_path) in error.value.path
    assert _diff(folder) == [] and leftovers(folder) == []


def test_an_output_root_that_is_a_file_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "gen").write_text("not a folder\n")
    with pytest.raises(OutputError, match="not a folder") as error:
        _write(tmp_path / "gen" / "x")
    assert error.value.path == str(tmp_path / "gen")


def test_eject_replaces_the_manifest_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    _write(folder)
    os.link(folder / MANIFEST, tmp_path / "snapshot.json")  # a reader holding the old file
    before = (tmp_path / "snapshot.json").read_text()
    eject(folder, ["a.yml"])
    assert (tmp_path / "snapshot.json").read_text() == before, "the old file was replaced, not rewritten in place"
    assert json.loads((folder / MANIFEST).read_text())["ejected"] == ["a.yml"]
