"""Blueprint specs → Plan: the IR every target reads (the only module that imports ``blueprint``).

Called only after the checks passed, so references resolve; what can still fail here (images,
code files) is reported as issues with their blueprint path.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from mlopsgen.blueprint import conditions as cond
from mlopsgen.blueprint import models as spec
from mlopsgen.blueprint.checks import Issue, property_file_owners
from mlopsgen.blueprint.limits import model_data_step
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.resolve import Ref, Scope, split_value
from mlopsgen.plan import ci_commands, triggers
from mlopsgen.plan import model as ir
from mlopsgen.plan.content_types import CAPTURE_TYPES_MAX, capture_content_types
from mlopsgen.plan.images import UnknownImage, image_uri
from mlopsgen.plan.name_limits import name_problems
from mlopsgen.plan.naming import (
    DEFAULT_BLUEPRINT_DIR,
    code_s3_uri,
    default_artifact_bucket,
    default_data_capture_uri,
    default_output_dir,
    default_pipeline_role,
    derive_names,
    endpoint_name,
    multi_account_roles,
    stage_stack_name,
    target_parameter_prefix,
)

ReadCode = Callable[[str], bytes | None]
"""Reads a blueprint-relative file: its bytes, or None when missing; raises ``CodeRefused`` when it must not."""


class CodeRefused(Exception):  # noqa: N818 - a refusal reported as a diagnostic, not a bug
    """A code file or payload that exists but must not be read (its message says why)."""


"""Returns a code file's bytes by its blueprint-relative path, or None when it does not exist."""

_PARAM_KINDS = {"string": "String", "integer": "Integer", "float": "Float", "boolean": "Boolean"}
_COMPARISONS = {
    "eq": "Equals",
    "lt": "LessThan",
    "lte": "LessThanOrEqualTo",
    "gt": "GreaterThan",
    "gte": "GreaterThanOrEqualTo",
}


