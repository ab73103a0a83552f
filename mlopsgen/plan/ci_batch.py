"""Plan pieces → the CI commands and per-stage environment of batch deploy stages (both backends).

Like ``ci_commands``: argument lists the buildspecs and Jenkinsfiles render the same way. What differs
per batch stage (pipeline, smoke prefix, run on approval, bound) is environment the stage's action or
Jenkins stage sets, so one command serves every batch stage.
"""

from __future__ import annotations

from mlopsgen.plan import model as ir
from mlopsgen.plan.ci_commands import EXPORT_TEST_RESULTS, REGION, EnvRef, payload_file

PIPELINE_NAME = EnvRef("BATCH_PIPELINE_NAME")
SMOKE_URI = EnvRef("BATCH_SMOKE_URI")
RUN_ON_APPROVAL = EnvRef("BATCH_RUN_ON_APPROVAL")
TIMEOUT_MINUTES = EnvRef("BATCH_TIMEOUT_MINUTES")


def template_export(stage: str) -> str:
    """Where the deploy build leaves a batch stage's template for its deploy step."""
    return f"{stage}-batch-template-export.yml"


def copy_template_command(output_dir: str, stage: str) -> tuple[str, ...]:
    """Put a batch stage's stack template where its deploy step reads it."""
    return ("cp", f"{output_dir}/model-deploy/batch-{stage}-template.yml", template_export(stage))


def batch_command(output_dir: str, payload: ir.SamplePayload | None) -> tuple[str, ...]:
    """Smoke-run and/or run the batch pipeline named by $BATCH_PIPELINE_NAME (``scripts/run_batch.py``)."""
    argv = ["python3", f"{output_dir}/model-deploy/scripts/run_batch.py", "--pipeline-name", PIPELINE_NAME]
    argv += ["--region", REGION, "--timeout-minutes", TIMEOUT_MINUTES, "--run-on-approval", RUN_ON_APPROVAL]
    argv += ["--smoke-uri", SMOKE_URI, "--export-test-results", EXPORT_TEST_RESULTS]
    if payload is not None:
        argv += ["--payload-file", f"{output_dir}/{payload_file(payload.path)}"]
    return tuple(argv)


def batch_environment(stage: ir.Stage) -> tuple[tuple[str, str], ...]:
    """The variables a batch stage's run sets (the names the command refers to, without ``$``)."""
    batch = stage.batch
    assert batch is not None
    return (
        ("STAGE_NAME", stage.name),
        (PIPELINE_NAME[1:], batch.pipeline_name),
        (SMOKE_URI[1:], batch.smoke_uri),
        (RUN_ON_APPROVAL[1:], str(batch.on_approval).lower()),
        (TIMEOUT_MINUTES[1:], str(batch.timeout_minutes)),
    )


def runs(stage: ir.Stage) -> bool:
    """A batch stage has a CI run step when it smoke-tests or runs on approval."""
    return stage.batch is not None and (bool(stage.batch.smoke_uri) or stage.batch.on_approval)
