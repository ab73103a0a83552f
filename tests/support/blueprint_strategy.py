"""A hypothesis strategy for VALID blueprints over the whole pipeline language (issue 13, point 5).

It starts from a minimal valid blueprint (one processing step) and adds pieces that are valid by
construction: parameters of every type, every step type, references between steps (outputs,
model artifacts, property files, created models), tuning ranges of every kind, hyperparameters
that are literals or parameter references, optional keys present or absent, security on or off.
References only point backwards (to steps already drawn) so the graph stays acyclic, and a
condition's branches take steps that nothing outside them reads. Most draws validate; the engine
test reports the ratio and asserts it stays high.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mlopsgen.blueprint.versions import CURRENT

CODE = b"print('generated')\n"
"""Contents of every code file a generated blueprint names (the plan hashes them)."""

_PARAM_TYPES = ("string", "integer", "float", "boolean")
_FLOATS = st.sampled_from([0.0, 0.5, 1.0, 0.05, 2.5, 10.0, 1e-4, 100.0])
_INTS = st.sampled_from([0, 1, 2, 3, 10, 50, 200])
_WORDS = st.sampled_from(["auto", "reg:squarederror", "binary:logistic", "gbtree", "", "1", "0.0", "true"])
_IMAGES = [
    {"framework": "sklearn", "version": "1.2-1"},
    {"framework": "xgboost", "version": "1.7-1"},
    {"uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/custom:1.0"},
]
_TRAIN_IMAGES = [
    {"framework": "xgboost", "version": "1.7-1"},
    {"framework": "linear-learner", "version": "1"},
    {"uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/trainer:2"},
]
_BUILTIN = ("xgboost", "linear-learner")
_SCRIPT_IMAGES = [
    {"framework": "sklearn", "version": "1.2-1"},
    {"framework": "xgboost", "version": "1.7-1"},
    {"uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/scripted:1"},
    {"framework": "pytorch", "version": "2.1.0"},
    {"framework": "pytorch", "version": "1.13.1", "py_version": "py39", "processor": "gpu"},
    {"framework": "tensorflow", "version": "2.13.0", "processor": "cpu"},
    {"framework": "huggingface", "version": "4.28.1", "base_framework": "pytorch2.0.0", "processor": "gpu"},
    {"framework": "pytorch", "version": "2.3", "py_version": "py311"},
    {"framework": "huggingface", "version": "4.28", "base_framework": "pytorch2.0", "processor": "gpu"},
]
"""Framework images with the processor left out resolve it from the instance type (set to a literal then).
Short versions ("2.3", "pytorch2.0") are the SDK's version aliases: the floating tags of the containers."""
_FRAMEWORKS = ("pytorch", "tensorflow", "huggingface")
_SERVING_IMAGES = [
    {"framework": "pytorch", "version": "2.6.0", "processor": "gpu"},
    {"framework": "tensorflow", "version": "2.13.0", "processor": "cpu"},
    {"framework": "huggingface", "version": "4.28.1", "base_framework": "pytorch2.0.0", "processor": "cpu"},
]
"""Inference containers by name for a model step's ``image``; a register step may leave the processor out."""


class _State:
    """What has been drawn so far: parameters by type and what each step offers to later steps."""

    def __init__(self, params: dict[str, dict[str, Any]]) -> None:
        self.params = params
        self.outputs: list[tuple[str, str]] = []  # (processing step, output name)
        self.models: list[str] = []  # training and tuning steps
        self.created: list[str] = []  # create_model steps
        self.framework_models: set[str] = set()  # training/tuning steps in a framework container by name
        self.framework_created: set[str] = set()  # create_model steps serving one (need a literal transform)
        self.property_files: list[str] = []
        self.checks: list[str] = []  # quality_check steps (their properties are S3 URIs)
        self.clarify: list[tuple[str, str]] = []  # clarify_check steps and their kind
        self.steps: list[dict[str, Any]] = []
        self.code: dict[str, bytes] = {}

    def of_type(self, kind: str) -> list[str]:
        return sorted(n for n, p in self.params.items() if p["type"] == kind)


