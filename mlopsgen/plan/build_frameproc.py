"""A processing step's ``entry_point`` + ``source_dir`` → ``FrameworkCode``: the SDK's FrameworkProcessor convention.

sagemaker 3.27.0 has one ``FrameworkProcessor`` (no PyTorchProcessor & co any more) and, given a
source archive already in S3, adds three inputs to the job: ``code`` (the archive's folder, at
``/opt/ml/processing/input/code/``), ``aux`` (``install_requirements.py``, at ``.../input/aux``) and
``entrypoint`` (a generated ``runproc.sh``, at ``.../input/entrypoint``), and sets the container's
entrypoint to ``/bin/bash .../entrypoint/runproc.sh``. runproc.sh unpacks the archive, installs the
requirements file when the archive holds it, and runs the command on the entry point's base name
with the job's arguments.

Everything here is addressed by content, so the definition stays deterministic: the archive as for
training (``build_script``), runproc.sh by the sha256 of its text (the key the SDK itself uses inside a
pipeline: ``<bucket>/<pipeline>/code/<sha256>/runproc.sh``), and the installer, which the SDK puts
under the job's timestamped name, by the sha256 of mlopsgen's own equivalent
(``runtime/install_requirements.py``); the SDK engine is pointed at that key.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_script import ListCode, ScriptBuilder
from mlopsgen.plan.images import is_algorithm
from mlopsgen.plan.naming import code_s3_uri

CONTAINER_DIR = "/opt/ml/processing/input"
INSTALLER = "install_requirements.py"
DEFAULT_REQUIREMENTS = "requirements.txt"

_SHELL_WORD = re.compile(r"^[A-Za-z0-9_./=:+,@%-]+$")
"""What runproc.sh may hold unquoted: the SDK writes the command, entry point and requirements as they are."""

_RUNPROC = """\
#!/bin/bash

# Exit on any error. SageMaker uses error code to mark failed job.
set -e

cd /opt/ml/processing/input/code/

# Debug: List files before extraction
echo "Files in /opt/ml/processing/input/code/ before extraction:"
ls -la

# Extract source code
if [ -f sourcedir.tar.gz ]; then
    tar -xzf sourcedir.tar.gz
    echo "Files after extraction:"
    ls -la
else
    echo "ERROR: sourcedir.tar.gz not found!"
    exit 1
fi

if [[ -f '{requirements}' ]]; then
    # Some py3 containers has typing, which may breaks pip install
    pip uninstall --yes typing

    python3 {installer_dir}/install_requirements.py {requirements}
fi

