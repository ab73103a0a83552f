"""SDK engine: a training step's DebugHookConfig and ProfilerConfig, built with sagemaker 3.27.0's shapes.

sagemaker 3.27.0's ``ModelTrainer`` has no Debugger parameters: its training request (``ModelTrainer.train``)
never contains DebugHookConfig or ProfilerConfig. So the engine builds both with the SDK's own shapes
(``sagemaker.core.shapes.DebugHookConfig``, ``ProfilerConfig``, ``CollectionConfiguration``: they check the
member types and the required S3OutputPath), serializes them with the SDK's ``serialize``, and adds them to
the request of a ``TrainingStep`` subclass, so the SDK's own pipeline encoding writes parameter references.
``serialize`` drops falsy shape members (``if serialize_result := serialize(v)``): an empty list or map,
``DisableProfiler: false`` (SDK v2 writes both) and an empty ``LocalPath`` (found by the engines-agree
generator), all of which botocore accepts. The blueprint gave them, so they go
back exactly where the API takes them (measured in tests/unit/test_debugger.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlopsgen.plan import model as ir

Value = Callable[[ir.Expr], Any]


def _map(pairs: ir.Pairs | None) -> dict[str, str] | None:
    return None if pairs is None else dict(pairs)


def members(job: ir.TrainingJob, value: Value) -> dict[str, Any]:
    """The Debugger members of a training job's request (empty when the step has neither key)."""
    from sagemaker.core.shapes import CollectionConfiguration, DebugHookConfig, ProfilerConfig
    from sagemaker.core.utils.utils import serialize

    out: dict[str, Any] = {}
    hook = job.options.debug_hook
    if hook is not None:
        collections = None
        if hook.collections is not None:
            collections = [
                CollectionConfiguration(collection_name=name, collection_parameters=_map(params))
                for name, params in hook.collections
            ]
        shape = DebugHookConfig(
            s3_output_path=value(hook.s3_output_path),
            local_path=hook.local_path,
            hook_parameters=_map(hook.hook_parameters),
            collection_configurations=collections,
        )
        body: dict[str, Any] = serialize(shape)
        if hook.local_path == "":
            body["LocalPath"] = ""
        if hook.hook_parameters == ():
            body["HookParameters"] = {}
        if hook.collections is not None:
            listed = body.setdefault("CollectionConfigurations", [])
            for member, (_, params) in zip(listed, hook.collections, strict=True):
                if params == ():
                    member["CollectionParameters"] = {}
        out["DebugHookConfig"] = body
    profiler = job.options.profiler
    if profiler is not None:
        shape = ProfilerConfig(
            s3_output_path=None if profiler.s3_output_path is None else value(profiler.s3_output_path),
            profiling_interval_in_milliseconds=profiler.interval_ms,
            profiling_parameters=_map(profiler.parameters),
            disable_profiler=profiler.disable,
        )
        body = serialize(shape)
        if profiler.parameters == ():
            body["ProfilingParameters"] = {}
        if profiler.disable is False:
            body["DisableProfiler"] = False
        out["ProfilerConfig"] = body
    return out


def training_step(extra: dict[str, Any], **kwargs: Any) -> Any:
    """A ``TrainingStep`` whose request also carries ``extra`` (the Debugger members ModelTrainer lacks)."""
    from sagemaker.mlops.workflow.steps import TrainingStep

    class DebuggerTrainingStep(TrainingStep):  # type: ignore[misc]
        """TrainingStep with the Debugger members added to the trainer's request."""

        @property
        def arguments(self) -> Any:
            request = super().arguments
            request.update(extra)
            return request

    return DebuggerTrainingStep(**kwargs)
