"""The script-mode contract of SageMaker's framework training containers, played locally.

The PyTorch (and TensorFlow, Hugging Face, scikit-learn, XGBoost framework-mode) training images start
jobs through the sagemaker-training-toolkit: it reads ``/opt/ml/input/config/hyperparameters.json``,
downloads and unpacks ``sagemaker_submit_directory`` into ``/opt/ml/code``, pip-installs the source
directory's ``requirements.txt``, exports the ``SM_*`` variables and runs ``sagemaker_program`` with every
other hyperparameter as ``--name value`` (values JSON-decoded, as the toolkit does). With torchrun
distribution (``sagemaker_torch_distributed_enabled``) it starts the entry point through
``torch.distributed.run`` with one process per device; here: two CPU processes on one node, so the
script's process-group code really runs (Gloo).

What differs from the service, on purpose: ``requirements.txt`` is installed with ``--no-index`` (offline:
the job fails when a requirement is not already in the image's library set, which is what a pinned,
image-provided dependency should be), and there is one host.
"""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Training images whose script-mode contract this module plays, by the repository part of the URI.
FRAMEWORK_TRAINING = ("/pytorch-training:",)

PROCESSES_PER_HOST = 2


def decode(value: str) -> Any:
    """A hyperparameter as the toolkit reads it: JSON when it parses, else the string itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def is_framework_training(image: str) -> bool:
    """True when the training image runs user scripts (script mode) rather than a built-in algorithm."""
    return any(part in image for part in FRAMEWORK_TRAINING)


def prepare(
    root: Path,
    hyperparameters: dict[str, str],
    channels: list[str],
    download: Callable[[str, Path], None],
) -> tuple[list[str], dict[str, str]]:
    """Unpack the source directory under ``root/code``; return (entry argv after python, environment)."""
    decoded = {k: decode(v) for k, v in hyperparameters.items()}
    program, submit = decoded.get("sagemaker_program"), decoded.get("sagemaker_submit_directory")
    if not isinstance(program, str) or not isinstance(submit, str):
        raise AssertionError(f"script mode needs sagemaker_program and sagemaker_submit_directory: {hyperparameters}")
    archive = root / "sourcedir.tar.gz"
    download(submit, archive)
    code = root / "code"
    code.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(code, filter="data")
    if not (code / program).is_file():
        raise AssertionError(f"sagemaker_program {program!r} is not in the source directory")
    user = {k: v for k, v in decoded.items() if not k.startswith("sagemaker_")}
    args: list[str] = []
    for name, value in user.items():
        args += [f"--{name}", value if isinstance(value, str) else json.dumps(value)]
    env = {
        "SM_MODEL_DIR": "/opt/ml/model",
        "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
        "SM_INPUT_DIR": "/opt/ml/input",
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(user),
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_CURRENT_HOST": "algo-1",
        "SM_NUM_GPUS": "0",
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_USER_ARGS": json.dumps(args),
        "SM_MODULE_DIR": submit,
        "SM_USER_ENTRY_POINT": program,
        **{f"SM_CHANNEL_{c.upper()}": f"/opt/ml/input/data/{c}" for c in channels},
    }
    if decoded.get("sagemaker_torch_distributed_enabled") in (True, "true", "True"):
        launcher = ["-m", "torch.distributed.run", "--nnodes", "1", f"--nproc_per_node={PROCESSES_PER_HOST}"]
        return [*launcher, f"/opt/ml/code/{program}", *args], env
    return [f"/opt/ml/code/{program}", *args], env


def requirements(root: Path) -> list[str] | None:
    """The pip arguments that install the source directory's requirements.txt offline, or None."""
    if not (root / "code" / "requirements.txt").is_file():
        return None
    return ["-m", "pip", "install", "--no-index", "--quiet", "-r", "/opt/ml/code/requirements.txt"]
