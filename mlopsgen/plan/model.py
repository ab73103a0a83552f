"""The Plan: a frozen, fully resolved IR of one blueprint. Every target reads this and nothing else.

Nothing here is optional in a way a target must re-default: names are final, images are URIs,
code files carry their content-addressed S3 URIs, and every value that may be computed at run
time is an ``Expr`` (a literal, or a reference the pipeline engine evaluates).
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from mlopsgen.frozen import frozen

# Re-exported: targets and views read every Plan class as ``plan.model.X``; the classes live in
# model_steps/model_training (pipeline steps), model_delivery (deploy and CI) and the section modules.
from mlopsgen.plan.model_batch import BatchTransform as BatchTransform
from mlopsgen.plan.model_checks import CheckJob as CheckJob
from mlopsgen.plan.model_checks import CheckSwitches as CheckSwitches
from mlopsgen.plan.model_checks import DriftCheckBaselines as DriftCheckBaselines
from mlopsgen.plan.model_checks import FileSource as FileSource
from mlopsgen.plan.model_checks import MetricsSource as MetricsSource
from mlopsgen.plan.model_checks import ModelMetrics as ModelMetrics
from mlopsgen.plan.model_checks import QualityCheckStep as QualityCheckStep
from mlopsgen.plan.model_clarify import ClarifyBias as ClarifyBias
from mlopsgen.plan.model_clarify import ClarifyCheckStep as ClarifyCheckStep
from mlopsgen.plan.model_clarify import ClarifyData as ClarifyData
from mlopsgen.plan.model_clarify import ClarifyModel as ClarifyModel
from mlopsgen.plan.model_clarify import ClarifyPredictedLabel as ClarifyPredictedLabel
from mlopsgen.plan.model_clarify import ClarifyShap as ClarifyShap
from mlopsgen.plan.model_delivery import Autoscaling as Autoscaling
from mlopsgen.plan.model_delivery import Ci as Ci
from mlopsgen.plan.model_delivery import DataCapture as DataCapture
from mlopsgen.plan.model_delivery import Deploy as Deploy
from mlopsgen.plan.model_delivery import Jenkins as Jenkins
from mlopsgen.plan.model_delivery import MultiAccount as MultiAccount
from mlopsgen.plan.model_delivery import PathFilter as PathFilter
from mlopsgen.plan.model_delivery import SamplePayload as SamplePayload
from mlopsgen.plan.model_delivery import Source as Source
from mlopsgen.plan.model_delivery import Stage as Stage
from mlopsgen.plan.model_delivery import Targets as Targets
from mlopsgen.plan.model_rollout import GeneratedAlarms as GeneratedAlarms
from mlopsgen.plan.model_rollout import Rollout as Rollout
from mlopsgen.plan.model_serving import Serving as Serving
from mlopsgen.plan.model_steps import CallbackStep as CallbackStep
from mlopsgen.plan.model_steps import CodeFile as CodeFile
from mlopsgen.plan.model_steps import Common as Common
from mlopsgen.plan.model_steps import Compute as Compute
from mlopsgen.plan.model_steps import ConditionStep as ConditionStep
from mlopsgen.plan.model_steps import CreateModelStep as CreateModelStep
from mlopsgen.plan.model_steps import EmrStep as EmrStep
from mlopsgen.plan.model_steps import FailStep as FailStep
from mlopsgen.plan.model_steps import FrameworkCode as FrameworkCode
from mlopsgen.plan.model_steps import HelperFile as HelperFile
from mlopsgen.plan.model_steps import LambdaStep as LambdaStep
from mlopsgen.plan.model_steps import ModelSource as ModelSource
from mlopsgen.plan.model_steps import OutputParameter as OutputParameter
from mlopsgen.plan.model_steps import ProcessingInput as ProcessingInput
from mlopsgen.plan.model_steps import ProcessingOutput as ProcessingOutput
from mlopsgen.plan.model_steps import ProcessingStep as ProcessingStep
from mlopsgen.plan.model_steps import PropertyFile as PropertyFile
from mlopsgen.plan.model_steps import RegisterModelStep as RegisterModelStep
from mlopsgen.plan.model_steps import Retry as Retry
from mlopsgen.plan.model_steps import ScriptMode as ScriptMode
from mlopsgen.plan.model_steps import SourceBundle as SourceBundle
from mlopsgen.plan.model_steps import Step as Step
from mlopsgen.plan.model_steps import TransformStep as TransformStep
from mlopsgen.plan.model_steps import steps_of as steps_of
from mlopsgen.plan.model_training import Channel as Channel
from mlopsgen.plan.model_training import DebugHook as DebugHook
from mlopsgen.plan.model_training import MetricDefinition as MetricDefinition
from mlopsgen.plan.model_training import Pairs as Pairs
from mlopsgen.plan.model_training import ParameterRange as ParameterRange
from mlopsgen.plan.model_training import Profiler as Profiler
from mlopsgen.plan.model_training import TrainingJob as TrainingJob
from mlopsgen.plan.model_training import TrainingOptions as TrainingOptions
from mlopsgen.plan.model_training import TrainingStep as TrainingStep
from mlopsgen.plan.model_training import TuningOptions as TuningOptions
from mlopsgen.plan.model_training import TuningStep as TuningStep
from mlopsgen.plan.operations import Operations as Operations
from mlopsgen.provenance import Origins

if TYPE_CHECKING:
    from mlopsgen.plan.registry import Registry

# --- run-time expressions -------------------------------------------------------------------------


@frozen
class ParamRef:
    """The value of a pipeline parameter."""

    name: str


@frozen
class StepProp:
    """A property of another step, e.g. ``ModelArtifacts.S3ModelArtifacts``."""

    step: str
    path: str


@frozen
class ExecVar:
    """An execution variable such as ``PipelineExecutionId``."""

    name: str


@frozen
class Join:
    """Text joined from literal and run-time parts."""

    on: str
    values: tuple[Expr, ...]


@frozen
class JsonGet:
    """A value read from a property file another step wrote."""

    step: str
    property_file: str
    path: str


Expr = str | int | float | bool | ParamRef | StepProp | ExecVar | Join | JsonGet


# --- conditions ----------------------------------------------------------------------------------


@frozen
class Comparison:
    """``kind`` is the SageMaker condition type: Equals, LessThanOrEqualTo, ..."""

    kind: str
    left: Expr
    right: Expr


@frozen
class InCondition:
    """``value`` is one of ``choices``."""

    value: Expr
    choices: tuple[Expr, ...]


@frozen
class NotCondition:
    """Negation."""

    condition: Condition


@frozen
class OrCondition:
    """Disjunction."""

    conditions: tuple[Condition, ...]


Condition = Comparison | InCondition | NotCondition | OrCondition


# --- project and controls ------------------------------------------------------------------------


@frozen
class Names:
    """Every generated name, derived once by ``plan.naming`` (the naming contract)."""

    project_name_id: str
    pipeline: str
    model_package_group: str
    job_prefix: str
    build_job: str
    deploy_job: str
    build_project: str
    deploy_project: str
    test_project: str
    build_pipeline: str
    deploy_pipeline: str
    approval_rule: str
    source_rule: str
    deploy_source_rule: str
    """The CodeCommit rule of a separate deploy repository."""


@frozen
class Project:
    """The SageMaker project the output belongs to."""

    name: str
    id: str
    region: str
    account: str
    artifact_bucket: str
    pipeline_role_arn: str
    tags: tuple[tuple[str, str], ...]


@frozen
class Network:
    """Network controls of one job or model."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    encrypt_inter_container_traffic: bool
    network_isolation: bool

    @property
    def has_vpc(self) -> bool:
        """Whether the job runs in the blueprint's VPC."""
        return bool(self.subnets)

    @property
    def has_controls(self) -> bool:
        """Whether any network control is set (then the job carries a network configuration)."""
        return self.has_vpc or self.encrypt_inter_container_traffic or self.network_isolation