@st.composite
def _parameters(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    params: dict[str, dict[str, Any]] = {}
    for i, kind in enumerate(draw(st.lists(st.sampled_from(_PARAM_TYPES), max_size=6))):
        spec: dict[str, Any] = {"type": kind}
        if draw(st.booleans()):
            spec["default"] = draw(
                {
                    "string": st.sampled_from(["ml.m5.xlarge", "s3://bucket/data/", "PendingManualApproval", "x"]),
                    "integer": _INTS,
                    "float": _FLOATS,
                    "boolean": st.booleans(),
                }[kind]
            )
        if kind == "string" and "default" in spec and draw(st.booleans()):
            spec["allowed"] = sorted({spec["default"], "other"})
        params[f"{kind.capitalize()}Param{i}"] = spec
    return params


def _ref_param(draw: st.DrawFn, state: _State, kind: str | None = None) -> str | None:
    names = state.of_type(kind) if kind else sorted(state.params)
    return f"${{params.{draw(st.sampled_from(names))}}}" if names else None


def _s3_source(draw: st.DrawFn, state: _State) -> str:
    """An S3 location: a literal, a string parameter, or an earlier processing step's output."""
    choices = ["literal"]
    if state.of_type("string"):
        choices.append("param")
    if state.outputs:
        choices.append("output")
    match draw(st.sampled_from(choices)):
        case "param":
            return _ref_param(draw, state, "string") or ""
        case "output":
            step, out = draw(st.sampled_from(state.outputs))
            return f"${{steps.{step}.outputs.{out}}}"
    return draw(st.sampled_from(["s3://bucket/data/", "s3://bucket/data/train.csv"]))


def _instance(draw: st.DrawFn, state: _State, *, volume: bool = True) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["type"] = _ref_param(draw, state, "string") if draw(st.booleans()) else None
        out["type"] = out["type"] or draw(st.sampled_from(["ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge"]))
    if draw(st.booleans()):
        ref = _ref_param(draw, state, "integer") if draw(st.booleans()) else None
        out["count"] = ref or draw(st.integers(1, 3))
    if volume and draw(st.booleans()):
        out["volume_size_gb"] = draw(st.sampled_from([1, 30, 100]))
    return out


def _optional(draw: st.DrawFn, target: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


def _common(draw: st.DrawFn, step: dict[str, Any], state: _State, *, job: bool = True, retry: bool = True) -> None:
    _optional(draw, step, "display_name", st.sampled_from(["A step", "Étape"]))
    _optional(draw, step, "description", st.sampled_from(["Does a thing.", "x"]))
    if state.steps and draw(st.integers(0, 3)) == 0:
        step["depends_on"] = [draw(st.sampled_from([s["name"] for s in state.steps if s["type"] != "condition"]))]
    if job:
        _optional(draw, step, "cache", st.sampled_from([True, {"expire_after": "P7d"}, {"expire_after": "PT12H"}]))
        if draw(st.integers(0, 3)) == 0:
            step["network_isolation"] = draw(st.booleans())
    if retry and draw(st.integers(0, 3)) == 0:
        exceptions = draw(
            st.sampled_from(
                [
                    ["SageMaker.CAPACITY_ERROR"],
                    ["SageMaker.JOB_INTERNAL_ERROR", "SageMaker.RESOURCE_LIMIT"],
                    ["Step.THROTTLING"],
                    ["Step.SERVICE_FAULT", "Step.THROTTLING"],
                ]
            )
        )
        if not job:
            exceptions = [e for e in exceptions if e.startswith("Step.")] or ["Step.THROTTLING"]
        retry: dict[str, Any] = {"exceptions": exceptions}
        _optional(draw, retry, "max_attempts", st.integers(1, 5))
        _optional(draw, retry, "interval_seconds", st.integers(1, 60))
        _optional(draw, retry, "backoff_rate", st.sampled_from([1.0, 1.5, 2.0]))
        step["retry"] = [retry]


def _literal_or_param(draw: st.DrawFn, state: _State) -> Any:
    """A hyperparameter or environment value: a literal of any YAML type, or a parameter of any type."""
    kind = draw(st.sampled_from(["str", "int", "float", "bool", "param", "text"]))
    if kind == "param" and state.params:
        return _ref_param(draw, state)
    if kind == "text" and state.params:
        return f"v-{_ref_param(draw, state)}"
    return draw({"str": _WORDS, "int": _INTS, "float": _FLOATS, "bool": st.booleans()}.get(kind, _WORDS))


def _processing(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "processing", "image": draw(st.sampled_from(_IMAGES))}
    # code; none (the image's entrypoint, or the command, runs); or entry_point + source_dir (framework processor)
    mode = draw(st.sampled_from(["code", "code", "code", "none", "framework", "framework"]))
    if mode == "code":
        step["code"] = code = f"code/{name.lower()}.py"
        state.code[code] = CODE
    _common(draw, step, state)
    instance = _instance(draw, state)
    if instance is not None:
        step["instance"] = instance
    if draw(st.integers(0, 3)) == 0:
        step["command"] = draw(st.sampled_from([["python3"], ["python3", "-u"], ["/bin/sh"], ["bash", "-c", "ls"]]))
    if mode == "framework":
        _framework_processing(draw, state, step)
    if draw(st.booleans()):
        step["arguments"] = draw(
            st.lists(st.sampled_from(["--flag", "${execution.id}"]) | st.just(_s3_source(draw, state)), max_size=3)
        )
    if draw(st.booleans()):
        step["environment"] = {f"VAR_{i}": str(_literal_or_param(draw, state)) for i in range(draw(st.integers(1, 2)))}
    if draw(st.booleans()):
        step["inputs"] = {
            f"in{i}": {"source": _s3_source(draw, state), "destination": f"/opt/ml/processing/in{i}"}
            for i in range(draw(st.integers(1, 2)))
        }
    outputs = draw(st.integers(0, 2))
    if outputs:
        step["outputs"] = {}
        for i in range(outputs):
            if draw(st.booleans()):
                step["outputs"][f"out{i}"] = f"/opt/ml/processing/out{i}"
            else:
                step["outputs"][f"out{i}"] = {
                    "source": f"/opt/ml/processing/out{i}",
                    "destination": draw(st.sampled_from(["s3://bucket/out", "s3://bucket/out/${execution.id}"])),
                }
            state.outputs.append((name, f"out{i}"))
        if draw(st.booleans()):
            file_name = f"{name}Report"
            step["property_files"] = [{"name": file_name, "output": "out0", "path": "report.json"}]
            state.property_files.append(file_name)
    _optional(draw, step, "max_runtime_seconds", st.sampled_from([60, 3600]))
    return step


def _training_base(draw: st.DrawFn, state: _State, name: str, kind: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": kind, "image": draw(st.sampled_from(_TRAIN_IMAGES))}
    _common(draw, step, state)
    instance = _instance(draw, state)
    if instance is not None:
        step["instance"] = instance
    if draw(st.booleans()):
        step["hyperparameters"] = {f"hp_{i}": _literal_or_param(draw, state) for i in range(draw(st.integers(1, 3)))}
    if draw(st.booleans()):
        channels: dict[str, Any] = {}
        for channel in draw(st.lists(st.sampled_from(["train", "validation", "test"]), unique=True, min_size=1)):
            source = _s3_source(draw, state)
            channels[channel] = {"source": source, "content_type": "text/csv"} if draw(st.booleans()) else source
            if draw(st.booleans()):
                channels[channel] = _channel_options(draw, channels[channel])
        step["channels"] = channels
    # A tuning job's output path is a literal (its best model's location is derived from it).
    paths = ["s3://bucket/models"] + (["s3://bucket/m/${execution.id}"] if kind == "training" else [])
    _optional(draw, step, "output_path", st.sampled_from(paths))
    _optional(draw, step, "max_runtime_seconds", st.sampled_from([60, 7200]))
    if draw(st.booleans()):
        step["environment"] = {"MODE": str(_literal_or_param(draw, state))}
    if draw(st.integers(0, 2)) == 0:
        _script_mode(draw, state, step)
    if "uri" in step["image"] or step["image"]["framework"] not in _BUILTIN:  # built-ins publish their own metrics
        step["metric_definitions"] = [{"name": "validation:rmse", "regex": "rmse=([0-9.]+)"}]
    _training_options(draw, state, step, kind)
    state.models.append(name)
    if step["image"].get("framework") in _FRAMEWORKS:
        state.framework_models.add(name)  # served by the framework's inference container
    return step


def _channel_options(draw: st.DrawFn, channel: str | dict[str, Any]) -> dict[str, Any]:
    """Read options of a channel; Gzip and RecordIO only where the channel itself is read in Pipe mode."""
    out = {"source": channel} if isinstance(channel, str) else dict(channel)
    mode = draw(st.sampled_from(["Pipe", None, "File", "FastFile"]))
    if mode:
        out["input_mode"] = mode
    if mode == "Pipe":
        _optional(draw, out, "compression", st.sampled_from(["None", "Gzip"]))
        _optional(draw, out, "record_wrapper", st.sampled_from(["None", "RecordIO"]))
    _optional(draw, out, "s3_data_distribution", st.sampled_from(["FullyReplicated", "ShardedByS3Key"]))
    _optional(draw, out, "shuffle_seed", st.sampled_from([0, 7, 2**40]))
    return out


def _training_options(draw: st.DrawFn, state: _State, step: dict[str, Any], kind: str) -> None:
    """Job options (issue 13.3), valid by construction: spot waits cover the run, no warm pool on spot."""
    _optional(draw, step, "input_mode", st.sampled_from(["File", "Pipe", "FastFile"]))
    if draw(st.integers(0, 2)) == 0:
        runtime = step.get("max_runtime_seconds", 3600)
        step["spot"] = {"max_wait_seconds": draw(st.sampled_from([runtime, runtime + 1, 2 * runtime]))}
    elif kind == "training" and draw(st.booleans()):
        step["keep_alive_seconds"] = draw(st.sampled_from([0, 600, 21600]))
    if draw(st.integers(0, 2)) == 0:
        uri = _ref_param(draw, state, "string") if draw(st.booleans()) else None
        step["checkpoint"] = {"s3_uri": uri or "s3://bucket/checkpoints/${execution.id}"}
        _optional(draw, step["checkpoint"], "local_path", st.just("/opt/ml/ck"))
    _optional(draw, step, "output_compression", st.sampled_from(["GZIP", "NONE"]))
    _optional(draw, step, "max_retry_attempts", st.integers(1, 30))
    if kind == "training" and draw(st.booleans()):
        _debugger(draw, state, step)
    if "uri" in step["image"] and draw(st.integers(0, 2)) == 0:
        dist: dict[str, Any] = {
            "type": draw(st.sampled_from(["torchrun", "mpi", "parameter_server", "smdistributed_data_parallel"]))
        }
        if dist["type"] == "mpi":
            _optional(draw, dist, "processes_per_host", st.integers(1, 8))
        if dist["type"] in ("mpi", "smdistributed_data_parallel"):
            _optional(draw, dist, "custom_mpi_options", st.sampled_from(["", "-x NCCL_DEBUG=INFO"]))
        step["distribution"] = dist


_DEBUG_MAPS = st.sampled_from([{}, {"save_interval": "100"}, {"a": "", "b": "x y"}])


def _debugger(draw: st.DrawFn, state: _State, step: dict[str, Any]) -> None:
    """debugger: and/or profiler: (training steps only), with empty maps and lists and false flags too."""
    uris = st.sampled_from(["s3://bucket/debug", "s3://bucket/d/${execution.id}"])
    which = draw(st.sampled_from(["debugger", "profiler", "both"]))
    if which != "profiler":
        uri = _ref_param(draw, state, "string") if draw(st.booleans()) else None
        hook: dict[str, Any] = {"s3_output_path": uri or draw(uris)}
        _optional(draw, hook, "local_path", st.sampled_from(["/opt/ml/output/tensors", ""]))
        _optional(draw, hook, "hook_parameters", _DEBUG_MAPS)
        if draw(st.booleans()):
            collections = []
            for name in draw(st.lists(st.sampled_from(["losses", "weights", "gradients"]), unique=True)):
                collection: dict[str, Any] = {"name": name}
                _optional(draw, collection, "parameters", _DEBUG_MAPS)
                collections.append(collection)
            hook["collection_configurations"] = collections
        step["debugger"] = hook
    if which != "debugger":
        profiler: dict[str, Any] = {}
        _optional(draw, profiler, "s3_output_path", uris)
        _optional(draw, profiler, "profiling_interval_ms", st.sampled_from([100, 500, 60000]))
        _optional(draw, profiler, "profiling_parameters", _DEBUG_MAPS)
        _optional(draw, profiler, "disable_profiler", st.booleans())
        step["profiler"] = profiler


def _script_mode(draw: st.DrawFn, state: _State, step: dict[str, Any]) -> None:
    """entry_point + source_dir on a framework image; folders are sometimes shared between steps."""
    step["image"] = draw(st.sampled_from(_SCRIPT_IMAGES))
    if step["image"].get("framework") == "pytorch" and "processor" not in step["image"]:
        step["instance"] = {**step.get("instance", {}), "type": draw(st.sampled_from(["ml.m5.xlarge", "ml.g5.xlarge"]))}
    folder = draw(st.sampled_from(["src/shared", f"src/{step['name'].lower()}"]))
    files = {"train.py": CODE, "lib/util.py": b"X = 1\n"}
    if draw(st.booleans()):
        files["requirements.txt"] = b"numpy\n"
    for name, data in files.items():
        state.code.setdefault(f"{folder}/{name}", data)
    step["source_dir"] = folder
    step["entry_point"] = draw(st.sampled_from(["train.py", "lib/util.py"]))


def _framework_processing(draw: st.DrawFn, state: _State, step: dict[str, Any]) -> None:
    """entry_point (at the folder's top) + source_dir, sometimes requirements; folders shared with script mode."""
    step["image"] = draw(st.sampled_from(_SCRIPT_IMAGES))
    if step["image"].get("framework") == "pytorch" and "processor" not in step["image"]:
        step["instance"] = {**step.get("instance", {}), "type": draw(st.sampled_from(["ml.m5.xlarge", "ml.g5.xlarge"]))}
    folder = draw(st.sampled_from(["src/shared", f"src/{step['name'].lower()}"]))
    files = {"prep.py": CODE, "lib/util.py": b"X = 1\n"}
    requirements = draw(st.sampled_from([None, None, "requirements.txt", "reqs/extra.txt"]))
    if requirements is not None or draw(st.booleans()):
        files[requirements or "requirements.txt"] = b"numpy\n"
    for name, data in files.items():
        state.code.setdefault(f"{folder}/{name}", data)
    step["source_dir"] = folder
    step["entry_point"] = "prep.py"
    if requirements is not None:
        step["requirements"] = requirements
    _optional(draw, step, "command", st.sampled_from([["python3"], ["python3", "-u"], ["python"]]))


def _range(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["integer", "continuous", "categorical"]))
    if kind == "categorical":
        return {"type": kind, "values": draw(st.lists(st.sampled_from(["a", "b", "gbtree", 1, 2.5]), min_size=1))}
    if kind == "integer":
        low = draw(st.sampled_from([0, 1, 3, 0.0, 2.0]))
        high = draw(st.sampled_from([10, 100, 10.0]))
    else:
        low = draw(st.sampled_from([0.0, 0, 0.05, 1e-4, 1]))
        high = draw(st.sampled_from([1, 1.0, 10.0]))
    out: dict[str, Any] = {"type": kind, "min": low, "max": high}
    if draw(st.booleans()):
        out["scaling"] = draw(st.sampled_from(["Auto", "Linear"] + (["Logarithmic"] if low > 0 else [])))
    return out


def _tuning(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step = _training_base(draw, state, name, "tuning")
    step["objective"] = {"metric": "validation:rmse"}
    _optional(draw, step["objective"], "goal", st.sampled_from(["Minimize", "Maximize"]))
    step["ranges"] = {f"r_{i}": _range(draw) for i in range(draw(st.integers(1, 3)))}
    _optional(draw, step, "max_jobs", st.integers(1, 20))
    _optional(draw, step, "max_parallel_jobs", st.integers(1, 3))
    _optional(draw, step, "strategy", st.sampled_from(["Bayesian", "Random", "Hyperband"]))
    if step.get("strategy") == "Hyperband":
        step["early_stopping"] = "Off"  # AWS: Hyperband stops jobs itself
        if draw(st.booleans()):
            step["hyperband"] = {}
            _optional(draw, step["hyperband"], "min_resource", st.sampled_from([1, 2]))
            _optional(draw, step["hyperband"], "max_resource", st.sampled_from([10, 20000]))
    else:
        _optional(draw, step, "early_stopping", st.sampled_from(["Auto", "Off"]))
    _optional(draw, step, "random_seed", st.sampled_from([0, 1, 42, 2**31 - 1]))
    _optional(draw, step, "max_tuning_runtime_seconds", st.sampled_from([120, 86400]))
    if draw(st.integers(0, 2)) == 0:
        completion: dict[str, Any] = {}
        _optional(draw, completion, "target_objective_value", st.sampled_from([0.0, 0.5, 12.0]))
        _optional(draw, completion, "max_jobs_not_improving", st.sampled_from([3, 10]))
        _optional(draw, completion, "complete_on_convergence", st.booleans())
        step["completion"] = completion
    if draw(st.integers(0, 3)) == 0:
        step["warm_start"] = {
            "parents": draw(st.sampled_from([["parent-tuning-1"], ["a", "b-2"]])),
            "type": draw(st.sampled_from(["IdenticalDataAndAlgorithm", "TransferLearning"])),
        }
    return step


def _model_source(draw: st.DrawFn, state: _State, step: dict[str, Any]) -> None:
    framework = False
    if state.models and draw(st.integers(0, 3)) > 0:
        step["model_from"] = draw(st.sampled_from(state.models))
        framework = step["model_from"] in state.framework_models
    else:
        step["image"] = dict(draw(st.sampled_from(_IMAGES[1:] + _SERVING_IMAGES)))
        step["model_data"] = draw(st.sampled_from(["s3://bucket/model.tar.gz"]))
        framework = "processor" in step["image"]
        if framework and step["type"] == "register_model" and draw(st.booleans()):
            del step["image"]["processor"]  # then the one kind of its inference_instances
    if draw(st.booleans()):
        step["environment"] = {"WORKERS": str(_literal_or_param(draw, state))}
    if framework and draw(st.integers(0, 3)) == 0:
        step["environment"] = {**step.get("environment", {}), "SAGEMAKER_PROGRAM": "serve.py"}
    if framework and step["type"] == "create_model" and "model_from" in step:
        state.framework_created.add(step["name"])


def _register(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {
        "name": name,
        "type": "register_model",
        "content_types": ["text/csv"],
        "response_types": draw(st.sampled_from([["text/csv"], ["application/json"]])),
        # One kind each (cpu or gpu): a framework model's serving image is chosen from them (MLG366).
        "inference_instances": draw(
            st.sampled_from([["ml.m5.large"], ["ml.m5.large", "ml.c5.xlarge"], ["ml.g5.xlarge", "ml.g4dn.xlarge"]])
        ),
    }
    _common(draw, step, state, job=False)
    _model_source(draw, state, step)
    _optional(draw, step, "transform_instances", st.just(["ml.m5.xlarge"]))
    approval = [s for s in state.of_type("string") if state.params[s].get("default") == "PendingManualApproval"]
    if approval and draw(st.booleans()):
        step["approval_status"] = f"${{params.{approval[0]}}}"
    else:
        _optional(draw, step, "approval_status", st.sampled_from(["Approved", "PendingManualApproval"]))
    if (state.outputs or state.checks or state.clarify) and draw(st.booleans()):
        owner, out = draw(st.sampled_from(state.outputs)) if state.outputs else ("", "")
        metrics: dict[str, Any] = {}
        for key in draw(st.lists(st.sampled_from(_METRICS), min_size=1, unique=True)):
            fallback = f"${{steps.{owner}.outputs.{out}}}/{key}.json" if owner else f"s3://bucket/reports/{key}.json"
            metrics[key] = {"source": _document(draw, state, fallback)}
            _optional(draw, metrics[key], "content_type", st.just("text/csv"))
        step["metrics"] = metrics
    if draw(st.booleans()):
        baselines: dict[str, Any] = {}
        for key in draw(st.lists(st.sampled_from(_BASELINES), min_size=1, unique=True)):
            kinds = {
                "bias_config_file": ("data_bias", "model_bias"),
                "explainability_config_file": ("model_explainability",),
            }
            generated = [name for name, kind in state.clarify if kind in kinds.get(key, ())]
            if bool(generated) and draw(st.booleans()):
                baselines[key] = {"clarify_check": draw(st.sampled_from(generated))}
            else:
                baselines[key] = {"source": _document(draw, state, f"s3://bucket/baselines/{key}.json")}
            if key.endswith("_file"):
                _optional(draw, baselines[key], "content_type", st.just("application/json"))
        step["drift_check_baselines"] = baselines
    if bool(state.clarify) and draw(st.booleans()):  # the configuration mlopsgen generates for a clarify_check
        name, kind = draw(st.sampled_from(state.clarify))
        key = "explainability_config_file" if kind == "model_explainability" else "bias_config_file"
        step.setdefault("drift_check_baselines", {})[key] = {"clarify_check": name}
    if draw(st.booleans()):
        metadata = draw(st.dictionaries(st.sampled_from(["team", "git:sha", "run"]), st.just("v1"), max_size=3))
        if metadata and draw(st.booleans()):
            metadata["run"] = "${execution.id}"
        step["customer_metadata"] = metadata
    strings = state.of_type("string")
    group = draw(st.sampled_from(["default", "other"] + (["param"] if strings else [])))
    if group == "other":
        step["model_package_group"] = "shared-models"
    elif group == "param":
        step["model_package_group"] = f"${{params.{strings[0]}}}"
    _optional(draw, step, "package_description", st.sampled_from(["", "Candidate model, ünïcode."]))
    return step


_METRICS = (
    "model_statistics",
    "model_constraints",
    "model_data_statistics",
    "model_data_constraints",
    "bias",
    "bias_pre_training",
    "bias_post_training",
    "explainability",
)
_BASELINES = (
    "model_statistics",
    "model_constraints",
    "model_data_statistics",
    "model_data_constraints",
    "bias_config_file",
    "bias_pre_training_constraints",
    "bias_post_training_constraints",
    "explainability_constraints",
    "explainability_config_file",
)
_CHECK_PROPERTIES = (
    "CalculatedBaselineStatistics",
    "CalculatedBaselineConstraints",
    "BaselineUsedForDriftCheckStatistics",
    "BaselineUsedForDriftCheckConstraints",
)


def _document(draw: st.DrawFn, state: _State, fallback: str) -> str:
    """A report's S3 URI: a check step's property when one exists (as real pipelines wire them), or the fallback."""
    if state.checks and draw(st.booleans()):
        return f"${{steps.{draw(st.sampled_from(state.checks))}.properties.{draw(st.sampled_from(_CHECK_PROPERTIES))}}}"
    if bool(state.clarify) and draw(st.booleans()):
        name = draw(st.sampled_from([n for n, _ in state.clarify]))
        return f"${{steps.{name}.properties.{draw(st.sampled_from(_CHECK_PROPERTIES[1::2]))}}}"
    return fallback


def _switch(draw: st.DrawFn, state: _State) -> bool | str:
    flags = state.of_type("boolean")
    if flags and draw(st.booleans()):
        return f"${{params.{draw(st.sampled_from(flags))}}}"
    return draw(st.booleans())


def _quality_check(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    check = draw(st.sampled_from(["data_quality", "model_quality"]))
    step: dict[str, Any] = {
        "name": name,
        "type": "quality_check",
        "check": check,
        "baseline_dataset": _s3_source(draw, state),
        "dataset_format": draw(
            st.sampled_from(
                [
                    "csv",
                    "json",
                    "sagemaker_capture_json",
                    {"type": "csv", "header": False},
                    {"type": "json", "lines": False},
                ]
            )
        ),
    }
    _common(draw, step, state, retry=False)
    instance = _instance(draw, state)
    if instance:
        step["instance"] = instance
    _optional(draw, step, "max_runtime_seconds", st.sampled_from([60, 3600]))
    _optional(draw, step, "environment", st.just({"EXTRA": "1"}))
    for key in ("skip_check", "fail_on_violation", "register_new_baseline"):
        if draw(st.booleans()):
            step[key] = _switch(draw, state)
    _optional(draw, step, "output", st.sampled_from(["s3://bucket/checks", "s3://bucket/c/${execution.id}"]))
    _optional(draw, step, "model_package_group", st.sampled_from(["gen-p-gen000001", "shared-models"]))
    _optional(draw, step, "supplied_baseline_statistics", st.just("s3://bucket/baseline/statistics.json"))
    _optional(draw, step, "supplied_baseline_constraints", st.just("s3://bucket/baseline/constraints.json"))
    if draw(st.booleans()):
        step["post_analytics_processor_script"] = "code/post.py"
        state.code["code/post.py"] = CODE
    if check == "data_quality":
        if draw(st.booleans()):
            step["record_preprocessor_script"] = "code/preprocess_record.py"
            state.code["code/preprocess_record.py"] = CODE + b"# record\n"
    else:
        step["problem_type"] = draw(st.sampled_from(["Regression", "BinaryClassification", "MulticlassClassification"]))
        strings = state.of_type("string")
        for key in ("inference_attribute", "probability_attribute", "ground_truth_attribute"):
            if draw(st.booleans()):
                step[key] = (
                    f"${{params.{strings[0]}}}"
                    if strings and draw(st.booleans())
                    else draw(st.sampled_from(["_c0", "0", "$.label"]))
                )
        _optional(draw, step, "probability_threshold_attribute", st.sampled_from([0.5, "0.7"]))
    state.checks.append(name)
    return step


def _create_model(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "create_model"}
    _common(draw, step, state, job=False)
    _model_source(draw, state, step)
    if draw(st.integers(0, 3)) == 0:
        step["network_isolation"] = draw(st.booleans())
    state.created.append(name)
    return step


def _transform(draw: st.DrawFn, state: _State, name: str, model: str | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "transform", "model": model or draw(st.sampled_from(state.created))}
    _common(draw, step, state)
    instance = _instance(draw, state, volume=False)
    if step["model"] in state.framework_created:  # its serving processor comes from a literal type (MLG367)
        instance = {**(instance or {}), "type": draw(st.sampled_from(["ml.m5.xlarge", "ml.g4dn.xlarge"]))}
    if instance is not None:
        step["instance"] = instance
    source: dict[str, Any] = {"source": _s3_source(draw, state)}
    _optional(draw, source, "content_type", st.just("text/csv"))
    _optional(draw, source, "split_type", st.sampled_from(["Line", "None"]))
    step["input"] = source
    _optional(draw, step, "output_path", st.sampled_from(["s3://bucket/scores", "s3://bucket/s/${execution.id}"]))
    _optional(draw, step, "accept", st.just("text/csv"))
    _optional(draw, step, "assemble_with", st.sampled_from(["Line", "None"]))
    return step


def _operand(draw: st.DrawFn, state: _State) -> Any:
    choices = ["literal"]
    if state.property_files:
        choices.append("json_get")
    if state.params:
        choices.append("param")
    if state.__dict__.get("step_outputs"):  # lambda and callback outputs (blueprint_strategy_external)
        choices.append("step_output")
    match draw(st.sampled_from(choices)):
        case "step_output":
            step, out = draw(st.sampled_from(state.__dict__["step_outputs"]))
            return f"${{steps.{step}.outputs.{out}}}"
        case "json_get":
            return {"json_get": {"property_file": draw(st.sampled_from(state.property_files)), "path": "metrics.mse"}}
        case "param":
            return _ref_param(draw, state)
    return draw(st.sampled_from([6.0, 1, 0.0, "x", True]))


def _condition(draw: st.DrawFn, state: _State, depth: int = 0) -> dict[str, Any]:
    ops = ["eq", "ne", "lt", "lte", "gt", "gte", "in"] + (["not", "and", "or"] if depth < 2 else [])
    op = draw(st.sampled_from(ops))
    if op == "in":
        return {"in": [_operand(draw, state), [draw(st.sampled_from(["a", 1, 2.5]))]]}
    if op == "not":
        return {"not": _condition(draw, state, depth + 1)}
    if op in ("and", "or"):
        return {op: [_condition(draw, state, depth + 1) for _ in range(draw(st.integers(1, 2)))]}
    return {op: [_operand(draw, state), _operand(draw, state)]}


def _fail(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "type": "fail"}
    _common(draw, step, state, job=False, retry=False)
    message = draw(st.sampled_from(["", "failed", "failed in ${execution.id}"]))
    ref = _ref_param(draw, state) if draw(st.booleans()) else None
    if ref:
        message = f"{message} {ref}"
    if message or draw(st.booleans()):
        step["message"] = message
    return step


_KINDS = (
    "processing",
    "training",
    "tuning",
    "register_model",
    "create_model",
    "transform",
    "fail",
    "lambda",
    "emr",
    "callback",
    "quality_check",
    "clarify_check",
)


@st.composite
def blueprints(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A valid blueprint (as parsed YAML) and the code files it names."""
    from .blueprint_strategy_external import EXTERNAL_BUILDERS

    state = _State(draw(_parameters()))
    state.steps.append(_processing(draw, state, "Step0"))
    if draw(st.integers(0, 5)) == 3:  # one kind among many in the list below: drawn too rarely on its own
        state.steps.append(_clarify_check(draw, state, "Clarify"))
    for i, kind in enumerate(draw(st.lists(st.sampled_from(_KINDS), max_size=6)), start=1):
        name = f"Step{i}"
        if kind == "transform" and not state.created:
            kind = "create_model"
        builder = {
            "processing": _processing,
            "training": _training_base,
            "tuning": _tuning,
            "register_model": _register,
            "create_model": _create_model,
            "transform": _transform,
            "fail": _fail,
            **EXTERNAL_BUILDERS,
            "quality_check": _quality_check,
            "clarify_check": _clarify_check,
        }[kind]
        if kind == "training":
            state.steps.append(_training_base(draw, state, name, "training"))
        else:
            state.steps.append(builder(draw, state, name))  # type: ignore[operator]
    served = {s["model"] for s in state.steps if s["type"] == "transform"}
    for model in sorted(state.framework_created - served):
        state.steps.append(_transform(draw, state, f"Serve{model}", model))
    if draw(st.booleans()):
        _add_condition(draw, state)
    blueprint: dict[str, Any] = {
        "version": CURRENT,
        "project": {
            "name": "gen",
            "id": "p-gen000001",
            "region": draw(st.sampled_from(["eu-west-1", "us-east-1"])),
            "account": "111111111111",
        },
        "pipeline": {"steps": state.steps},
    }
    if state.params:
        blueprint["pipeline"]["parameters"] = state.params
    _optional(draw, blueprint["pipeline"], "experiment_tracking", st.booleans())
    _optional(draw, blueprint["pipeline"], "parallelism", st.sampled_from([1, 2, 10, 50]))
    if draw(st.booleans()):
        blueprint["security"] = _security(draw)
    registers = [s for s in state.steps if s["type"] == "register_model"]
    shared = set.intersection(*(set(r["inference_instances"]) for r in registers)) if registers else set()
    if shared:
        from .blueprint_strategy_serving import deploy

        blueprint["deploy"] = deploy(draw, registers, blueprint.get("security"))
    from .blueprint_strategy_operations import add_operations

    add_operations(draw, state, blueprint)
    return blueprint, dict(state.code)


def _clarify_check(draw: st.DrawFn, state: _State, name: str) -> dict[str, Any]:
    from .blueprint_strategy_clarify import clarify_check

    return clarify_check(draw, state, name, _common, _s3_source, _switch)


def _add_condition(draw: st.DrawFn, state: _State) -> None:
    """A condition whose branches are steps drawn after it (nothing else reads them), plus a fail step."""
    gate = f"Gate{len(state.steps)}"
    condition: dict[str, Any] = {"name": gate, "type": "condition", "if": _condition(draw, state)}
    _common(draw, condition, state, job=False, retry=False)
    state.steps.append(condition)
    branch: list[list[str]] = []  # groups that stay in one branch (a framework model and the transform serving it)
    from .blueprint_strategy_external import EXTERNAL_BUILDERS

    kinds = ["register_model", "create_model", "fail", "lambda", "callback"]
    for i, kind in enumerate(draw(st.lists(st.sampled_from(kinds), max_size=2))):
        name = f"{gate}Branch{i}"
        builders = {"register_model": _register, "create_model": _create_model, "fail": _fail, **EXTERNAL_BUILDERS}
        readable = list(state.__dict__.get("step_outputs", []))
        step = builders[kind](draw, state, name)  # type: ignore[operator]
        state.__dict__["step_outputs"] = readable  # a branch step's outputs are read by nothing else
        step.pop("depends_on", None)
        state.steps.append(step)
        group = [name]
        if name in state.framework_created:  # its serving processor comes from a transform's literal type (MLG367)
            serve = _transform(draw, state, f"Serve{name}", name)
            serve.pop("depends_on", None)
            state.steps.append(serve)
            group.append(serve["name"])
        branch.append(group)
    failure = _fail(draw, state, f"{gate}Failed")
    failure.pop("depends_on", None)
    state.steps.append(failure)
    split = draw(st.integers(0, len(branch)))
    if branch[:split]:
        condition["then"] = [n for g in branch[:split] for n in g]
    condition["else"] = [*(n for g in branch[split:] for n in g), failure["name"]]


def _security(draw: st.DrawFn) -> dict[str, Any]:
    security: dict[str, Any] = {}
    if draw(st.booleans()):
        security["vpc"] = {"subnets": ["subnet-0a11b22c33d44e55f"], "security_groups": ["sg-0123456789abcdef0"]}
    kms: dict[str, Any] = {}
    _optional(
        draw, kms, "volume", st.just("arn:aws:kms:eu-west-1:111111111111:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b")
    )
    _optional(draw, kms, "output", st.just("alias/generated-output"))
    if kms:
        security["kms"] = kms
    _optional(draw, security, "encrypt_inter_container_traffic", st.booleans())
    _optional(draw, security, "network_isolation", st.booleans())
    return security
