"""A training job's DebugHookConfig and ProfilerConfig → the step's ``debugger:`` and ``profiler:`` keys.

SDK v2's ``Estimator`` writes both by default, so an imported v2 pipeline has them. Every member is read
back as given (an empty ``CollectionConfigurations`` stays an empty list) so the blueprint renders the
same request; a value the language cannot hold is left as it is and shows as a difference at verification.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.importing.context import Context


def _params(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else node


def debugger(job: dict[str, Any], ctx: Context, name: str, path: str) -> dict[str, Any] | None:
    """DebugHookConfig → ``debugger: {s3_output_path, local_path, hook_parameters, collection_configurations}``."""
    hook = job.get("DebugHookConfig")
    if not isinstance(hook, dict):
        return None
    out: dict[str, Any] = {
        "s3_output_path": ctx.value(hook.get("S3OutputPath"), name, f"{path}.DebugHookConfig.S3OutputPath"),
        "local_path": hook.get("LocalPath"),
        "hook_parameters": _params(hook.get("HookParameters")),
    }
    collections = hook.get("CollectionConfigurations")
    if isinstance(collections, list):
        out["collection_configurations"] = [
            {
                k: v
                for k, v in (("name", c.get("CollectionName")), ("parameters", _params(c.get("CollectionParameters"))))
                if v is not None
            }
            for c in collections
            if isinstance(c, dict)
        ]
    return {k: v for k, v in out.items() if v is not None}


def profiler(job: dict[str, Any], ctx: Context, name: str, path: str) -> dict[str, Any] | None:
    """ProfilerConfig → profiler: (s3_output_path, profiling_interval_ms, profiling_parameters, disable_profiler)."""
    config = job.get("ProfilerConfig")
    if not isinstance(config, dict):
        return None
    out: dict[str, Any] = {
        "s3_output_path": (
            ctx.value(config["S3OutputPath"], name, f"{path}.ProfilerConfig.S3OutputPath")
            if "S3OutputPath" in config
            else None
        ),
        "profiling_interval_ms": config.get("ProfilingIntervalInMilliseconds"),
        "profiling_parameters": _params(config.get("ProfilingParameters")),
        "disable_profiler": config.get("DisableProfiler"),
    }
    return {k: v for k, v in out.items() if v is not None}
