"""The runtime the example pipeline code is tested in: a pinned venv and a sandbox with /opt/ml bound.

Why a separate venv: the images carry scikit-learn 1.2.1 (built against numpy 1.x) and xgboost 1.7.4, while
the test extra's sagemaker==3.27.0 pulls numpy 2; they cannot share one environment. The venv is created once
under ``.venv-examples`` (gitignored) from ``tests/example-runtime-requirements.txt`` with ``--no-deps``, so
exactly the pinned set is installed, and is rebuilt when that file changes (a stamp holds its hash).
``MLOPSGEN_EXAMPLES_VENV`` points elsewhere if wanted.

Why a mount namespace: the scripts hard-code ``/opt/ml/processing/...`` exactly as SageMaker runs them, and the
test must not change that contract nor write to the host's /opt. Each job runs as
``unshare --mount`` (we are root in CI): inside a private mount namespace /opt is replaced by a tmpfs that
re-binds the host's /opt entries, and the job's temporary root is bound at /opt/ml. The script sees the same
paths as in the container; the host sees nothing, and the files land in the test's temporary directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "tests" / "example-runtime-requirements.txt"

# Runs in the new mount namespace: $1 = root to show as /opt/ml, $2 = staging dir, $3 = working dir, rest = argv.
_SANDBOX = r"""
set -e
root=$1; stage=$2; work=$3; shift 3
mount --rbind /opt "$stage"
mount -t tmpfs -o mode=755 tmpfs /opt
for entry in "$stage"/* ; do
  [ -e "$entry" ] || continue
  name=${entry##*/}
  if [ -d "$entry" ]; then mkdir "/opt/$name"; else : > "/opt/$name"; fi
  mount --rbind "$entry" "/opt/$name"
done
mkdir -p /opt/ml
mount --bind "$root" /opt/ml
cd "$work"
exec "$@"
"""


def ensure_venv() -> Path:
    """Return the example runtime's python, creating or refreshing the venv when the pins changed."""
    where = Path(os.environ.get("MLOPSGEN_EXAMPLES_VENV", REPO / ".venv-examples"))
    python = where / "bin" / "python"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = where / "requirements.sha256"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    if where.exists():
        shutil.rmtree(where)
    venv.EnvBuilder(with_pip=True).create(where)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-compile", "--no-deps", "-r", str(REQUIREMENTS)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(digest + "\n")
    return python


def sandbox_available() -> str | None:
    """Why the sandbox cannot run here, or None when it can."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux for a private mount namespace (CI runs as root)"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    return None


def run_job(
    root: Path, argv: Sequence[str], env: Mapping[str, str], *, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with ``root`` bound at /opt/ml and the working directory a fresh dir beside it.

    Args:
        root: The directory the job sees as /opt/ml.
        argv: The container's entrypoint and arguments (``python3`` already replaced by the venv's python).
        env: The environment the container gets (added to a minimal PATH/HOME/LANG).
        timeout: Seconds before the job is killed.

    Returns:
        The finished process with its output; the caller checks the return code.
    """
    stage = root.parent / f"{root.name}-host-opt"
    work = root.parent / f"{root.name}-workdir"
    stage.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _SANDBOX, "sandbox"]
    return subprocess.run(
        [*command, str(root), str(stage), str(work), *argv],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
