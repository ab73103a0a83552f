"""Plan → what starts the CI jobs, in words: printed by ``mlopsgen validate`` for every valid blueprint.

Diagnostics have no warning level (every diagnostic fails validation), so facts a team should know
but need not fix are said here: which backend owns the triggers, which paths start which job, and
that a CodeCommit source cannot filter by path.
"""

from __future__ import annotations

from mlopsgen.plan.model import PathFilter, Plan


def _paths(paths: PathFilter) -> str:
    shown = ["any file" if d == "." else f"{d}/" for d in paths.directories] + list(paths.files)
    return ", ".join(shown)


def trigger_notes(plan: Plan) -> list[str]:
    """One line per fact about CI triggers (none without a ci section).

    Args:
        plan: The resolved blueprint.

    Returns:
        Lines starting with the blueprint's name.
    """
    ci = plan.ci
    if ci is None:
        return []
    others = [b for b in ci.backends if b != ci.triggers]
    on_demand = f"; {others[0]} runs on demand only" if others else ""
    notes = [f"{plan.blueprint}: CI triggers owned by {ci.triggers}{on_demand}"]
    source = ci.source
    if ci.triggers == "codepipeline" and source.provider == "codecommit":
        separate = plan.deploy is not None and source.deploy_repository != source.repository
        notes.append(
            f"{plan.blueprint}: no path filters: CodeCommit starts pipelines through an EventBridge rule, "
            "which cannot see which files changed; "
            + (
                f"a push to {source.repository} starts the build, a push to {source.deploy_repository} the deploy"
                if separate
                else f"every push to {source.branch} starts "
                + ("both pipelines (set ci.source.deploy_repository to separate them)" if plan.deploy else "the build")
            )
        )
        return notes
    notes.append(f"{plan.blueprint}: build starts on changes to {_paths(ci.build_paths)}")
    if plan.deploy is not None:
        notes.append(f"{plan.blueprint}: deploy starts on model approval and on changes to {_paths(ci.deploy_paths)}")
    return notes
