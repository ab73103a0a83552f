"""The earlier revision a benchmark compares with, checked out beside this one (bench/ab.py, bench/instructions.py).

Both compare whole-process renders of this checkout and of an earlier git revision run by the same
interpreter; this is the part they share: a detached worktree in a scratch folder, bytecode compiled
for both trees (as an installed package has it), removed again however the comparison ends.
"""

from __future__ import annotations

import compileall
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def trees(revision: str) -> Iterator[tuple[dict[str, Path], Path]]:
    """``({"this checkout": ROOT, revision: worktree}, scratch folder)`` for the block's duration."""
    with tempfile.TemporaryDirectory(prefix="mlopsgen-bench-") as scratch:
        old = Path(scratch) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), revision], cwd=ROOT, check=True)
        try:
            found = {"this checkout": ROOT, revision: old}
            for tree in found.values():
                compileall.compile_dir(str(tree / "mlopsgen"), quiet=1)
            yield found, Path(scratch)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
