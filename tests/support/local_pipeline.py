"""Run the jobs of a generated SageMaker pipeline definition locally, as SageMaker hands them to the containers.

The example-code test reads the generated ``pipeline-definition.json`` (not the blueprint), so what runs is
what the pipeline would run: the code file at the content-hashed S3 key the definition names, the container
arguments and environment, the inputs and outputs at their ``/opt/ml/processing/...`` paths, the training
hyperparameters as strings, the model at ``<S3OutputPath>/<job>/output/model.tar.gz``, and the property file
the condition step reads. S3 is a moto server on 127.0.0.1: the test process plays the SageMaker service
(downloading inputs, uploading outputs) and the jobs' own boto3 calls reach the same server through
``AWS_ENDPOINT_URL``.

What is emulated, not run: the built-in XGBoost training (``xgboost_algorithm.py``) and linear-learner
training and batch transform (``linear_learner_algorithm.py``: its file contract, with a scikit-learn model
standing in for the algorithm); a tuning step runs one training job at a point inside every range (the search
itself is the service's); a model step records its image and model data; a transform step downloads the
model and the input as the service does and runs the stand-in's ``transform`` in the sandbox. Custom images
are run only when the test names them in ``python_images`` (their script then runs under the pinned venv's
python). Jobs on images this runtime does not stand in for, steps that are not jobs here (register, fail),
and steps needing what those would produce are reported as skipped with the reason; the tests assert which
steps ran, so nothing is silently faked.
"""

from __future__ import annotations

import json
import math
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import framework_container
from tests.support.example_runtime import REPO, run_job

#: Images whose libraries .venv-examples carries (tests/example-runtime-requirements.txt).
RUNTIME_IMAGES = ("/sagemaker-scikit-learn:1.2-1-cpu-py3", "/sagemaker-xgboost:1.7-1")
ALGORITHM = Path(__file__).resolve().with_name("xgboost_algorithm.py")
LINEAR_LEARNER = Path(__file__).resolve().with_name("linear_learner_algorithm.py")
#: Training image suffix -> the stand-in script that plays it.
STAND_INS = {"/sagemaker-xgboost:1.7-1": ALGORITHM, "/linear-learner:1": LINEAR_LEARNER}
#: The framework processor's entrypoint script (sagemaker 3.27.0's FrameworkProcessor, as mlopsgen emits it).
RUNPROC = "/opt/ml/processing/input/entrypoint/runproc.sh"
_OUTPUT = re.compile(r"^Steps\.(\w+)\.ProcessingOutputConfig\.Outputs\['([\w-]+)'\]\.S3Output\.S3Uri$")
_MODEL_STEP = re.compile(r"^Steps\.(\w+)\.ModelName$")
_TRANSFORM_STEP = re.compile(r"^Steps\.(\w+)\.TransformOutput\.S3OutputPath$")
_JOB_STEP = re.compile(r"^Steps\.(\w+)\.(ModelArtifacts\.S3ModelArtifacts|TrainingJobSummaries\[0\]\.TrainingJobName)$")


class JobFailed(AssertionError):
    """A job exited non-zero; the message carries its output, as CloudWatch would."""


class Unavailable(Exception):
    """A step needs something this runner does not produce (a skipped step's output, a transform's)."""


@dataclass
class Run:
    """What one local run of a definition did."""

    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    property_files: dict[str, Path] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)


