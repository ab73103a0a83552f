"""Plan → the framework-processor pieces of a processing job: its three inputs, its entrypoint, its helper files.

What sagemaker 3.27.0's ``FrameworkProcessor.run(code=, source_dir="s3://.../sourcedir.tar.gz")`` puts in
a ProcessingStep (``plan/build_frameproc.py`` says why each piece exists), for ``sagemaker.py``; the
SDK engine builds the same with the SDK's class and both emit the helper files from here.
"""

from __future__ import annotations

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile

ENTRYPOINT = ("/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh")
"""The container entrypoint the convention sets: bash running the generated runproc.sh."""


def framework_inputs(code: ir.FrameworkCode) -> list[tuple[str, str, str]]:
    """The inputs the convention appends after the step's own, as (name, S3 URI, local path), in the SDK's order.

    ``code`` is the archive's folder as a prefix (its trailing slashes are the SDK's); the folder is the
    archive's content address, so nothing else lies under it.
    """
    folder = code.source.s3_uri.rsplit("/", 1)[0] + "/"
    return [
        ("code", folder, "/opt/ml/processing/input/code/"),
        ("aux", code.installer.s3_uri, "/opt/ml/processing/input/aux"),
        ("entrypoint", code.runproc.s3_uri, "/opt/ml/processing/input/entrypoint"),
    ]


def helper_outputs(plan: ir.Plan) -> list[OutputFile]:
    """The generated helper files under ``model-build/``, where the code manifest's ``helpers`` point."""
    return [OutputFile(f"model-build/{h.path}", h.content) for h in plan.helper_files]