@frozen
class Security:
    """The blueprint's security controls, as every job step receives them."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    volume_kms_key: str
    output_kms_key: str
    encrypt_inter_container_traffic: bool
    network_isolation: bool
    required: bool
    vpc_endpoints: tuple[str, ...]
    """Every resource must carry the controls (checked at validation; guardrails are emitted)."""


# --- pipeline ------------------------------------------------------------------------------------


@frozen
class Parameter:
    """A pipeline parameter; ``kind`` is String, Integer, Float or Boolean."""

    name: str
    kind: str
    default: str | int | float | bool | None
    allowed: tuple[str | int | float | bool, ...]


@frozen
class Pipeline:
    """The model-building pipeline."""

    name: str
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    """Top-level steps in blueprint order; branch steps are nested in their condition."""
    experiment_tracking: bool
    """Record executions in SageMaker Experiments (experiment = pipeline, trial = execution)."""
    max_parallel_steps: int = 0
    """ParallelismConfiguration.MaxParallelExecutionSteps sent with CreatePipeline/UpdatePipeline; 0 for unset."""


@frozen
class Plan:
    """Everything targets need for one blueprint."""

    blueprint: str
    """Display name of the blueprint (for generated-file headers)."""
    project: Project
    names: Names
    security: Security
    pipeline: Pipeline
    code_files: tuple[CodeFile, ...]
    deploy: Deploy | None
    ci: Ci | None
    registry: Registry | None = None
    """Promotion into a hub registry in another account (``plan/registry.py``)."""
    source_bundles: tuple[SourceBundle, ...] = ()
    """Source directories CI packs and uploads (sorted by path), beside ``code_files``."""
    helper_files: tuple[HelperFile, ...] = ()
    """Generated files the containers run (sorted by path), emitted and uploaded beside the code."""
    operations: Operations | None = None
    """Schedules, new-data trigger and notifications (``plan/operations.py``)."""
    origins: Origins = field(default_factory=Origins, compare=False, repr=False)
    """The blueprint keys each Plan item came from (``plan/origins.py``), for ``mlopsgen explain``."""