{command} {entry_point} "$@"
"""


def runproc_script(command: tuple[str, ...], entry_point: str, requirements: str) -> str:
    """The text of runproc.sh, character for character what sagemaker 3.27.0 generates for an S3 archive.

    (``FrameworkProcessor._generate_framework_script`` with the installer in the ``aux`` input; a test
    compares the two.) Its sha256 is its S3 address, so one changed character is another key.

    Args:
        command: The interpreter and its flags, e.g. ``("python3",)``.
        entry_point: The script's base name.
        requirements: The requirements file inside the archive.

    Returns:
        The shell script.
    """
    return _RUNPROC.format(
        requirements=requirements,
        installer_dir=f"{CONTAINER_DIR}/aux",
        command=" ".join(command),
        entry_point=entry_point,
    )


def installer_text() -> str:
    """The requirements installer mlopsgen emits and CI uploads (``runtime/install_requirements.py``)."""
    return resources.files("mlopsgen.runtime").joinpath(INSTALLER).read_text(encoding="utf-8")


class FrameworkProcessingBuilder(ScriptBuilder):
    """Turns a processing step's entry_point, source_dir and requirements into ``FrameworkCode``."""

    helpers: dict[str, ir.HelperFile]

    def init_script(self, list_code: ListCode) -> None:
        """Set the folder lister and start with no helper files."""
        super().init_script(list_code)
        self.helpers = {}

    def framework_code(
        self, step: spec.ProcessingStepSpec, command: tuple[str, ...], path: PathKey
    ) -> ir.FrameworkCode | None:
        """The step's framework-processor code, or None without entry_point/source_dir (MLG350-MLG359 when wrong)."""
        if step.entry_point is None and step.source_dir is None:
            if step.requirements is not None:
                self._mixed(path, "requirements", "requirements is installed from source_dir, which is missing")
            return None
        if step.code is not None:
            self._mixed(path, "code", "processing runs code, or entry_point from source_dir, not both")
            return None
        if step.entry_point is None or step.source_dir is None:
            given, missing = ("entry_point", "source_dir") if step.source_dir is None else ("source_dir", "entry_point")
            self.issues.append(
                Issue("MLG350", (*path, given), f"entry_point and source_dir go together; {missing} is missing")
            )
            return None
        if step.image.framework is not None and is_algorithm(step.image.framework):
            self.issues.append(
                Issue(
                    "MLG354",
                    (*path, "image", "framework"),
                    f"'{step.image.framework}' is a built-in algorithm, which runs no script",
                    "the framework processor needs a framework container (pytorch, tensorflow, huggingface, "
                    "sklearn, xgboost) or an image.uri with python3 and pip.",
                    at_value=True,
                )
            )
        unsafe: list[tuple[PathKey, str]] = [
            (("command", i), word) for i, word in enumerate(command) if not _SHELL_WORD.match(word)
        ]
        unsafe += [
            ((key,), text)
            for key, text in (("entry_point", step.entry_point), ("requirements", step.requirements))
            if text is not None and not _SHELL_WORD.match(text)
        ]
        for where, text in unsafe:
            self.issues.append(
                Issue(
                    "MLG359",
                    (*path, *where),
                    f"'{text}' cannot be written into runproc.sh: it holds a space, quote or shell character",
                    "the framework processor writes the command, entry_point and requirements unquoted; "
                    "use letters, digits and . _ / - = : + , @ %.",
                    at_value=True,
                )
            )
        bundle = self.source_bundle(step.source_dir, (*path, "source_dir"))
        if bundle is None or unsafe:
            return None
        files = dict(bundle.files)
        entry = self.entry_in_bundle(step.entry_point, bundle, path)
        if entry is None:
            return None
        if "/" in entry:
            self.issues.append(
                Issue(
                    "MLG358",
                    (*path, "entry_point"),
                    f"entry_point '{entry}' is not at the top of source_dir '{bundle.path}'",
                    "the framework processor's runproc.sh runs the entry point's base name from the top of "
                    "the unpacked folder; move the script up (it can import from subfolders).",
                    at_value=True,
                )
            )
            return None
        requirements = DEFAULT_REQUIREMENTS
        if step.requirements is not None:
            requirements = step.requirements.removeprefix("./")
            if requirements not in files:
                self.issues.append(
                    Issue(
                        "MLG358",
                        (*path, "requirements"),
                        f"requirements '{step.requirements}' is not a file in source_dir '{bundle.path}'",
                        "requirements is relative to source_dir; runproc.sh would skip it silently.",
                        at_value=True,
                    )
                )
                return None
        installer = self._helper(f"processing/{INSTALLER}", installer_text())
        runproc = self._helper(f"processing/{step.name}/runproc.sh", runproc_script(command, entry, requirements))
        return ir.FrameworkCode(bundle, entry, requirements, runproc, installer)

    def helper_files(self) -> tuple[ir.HelperFile, ...]:
        """Every generated helper file, sorted by path."""
        return tuple(sorted(self.helpers.values(), key=lambda h: h.path))

    def _helper(self, path: str, content: str) -> ir.HelperFile:
        name = path.rsplit("/", 1)[-1]
        sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
        helper = ir.HelperFile(path, content, sha, code_s3_uri(self.bucket, self.names.pipeline, sha, name))
        self.helpers[path] = helper
        return helper

    def _mixed(self, path: PathKey, key: str, message: str) -> None:
        self.issues.append(Issue("MLG357", (*path, key), message))
