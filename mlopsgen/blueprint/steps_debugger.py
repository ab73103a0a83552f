"""SageMaker Debugger options of a training step (pydantic): ``debugger:`` and ``profiler:``.

Each key mirrors one structure of botocore's CreateTrainingJob one to one (DebugHookConfig, ProfilerConfig),
so a definition built by SDK v2 (whose ``Estimator`` turns both on by default) imports without loss and
renders back equal. Optional members stay ``None`` when unset so an empty list or map the API was given
(v2 writes ``CollectionConfigurations: []``) is kept apart from an absent one. Bounds are botocore's. A
tuning job's TrainingJobDefinition has neither structure, so only ``training`` steps take them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mlopsgen.blueprint.base import Spec

S3_OUTPUT = r"^(\$\{.+\}|(https|s3)://[^/]+/?.*)$"
"""botocore's S3Uri pattern ``(https|s3)://([^/]+)/?(.*)``, or a ``${...}`` reference."""

Key = Annotated[str, Field(min_length=1, max_length=256)]
Text = Annotated[str, Field(max_length=256)]
Parameters = Annotated[dict[Key, Text], Field(max_length=20)]
"""HookParameters, CollectionParameters, ProfilingParameters: at most 20 entries of up to 256 characters."""


class CollectionSpec(Spec):
    """CollectionConfiguration: one Debugger tensor collection."""

    name: str | None = Field(default=None, min_length=1, max_length=256)
    """CollectionName, e.g. losses or weights."""
    parameters: Parameters | None = None
    """CollectionParameters, e.g. {save_interval: "100"}."""


class DebuggerSpec(Spec):
    """DebugHookConfig: where the Debugger hook saves tensors, and which."""

    s3_output_path: str = Field(pattern=S3_OUTPUT, max_length=1024)
    """S3OutputPath: S3 URI the tensors are uploaded to, or ${params.X}."""
    local_path: str | None = Field(default=None, max_length=4096)
    """LocalPath: directory in the container (AWS default /opt/ml/output/tensors)."""
    hook_parameters: Parameters | None = None
    """HookParameters: the hook's settings, e.g. {save_interval: "100"}."""
    collection_configurations: list[CollectionSpec] | None = Field(default=None, max_length=20)
    """CollectionConfigurations: the tensor collections saved (at most 20)."""


class ProfilerSpec(Spec):
    """ProfilerConfig: Debugger system monitoring and framework profiling."""

    s3_output_path: str | None = Field(default=None, pattern=S3_OUTPUT, max_length=1024)
    """S3OutputPath: S3 URI the metrics are uploaded to, or ${params.X}."""
    profiling_interval_ms: Literal[100, 200, 500, 1000, 5000, 60000] | None = None
    """ProfilingIntervalInMilliseconds: the values AWS accepts (its default is 500)."""
    profiling_parameters: Parameters | None = None
    """ProfilingParameters, e.g. {DataloaderProfilingConfig: "{\\"StartStep\\": 5}"}."""
    disable_profiler: bool | None = None
    """DisableProfiler: true turns system monitoring and profiling off."""


class DebuggerOptions(Spec):
    """The Debugger keys of a training step."""

    debugger: DebuggerSpec | None = None
    """DebugHookConfig: {s3_output_path, local_path?, hook_parameters?, collection_configurations?}."""
    profiler: ProfilerSpec | None = None
    """ProfilerConfig: {s3_output_path?, profiling_interval_ms?, profiling_parameters?, disable_profiler?}."""