class _Builder:
    def __init__(
        self, blueprint: spec.BlueprintSpec, name: str, read_code: ReadCode, blueprint_dir: str | None
    ) -> None:
        self.bp = blueprint
        self.display = name
        self.read_code = read_code
        self.blueprint_dir = blueprint_dir
        self.scope = Scope.of(blueprint)
        self.issues: list[Issue] = []
        project = blueprint.project
        self.names = derive_names(project.name, project.id)
        self.bucket = project.artifact_bucket or default_artifact_bucket(project.id)
        self.role = project.roles.pipeline or default_pipeline_role(project.account)
        sec = blueprint.security
        self.security = ir.Security(
            subnets=tuple(sec.vpc.subnets) if sec.vpc else (),
            security_groups=tuple(sec.vpc.security_groups) if sec.vpc else (),
            volume_kms_key=sec.kms.volume or "",
            output_kms_key=sec.kms.output or "",
            encrypt_inter_container_traffic=sec.encrypt_inter_container_traffic,
            network_isolation=sec.network_isolation,
            required=sec.required,
            vpc_endpoints=tuple(sec.vpc_endpoints or ()),
        )
        self.code_files: dict[str, ir.CodeFile] = {}
        self.steps_by_name = {s.name: s for s in blueprint.pipeline.steps}
        self.images: dict[str, str] = {}

    # --- values -----------------------------------------------------------------------------------

    def expr(self, value: Any) -> ir.Expr:
        """A blueprint value → an expression (a Join when text mixes literals and references)."""
        parts = split_value(value, self.scope)
        exprs = [self._part(p) for p in parts]
        if len(exprs) == 1:
            return exprs[0]
        if not exprs:
            return ""
        return ir.Join("", tuple(exprs))

    def _part(self, part: Any) -> ir.Expr:
        if not isinstance(part, Ref):
            return part  # type: ignore[no-any-return]
        if part.kind == "param":
            return ir.ParamRef(part.target)
        if part.kind == "execution":
            return ir.ExecVar(part.target)
        if part.kind == "output":
            return ir.StepProp(part.target, f"ProcessingOutputConfig.Outputs['{part.detail}'].S3Output.S3Uri")
        if part.kind == "model_name":
            return ir.StepProp(part.target, "ModelName")
        if part.kind == "property":
            return ir.StepProp(part.target, part.detail)
        return self._model_artifacts(part.target)

    def _model_artifacts(self, step_name: str) -> ir.Expr:
        step = self.steps_by_name[step_name]
        if isinstance(step, spec.TuningStepSpec):
            # The best training job's model: what the SDK's TuningStep.get_top_model_s3_uri(top_k=0) builds.
            output = self._output_path(step)
            prefix = output.removeprefix(f"s3://{self._bucket_of(output)}/") if isinstance(output, str) else ""
            bucket = self._bucket_of(output) if isinstance(output, str) else self.bucket
            parts: tuple[ir.Expr, ...] = ("s3:/", bucket, *((prefix,) if prefix else ()))
            return ir.Join(
                "/",
                (*parts, ir.StepProp(step_name, "TrainingJobSummaries[0].TrainingJobName"), "output/model.tar.gz"),
            )
        return ir.StepProp(step_name, "ModelArtifacts.S3ModelArtifacts")

    @staticmethod
    def _bucket_of(uri: str) -> str:
        return uri.removeprefix("s3://").split("/", 1)[0]

    def env(self, mapping: dict[str, Any]) -> tuple[tuple[str, ir.Expr], ...]:
        return tuple((k, self.expr(v)) for k, v in sorted(mapping.items()))

    # --- pieces -----------------------------------------------------------------------------------

    def image(self, image: spec.ImageSpec, path: PathKey) -> str:
        if image.uri is not None:
            return image.uri
        if image.version is None:
            self.issues.append(
                Issue("MLG111", (*path, "framework"), f"image '{image.framework}' needs a version", at_value=False)
            )
            return ""
        try:
            return image_uri(str(image.framework), image.version, self.bp.project.region)
        except UnknownImage as exc:
            self.issues.append(Issue("MLG309", (*path, "version"), exc.message, exc.hint, at_value=True))
            return ""

    def code(self, path_text: str, path: PathKey) -> ir.CodeFile:
        cleaned = path_text.replace("\\", "/").removeprefix("./")
        if cleaned.startswith("/") or ".." in cleaned.split("/"):
            self.issues.append(
                Issue("MLG308", path, f"code path '{path_text}' must stay inside the repository", at_value=True)
            )
            return ir.CodeFile(cleaned, "", "")
        if cleaned in self.code_files:
            return self.code_files[cleaned]
        try:
            content = self.read_code(cleaned)
        except CodeRefused as exc:
            self.issues.append(Issue("MLG308", path, f"code file '{cleaned}' {exc}", at_value=True))
            return ir.CodeFile(cleaned, "", "")
        if content is None:
            self.issues.append(
                Issue(
                    "MLG308",
                    path,
                    f"code file '{cleaned}' not found",
                    "code paths are relative to the blueprint file.",
                    at_value=True,
                )
            )
            return ir.CodeFile(cleaned, "", "")
        digest = hashlib.sha256(content).hexdigest()
        basename = cleaned.rsplit("/", 1)[-1]
        code = ir.CodeFile(cleaned, digest, code_s3_uri(self.bucket, self.names.pipeline, digest, basename))
        self.code_files[cleaned] = code
        return code

    def common(self, step: Any) -> ir.Common:
        cache = getattr(step, "cache", None)
        return ir.Common(
            name=step.name,
            display_name=step.display_name or "",
            description=step.description or "",
            depends_on=tuple(step.depends_on),
            retry=tuple(
                ir.Retry(tuple(r.exceptions), r.max_attempts, r.interval_seconds, r.backoff_rate)
                for r in getattr(step, "retry", [])
            ),
            cache_expire_after=cache.expire_after if cache is not None else "",
        )

    def compute(self, instance: spec.InstanceSpec) -> ir.Compute:
        return ir.Compute(
            instance_type=self.expr(instance.type),
            instance_count=self.expr(instance.count),
            volume_size_gb=instance.volume_size_gb,
            volume_kms_key=self.security.volume_kms_key,
        )

    def network(self, override: bool | None) -> ir.Network:
        sec = self.security
        return ir.Network(
            subnets=sec.subnets,
            security_groups=sec.security_groups,
            encrypt_inter_container_traffic=sec.encrypt_inter_container_traffic,
            network_isolation=sec.network_isolation if override is None else override,
        )

    def _output_path(self, step: spec.TrainingBase) -> ir.Expr:
        if step.output_path is None:
            return f"s3://{self.bucket}/{self.names.pipeline}/{step.name}"
        return self.expr(step.output_path)

    # --- steps ------------------------------------------------------------------------------------

    def processing(self, step: spec.ProcessingStepSpec, path: PathKey) -> ir.ProcessingStep:
        outputs = tuple(
            ir.ProcessingOutput(
                name=name,
                source=out.source,
                destination=self.expr(out.destination)
                if out.destination is not None
                else ir.Join(
                    "/",
                    (
                        "s3:/",
                        self.bucket,
                        self.names.pipeline,
                        ir.ExecVar("PipelineExecutionId"),
                        step.name,
                        "output",
                        name,
                    ),
                ),
            )
            for name, out in step.outputs.items()
        )
        return ir.ProcessingStep(
            common=self.common(step),
            image_uri=self.image(step.image, (*path, "image")),
            compute=self.compute(step.instance),
            command=tuple(step.command),
            code=self.code(step.code, (*path, "code")),
            arguments=tuple(self.expr(a) for a in step.arguments),
            environment=self.env(step.environment),
            inputs=tuple(ir.ProcessingInput(n, self.expr(i.source), i.destination) for n, i in step.inputs.items()),
            outputs=outputs,
            output_kms_key=self.security.output_kms_key,
            property_files=tuple(ir.PropertyFile(p.name, p.output, p.path) for p in step.property_files),
            max_runtime_seconds=step.max_runtime_seconds or 0,
            network=self.network(step.network_isolation),
        )

    def training_job(self, step: spec.TrainingBase, path: PathKey) -> ir.TrainingJob:
        return ir.TrainingJob(
            image_uri=self.image(step.image, (*path, "image")),
            compute=self.compute(step.instance),
            hyperparameters=tuple((k, self._hyperparameter(v)) for k, v in sorted(step.hyperparameters.items())),
            channels=tuple(
                ir.Channel(name, self.expr(c.source), c.content_type or "") for name, c in step.channels.items()
            ),
            output_path=self._output_path(step),
            output_kms_key=self.security.output_kms_key,
            max_runtime_seconds=step.max_runtime_seconds,
            environment=self.env(step.environment),
            network=self.network(step.network_isolation),
            metric_definitions=tuple(ir.MetricDefinition(m.name, m.regex) for m in step.metric_definitions),
        )

    def _hyperparameter(self, value: Any) -> ir.Expr:
        """SageMaker takes hyperparameters as text; literals are written as the SDK writes them."""
        expr = self.expr(value)
        if isinstance(expr, bool):
            return str(expr)
        if isinstance(expr, int | float):
            return str(expr)
        return expr

    def tuning(self, step: spec.TuningStepSpec, path: PathKey) -> ir.TuningStep:
        if not isinstance(self._output_path(step), str):
            self.issues.append(
                Issue(
                    "MLG306",
                    (*path, "output_path"),
                    "a tuning step's output_path must be a literal s3:// URI (its best model's location is "
                    "computed from it)",
                    at_value=True,
                )
            )
        ranges = []
        for name, r in sorted(step.ranges.items()):
            rpath = (*path, "ranges", name)
            if r.type == "categorical":
                if not r.values:
                    self.issues.append(Issue("MLG111", rpath, f"categorical range '{name}' needs values"))
                ranges.append(ir.ParameterRange(name, r.type, "", "", tuple(str(v) for v in r.values or ()), ""))
            else:
                if r.min is None or r.max is None or r.min > r.max:
                    self.issues.append(
                        Issue("MLG114", rpath, f"{r.type} range '{name}' needs min and max with min <= max")
                    )
                low, high = r.min or 0, r.max or 0
                fmt = (lambda x: str(int(x))) if r.type == "integer" else str
                ranges.append(ir.ParameterRange(name, r.type, fmt(low), fmt(high), (), r.scaling))
        job = self.training_job(step, path)
        # Searched hyperparameters are not static ones (the SDK's tuner drops them the same way).
        static = tuple((k, v) for k, v in job.hyperparameters if k not in step.ranges)
        return ir.TuningStep(
            common=self.common(step),
            job=dataclasses.replace(job, hyperparameters=static),
            objective_metric=step.objective.metric,
            objective_goal=step.objective.goal,
            ranges=tuple(ranges),
            max_jobs=step.max_jobs,
            max_parallel_jobs=step.max_parallel_jobs,
            strategy=step.strategy,
        )

    def model_source(
        self, step: spec.RegisterModelStepSpec | spec.CreateModelStepSpec, path: PathKey
    ) -> ir.ModelSource:
        if step.model_from is not None:
            source = self.steps_by_name[step.model_from]
            assert isinstance(source, spec.TrainingStepSpec | spec.TuningStepSpec)  # guaranteed by checks
            index = self.bp.pipeline.steps.index(source)
            image = self.image(source.image, ("pipeline", "steps", index, "image"))
            data = self._model_artifacts(step.model_from)
        else:
            assert step.image is not None and step.model_data is not None  # guaranteed by checks
            image = self.image(step.image, (*path, "image"))
            data = self.expr(step.model_data)
        return ir.ModelSource(image, data, self.env(step.environment))

    def register(self, step: spec.RegisterModelStepSpec, path: PathKey) -> ir.RegisterModelStep:
        source = self.model_source(step, path)
        env = dict(source.environment)
        # The container variables SageMaker SDK 3.27.0's ModelBuilder.register sets (the oracle checks them).
        defaults: dict[str, ir.Expr] = {
            "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
            "SAGEMAKER_PROGRAM": "",
            "SAGEMAKER_REGION": self.bp.project.region,
            "SAGEMAKER_SUBMIT_DIRECTORY": "",
        }
        merged = tuple(sorted({**defaults, **env}.items()))
        metrics = step.metrics
        return ir.RegisterModelStep(
            common=self.common(step),
            model=ir.ModelSource(source.image_uri, source.model_data, merged),
            model_package_group=self.names.model_package_group,
            content_types=tuple(step.content_types),
            response_types=tuple(step.response_types),
            inference_instances=tuple(step.inference_instances),
            transform_instances=tuple(step.transform_instances),
            approval_status=self.expr(step.approval_status),
            model_statistics=self._metrics(metrics.model_statistics) if metrics else None,
            model_constraints=self._metrics(metrics.model_constraints) if metrics else None,
        )

    def _metrics(self, source: spec.MetricsSourceSpec | None) -> ir.MetricsSource | None:
        return ir.MetricsSource(self.expr(source.source), source.content_type) if source else None

    def create_model(self, step: spec.CreateModelStepSpec, path: PathKey) -> ir.CreateModelStep:
        return ir.CreateModelStep(
            common=self.common(step),
            model=self.model_source(step, path),
            execution_role_arn=self.role,
            network=self.network(step.network_isolation),
        )

    def transform(self, step: spec.TransformStepSpec, path: PathKey) -> ir.TransformStep:
        output = (
            self.expr(step.output_path)
            if step.output_path is not None
            else ir.Join("/", ("s3:/", self.bucket, self.names.pipeline, ir.ExecVar("PipelineExecutionId"), step.name))
        )
        return ir.TransformStep(
            common=self.common(step),
            model_step=step.model,
            compute=self.compute(step.instance),
            source=self.expr(step.input.source),
            content_type=step.input.content_type or "",
            split_type=step.input.split_type or "",
            output_path=output,
            accept=step.accept or "",
            assemble_with=step.assemble_with or "",
            output_kms_key=self.security.output_kms_key,
        )

    def condition(self, node: Any) -> ir.Condition:
        if isinstance(node, cond.NotSpec):
            return ir.NotCondition(self.condition(node.not_))
        if isinstance(node, cond.OrSpec):
            return ir.OrCondition(tuple(self.condition(c) for c in node.or_))
        if isinstance(node, cond.AndSpec):
            # SageMaker has no And inside Or/Not: and(a, b) == not(or(not a, not b)).
            return ir.NotCondition(ir.OrCondition(tuple(ir.NotCondition(self.condition(c)) for c in node.and_)))
        if isinstance(node, cond.InSpec):
            value, choices = node.in_
            return ir.InCondition(self.operand(value), tuple(self.operand(c) for c in choices))
        if isinstance(node, cond.NotEqualsSpec):
            left, right = node.ne
            return ir.NotCondition(ir.Comparison("Equals", self.operand(left), self.operand(right)))
        for key, kind in _COMPARISONS.items():
            pair = getattr(node, key, None)
            if pair is not None:
                return ir.Comparison(kind, self.operand(pair[0]), self.operand(pair[1]))
        raise AssertionError(f"unhandled condition {node!r}")

    def operand(self, value: Any) -> ir.Expr:
        if isinstance(value, cond.JsonGetOperand):
            owner = property_file_owners(self.bp)[value.json_get.property_file]
            return ir.JsonGet(owner, value.json_get.property_file, value.json_get.path)
        return self.expr(value)

    def conditions(self, step: spec.ConditionStepSpec) -> tuple[ir.Condition, ...]:
        """Top-level ``and`` becomes the list SageMaker already ANDs."""
        if isinstance(step.if_, cond.AndSpec):
            return tuple(self.condition(c) for c in step.if_.and_)
        return (self.condition(step.if_),)

    # --- whole pipeline ---------------------------------------------------------------------------

    def step(self, step: Any, path: PathKey, built: dict[str, ir.Step]) -> ir.Step:
        if isinstance(step, spec.ProcessingStepSpec):
            return self.processing(step, path)
        if isinstance(step, spec.TrainingStepSpec):
            return ir.TrainingStep(self.common(step), self.training_job(step, path))
        if isinstance(step, spec.TuningStepSpec):
            return self.tuning(step, path)
        if isinstance(step, spec.RegisterModelStepSpec):
            return self.register(step, path)
        if isinstance(step, spec.CreateModelStepSpec):
            return self.create_model(step, path)
        if isinstance(step, spec.TransformStepSpec):
            return self.transform(step, path)
        if isinstance(step, spec.FailStepSpec):
            return ir.FailStep(self.common(step), self.expr(step.message))
        assert isinstance(step, spec.ConditionStepSpec)
        return ir.ConditionStep(
            common=self.common(step),
            conditions=self.conditions(step),
            if_steps=tuple(built[n] for n in step.then),
            else_steps=tuple(built[n] for n in step.else_),
        )

    def pipeline(self) -> ir.Pipeline:
        steps = self.bp.pipeline.steps
        branch_members = {n for s in steps if isinstance(s, spec.ConditionStepSpec) for n in (*s.then, *s.else_)}
        built: dict[str, ir.Step] = {}
        # Conditions embed their branch steps, so build in dependency order (branches first).
        pending = list(enumerate(steps))
        while pending:
            progressed = False
            for item in list(pending):
                i, s = item
                if isinstance(s, spec.ConditionStepSpec) and any(n not in built for n in (*s.then, *s.else_)):
                    continue
                built[s.name] = self.step(s, ("pipeline", "steps", i), built)
                pending.remove(item)
                progressed = True
            if not progressed:  # only possible with a cycle, which the checks reject first
                raise AssertionError("condition branches form a cycle")
        params = tuple(
            ir.Parameter(
                name=name,
                kind=_PARAM_KINDS[p.type],
                default=float(p.default)
                if p.type == "float" and isinstance(p.default, int) and not isinstance(p.default, bool)
                else p.default,
                allowed=tuple(p.allowed or ()),
            )
            for name, p in self.bp.pipeline.parameters.items()
        )
        top = tuple(built[s.name] for s in steps if s.name not in branch_members)
        return ir.Pipeline(self.names.pipeline, params, top, self.bp.pipeline.experiment_tracking)

    # --- delivery ---------------------------------------------------------------------------------

    def deploy(self) -> ir.Deploy | None:
        deploy = self.bp.deploy
        if deploy is None:
            return None
        stages = []
        for stage in deploy.stages:
            capture = stage.data_capture
            stages.append(
                ir.Stage(
                    name=stage.name,
                    manual_approval=stage.approval == "manual",
                    instance_type=stage.instance_type,
                    instance_count=stage.instance_count,
                    data_capture=ir.DataCapture(
                        enabled=capture is not None,
                        sampling_percentage=capture.sampling_percentage if capture else 0,
                        destination=(capture.destination if capture and capture.destination else None)
                        or default_data_capture_uri(self.bucket, stage.name),
                    ),
                    autoscaling=ir.Autoscaling(
                        stage.autoscaling.min_instances,
                        stage.autoscaling.max_instances,
                        stage.autoscaling.target_invocations_per_instance,
                        stage.autoscaling.scale_in_cooldown_seconds,
                        stage.autoscaling.scale_out_cooldown_seconds,
                    )
                    if stage.autoscaling
                    else None,
                    test=stage.test,
                    stack_name=stage_stack_name(self.names, stage.name),
                    endpoint_name=endpoint_name(self.bp.project.name, stage.name),
                    targets=ir.Targets(tuple(stage.accounts or ()), tuple(stage.organizational_units or ()))
                    if stage.accounts or stage.organizational_units
                    else None,
                )
            )
        registers = [s for s in self.bp.pipeline.steps if isinstance(s, spec.RegisterModelStepSpec)]
        accepted = sorted({t for s in registers for t in s.content_types})
        # MLG333 (blueprint.serving) leaves at most one type to default to.
        content_type = deploy.sample_content_type or (accepted[0] if accepted else "application/octet-stream")
        csv, json_types = capture_content_types(t for s in registers for t in (*s.content_types, *s.response_types))
        for kind, listed in (("CSV", csv), ("JSON", json_types)):
            if len(listed) > CAPTURE_TYPES_MAX:
                self.issues.append(
                    Issue(
                        "MLG430",
                        ("deploy",),
                        f"the register steps list {len(listed)} {kind} content types; endpoint data capture "
                        f"takes at most {CAPTURE_TYPES_MAX}",
                        "list fewer content_types and response_types.",
                    )
                )
        return ir.Deploy(
            stages=tuple(stages),
            model_execution_role_arn=deploy.model_execution_role or default_pipeline_role(self.bp.project.account),
            sample_payload=self._payload(deploy.sample_payload, content_type),
            multi_account=self._multi_account(stages),
            capture_csv_types=csv,
            capture_json_types=json_types,
        )

    def _multi_account(self, stages: list[ir.Stage]) -> ir.MultiAccount | None:
        targets = [stage.targets for stage in stages if stage.targets is not None]
        if not targets:
            return None
        admin, execution, model, test = multi_account_roles(self.names)
        prefixes = []
        for step in self.bp.pipeline.steps:
            source = (
                self.steps_by_name.get(step.model_from or model_data_step(step.model_data) or "")
                if isinstance(step, spec.RegisterModelStepSpec)
                else None
            )
            if isinstance(step, spec.RegisterModelStepSpec) and source is None and isinstance(step.model_data, str):
                # An explicit model.tar.gz (check_model_data_location keeps it in the artifact bucket).
                if step.model_data.startswith(f"s3://{self.bucket}/") and "${" not in step.model_data:
                    prefixes.append(step.model_data.removeprefix(f"s3://{self.bucket}/"))
            if isinstance(source, spec.TrainingBase):
                output = self._output_path(source)
                # MLG313 keeps deployed models in the artifact bucket; a non-literal path has no fixed prefix.
                if isinstance(output, str) and output.startswith(f"s3://{self.bucket}/"):
                    prefixes.append(output.removeprefix(f"s3://{self.bucket}/").rstrip("/") + "/")
        return ir.MultiAccount(
            administration_role=admin,
            administration_role_arn=f"arn:aws:iam::{self.bp.project.account}:role/{admin}",
            execution_role=execution,
            model_role=model,
            test_role=test,
            parameter_prefix=target_parameter_prefix(self.names),
            regions=(self.bp.project.region,),
            vpc_endpoints=self.security.vpc_endpoints,
            model_artifact_prefixes=tuple(sorted(set(prefixes))),
            accounts=tuple(sorted({a for t in targets for a in t.accounts})),
            organizational_units=tuple(sorted({o for t in targets for o in t.organizational_units})),
        )

    def _payload(self, path_text: str | None, content_type: str) -> ir.SamplePayload | None:
        if path_text is None:
            return None
        where: PathKey = ("deploy", "sample_payload")
        cleaned = path_text.replace("\\", "/").removeprefix("./")
        if cleaned.startswith("/") or ".." in cleaned.split("/") or not cleaned:
            message = f"sample payload '{path_text}' must stay inside the repository"
            self.issues.append(Issue("MLG308", where, message, at_value=True))
            return None
        try:
            content = self.read_code(cleaned)
        except CodeRefused as exc:
            self.issues.append(Issue("MLG308", where, f"sample payload '{path_text}' {exc}", at_value=True))
            return None
        if content is None:
            self.issues.append(Issue("MLG308", where, f"sample payload '{path_text}' not found", at_value=True))
            return None
        # Bytes as they are: binary payloads (images, numpy arrays) are as valid as CSV text.
        return ir.SamplePayload(cleaned, content, content_type, ci_commands.payload_file(cleaned))

    def ci(self, deploy: ir.Deploy | None) -> ir.Ci | None:
        ci = self.bp.ci
        if ci is None:
            return None
        # Any case of the extension, as the output folder (the file stem) is named: mybp.YAML → generated/mybp.
        yaml_name = self.display.lower().endswith((".yaml", ".yml"))
        stem = self.display.rsplit(".", 1)[0] if yaml_name else self.bp.project.name
        project = self.bp.project
        common = (
            ("SAGEMAKER_PROJECT_NAME", project.name),
            ("SAGEMAKER_PROJECT_ID", project.id),
            ("AWS_REGION", project.region),
        )
        deploy_role = deploy.model_execution_role_arn if deploy else default_pipeline_role(project.account)
        output_dir = (ci.layout.output_dir or default_output_dir(stem)).strip("/")
        # The blueprint's folder from the repository root: what the layout says, else where the file was
        # found (api), else the documented default for blueprints rendered from text.
        blueprint_dir = (ci.layout.blueprint_dir or self.blueprint_dir or DEFAULT_BLUEPRINT_DIR).strip("/") or "."
        parameters = tuple(
            (k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in ci.execution_parameters.items()
        )
        multi = deploy.multi_account if deploy else None
        exports = (
            (ci_commands.TEMPLATE_EXPORT,)
            + ((ci_commands.STACKSET_TEMPLATE_EXPORT,) if multi else ())
            + tuple(
                name
                for s in (deploy.stages if deploy else ())
                for name in (
                    *(f"{s.name}-{kind}-export.json" for kind in ("config", "params", "tags")),
                    *((ci_commands.accounts_export(s.name),) if s.targets else ()),
                )
            )
        )
        jenkins = ci.jenkins
        build_paths = triggers.build_paths(
            output_dir, blueprint_dir, tuple(sorted(self.code_files.values(), key=lambda c: c.path))
        )
        owner = triggers.trigger_owner(tuple(ci.backends), ci.triggers)
        longest = max(
            triggers.longest_pattern(build_paths), triggers.longest_pattern(triggers.deploy_paths(output_dir))
        )
        if owner == "codepipeline" and ci.source.provider != "codecommit" and longest > triggers.MAX_PATTERN_LENGTH:
            self.issues.append(
                Issue(
                    "MLG406",
                    ("ci", "layout"),
                    f"a CodePipeline file path filter would be {longest} characters long; "
                    f"CodePipeline takes at most {triggers.MAX_PATTERN_LENGTH}",
                    "use a shorter ci.layout.output_dir (or shorter code file paths).",
                )
            )
        return ir.Ci(
            build_command=ci_commands.build_command(
                self.plan_project(), output_dir, blueprint_dir, ci.build.pipeline_timeout_minutes, parameters
            ),
            deploy_commands=(
                ci_commands.deploy_config_command(output_dir, deploy.stages),
                ci_commands.copy_template_command(output_dir),
                *((ci_commands.copy_stackset_template_command(output_dir),) if multi else ()),
            )
            if deploy
            else (),
            test_command=ci_commands.test_command(output_dir, deploy.sample_payload, multi) if deploy else (),
            deploy_exports=exports if deploy else (),
            stackset_commands=tuple(
                (
                    s.name,
                    ci_commands.stackset_deploy_command(
                        output_dir,
                        s,
                        multi,
                        multi.administration_role_arn,
                        ci.jenkins.deploy_timeout_minutes if ci.jenkins else 60,
                    ),
                )
                for s in (deploy.stages if deploy and multi else ())
                if s.targets is not None and multi is not None
            ),
            jenkins=ir.Jenkins(jenkins.url, jenkins.polling, jenkins.deploy_timeout_minutes)
            if jenkins and "jenkins" in ci.backends
            else None,
            build_env=(
                *common,
                ("ARTIFACT_BUCKET", self.bucket),
                ("SAGEMAKER_PIPELINE_NAME", self.names.pipeline),
                ("SAGEMAKER_PIPELINE_ROLE_ARN", self.role),
            ),
            deploy_env=(
                *common,
                ("ARTIFACT_BUCKET", self.bucket),
                ("MODEL_EXECUTION_ROLE_ARN", deploy_role),
                ("SOURCE_MODEL_PACKAGE_GROUP_NAME", self.names.model_package_group),
                ("EXPORT_TEMPLATE_NAME", "template-export.yml"),
            ),
            test_env=(*common, ("EXPORT_TEST_RESULTS", "test-results.json")),
            # Per test run the backends add STAGE_NAME, ENDPOINT_NAME and (multi-account) STACK_SET_NAME.
            backends=tuple(ci.backends),
            source=ir.Source(
                ci.source.provider,
                ci.source.repository,
                ci.source.branch,
                ci.source.connection_arn or "",
                ci.source.deploy_repository or ci.source.repository,
            ),
            triggers=owner,
            build_paths=build_paths,
            deploy_paths=triggers.deploy_paths(output_dir),
            blueprint_dir=blueprint_dir,
            output_dir=output_dir,
            build_image=ci.build.image,
            compute_type=ci.build.compute_type,
            build_timeout_minutes=ci.build.timeout_minutes,
            pipeline_timeout_minutes=ci.build.pipeline_timeout_minutes,
            python_version=ci.build.python,
            execution_parameters=parameters,
        )

    def plan_project(self) -> ir.Project:
        project = self.bp.project
        return ir.Project(
            name=project.name,
            id=project.id,
            region=project.region,
            account=project.account,
            artifact_bucket=self.bucket,
            pipeline_role_arn=self.role,
            tags=tuple(sorted(project.tags.items())),
        )

    def plan(self) -> ir.Plan:
        pipeline = self.pipeline()
        deploy = self.deploy()
        return ir.Plan(
            blueprint=self.display,
            project=self.plan_project(),
            names=self.names,
            security=self.security,
            pipeline=pipeline,
            code_files=tuple(sorted(self.code_files.values(), key=lambda c: c.path)),
            deploy=deploy,
            ci=self.ci(deploy),
        )


def build_plan(
    blueprint: spec.BlueprintSpec, name: str, read_code: ReadCode, *, blueprint_dir: str | None = None
) -> tuple[ir.Plan | None, list[Issue]]:
    """Turn a checked blueprint into the Plan.

    Args:
        blueprint: A spec that passed every check in ``blueprint.checks``.
        name: Display name of the blueprint, for headers.
        read_code: Reads code files the steps run.
        blueprint_dir: The blueprint's folder relative to the repository root, when the caller knows
            where the file is; ``ci.layout.blueprint_dir`` wins over it.

    Returns:
        The Plan, or None with the issues found (unknown images, missing code files, ...).
    """
    builder = _Builder(blueprint, name, read_code, blueprint_dir)
    plan = builder.plan()
    builder.issues += _name_issues(blueprint, plan.names)
    if builder.issues:
        return None, builder.issues
    return plan, []


def _name_issues(blueprint: spec.BlueprintSpec, names: ir.Names) -> list[Issue]:
    """Derived names AWS would refuse (too long, or two stages that become one name), as MLG315."""
    stages = [stage.name for stage in blueprint.deploy.stages] if blueprint.deploy else []
    jenkins = blueprint.ci is not None and "jenkins" in blueprint.ci.backends
    return [
        Issue(
            "MLG315",
            ("project", "name") if problem.stage is None else ("deploy", "stages", problem.stage, "name"),
            problem.message,
            problem.hint,
            at_value=True,
        )
        for problem in name_problems(names, blueprint.project.name, stages, jenkins=jenkins)
    ]
