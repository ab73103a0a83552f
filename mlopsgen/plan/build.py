"""Blueprint specs → Plan: the IR every target reads.

The ``build_*`` modules read the blueprint specs; nothing downstream of the Plan does.
Called only after the checks passed, so references resolve; what can still fail here (images,
code files) is reported as issues with their blueprint path. This module builds the pipeline's
steps; ``build_conditions`` their conditions; ``build_delivery`` the deploy and CI sections;
``build_base`` holds the shared state.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_base import ReadCode
from mlopsgen.plan.build_clarify import ClarifyBuilder
from mlopsgen.plan.build_conditions import ConditionsBuilder
from mlopsgen.plan.build_external import EXTERNAL_TYPES, build_external_step
from mlopsgen.plan.build_frameproc import FrameworkProcessingBuilder
from mlopsgen.plan.build_registry import build_registry
from mlopsgen.plan.build_script import ListCode
from mlopsgen.plan.build_serving import SERVING_SCRIPT, ServingBuilder, is_framework, serving_environment
from mlopsgen.plan.build_training import channel, training_options, tuning_options, with_distribution
from mlopsgen.plan.name_limits import name_problems
from mlopsgen.plan.origins import defer_origins

_PARAM_KINDS = {"string": "String", "integer": "Integer", "float": "Float", "boolean": "Boolean"}


class _Builder(ServingBuilder, ClarifyBuilder, FrameworkProcessingBuilder, ConditionsBuilder):
    """Builds the pipeline half of the Plan (steps, conditions, parameters) and assembles the whole."""

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
        # With code or entry_point, the command runs it (python3 by default); without, it is the whole entrypoint.
        runs_script = step.code is not None or step.entry_point is not None or step.source_dir is not None
        command = tuple(step.command if step.command is not None else ["python3"] if runs_script else [])
        return ir.ProcessingStep(
            common=self.common(step),
            image_uri=self.image(step.image, (*path, "image"), step.instance.type),
            compute=self.compute(step.instance),
            command=command,
            code=self.code(step.code, (*path, "code")) if step.code is not None else None,
            arguments=tuple(self.expr(a) for a in step.arguments),
            environment=self.env(step.environment),
            inputs=tuple(ir.ProcessingInput(n, self.expr(i.source), i.destination) for n, i in step.inputs.items()),
            outputs=outputs,
            output_kms_key=self.security.output_kms_key,
            property_files=tuple(ir.PropertyFile(p.name, p.output, p.path) for p in step.property_files),
            max_runtime_seconds=step.max_runtime_seconds or 0,
            network=self.network(step.network_isolation),
            framework=self.framework_code(step, command, path),
        )

    def training_job(self, step: spec.TrainingBase, path: PathKey) -> ir.TrainingJob:
        compute = self.compute(step.instance)
        hyperparameters = tuple((k, self._hyperparameter(v)) for k, v in sorted(step.hyperparameters.items()))
        return ir.TrainingJob(
            image_uri=self.image(step.image, (*path, "image"), step.instance.type),
            compute=compute,
            hyperparameters=with_distribution(hyperparameters, step, compute.instance_type),
            channels=tuple(channel(name, c, self.expr) for name, c in step.channels.items()),
            output_path=self._output_path(step),
            output_kms_key=self.security.output_kms_key,
            max_runtime_seconds=step.max_runtime_seconds,
            environment=self.env(step.environment),
            network=self.network(step.network_isolation),
            metric_definitions=tuple(ir.MetricDefinition(m.name, m.regex) for m in step.metric_definitions),
            options=training_options(step, self.expr),
            script=self.script(step, path),
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
                # ``r.min or 0`` would turn a 0.0 bound into the int 0 ("0"); the SDK writes str(float) ("0.0").
                low = r.min if r.min is not None else 0.0
                high = r.max if r.max is not None else 0.0
                bounds = (str(int(low)), str(int(high))) if r.type == "integer" else (str(low), str(high))
                ranges.append(ir.ParameterRange(name, r.type, *bounds, (), r.scaling))
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
            options=tuning_options(step),
        )

    def model_source(
        self, step: spec.RegisterModelStepSpec | spec.CreateModelStepSpec, path: PathKey
    ) -> ir.ModelSource:
        """Image, artifacts and environment; a framework model gets its serving container (``build_serving``)."""
        instance_type: Any = None
        image_path: PathKey = (*path, "image")
        if step.model_from is not None:
            source = self.steps_by_name[step.model_from]
            assert isinstance(source, spec.TrainingStepSpec | spec.TuningStepSpec)  # guaranteed by checks
            image_spec, instance_type = source.image, source.instance.type
            image_path = ("pipeline", "steps", self.bp.pipeline.steps.index(source), "image")
            data = self._model_artifacts(step.model_from)
        else:
            assert step.image is not None and step.model_data is not None  # guaranteed by checks
            image_spec = step.image
            data = self.expr(step.model_data)
        env = self.env(step.environment)
        if not is_framework(image_spec):
            return ir.ModelSource(self.image(image_spec, image_path, instance_type), data, env)
        given = dict(env)
        script = given.get("SAGEMAKER_PROGRAM", SERVING_SCRIPT)
        serving = serving_environment(script if isinstance(script, str) else SERVING_SCRIPT, self.bp.project.region)
        merged = tuple(sorted({**serving, **given}.items()))
        return ir.ModelSource(self.serving_image(step, image_spec, path), data, merged, serving["SAGEMAKER_PROGRAM"])

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
        return ir.RegisterModelStep(
            common=self.common(step),
            model=dataclasses.replace(source, environment=merged),
            model_package_group=self.names.model_package_group
            if step.model_package_group is None
            else self.expr(step.model_package_group),
            content_types=tuple(step.content_types),
            response_types=tuple(step.response_types),
            inference_instances=tuple(step.inference_instances),
            transform_instances=tuple(step.transform_instances),
            approval_status=self.expr(step.approval_status),
            metrics=self.model_metrics(step.metrics),
            drift_check_baselines=self.drift_check_baselines(step.drift_check_baselines),
            customer_metadata=self.env(step.customer_metadata),
            description=step.package_description or "",
        )

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
        if step.type == "quality_check":
            return self.quality_check(step, path)
        if step.type == "clarify_check":
            return self.clarify_check(step, path)
        if isinstance(step, spec.FailStepSpec):
            return ir.FailStep(self.common(step), self.expr(step.message))
        if step.type in EXTERNAL_TYPES:
            return build_external_step(self, step)
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
        return ir.Pipeline(
            self.names.pipeline,
            params,
            top,
            self.bp.pipeline.experiment_tracking,
            max_parallel_steps=self.bp.pipeline.parallelism or 0,
        )

    def plan(self) -> ir.Plan:
        pipeline = self.pipeline()
        deploy = self.deploy()
        registry, issues = build_registry(self.bp, self.names, deploy)
        self.issues += issues
        ci = self.ci(deploy, registry)
        operations = None
        if self.bp.pipeline.schedules or self.bp.pipeline.on_new_data or self.bp.notifications:
            from mlopsgen.plan.build_operations import build_operations  # only blueprints that use it pay

            operations, issues = build_operations(self.bp, self.names, ci, deploy)
            self.issues += issues
        return ir.Plan(
            blueprint=self.display,
            project=self.plan_project(),
            names=self.names,
            security=self.security,
            pipeline=pipeline,
            code_files=tuple(sorted(self.code_files.values(), key=lambda c: c.path)),
            deploy=deploy,
            ci=ci,
            registry=registry,
            source_bundles=tuple(sorted(self.bundles.values(), key=lambda b: b.path)),
            helper_files=self.helper_files(),
            operations=operations,
        )


def build_plan(
    blueprint: BlueprintSpec,
    name: str,
    read_code: ReadCode,
    *,
    blueprint_dir: str | None = None,
    list_code: ListCode | None = None,
) -> tuple[ir.Plan | None, list[Issue]]:
    """Turn a checked blueprint into the Plan.

    Args:
        blueprint: A spec that passed every check in ``blueprint.checks``.
        name: Display name of the blueprint, for headers.
        read_code: Reads code files the steps run.
        blueprint_dir: The blueprint's folder relative to the repository root, when the caller knows
            where the file is; ``ci.layout.blueprint_dir`` wins over it.
        list_code: Lists the files of a source directory (script mode); default: no folder exists.

    Returns:
        The Plan, or None with the issues found (unknown images, missing code files, ...).
    """
    builder = _Builder(blueprint, name, read_code, blueprint_dir)
    builder.init_script(list_code or (lambda _: None))
    plan = builder.plan()
    builder.issues += _name_issues(blueprint, plan.names)
    if builder.issues:
        return None, builder.issues
    defer_origins(plan, blueprint)  # filled when explain first asks
    return plan, []


def _name_issues(blueprint: BlueprintSpec, names: ir.Names) -> list[Issue]:
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
