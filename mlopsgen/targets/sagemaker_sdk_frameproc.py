"""Plan → the arguments of sagemaker 3.27.0's ``FrameworkProcessor.run`` for a framework-processor step (SDK engine).

The SDK builds the whole convention itself (the three inputs, runproc.sh, the entrypoint); two things
are bent so it stays offline and deterministic, and nothing else:

1. It uploads runproc.sh and its own ``install_requirements.py`` while the definition is built.
   ``keep_uploads`` replaces the session's ``upload_string_as_file_body`` (the one call both uploads
   go through) with a recorder, so nothing reaches S3 and tests can read what the SDK generated.
2. It puts the installer under ``<bucket>/<job name>/source/``, and the job name holds a timestamp.
   ``run_arguments`` points ``_resolve_helper_scripts_prefix`` (private, pinned by the sdk extra) at
   the installer's content address from the Plan instead; the key of runproc.sh is the SDK's own
   (the sha256 of its text under ``<bucket>/<pipeline>/code/``), not patched.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir


def keep_uploads(session: Any) -> None:
    """Make the session record string uploads in ``session.mlopsgen_uploads`` (S3 URI → body) instead of sending them.

    Args:
        session: The engine's ``PipelineSession``.
    """
    uploads: dict[str, str] = {}

    def record(body: str, bucket: str, key: str, kms_key: str | None = None) -> None:
        uploads[f"s3://{bucket}/{key}"] = body

    session.mlopsgen_uploads = uploads
    session.upload_string_as_file_body = record


def run_arguments(processor: Any, code: ir.FrameworkCode) -> dict[str, Any]:
    """``FrameworkProcessor.run`` keyword arguments for the step's code, with the installer's key pinned.

    Args:
        processor: The step's ``FrameworkProcessor``.
        code: The Plan's framework code.

    Returns:
        ``code`` (the entry point), ``source_dir`` (the archive's S3 URI) and ``requirements``.
    """
    prefix = code.installer.s3_uri.rsplit("/", 1)[0]
    processor._resolve_helper_scripts_prefix = lambda job_name: prefix
    return {"code": code.entry_point, "source_dir": code.source.s3_uri, "requirements": code.requirements}
