"""The Plan builder's state and its shared pieces: values → expressions, images, code files, compute, network.

Split out of ``plan/build.py``: ``BuilderBase`` holds what the step builders (``build``) and the
deploy and CI builders (``build_delivery``) both read, so each half stays one screenful of concerns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.blueprint.models import BlueprintSpec
from mlopsgen.blueprint.resolve import Ref, Scope, split_value
from mlopsgen.plan import framework_images
from mlopsgen.plan import model as ir
from mlopsgen.plan.images import UnknownImage, image_uri
from mlopsgen.plan.naming import (
    code_s3_uri,
    default_artifact_bucket,
    default_pipeline_role,
    derive_names,
)

ReadCode = Callable[[str], bytes | None]
"""Reads a blueprint-relative file: its bytes, or None when missing; raises ``CodeRefused`` when it must not."""


class CodeRefused(Exception):  # noqa: N818 - a refusal reported as a diagnostic, not a bug
    """A code file or payload that exists but must not be read (its message says why)."""


class BuilderBase:
    """The blueprint, derived names and settings, the issues found so far, and the pieces every step uses."""

    def __init__(self, blueprint: BlueprintSpec, name: str, read_code: ReadCode, blueprint_dir: str | None) -> None:
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
        if part.kind == "output_parameter":  # a lambda or callback output, as the SDK's LambdaOutput reads it
            return ir.StepProp(part.target, f"OutputParameters['{part.detail}']")
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
        """Environment variables as sorted (name, expression) pairs, so output is deterministic."""
        return tuple((k, self.expr(v)) for k, v in sorted(mapping.items()))

    # --- pieces -----------------------------------------------------------------------------------

    def image(self, image: spec.ImageSpec, path: PathKey, instance_type: Any = None) -> str:
        """A step's image URI: given, or looked up offline by framework and version (MLG111/MLG309 otherwise).

        ``instance_type`` is the job's (a training or processing step) and picks a framework container's
        processor; None for a model (a framework model's serving container comes from ``build_serving``).
        """
        if image.uri is not None:
            return image.uri
        if image.version is None:
            self.issues.append(
                Issue("MLG111", (*path, "framework"), f"image '{image.framework}' needs a version", at_value=False)
            )
            return ""
        if image.framework in framework_images.frameworks():
            return self._framework_image(image, path, instance_type)
        try:
            return image_uri(str(image.framework), image.version, self.bp.project.region)
        except UnknownImage as exc:
            self.issues.append(Issue("MLG309", (*path, "version"), exc.message, exc.hint, at_value=True))
            return ""

    def _framework_image(self, image: spec.ImageSpec, path: PathKey, instance_type: Any) -> str:
        """A PyTorch, TensorFlow or Hugging Face training container (MLG355 when no processor can be derived)."""
        assert instance_type is not None, "a framework model's image is resolved by build_serving"
        processor: str | None = image.processor
        if processor is None:
            literal = isinstance(instance_type, str) and "${" not in instance_type
            processor = framework_images.processor_of(instance_type) if literal else None
            if processor is None:
                self.issues.append(
                    Issue(
                        "MLG355",
                        path,
                        f"the {image.framework} image's processor cannot be derived from instance type "
                        f"'{instance_type}'",
                        "set image.processor: cpu or gpu.",
                    )
                )
                return ""
        try:
            return framework_images.framework_image_uri(
                str(image.framework),
                str(image.version),
                image.py_version,
                processor,
                self.bp.project.region,
                image.base_framework,
            )
        except UnknownImage as exc:
            self.issues.append(Issue("MLG309", (*path, exc.field), exc.message, exc.hint, at_value=True))
            return ""

    def code(self, path_text: str, path: PathKey) -> ir.CodeFile:
        """A code file the step runs, read once and addressed by content digest (MLG308 when unreadable)."""
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
        """What every step has: name, texts, dependencies, retries and cache."""
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
        """A job's instances, with the blueprint's volume KMS key."""
        return ir.Compute(
            instance_type=self.expr(instance.type),
            instance_count=self.expr(instance.count),
            volume_size_gb=instance.volume_size_gb,
            volume_kms_key=self.security.volume_kms_key,
        )

    def network(self, override: bool | None) -> ir.Network:
        """A job's network settings; a step may override network isolation."""
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

    def plan_project(self) -> ir.Project:
        """The project section of the Plan (also passed to the CI build command)."""
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
