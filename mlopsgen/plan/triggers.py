"""Plan pieces → which repository changes start the build and the deploy job, shared by both backends.

The committed generated tree carries "what changed": ``<output>/model-build/`` changes exactly when
the pipeline definition, the code manifest (the step code's hashes) or the build job changes, and
``<output>/model-deploy/`` exactly when the deploy side changes (tests/test_triggers.py holds this).
So a commit that only resizes an endpoint reruns no training, and a new hyperparameter redeploys
nothing until a model version is approved. The step code files count for the build too: pushed
without a re-render, the build starts and fails on the stale code manifest instead of doing nothing.
"""

from __future__ import annotations

from mlopsgen.plan import model as ir

MAX_PATTERNS = 8
"""CodePipeline takes 1 to 8 file path patterns per push filter (API GitFilePathFilterCriteria)."""
MAX_PATTERN_LENGTH = 255
"""... each 1 to 255 characters long (the same API reference)."""


def longest_pattern(paths: ir.PathFilter) -> int:
    """Length of the longest CodePipeline glob the filter becomes (a folder gains ``/**``)."""
    return max([len(d) + 3 for d in paths.directories] + [len(f) for f in paths.files])


def repository_path(blueprint_dir: str, path: str) -> str:
    """A blueprint-relative path as seen from the repository root."""
    return path if blueprint_dir in ("", ".") else f"{blueprint_dir}/{path}"


def build_paths(output_dir: str, blueprint_dir: str, code_files: tuple[ir.CodeFile, ...]) -> ir.PathFilter:
    """The generated model-build tree and every step code file.

    When the files would pass CodePipeline's pattern limit, their folders stand in for them (a
    broader filter, never a narrower one), so both backends keep one and the same set of paths.
    """
    tree = f"{output_dir}/model-build"
    files = sorted({repository_path(blueprint_dir, f.path) for f in code_files})
    if 1 + len(files) <= MAX_PATTERNS:
        return ir.PathFilter((tree,), tuple(files))
    folders = sorted({f.rsplit("/", 1)[0] if "/" in f else "." for f in files})
    while 1 + len(folders) > MAX_PATTERNS:
        folders = sorted({_parent(f) for f in folders})
    if "." in folders:  # code at the repository root: any change may be one
        return ir.PathFilter((".",), ())
    return ir.PathFilter(tuple(sorted({tree, *folders})), ())


def deploy_paths(output_dir: str) -> ir.PathFilter:
    """The generated model-deploy tree: stage configurations, endpoint templates, scripts, payload."""
    return ir.PathFilter((f"{output_dir}/model-deploy",), ())


def _parent(folder: str) -> str:
    return folder.rsplit("/", 1)[0] if "/" in folder else "."


def trigger_owner(backends: tuple[str, ...], triggers: str | None) -> str:
    """The backend that starts runs by itself: the one named, else the only one (validation asks otherwise)."""
    return triggers or backends[0]
