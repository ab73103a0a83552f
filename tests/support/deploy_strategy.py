"""A hypothesis strategy for VALID blueprints with a drawn ``deploy`` section and operations.

``blueprint_strategy.blueprints`` draws valid pipelines with the deploy section left out; this adds,
valid by construction: 1-4 stages mixing endpoint stages (instance counts, data capture, autoscaling,
rollouts with step sizes inside AWS's bounds for each variant's instance count, generated and named
alarms, monitors with package or explicit baselines, accounts and OUs, and a serving mode drawn by
blueprint_strategy_serving: real-time variants or shadow, serverless, asynchronous) and batch stages (filters,
schedules, split/assemble), the smoke test's sample payload, both CI backends (or one), and
optionally schedules, a new-data trigger, notifications and a security block (with ``required``).

The pipeline gets its own register step with drift check baselines (deploy needs one). Constraints
between sections are met by construction, not filtered: stage instance types come from every register
step's ``inference_instances``; a monitor reads package baselines only when every register step
records them; multi-account stages get VPC endpoints under ``security.required`` and have no batch.
What the language rejects beside a serving mode is not drawn: serverless stages take no instances,
autoscaling, data capture (so no monitors), rolling updates, VPC or network isolation (MLG317, MLG322,
MLG348; so never under ``security.required``); asynchronous stages no autoscaling and no other accounts
(MLG317, MLG323); named variants no stage instances (MLG317), no rolling update beside a second variant
(MLG348) and no generated rollback alarms (MLG349); batch stages no serving block at all (MLG334).
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from .blueprint_strategy import _optional, blueprints
from .blueprint_strategy_operations import _ZONES, _expression, _values
from .blueprint_strategy_serving import asynchronous, realtime, serverless

SAMPLE = b"5.0,3.4,1.5,0.2\n"
"""The smoke test's sample payload (CSV, as the register steps' content type says)."""
ARTIFACT_BUCKET = "sagemaker-project-p-gen000001"
"""The default artifact bucket of the generated project (``project.id`` is fixed by blueprint_strategy)."""
_ENDPOINT_TYPES = ("ml.m5.large", "ml.c5.xlarge", "ml.g5.xlarge", "ml.g4dn.xlarge")
_BOUNDS = {"canary": (1, 50), "linear": (10, 50), "rolling": (5, 50)}
_ALARM_NAMES = st.sampled_from(["errors-high", "latency.p99", "ops:5xx", "A_b-c"])
_PACKAGE_BASELINES = {
    "data_quality": ("model_data_statistics", "model_data_constraints"),
    "model_quality": ("model_constraints",),
    "model_bias": ("bias_post_training_constraints", "bias_config_file"),
    "model_explainability": ("explainability_constraints", "explainability_config_file"),
}
_EXPLICIT_BASELINES = {
    "data_quality": ("statistics", "constraints"),
    "model_quality": ("constraints",),
    "model_bias": ("constraints", "analysis_config"),
    "model_explainability": ("analysis_config",),
}
_MONITOR_SCHEDULES = st.sampled_from(["hourly", "daily", "cron(0 3 ? * * *)", "cron(0 0/6 ? * * *)"])


def _register_step(name: str) -> dict[str, Any]:
    """The register step deploy reads: every instance type stages draw, every package baseline monitors read."""
    baselines = {
        key: {"source": f"s3://{ARTIFACT_BUCKET}/baselines/{key}.json"}
        for keys in _PACKAGE_BASELINES.values()
        for key in keys
    }
    return {
        "name": name,
        "type": "register_model",
        "image": {"framework": "xgboost", "version": "1.7-1"},
        "model_data": f"s3://{ARTIFACT_BUCKET}/models/model.tar.gz",
        "content_types": ["text/csv"],
        "response_types": ["text/csv"],
        "inference_instances": list(_ENDPOINT_TYPES),
        "transform_instances": ["ml.m5.xlarge"],
        "drift_check_baselines": baselines,
    }


@st.composite
def _rollout(draw: st.DrawFn, counts: list[int], rolling: bool = True, generated: bool = True) -> dict[str, Any]:
    """A rollout within AWS's step bounds for each production variant's instance count in ``counts``.

    ``rolling``: the endpoint may update by rolling batches (not serverless or multi-variant, MLG348);
    ``generated``: the generated alarms watch a variant the stage has (not with named variants, MLG349).
    """
    strategies = ["all_at_once", "canary", "linear"] + (["rolling"] if rolling else [])
    strategy = draw(st.sampled_from(strategies))
    rollout: dict[str, Any] = {"strategy": strategy}
    if strategy != "all_at_once":
        low, high = _BOUNDS[strategy]
        fitting = [n for n in range(1, min(counts) + 1) if all(low <= n * 100 / c <= high for c in counts)]
        # Several variants prefer a step in instances (hypothesis leans to False): it must fit each of them.
        if fitting and draw(st.booleans()) != (len(counts) > 1):
            rollout["step_instances"] = draw(st.sampled_from(fitting))
        else:
            rollout["step_percent"] = draw(st.integers(low, high))
    _optional(draw, rollout, "wait_seconds", st.sampled_from([0, 60, 600]))
    if strategy != "rolling":
        _optional(draw, rollout, "termination_wait_seconds", st.sampled_from([0, 300]))
    _optional(draw, rollout, "max_execution_timeout_seconds", st.sampled_from([600, 3600]))
    _optional(draw, rollout, "alarms", st.lists(_ALARM_NAMES, max_size=3, unique=True))
    if not generated:
        rollout["generated_alarms"] = False  # on by default
        return rollout
    _optional(
        draw,
        rollout,
        "generated_alarms",
        st.one_of(
            st.booleans(),
            st.fixed_dictionaries(
                {"errors_5xx": st.integers(1, 5), "latency_ms": st.sampled_from([100, 1000])},
                optional={"evaluation_minutes": st.integers(1, 5)},
            ),
        ),
    )
    return rollout


def _monitor(draw: st.DrawFn, kind: str, package: bool, stage: str) -> dict[str, Any]:
    monitor: dict[str, Any] = {}
    explicit = not package or draw(st.booleans())
    if kind in ("model_bias", "model_explainability"):
        explicit = True  # bias and explainability need an analysis_config anyway (MLG386)
    if explicit:
        monitor["baseline"] = {
            name: f"s3://{ARTIFACT_BUCKET}/baselines/{stage}/{kind}/{name}.json" for name in _EXPLICIT_BASELINES[kind]
        }
        if kind == "model_bias" and package and draw(st.booleans()):
            del monitor["baseline"]  # both package files are recorded: the whole baseline may come from there
    if kind in ("model_quality", "model_bias"):
        monitor["ground_truth"] = f"s3://{ARTIFACT_BUCKET}/ground-truth/{stage}"
    if kind == "model_quality":
        monitor["problem_type"] = draw(
            st.sampled_from(["BinaryClassification", "MulticlassClassification", "Regression"])
        )
    if kind != "data_quality":
        _optional(draw, monitor, "inference_attribute", st.sampled_from(["0", "$.prediction"]))
        if kind != "model_quality" or monitor["problem_type"] != "Regression":
            _optional(draw, monitor, "probability_attribute", st.sampled_from(["1", "$.score"]))
    if kind in ("model_bias", "model_quality") and monitor.get("problem_type") != "Regression":
        _optional(draw, monitor, "probability_threshold", st.sampled_from([0.5, 0.8]))
    _optional(draw, monitor, "schedule", _MONITOR_SCHEDULES)
    if draw(st.booleans()):
        metric = {"data_quality": "feature_baseline_drift_age", "model_quality": "auc"}.get(kind, "DPPL")
        alarm: dict[str, Any] = {"metric": metric, "threshold": draw(st.sampled_from([0.1, 0.75]))}
        _optional(draw, alarm, "comparison", st.sampled_from(["greater", "less"]))
        monitor["alarms"] = [alarm]
    return monitor


def _monitoring(draw: st.DrawFn, stage: str, package: set[str]) -> dict[str, Any]:
    monitoring: dict[str, Any] = {}
    kinds = draw(st.lists(st.sampled_from(sorted(_PACKAGE_BASELINES)), min_size=1, max_size=4, unique=True))
    for kind in sorted(kinds):
        monitoring[kind] = _monitor(draw, kind, kind in package, stage)
    _optional(draw, monitoring, "schedule", _MONITOR_SCHEDULES)
    _optional(draw, monitoring, "instance_type", st.sampled_from(["ml.m5.xlarge", "ml.m5.large"]))
    _optional(draw, monitoring, "volume_size_gb", st.sampled_from([10, 50]))
    hourly = any(
        m.get("schedule", monitoring.get("schedule", "daily")) in ("hourly", "cron(0 0/6 ? * * *)")
        for m in (monitoring[k] for k in kinds)
    )
    _optional(draw, monitoring, "max_runtime_seconds", st.sampled_from([1800, 3600] if hourly else [1800, 7200]))
    _optional(draw, monitoring, "output", st.just(f"s3://{ARTIFACT_BUCKET}/reports/{stage}"))
    return monitoring


def _endpoint_stage(
    draw: st.DrawFn, name: str, instance_types: list[str], package: set[str], multi_account: bool, mode: str
) -> dict[str, Any]:
    """An endpoint stage served in ``mode`` (``none``: no serving block), with what that mode may take."""
    stage: dict[str, Any] = {"name": name}
    if mode == "serverless":
        return _serverless_stage(draw, stage, multi_account)
    stage["instance_type"] = draw(st.sampled_from(instance_types))
    count = draw(st.integers(1, 4))
    if count != 1 or draw(st.booleans()):
        stage["instance_count"] = count
    if mode in ("realtime", "variants"):
        stage["serving"] = (realtime if mode == "realtime" else _named_variants)(draw, stage, instance_types)
        count = stage.get("instance_count", 1)  # named variants take the stage's instances away: theirs count
    elif mode == "asynchronous":
        stage["serving"] = asynchronous(draw)
        multi_account = False  # MLG323
    capture = draw(st.sampled_from(["default", "true", "false", "settings"]))
    if capture == "true":
        stage["data_capture"] = True
    elif capture == "false":
        stage["data_capture"] = False
    elif capture == "settings":
        stage["data_capture"] = {"sampling_percentage": draw(st.sampled_from([0, 10, 100]))}
        _optional(draw, stage["data_capture"], "destination", st.just(f"s3://{ARTIFACT_BUCKET}/capture/{name}"))
    if mode != "asynchronous" and draw(st.booleans()):  # asynchronous: serving.scaling instead (MLG317)
        low = draw(st.integers(1, 2))
        stage["autoscaling"] = {"max_instances": draw(st.integers(low, 6))}
        if low != 1 or draw(st.booleans()):
            stage["autoscaling"]["min_instances"] = low
        _optional(draw, stage["autoscaling"], "target_invocations_per_instance", st.sampled_from([50, 200]))
        _optional(draw, stage["autoscaling"], "scale_in_cooldown_seconds", st.sampled_from([0, 600]))
    if multi_account:
        if draw(st.booleans()):
            stage["accounts"] = draw(
                st.lists(st.sampled_from(["444444444444", "555555555555"]), min_size=1, unique=True)
            )
        if "accounts" not in stage or draw(st.booleans()):
            stage["organizational_units"] = [draw(st.sampled_from(["ou-ab12-cdefgh34", "ou-zz99-prod0001"]))]
    if draw(st.booleans()):
        serving = stage.get("serving", {})
        variants = serving.get("variants", [])
        multi = len(variants) + len(serving.get("shadow_variants", [])) > 1
        counts = [v.get("instance_count", 1) for v in variants] or [count]
        stage["rollout"] = draw(_rollout(counts, rolling=not multi, generated=not variants))
    captures = capture != "false" and (capture != "settings" or stage["data_capture"]["sampling_percentage"] > 0)
    if captures and draw(st.booleans()):
        stage["monitoring"] = _monitoring(draw, name, package)
    return stage


def _named_variants(draw: st.DrawFn, stage: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """A real-time block naming 2-3 production variants of 1-4 instances (no stage instances, MLG317).

    Drawn as a mode of its own: ``realtime`` rarely names several, and autoscaling and instance-sized rollout
    steps must meet several variants in every run (each variant scales; the step fits each variant).
    """
    stage.pop("instance_type", None)
    stage.pop("instance_count", None)
    count = draw(st.integers(2, 3))
    variants: list[dict[str, Any]] = [
        {"name": f"v{i}", "instance_type": draw(st.sampled_from(types))} for i in range(count)
    ]
    for variant in variants:
        variant["instance_count"] = draw(st.integers(2, 4))  # realtime() draws variants of 1 (no instance-sized step)
    return {"mode": "realtime", "variants": variants}


def _serverless_stage(draw: st.DrawFn, stage: dict[str, Any], multi_account: bool) -> dict[str, Any]:
    """A serverless stage: no instances, autoscaling or data capture (MLG317), no rolling update (MLG348)."""
    stage["serving"] = serverless(draw)
    if draw(st.booleans()):
        stage["data_capture"] = False
    if multi_account:
        stage["accounts"] = draw(st.lists(st.sampled_from(["444444444444", "555555555555"]), min_size=1, unique=True))
        if draw(st.booleans()):
            stage["organizational_units"] = ["ou-ab12-cdefgh34"]
    if draw(st.booleans()):
        stage["rollout"] = draw(_rollout([1], rolling=False))
    return stage


def _batch_stage(draw: st.DrawFn, name: str) -> dict[str, Any]:
    batch: dict[str, Any] = {
        "input": f"s3://{ARTIFACT_BUCKET}/batch/{name}/in/",
        "output": draw(st.sampled_from([f"s3://{ARTIFACT_BUCKET}/batch/{name}/out/", "s3://scores-bucket/out"])),
        "instance_type": "ml.m5.xlarge",
    }
    _optional(draw, batch, "instance_count", st.integers(1, 3))
    _optional(draw, batch, "content_type", st.sampled_from(["text/csv", "application/jsonlines"]))
    _optional(draw, batch, "split_type", st.sampled_from(["None", "Line", "RecordIO", "TFRecord"]))
    _optional(draw, batch, "assemble_with", st.sampled_from(["None", "Line"]))
    _optional(draw, batch, "accept", st.sampled_from(["text/csv", "application/json"]))
    _optional(draw, batch, "max_payload_mb", st.sampled_from([0, 6, 100]))
    _optional(draw, batch, "max_concurrent_transforms", st.sampled_from([0, 1, 4]))
    if draw(st.booleans()):
        batch["filter"] = {}
        _optional(draw, batch["filter"], "input", st.sampled_from(["$[1:]", "$.features"]))
        _optional(draw, batch["filter"], "output", st.sampled_from(["$[0,-1]", "$['id','SageMakerOutput']"]))
        _optional(draw, batch["filter"], "join", st.sampled_from(["None", "Input"]))
    _optional(draw, batch, "schedule", st.sampled_from(["cron(0 2 * * ? *)", "rate(1 day)", "rate(12 hours)"]))
    if "schedule" in batch:  # a batch stage that never runs is MLG335
        _optional(draw, batch, "on_approval", st.booleans())
    _optional(draw, batch, "timeout_minutes", st.sampled_from([30, 120]))
    return {"name": name, "batch": batch}


def _security(
    draw: st.DrawFn, required: bool, multi_account: bool, codepipeline: bool, serverless: bool
) -> dict[str, Any]:
    """``serverless``: a stage is serverless, so no VPC or network isolation (MLG322; never ``required``)."""
    security: dict[str, Any] = {}
    vpc = {"subnets": ["subnet-0a11b22c33d44e55f"], "security_groups": ["sg-0123456789abcdef0"]}
    key = "arn:aws:kms:eu-west-1:111111111111:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b"
    if required:
        security = {
            "required": True,
            "vpc": vpc,
            # CodePipeline encrypts CI artifacts with a key ARN only (MLG320 for an alias under required).
            "kms": {"volume": key, "output": key if codepipeline else draw(st.sampled_from([key, "alias/out"]))},
            "encrypt_inter_container_traffic": True,
        }
        if multi_account:
            security["vpc_endpoints"] = ["vpce-0a1b2c3d4e5f60718", "vpce-0123456789abcdef0"]
        _optional(draw, security, "network_isolation", st.booleans())
        return security
    if not serverless:
        _optional(draw, security, "vpc", st.just(vpc))
    kms: dict[str, Any] = {}
    _optional(draw, kms, "volume", st.just(key))
    _optional(draw, kms, "output", st.just("alias/generated-output"))
    if kms:
        security["kms"] = kms
    _optional(draw, security, "encrypt_inter_container_traffic", st.booleans())
    if multi_account:
        _optional(draw, security, "vpc_endpoints", st.just(["vpce-0a1b2c3d4e5f60718"]))
    return security


def _ci(draw: st.DrawFn) -> dict[str, Any]:
    backends = draw(
        st.sampled_from([["codepipeline", "jenkins"], ["codepipeline", "jenkins"], ["codepipeline"], ["jenkins"]])
    )
    ci: dict[str, Any] = {"backends": backends}
    if len(backends) == 2:
        ci["trigger_owner"] = draw(st.sampled_from(backends))
    if "jenkins" in backends:
        # Rollouts and batch runs may take hours: the Jenkins deploy step waits for them (MLG346).
        ci["jenkins"] = {"url": "https://jenkins.example.com", "deploy_timeout_minutes": 720}
        _optional(draw, ci["jenkins"], "polling", st.just("H/5 * * * *"))
    if draw(st.booleans()):
        ci["source"] = {"provider": "codecommit", "repository": "gen-mlops"}
    else:
        ci["source"] = {
            "provider": "github",
            "repository": "example-org/gen-mlops",
            "connection_arn": "arn:aws:codeconnections:eu-west-1:111111111111:connection/"
            "4f1c2a9e-6b7d-4c3e-9a0f-1d2e3f4a5b6c",
        }
    return ci


def _operations(draw: st.DrawFn, blueprint: dict[str, Any], state: Any) -> None:
    pipeline = blueprint["pipeline"]
    for key in ("schedules", "on_new_data"):
        pipeline.pop(key, None)
    blueprint.pop("notifications", None)
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(["nightly", "weekly", "x_1"]), unique=True, min_size=1, max_size=2))
        pipeline["schedules"] = []
        for name in names:
            schedule: dict[str, Any] = {"name": name, "expression": draw(_expression())}
            _optional(draw, schedule, "timezone", _ZONES)
            _optional(draw, schedule, "enabled", st.booleans())
            values = _values(draw, state)
            if values:
                schedule["parameters"] = values
            pipeline["schedules"].append(schedule)
    if draw(st.booleans()):
        pipeline["on_new_data"] = {"prefix": draw(st.sampled_from(["s3://data-bucket/in/", "s3://data-bucket"]))}
        values = _values(draw, state)
        if values:
            pipeline["on_new_data"]["parameters"] = values
    if draw(st.booleans()):
        notifications: dict[str, Any] = {}
        for flag in ("pipeline_failed", "pipeline_succeeded", "deploy_failed"):
            _optional(draw, notifications, flag, st.booleans())
        if not any(notifications.get(f, f != "pipeline_succeeded") for f in ("pipeline_failed", "deploy_failed")):
            notifications["pipeline_succeeded"] = True  # notifying about nothing is MLG413
        _optional(draw, notifications, "email", st.just(["ops@example.com"]))
        _optional(draw, notifications, "https", st.just(["https://hooks.example.com/ml?x=1"]))
        if not blueprint.get("security", {}).get("required"):
            _optional(draw, notifications, "encrypted", st.booleans())
        blueprint["notifications"] = notifications


class _Parameters:
    """What ``_values`` reads of blueprint_strategy's state: the pipeline's parameters."""

    def __init__(self, params: dict[str, dict[str, Any]]) -> None:
        self.params = params


@st.composite
def deploy_blueprints(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A valid blueprint with a drawn deploy section, CI and operations, and the files it names."""
    blueprint, code = draw(blueprints())
    blueprint.pop("security", None)
    pipeline = blueprint["pipeline"]
    steps = pipeline["steps"]
    registers = [s for s in steps if s["type"] == "register_model"]
    register = _register_step("DeployRegister")
    steps.append(register)
    registers.append(register)
    # Every register step must list a stage's instance type (MLG330-style check in serving.py).
    endpoint_types = [t for t in _ENDPOINT_TYPES if all(t in r["inference_instances"] for r in registers)]
    batch_allowed = all("ml.m5.xlarge" in r.get("transform_instances", ["ml.m5.xlarge"]) for r in registers)
    package: set[str] = {
        kind
        for kind, keys in _PACKAGE_BASELINES.items()
        if all(all(k in r.get("drift_check_baselines", {}) for k in keys) for r in registers)
    }
    multi_account = draw(st.booleans())
    kinds = ["endpoint"] * 3 + (["batch"] if batch_allowed else [])
    # A stage's serving mode: none (as before serving blocks) or one of the three; a serverless stage rules out
    # security.required (it needs a VPC), decided below.
    modes = ["none", "serverless", "realtime", "asynchronous", "variants"]
    stages: list[dict[str, Any]] = []
    for i, kind in enumerate(draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=4))):
        name = draw(st.sampled_from(["dev", "staging", "prod", "qa"])) + str(i)
        if kind == "batch" or not endpoint_types:
            stage = _batch_stage(draw, name) if batch_allowed else None
        else:
            in_accounts = multi_account and draw(st.booleans())
            mode = draw(st.sampled_from(modes))
            stage = _endpoint_stage(draw, name, endpoint_types, package, in_accounts, mode)
        if stage is None:
            continue
        _optional(draw, stage, "approval", st.sampled_from(["none", "manual"]))
        _optional(draw, stage, "test", st.booleans())
        stages.append(stage)
    # Drawn register steps for CPU and for GPU instances leave no type for an endpoint stage, and one
    # without ml.m5.xlarge among its transform instances none for a batch stage: a rare draw, dropped.
    assume(stages)
    deploy: dict[str, Any] = {"stages": stages}
    if draw(st.integers(0, 3)) > 0:
        deploy["sample_payload"] = "tests/sample.csv"
        code["tests/sample.csv"] = SAMPLE
    _optional(draw, deploy, "sample_content_type", st.sampled_from(["text/csv", "text/csv; charset=utf-8"]))
    _optional(draw, deploy, "model_execution_role", st.just("arn:aws:iam::111111111111:role/service-role/model-exec"))
    blueprint["deploy"] = deploy
    multi = any(s.get("accounts") or s.get("organizational_units") for s in stages)
    if multi:  # models read by other accounts are written to the artifact bucket (MLG313)
        for step in steps:
            if "output_path" in step and step["type"] in ("training", "tuning"):
                step["output_path"] = f"s3://{ARTIFACT_BUCKET}/models/{step['name']}"
            if step["type"] == "register_model" and str(step.get("model_data", "")).startswith("s3://bucket/"):
                step["model_data"] = f"s3://{ARTIFACT_BUCKET}/models/{step['name']}/model.tar.gz"
    blueprint["ci"] = _ci(draw)
    served = any(s.get("serving", {}).get("mode") == "serverless" for s in stages)
    required = not served and draw(st.integers(0, 3)) == 0
    if required or draw(st.booleans()):
        codepipeline = "codepipeline" in blueprint["ci"]["backends"]
        blueprint["security"] = _security(draw, required, multi, codepipeline, served)
    _operations(draw, blueprint, _Parameters(pipeline.get("parameters", {})))
    return blueprint, code
