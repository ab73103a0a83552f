"""Definition shapes that mean the same request, written the one way the round trip compares them.

SageMaker SDK v2 writes some request fields mlopsgen leaves to the API's documented default, and leaves
out some mlopsgen writes; both give SageMaker the same request. The import's proof compares definitions
after ``equivalent`` has rewritten each node of both sides, so these never count as a loss, while any
other value (``AppManaged: true``, a channel in ``Pipe`` mode under a ``File`` job, ``CompressionType:
NONE``) still does. Each rule cites the API's own words (botocore's SageMaker service model) or, for the
register step's container variables, what they are; README "Importing an existing pipeline" lists them.
"""

from __future__ import annotations

from typing import Any

REGISTER_DEFAULT_ENVIRONMENT = {
    "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
    "SAGEMAKER_PROGRAM": "",
    "SAGEMAKER_SUBMIT_DIRECTORY": "",
}
"""The container variables SDK v3's ``ModelBuilder.register`` (and mlopsgen) set, besides ``SAGEMAKER_REGION``.

Log level 20 is the serving toolkits' default (INFO); an empty program and submit directory are no
user script (the algorithm's own serving); SDK v2's ``RegisterModel`` for a plain ``Estimator`` sets
none of them.
"""


def equivalent(node: dict[str, Any]) -> dict[str, Any]:
    """One definition node (its children already rewritten) in the compared form.

    - ``AppManaged: false`` on a processing input or output is dropped: "When False (default), ...
      operations are managed by Amazon SageMaker" (ProcessingInput/ProcessingOutput).
    - A training channel without ``InputMode`` gets the job's ``TrainingInputMode``: "If you don't set
      a value for InputMode, SageMaker uses the value set for TrainingInputMode" (Channel).
    - ``OutputDataConfig`` without ``CompressionType`` gets ``GZIP``: "Defaults to gzip."
    - A register step's container whose variables are exactly the defaults above plus the region has none.
    - The definition's top-level ``MlflowConfig: null`` (SDK v3 writes it, v2 does not) is dropped.
    """
    if node.get("AppManaged") is False and ("S3Input" in node or "S3Output" in node):
        node = {k: v for k, v in node.items() if k != "AppManaged"}
    mode = node.get("AlgorithmSpecification", {}).get("TrainingInputMode")
    channels = node.get("InputDataConfig")
    if isinstance(mode, str) and isinstance(channels, list):
        node = {**node, "InputDataConfig": [_with_mode(c, mode) for c in channels]}
    output = node.get("OutputDataConfig")
    if "AlgorithmSpecification" in node and isinstance(output, dict) and "CompressionType" not in output:
        node = {**node, "OutputDataConfig": {**output, "CompressionType": "GZIP"}}
    if node.get("Type") == "RegisterModel" and isinstance(node.get("Arguments"), dict):
        node = {**node, "Arguments": _register(node["Arguments"])}
    if "Steps" in node and "MlflowConfig" in node and node["MlflowConfig"] is None:
        node = {k: v for k, v in node.items() if k != "MlflowConfig"}
    return node


def _with_mode(channel: Any, mode: str) -> Any:
    if isinstance(channel, dict) and "ChannelName" in channel and "InputMode" not in channel:
        return {**channel, "InputMode": mode}
    return channel


def _register(args: dict[str, Any]) -> dict[str, Any]:
    spec = args.get("InferenceSpecification")
    if not (isinstance(spec, dict) and isinstance(spec.get("Containers"), list)):
        return args
    containers = [_without_default_environment(c) for c in spec["Containers"]]
    return {**args, "InferenceSpecification": {**spec, "Containers": containers}}


def _without_default_environment(container: Any) -> Any:
    if not isinstance(container, dict) or not isinstance(container.get("Environment"), dict):
        return container
    env = dict(container["Environment"])
    region = env.pop("SAGEMAKER_REGION", None)
    if env != REGISTER_DEFAULT_ENVIRONMENT or not isinstance(region, str):
        return container
    return {k: v for k, v in container.items() if k != "Environment"}
