"""Step models (pydantic) for the steps that call services outside SageMaker: Lambda, EMR and Callback (SQS).

They follow sagemaker 3.27.0's ``LambdaStep``, ``EMRStep`` and ``CallbackStep``: none of them takes a
retry policy (they are not the SDK's ``ConfigurableRetryStep``), all take a cache configuration.
Lambda and Callback outputs are typed values later steps read as ``${steps.S.outputs.o}``; an EMR
step's properties are EMR's ``DescribeStep`` response (``${steps.S.properties.Status.State}``).
The identifiers (function ARN, queue URL, cluster id) are checked against AWS's shapes in
``aws_shapes.py``; ``checks_external.py`` holds the checks that need more than one field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from mlopsgen.blueprint.aws_shapes import SHAPES
from mlopsgen.blueprint.base import NAME_PATTERN, Spec, flag_or_model, no_entries, no_items
from mlopsgen.blueprint.steps_base import CacheSpec, StepBase, Value

OutputType = Literal["String", "Integer", "Boolean", "Float"]
"""The output types SageMaker's OutputParameters take (the SDK's LambdaOutputTypeEnum / CallbackOutputTypeEnum)."""

# SendPipelineExecutionStepSuccess takes at most 50 OutputParameters (botocore OutputParameterList).
MAX_OUTPUTS = 50

_Cache = Annotated[CacheSpec | None, BeforeValidator(flag_or_model, json_schema_input_type=CacheSpec | bool | None)]
_Outputs = Annotated[
    dict[Annotated[str, Field(pattern=NAME_PATTERN)], OutputType],
    Field(
        default_factory=no_entries,
        max_length=MAX_OUTPUTS,
        json_schema_extra={"additionalProperties": False},
        description="Outputs by name with their type (String, Integer, Boolean or Float); later steps read "
        "them as ${steps.S.outputs.NAME}.",
    ),
]


class ExternalStepBase(StepBase):
    """Fields of the steps that call another AWS service: a cache, no retry policy (as in the SDK)."""

    cache: _Cache = Field(default=None, description="true, or {expire_after: P30d}, to reuse earlier results.")


class LambdaStepSpec(ExternalStepBase):
    """Invokes an existing AWS Lambda function; its result's keys become the step's outputs."""

    type: Literal["lambda"]
    """Step type."""
    function: str = Field(
        pattern=SHAPES["lambda_function"].pattern,
        description="The function: its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or its "
        "name (a function of the project's account and region).",
    )
    inputs: dict[str, Value] = Field(default_factory=no_entries)
    """The event the function receives, by key; values may hold ${...} references."""
    outputs: _Outputs


class CallbackStepSpec(ExternalStepBase):
    """Sends a message to an SQS queue and waits until something calls SendPipelineExecutionStepSuccess/Failure."""

    type: Literal["callback"]
    """Step type."""
    queue_url: str = Field(
        pattern=SHAPES["sqs_queue_url"].pattern,
        description="URL of the SQS queue the message goes to, e.g. "
        "https://sqs.eu-west-1.amazonaws.com/111122223333/approvals.",
    )
    inputs: dict[str, Value] = Field(default_factory=no_entries)
    """Arguments in the message body, by key; values may hold ${...} references."""
    outputs: _Outputs


class EmrStepConfigSpec(Spec):
    """What the EMR step runs: a Hadoop JAR step (EMR's HadoopJarStepConfig)."""

    jar: Value = Field(min_length=1, description="The JAR to run, e.g. command-runner.jar or s3://bucket/job.jar.")
    args: list[Value] = Field(default_factory=no_items)
    """Command-line arguments of the JAR's main function; values may hold ${...} references."""
    main_class: str | None = None
    """Main class of the JAR, when its manifest names none."""
    properties: dict[str, str] = Field(default_factory=no_entries)
    """Java properties set when the step runs, by key."""


class EmrStepSpec(ExternalStepBase):
    """Runs a step on an Amazon EMR cluster: a running one (cluster_id) or one created for the step."""

    type: Literal["emr"]
    """Step type."""
    cluster_id: str | None = Field(
        default=None,
        pattern=SHAPES["emr_cluster_id"].pattern,
        description="Id of a running EMR cluster (j-...). Exactly one of cluster_id and cluster_config.",
    )
    cluster_config: dict[str, Any] | None = Field(
        default=None,
        description="A cluster created for this step and terminated after it: RunJobFlow's request without "
        "Name, Steps and AutoTerminationPolicy (Instances needs InstanceGroups or InstanceFleets).",
    )
    execution_role: str | None = Field(
        default=None,
        pattern=SHAPES["iam_role_arn"].pattern,
        description="Runtime role the step's job assumes on the cluster (with cluster_id only).",
    )
    step: EmrStepConfigSpec
    """What the step runs."""