class LocalPipeline:
    """One execution of a definition against a moto S3 (``s3`` is a boto3 client for it)."""

    def __init__(
        self,
        definition: dict[str, Any],
        s3: Any,
        endpoint: str,
        workdir: Path,
        python: Path,
        python_images: tuple[str, ...] = (),
    ) -> None:
        self.definition = definition
        self.s3 = s3
        self.endpoint = endpoint
        self.workdir = workdir
        self.python = python
        self.python_images = python_images
        self.parameters = {p["Name"]: p.get("DefaultValue") for p in definition.get("Parameters", [])}
        self.steps: dict[str, dict[str, Any]] = {}
        self._index(definition["Steps"])
        self.jobs: dict[str, str] = {}  # step -> (best) training job name
        self.models: dict[str, tuple[str, str]] = {}  # model step -> (image, model data URL)
        self.transforms: dict[str, str] = {}  # transform step -> its S3 output path
        self.run_state = Run()

    def _index(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            self.steps[step["Name"]] = step
            if step["Type"] == "Condition":
                self._index(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", []))

    # ---- expressions -------------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve a definition value (``Get``, ``Std:Join``, plain) to what the service would pass."""
        if isinstance(value, dict) and "Get" in value:
            return self._get(value["Get"])
        if isinstance(value, dict) and "Std:Join" in value:
            join = value["Std:Join"]
            return join["On"].join(str(self.resolve(v)) for v in join["Values"])
        return value

    def _get(self, path: str) -> Any:
        if path.startswith("Parameters."):
            return self.parameters[path.removeprefix("Parameters.")]
        if path == "Execution.PipelineExecutionId":
            return "local-execution-0001"
        if match := _OUTPUT.match(path):
            outputs = self.steps[match[1]]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
            (uri,) = [o["S3Output"]["S3Uri"] for o in outputs if o["OutputName"] == match[2]]
            return self.resolve(uri)
        if match := _JOB_STEP.match(path):
            if match[1] not in self.jobs:
                raise Unavailable(f"{path}: step {match[1]} did not run here")
            job = self.jobs[match[1]]
            if match[2].startswith("TrainingJobSummaries"):
                return job
            return f"{self._output_path(self.steps[match[1]])}/{job}/output/model.tar.gz"
        if (match := _MODEL_STEP.match(path)) or (match := _TRANSFORM_STEP.match(path)):
            made = self.models if path.endswith("ModelName") else self.transforms
            if match[1] not in made:
                raise Unavailable(f"{path}: step {match[1]} did not run here")
            return f"{match[1].lower()}-local-model" if made is self.models else made[match[1]]
        raise Unavailable(f"the local runner cannot resolve Get {path!r}")

    def _output_path(self, step: dict[str, Any]) -> str:
        args = step["Arguments"]
        spec = args["TrainingJobDefinition"] if step["Type"] == "Tuning" else args
        return str(self.resolve(spec["OutputDataConfig"]["S3OutputPath"])).rstrip("/")

    # ---- S3 ----------------------------------------------------------------------------------------------
    def download(self, uri: str, dest: Path, *, missing_ok: bool = False) -> None:
        """Copy an S3 prefix (or one object) into ``dest`` as a File-mode input does."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        found = False
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                rel = item["Key"][len(prefix) :].lstrip("/") or item["Key"].rsplit("/", 1)[-1]
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(bucket, item["Key"], str(target))
                found = True
        if not found and not missing_ok:
            raise JobFailed(f"no S3 object under {uri}")

    def upload(self, src: Path, uri: str) -> None:
        """Upload a directory's files under an S3 prefix, as an EndOfJob output does."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            self.s3.upload_file(str(path), bucket, f"{prefix.rstrip('/')}/{path.relative_to(src).as_posix()}")

    # ---- steps -------------------------------------------------------------------------------------------
    def run(self) -> Run:
        """Run every top-level step in order; conditions are evaluated, their branches only recorded."""
        for step in self.definition["Steps"]:
            handler = getattr(self, f"_step_{step['Type'].lower()}", None)
            if handler is None:
                self.run_state.skipped[step["Name"]] = f"{step['Type']} is not run locally"
                continue
            try:
                handler(step)
            except Unavailable as missing:
                self.run_state.skipped[step["Name"]] = str(missing)
        return self.run_state

    def _job(self, name: str, root: Path, argv: list[str], env: dict[str, str]) -> None:
        aws = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        done = run_job(root, argv, {**aws, **env})
        self.run_state.logs[name] = done.stdout + done.stderr
        if done.returncode != 0:
            raise JobFailed(f"{name} exited {done.returncode}:\n{(done.stdout + done.stderr)[-4000:]}")
        self.run_state.ran.append(name)

    def _step_processing(self, step: dict[str, Any]) -> None:
        args = step["Arguments"]
        image = args["AppSpecification"]["ImageUri"]
        if not image.endswith(RUNTIME_IMAGES + self.python_images):
            raise Unavailable(f"no local runtime for image {image}")
        root = self.workdir / step["Name"] / "ml"
        for item in args.get("ProcessingInputs", []):
            self.download(str(self.resolve(item["S3Input"]["S3Uri"])), _local(root, item["S3Input"]["LocalPath"]))
        outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
        for item in outputs:
            _local(root, item["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)
        entry = list(args["AppSpecification"]["ContainerEntrypoint"])
        arguments = [str(self.resolve(a)) for a in args["AppSpecification"].get("ContainerArguments", [])]
        env = {k: str(self.resolve(v)) for k, v in args.get("Environment", {}).items()}
        if entry == ["/bin/bash", RUNPROC]:
            # The framework processor's convention: runproc.sh unpacks the source archive, installs its
            # requirements (offline here: PIP_NO_INDEX) and runs the entry point with python3 from PATH,
            # which is the pinned venv's, as the image's own python would be.
            argv = ["bash", RUNPROC, *arguments]
            env |= {"PATH": f"{self.python.parent}:/usr/local/bin:/usr/bin:/bin", "PIP_NO_INDEX": "1"}
        elif entry[0] == "python3":
            argv = [str(self.python), *entry[1:], *arguments]
        else:
            raise NotImplementedError(f"{step['Name']}: entrypoint {entry[0]}")
        self._job(step["Name"], root, argv, env)
        for item in outputs:
            self.upload(_local(root, item["S3Output"]["LocalPath"]), str(self.resolve(item["S3Output"]["S3Uri"])))
        by_output = {o["OutputName"]: _local(root, o["S3Output"]["LocalPath"]) for o in outputs}
        for prop in step.get("PropertyFiles", []):
            self.run_state.property_files[prop["PropertyFileName"]] = by_output[prop["OutputName"]] / prop["FilePath"]

    def _train(self, name: str, job: str, spec: dict[str, Any], hyperparameters: dict[str, str], out: str) -> None:
        image = spec["AlgorithmSpecification"].get("TrainingImage", "")
        stand_in = next((script for suffix, script in STAND_INS.items() if image.endswith(suffix)), None)
        script_mode = framework_container.is_framework_training(image)
        if stand_in is None and not script_mode:
            raise Unavailable(f"no local stand-in for training image {image}")
        root = self.workdir / job / "ml"
        config = root / "input" / "config"
        config.mkdir(parents=True)
        (config / "hyperparameters.json").write_text(json.dumps(hyperparameters))
        channels = {}
        for channel in spec["InputDataConfig"]:
            uri = str(self.resolve(channel["DataSource"]["S3DataSource"]["S3Uri"]))
            self.download(uri, root / "input" / "data" / channel["ChannelName"])
            content_type = channel.get("ContentType", "")
            channels[channel["ChannelName"]] = {"ContentType": content_type, "TrainingInputMode": "File"}
        (config / "inputdataconfig.json").write_text(json.dumps(channels))
        checkpoint = spec.get("CheckpointConfig")
        if checkpoint:  # SageMaker copies the checkpoint prefix in before the job (a restarted spot job resumes)
            local = _local(root, checkpoint.get("LocalPath", "/opt/ml/checkpoints"))
            local.mkdir(parents=True, exist_ok=True)
            self.download(str(self.resolve(checkpoint["S3Uri"])), local, missing_ok=True)
        if script_mode:
            self._script_mode(name, root, hyperparameters, list(channels), spec.get("Environment", {}))
        else:
            assert stand_in is not None
            self._job(name, root, [str(self.python), str(stand_in), "train"], {})
        if checkpoint:  # ... and back out while and after it runs
            local = _local(root, checkpoint.get("LocalPath", "/opt/ml/checkpoints"))
            self.upload(local, str(self.resolve(checkpoint["S3Uri"])))
        archive = root.parent / "model.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted((root / "model").iterdir()):
                tar.add(path, arcname=path.name)
        bucket, _, key = f"{out}/{job}/output/model.tar.gz".removeprefix("s3://").partition("/")
        self.s3.upload_file(str(archive), bucket, key)
        self.jobs[name] = job

    def _script_mode(
        self, name: str, root: Path, hyperparameters: dict[str, str], channels: list[str], environment: dict[str, Any]
    ) -> None:
        """Run a framework container's script-mode job: requirements, then the entry point (tests/support/...)."""
        argv, env = framework_container.prepare(root, hyperparameters, channels, self._download_file)
        env.update({k: str(self.resolve(v)) for k, v in environment.items()})
        install = framework_container.requirements(root)
        if install is not None:
            self._job(f"{name}:requirements", root, [str(self.python), *install], env)
        self._job(name, root, [str(self.python), *argv], env)

    def _download_file(self, uri: str, dest: Path) -> None:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        self.s3.download_file(bucket, key, str(dest))

    def _step_training(self, step: dict[str, Any]) -> None:
        args = step["Arguments"]
        hyper = {k: str(self.resolve(v)) for k, v in args.get("HyperParameters", {}).items()}
        self._train(step["Name"], f"{step['Name'].lower()}-local", args, hyper, self._output_path(step))

    def _step_tuning(self, step: dict[str, Any]) -> None:
        args = step["Arguments"]
        spec = args["TrainingJobDefinition"]
        hyper = {k: str(self.resolve(v)) for k, v in spec.get("StaticHyperParameters", {}).items()}
        ranges = args["HyperParameterTuningJobConfig"]["ParameterRanges"]
        for item in ranges.get("ContinuousParameterRanges", []):
            low, high = float(item["MinValue"]), float(item["MaxValue"])
            log = item.get("ScalingType") == "Logarithmic"
            hyper[item["Name"]] = str(math.sqrt(low * high) if log else (low + high) / 2)
        for item in ranges.get("IntegerParameterRanges", []):
            hyper[item["Name"]] = str((int(item["MinValue"]) + int(item["MaxValue"])) // 2)
        for item in ranges.get("CategoricalParameterRanges", []):
            hyper[item["Name"]] = item["Values"][0]
        self._train(step["Name"], f"{step['Name'].lower()}-001-local", spec, hyper, self._output_path(step))

    def _step_model(self, step: dict[str, Any]) -> None:
        container = step["Arguments"]["PrimaryContainer"]
        self.models[step["Name"]] = (container["Image"], str(self.resolve(container["ModelDataUrl"])))
        self.run_state.ran.append(step["Name"])

    def _step_transform(self, step: dict[str, Any]) -> None:
        args = step["Arguments"]
        model = str(self.resolve(args["ModelName"]))
        image, model_data = next(made for name, made in self.models.items() if f"{name.lower()}-local-model" == model)
        if not image.endswith("/linear-learner:1"):
            raise Unavailable(f"no local batch transform stand-in for image {image}")
        root = self.workdir / step["Name"] / "ml"
        (root / "model").mkdir(parents=True)
        archive = root.parent / "model.tar.gz"
        bucket, _, key = model_data.removeprefix("s3://").partition("/")
        self.s3.download_file(bucket, key, str(archive))
        with tarfile.open(archive) as tar:
            tar.extractall(root / "model", filter="data")
        source = args["TransformInput"]
        # Not container paths: the service streams records to the container; these are the runner's own.
        self.download(str(self.resolve(source["DataSource"]["S3DataSource"]["S3Uri"])), root / "transform" / "in")
        output = args["TransformOutput"]
        env = {
            "CONTENT_TYPE": source.get("ContentType", ""),
            "SPLIT_TYPE": source.get("SplitType", "None"),
            "ACCEPT": output.get("Accept", "application/json"),
            "ASSEMBLE_WITH": output.get("AssembleWith", "None"),
        }
        argv = [str(self.python), str(LINEAR_LEARNER), "transform", "/opt/ml/transform/in", "/opt/ml/transform/out"]
        self._job(step["Name"], root, argv, env)
        out_uri = str(self.resolve(output["S3OutputPath"])).rstrip("/")
        self.upload(root / "transform" / "out", out_uri)
        self.transforms[step["Name"]] = out_uri

    def _step_condition(self, step: dict[str, Any]) -> None:
        outcome = all(self._condition(c) for c in step["Arguments"]["Conditions"])
        self.run_state.conditions[step["Name"]] = outcome
        for branch in ("IfSteps", "ElseSteps"):
            for inner in step["Arguments"].get(branch, []):
                self.run_state.skipped[inner["Name"]] = f"in {step['Name']}.{branch} (not run locally)"

    def _condition(self, cond: dict[str, Any]) -> bool:
        kind = cond["Type"]
        if kind in ("And", "Or"):
            results = [self._condition(c) for c in cond["Conditions"]]
            return all(results) if kind == "And" else any(results)
        if kind == "Not":
            return not self._condition(cond["Condition"])
        if kind == "In":
            return self._value(cond["QueryValue"]) in [self._value(v) for v in cond["Values"]]
        left, right = self._value(cond["LeftValue"]), self._value(cond["RightValue"])
        compare = {
            "Equals": left == right,
            "LessThanOrEqualTo": left <= right,
            "LessThan": left < right,
            "GreaterThanOrEqualTo": left >= right,
            "GreaterThan": left > right,
        }
        return compare[kind]

    def _value(self, value: Any) -> Any:
        if isinstance(value, dict) and "Std:JsonGet" in value:
            get = value["Std:JsonGet"]
            name = get["PropertyFile"]["Get"].rsplit(".", 1)[-1]
            if name not in self.run_state.property_files:
                raise Unavailable(f"property file {name} comes from a step that did not run here")
            path = self.run_state.property_files[name]
            if not path.is_file():
                raise JobFailed(f"property file {name}: the job wrote no {path.name}; the condition step would fail")
            return json_get(json.loads(path.read_text()), get["Path"])
        return self.resolve(value)


def json_get(document: Any, path: str) -> Any:
    """Read a JsonGet path (dots and ``[n]``) from a property file's JSON; KeyError when absent."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        document = document[int(part[1:-1])] if part.startswith("[") else document[part]
    return document


def _local(root: Path, local_path: str) -> Path:
    """Where a container path under /opt/ml lands in the job's root."""
    if not local_path.startswith("/opt/ml/"):
        raise NotImplementedError(f"container path {local_path} is outside /opt/ml")
    return root / local_path.removeprefix("/opt/ml/")


def code_manifest(model_build: Path) -> list[tuple[Path, str]]:
    """The (local file, S3 URI) pairs the generated CI uploads before it starts the pipeline."""
    manifest = json.loads((model_build / "code-manifest.json").read_text())
    blueprint_dir = REPO / "blueprints"
    return [(blueprint_dir / f["path"], f["s3_uri"]) for f in manifest["files"]]
