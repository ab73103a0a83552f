"""Blueprint deploy and ci sections → the Plan's Deploy and Ci (stages, multi-account roles, CI commands).

Split out of ``plan/build.py``; mixed into its builder, so it shares the state in ``BuilderBase``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.delivery import StageSpec
from mlopsgen.blueprint.limits import model_data_step
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import ci_batch, ci_commands, triggers
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_base import CodeRefused
from mlopsgen.plan.build_script import ScriptBuilder
from mlopsgen.plan.build_stage_serving import build_serving
from mlopsgen.plan.content_types import CAPTURE_TYPES_MAX, capture_content_types
from mlopsgen.plan.model_monitoring import Monitoring
from mlopsgen.plan.naming import (
    DEFAULT_BLUEPRINT_DIR,
    default_data_capture_uri,
    default_output_dir,
    default_pipeline_role,
    endpoint_name,
    multi_account_roles,
    stage_stack_name,
    target_parameter_prefix,
)
from mlopsgen.plan.registry import Registry, promote_command

if TYPE_CHECKING:
    from mlopsgen.blueprint.stage_monitoring import MonitoringSpec
    from mlopsgen.blueprint.stage_rollout import RolloutSpec


def _rollout(rollout: RolloutSpec | None) -> ir.Rollout | None:
    if rollout is None:
        return None
    from mlopsgen.plan.build_rollout import plan_rollout  # only blueprints with rollouts pay the import

    return plan_rollout(rollout)


class DeliveryBuilder(ScriptBuilder):
    """Builds the delivery half of the Plan: how the registered model is deployed and how CI runs."""

    def deploy(self) -> ir.Deploy | None:
        """The deploy stages, sample payload and multi-account roles; None without a deploy section."""
        deploy = self.bp.deploy
        if deploy is None:
            return None
        stages = []
        for i, stage in enumerate(deploy.stages):
            capture = stage.data_capture if stage.batch is None else None  # a batch stage has no endpoint to capture
            serving = build_serving(stage, self.bucket, self.security.output_kms_key)
            stages.append(
                ir.Stage(
                    name=stage.name,
                    manual_approval=stage.approval == "manual",
                    # The first variant's (the stage's own unless serving.variants names them).
                    instance_type=serving.variants[0].instance_type,
                    instance_count=serving.variants[0].instance_count,
                    data_capture=ir.DataCapture(
                        # A serverless endpoint captures nothing (MLG317 rejects capture written on one).
                        enabled=capture is not None and (stage.serving is None or stage.serving.mode != "serverless"),
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
                    rollout=_rollout(stage.rollout),
                    batch=self._batch(stage),
                    monitoring=self._monitoring(i, stage.name, stage.monitoring) if stage.monitoring else None,
                    serving=serving,
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

    def _batch(self, stage: StageSpec) -> ir.BatchTransform | None:
        """A batch stage's transform job; the builder is imported only when a stage is a batch stage."""
        if stage.batch is None:
            return None
        from mlopsgen.plan.build_batch import build_batch

        return build_batch(self.bp, stage.batch, stage.name, stage.test, self.names, self.bucket, self.security)

    def _monitoring(self, index: int, stage: str, monitoring: MonitoringSpec) -> Monitoring:
        # Imported here: only blueprints that monitor pay for the monitoring builder.
        from mlopsgen.plan.build_monitoring import build_monitoring

        where = ("deploy", "stages", index, "monitoring")
        return build_monitoring(monitoring, self.bucket, stage, self.bp.project.region, where, self.issues)

    def _multi_account(self, stages: list[ir.Stage]) -> ir.MultiAccount | None:
        targets = [stage.targets for stage in stages if stage.targets is not None]
        if not targets:
            return None
        admin, execution, model, test = multi_account_roles(self.names)
        prefixes = []
        # deploy_from_hub: the target accounts read the hub's copies (hub template), not the artifact bucket.
        from_hub = self.bp.registry is not None and self.bp.registry.deploy_from_hub
        for step in self.bp.pipeline.steps if not from_hub else ():
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

    def ci(self, deploy: ir.Deploy | None, registry: Registry | None = None) -> ir.Ci | None:
        """CI commands, environments, sources and path filters; None without a ci section."""
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
                    *((ci_batch.template_export(s.name),) if s.batch else ()),
                )
            )
        )
        jenkins = ci.jenkins
        build_paths = triggers.build_paths(
            output_dir,
            blueprint_dir,
            tuple(sorted(self.code_files.values(), key=lambda c: c.path)) + self.bundle_files(),
        )
        owner = triggers.trigger_owner(tuple(ci.backends), ci.trigger_owner)
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
                self.plan_project(),
                output_dir,
                blueprint_dir,
                ci.build.pipeline_timeout_minutes,
                parameters,
                self.bp.pipeline.parallelism or 0,
            ),
            deploy_commands=(
                # Push: promote the approved version into the hub first, so deploying from the hub finds it.
                *((promote_command(output_dir, registry),) if registry and registry.push else ()),
                ci_commands.deploy_config_command(
                    output_dir, deploy.stages, registry.hub.group_arn if registry and registry.deploy_from_hub else None
                ),
                ci_commands.copy_template_command(output_dir),
                *(ci_batch.copy_template_command(output_dir, s.name) for s in deploy.stages if s.batch),
                *((ci_commands.copy_stackset_template_command(output_dir),) if multi else ()),
            )
            if deploy
            else (),
            test_command=ci_commands.test_command(output_dir, deploy.sample_payload, multi, deploy.stages)
            if deploy
            else (),
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
            batch_command=ci_batch.batch_command(output_dir, deploy.sample_payload)
            if deploy and any(s.batch for s in deploy.stages)
            else (),
        )
