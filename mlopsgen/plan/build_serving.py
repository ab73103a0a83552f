"""Blueprint model steps → the serving container of a framework model: inference image and toolkit environment.

A mixin of the plan builder (``build.py``). A model trained in a PyTorch, TensorFlow or Hugging Face
container by name (``model_from`` such a training or tuning step, or ``image`` naming the framework
with ``model_data``) is served by the same framework's *inference* container of the same version and
Python version, as sagemaker 3.27.0's ``image_uris.retrieve(image_scope="inference")`` names it. Its
processor comes from the instance types the model will run on: the register step's
``inference_instances`` (one kind, cpu or gpu) or the transform steps that use a created model.

The serving code travels inside the model archive: the training script copies ``inference.py`` (and a
``requirements.txt``) into ``model_dir/code/``, which the inference toolkits load from
``/opt/ml/model/code`` (sagemaker-inference-toolkit ``environment.code_dir``). The container
environment is the one the SDK's ModelBuilder writes for a model whose code is packed into the archive
(``_script_mode_env_vars`` after a repack): ``SAGEMAKER_PROGRAM`` the script's name,
``SAGEMAKER_SUBMIT_DIRECTORY`` ``/opt/ml/model/code``, the log level and the region. Setting the
program matters: ModelBuilder.register otherwise writes ``SAGEMAKER_PROGRAM: ""``; the toolkit takes
that as the module name instead of its default ``inference.py``, ``find_spec("")`` finds nothing, and
the container silently serves with its default handlers, ignoring ``code/inference.py``.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import framework_images
from mlopsgen.plan.build_base import BuilderBase
from mlopsgen.plan.images import UnknownImage

SERVING_SCRIPT = "inference.py"
"""The inference toolkits' default module (sagemaker-inference-toolkit ``DEFAULT_MODULE_NAME``)."""
SERVING_CODE_DIR = "/opt/ml/model/code"
"""Where the toolkits find the archive's ``code/`` folder, and what the SDK names as submit directory."""


def is_framework(image: spec.ImageSpec | None) -> bool:
    """A PyTorch, TensorFlow or Hugging Face container by name (served from the inference table)."""
    return image is not None and image.uri is None and image.framework in framework_images.frameworks()


def serving_environment(script: str, region: str) -> dict[str, Any]:
    """The container variables of a framework model whose code is in its archive (as the SDK writes them)."""
    return {
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_PROGRAM": script,
        "SAGEMAKER_REGION": region,
        "SAGEMAKER_SUBMIT_DIRECTORY": SERVING_CODE_DIR,
    }


class ServingBuilder(BuilderBase):
    """Resolves the inference container of framework models (MLG356, MLG366, MLG367)."""

    def serving_image(
        self, step: spec.RegisterModelStepSpec | spec.CreateModelStepSpec, image: spec.ImageSpec, path: PathKey
    ) -> str:
        """The inference image of a framework model, or "" with an issue.

        Args:
            step: The register_model or create_model step.
            image: Its own ``image`` (with ``model_data``), or the training image of its ``model_from`` step.
            path: The step's path.

        Returns:
            The regional ECR URI of the serving container.
        """
        from_training = step.model_from is not None
        processor: str | None = image.processor if not from_training else None
        if processor is None:
            processor = self._serving_processor(step, path)
            if processor is None:
                return ""
        py_version = image.py_version
        if from_training and py_version is None:
            py_version = framework_images.only_py_version(
                str(image.framework), str(image.version), image.base_framework
            )
        try:
            return framework_images.framework_image_uri(
                str(image.framework),
                str(image.version),
                py_version,
                processor,
                self.bp.project.region,
                image.base_framework,
                scope="inference",
            )
        except UnknownImage as exc:
            if not from_training:
                self.issues.append(Issue("MLG309", (*path, "image", exc.field), exc.message, exc.hint, at_value=True))
                return ""
            self.issues.append(
                Issue(
                    "MLG356",
                    (*path, "model_from"),
                    f"step '{step.model_from}' trains with {image.framework} {image.version}, whose model has no "
                    f"serving container: {exc.message}",
                    f"{exc.hint} Or give image (an inference image) and model_data instead of model_from.",
                    at_value=True,
                )
            )
            return ""

    def _serving_processor(
        self, step: spec.RegisterModelStepSpec | spec.CreateModelStepSpec, path: PathKey
    ) -> str | None:
        """The processor (cpu or gpu) of the instance types the model runs on, or None with an issue."""
        if isinstance(step, spec.RegisterModelStepSpec):
            instances: list[Any] = list(step.inference_instances)
            where: PathKey = (*path, "inference_instances")
            what = "inference_instances"
        else:
            instances = [
                s.instance.type
                for s in self.bp.pipeline.steps
                if isinstance(s, spec.TransformStepSpec) and s.model == step.name
            ]
            where = (*path, "model_from" if step.model_from is not None else "image")
            what = "the instance types of the transform steps using it"
        literal = [i for i in instances if isinstance(i, str) and "${" not in i]
        kinds = {i: framework_images.processor_of(i, "inference") for i in literal}
        processors = set(kinds.values())
        fix = (
            "give image (the framework with image.processor, or a uri) and model_data instead of model_from."
            if step.model_from is not None
            else "set image.processor: cpu or gpu."
        )
        if isinstance(step, spec.CreateModelStepSpec) and (not literal or len(literal) != len(instances)):
            self.issues.append(
                Issue(
                    "MLG367",
                    where,
                    f"the serving container's processor of model '{step.name}' cannot be derived: no transform step "
                    "with a literal instance type uses it",
                    fix,
                    at_value=step.model_from is not None,
                )
            )
            return None
        if None in processors or len(processors) != 1:
            odd = sorted(i for i, p in kinds.items() if p is None)
            reason = (
                f"{', '.join(odd)} has its own serving images (Neuron or Graviton)"
                if odd
                else "they mix cpu and gpu instances, and a model package holds one image"
            )
            self.issues.append(
                Issue("MLG366", where, f"the serving container's processor cannot be chosen from {what}: {reason}", fix)
            )
            return None
        return next(iter(processors))
