"""Generated deploy sections (issue 16): every drawn blueprint validates, renders byte-stable output that
cfn-lint, the Guard pack (with ``security.required``), the Jenkins/CodePipeline parity checks and the
permission sufficiency checks all pass; and a hostile string put into any deploy or operations value
is refused at its line or lands intact in output that still parses.

The blueprints come from ``tests/support/deploy_strategy.py`` (a drawn pipeline from blueprint_strategy
plus 1-4 drawn stages, each endpoint stage in a drawn serving mode, CI, security and operations). The
examples are drawn once per module (``derandomize``), rendered, written to a temporary tree and checked
in batches: one cfn-lint runner, one JVM for every Groovy file. ``MLOPSGEN_DEPLOY_EXAMPLES`` raises the
budget (default 50).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen
import mlopsgen.api
from mlopsgen.audit import audit_files
from mlopsgen.plan.model import Plan, Stage
from mlopsgen.plan.model_monitoring import KINDS
from mlopsgen.targets.endpoint_rollout import ALARMS as ROLLBACK_ALARMS
from mlopsgen.targets.iam import MONITOR_JOB_DEFINITIONS
from mlopsgen.targets.iam_stages import TemplateGrants, template_grants
from tests import test_jenkins as jenkins_checks
from tests import test_permissions as permission_checks
from tests.conftest import ROOT
from tests.support.cfn import lint
from tests.support.deploy_strategy import deploy_blueprints
from tests.support.deployments import Tree
from tests.support.endpoint_stack import StageStack
from tests.support.groovy import GroovyResult, parse_groovy
from tests.test_hostile_fuzz import _check_outputs, _dump, _get, _paths, _replace

EXAMPLES = int(os.environ.get("MLOPSGEN_DEPLOY_EXAMPLES", "50"))
MUTATIONS = 5 * min(EXAMPLES, 40)
LINTED_MUTATIONS = min(EXAMPLES, 40)
NAME = "gen.yaml"
TEMPLATE = "model-deploy/endpoint-config-template.yml"
LOCATED = re.compile(rf"^{re.escape(NAME)}:[0-9]+:[0-9]+: MLG[1-4][0-9]{{2}} \S")


@dataclass
class Drawn:
    """One drawn blueprint as YAML text, its code files and what it rendered to."""

    text: str
    code: dict[str, bytes]
    files: dict[str, str | bytes] = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)
    stable: bool = True

    @property
    def key(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load(self.text)
        return loaded


def _draw(count: int) -> list[Drawn]:
    drawn: dict[str, Drawn] = {}

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(deploy_blueprints())
    def collect(example: tuple[dict[str, Any], dict[str, bytes]]) -> None:
        blueprint, code = example
        item = Drawn(_dump(blueprint), code)
        first = mlopsgen.render(item.text, code=code, name=NAME)
        if not first.ok:
            item.diagnostics = [d.format() for d in first.diagnostics]
        else:
            item.files = dict(first.files)
            item.stable = mlopsgen.render(item.text, code=code, name=NAME).files == first.files
        drawn.setdefault(item.key, item)

    collect()
    return list(drawn.values())


@pytest.fixture(scope="module")
def drawn() -> list[Drawn]:
    return _draw(EXAMPLES)


@pytest.fixture(scope="module")
def rendered(drawn: list[Drawn]) -> list[Drawn]:
    return [d for d in drawn if d.files]


@pytest.fixture(scope="module")
def trees(rendered: list[Drawn], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tree]:
    """Each rendered blueprint written out as a generated tree (what the permission checks read)."""
    root = tmp_path_factory.mktemp("deploy-generated")
    out = {}
    for item in rendered:
        for path, content in item.files.items():
            target = root / item.key / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        out[item.key] = Tree(root / item.key)
    return out


def test_every_drawn_blueprint_validates_and_renders_byte_stable(drawn: list[Drawn]) -> None:
    failed = [f"{d.text}\n--> " + "\n--> ".join(d.diagnostics) for d in drawn if d.diagnostics]
    assert not failed, "the generator drew invalid blueprints:\n" + "\n\n".join(failed[:3])
    assert all(d.stable for d in drawn), [d.text for d in drawn if not d.stable][:1]
    assert len(drawn) >= EXAMPLES // 2, f"only {len(drawn)} distinct blueprints drawn"


def test_the_draws_cover_the_deploy_language(rendered: list[Drawn]) -> None:
    """The checks below would pass vacuously if the generator stopped drawing a construct."""
    seen: set[str] = set()
    for item in rendered:
        data = item.data
        for stage in data["deploy"]["stages"]:
            seen |= {key for key in ("batch", "rollout", "monitoring", "autoscaling", "accounts") if key in stage}
            seen |= {f"monitor:{k}" for k in stage.get("monitoring", {}) if k.startswith(("data_", "model_"))}
            if "organizational_units" in stage:
                seen.add("organizational_units")
            serving = stage.get("serving")
            if serving:
                mode = serving["mode"]
                seen.add(f"serving:{mode}")
                seen |= {f"serving:{key}" for key in ("variants", "shadow_variants") if serving.get(key)}
                seen |= {f"{mode}+{key}" for key in ("rollout", "monitoring", "autoscaling") if key in stage}
                if len(serving.get("variants", [])) > 1:
                    seen |= {"variants+autoscaling"} if "autoscaling" in stage else set()
                    seen |= {"variants+step_instances"} if "step_instances" in stage.get("rollout", {}) else set()
                if "accounts" in stage or "organizational_units" in stage:
                    seen.add(f"{mode}+other accounts")
                if stage.get("data_capture", True) is not False:
                    seen.add(f"{mode}+data_capture")
        seen |= {key for key in ("schedules", "on_new_data") if key in data["pipeline"]}
        seen |= {key for key in ("notifications",) if key in data}
        if data.get("security", {}).get("required"):
            seen.add("required")
        if len(data["ci"]["backends"]) == 2:
            seen.add("both backends")
    # 50 draws by default (EXAMPLES): since the pipeline generator grew (serving, debugger draws) the first 40 had
    # no stack-set stage; at 50 they do, and found the two permission faults pinned in test_deploy_generated_cases.
    expected = {"batch", "rollout", "monitoring", "autoscaling", "accounts", "organizational_units", "schedules"}
    expected |= {"on_new_data", "notifications", "required", "both backends", "monitor:data_quality"}
    expected |= {"monitor:model_quality", "monitor:model_bias", "monitor:model_explainability"}
    # Every serving mode, and each beside what the language lets it take (MLG317, MLG323, MLG348).
    expected |= {"serving:realtime", "serving:serverless", "serving:asynchronous", "serving:variants"}
    expected |= {"serving:shadow_variants", "realtime+rollout", "realtime+monitoring", "realtime+autoscaling"}
    expected |= {"realtime+data_capture", "realtime+other accounts", "serverless+rollout", "serverless+other accounts"}
    expected |= {"asynchronous+rollout", "asynchronous+monitoring", "asynchronous+data_capture"}
    expected |= {"variants+autoscaling", "variants+step_instances"}  # each variant scales and takes the step
    assert expected <= seen, sorted(expected - seen)


def _templates(item: Drawn) -> Iterator[tuple[str, str]]:
    for path, content in sorted(item.files.items()):
        if path.endswith(".yml") and isinstance(content, str) and "AWSTemplateFormatVersion" in content:
            yield path, content


def test_every_template_passes_cfn_lint(rendered: list[Drawn]) -> None:
    findings: list[str] = []
    seen: set[str] = set()
    for item in rendered:
        region = item.data["project"]["region"]
        for path, content in _templates(item):
            if content in seen:
                continue
            seen.add(content)
            findings += [f"{item.key}/{path}: {f}" for f in lint(content, region)]
    assert seen
    assert not findings, "\n".join(findings[:20]) + "\n\n" + _first_text(rendered, findings)


def test_every_autoscaled_stage_scales_each_of_its_production_variants(rendered: list[Drawn]) -> None:
    """One scalable target with one target-tracking policy per production variant of a stage that scales (stage
    ``autoscaling`` or an asynchronous ``serving.scaling``), none for the others, as CloudFormation evaluates the
    shared template for the stage's parameters."""
    wrong: list[str] = []
    for item in rendered:
        for stage in item.data["deploy"]["stages"]:
            if "batch" in stage:
                continue
            serving = stage.get("serving", {})
            scales = "autoscaling" in stage or "scaling" in serving
            names = [v["name"] for v in serving.get("variants", [])] or ["AllTraffic"]
            other_accounts = "accounts" in stage or "organizational_units" in stage
            path = "model-deploy/endpoint-stackset-template.yml" if other_accounts else TEMPLATE
            template, config = item.files[path], item.files[f"model-deploy/{stage['name']}-config.json"]
            assert isinstance(template, str) and isinstance(config, str)
            stack = StageStack(yaml.safe_load(template), json.loads(config)["Parameters"])
            found = {target: len(policies) for target, policies in stack.scaled_variants().items()}
            expected = {f"endpoint/{stack.endpoint}/variant/{name}": 1 for name in names} if scales else {}
            if found != expected:
                wrong.append(f"{item.key} stage {stage['name']}: {found} != {expected}\n{item.text}")
    assert not wrong, "\n".join(wrong[:2])


def _first_text(rendered: list[Drawn], findings: list[str]) -> str:
    key = re.split("[/:]", findings[0], maxsplit=1)[0] if findings else ""
    return next((d.text for d in rendered if d.key == key), "")


def test_security_required_passes_the_guard_pack(rendered: list[Drawn], trees: dict[str, Tree]) -> None:
    required = [d for d in rendered if d.data.get("security", {}).get("required")]
    assert required
    failures = []
    for item in required:
        findings, checked = audit_files([trees[item.key].root])
        assert checked
        failures += [f"{item.key}: {f.file}: {f.rule} {f.resource}: {f.message}" for f in findings]
    assert not failures, "\n".join(failures[:20]) + "\n\n" + _first_text(required, failures)


@pytest.fixture(scope="module")
def groovy(rendered: list[Drawn]) -> dict[str, GroovyResult]:
    files = {
        f"{item.key}/{path}": content
        for item in rendered
        for path, content in item.files.items()
        if path in jenkins_checks.JENKINSFILES + jenkins_checks.SEED_JOBS and isinstance(content, str)
    }
    return parse_groovy(files)


def test_jenkins_and_codepipeline_do_the_same(rendered: list[Drawn], groovy: dict[str, GroovyResult]) -> None:
    """The parity properties tests/test_jenkins.py checks on the examples, on every drawn blueprint."""
    both = [d for d in rendered if {"model-deploy/jenkins/Jenkinsfile", "infrastructure/project.yml"} <= set(d.files)]
    assert both
    jenkins_checks.test_every_groovy_file_compiles(groovy)
    jenkins_checks.test_jenkinsfiles_are_declarative_with_known_steps(groovy)
    files = {d.key: {p: c for p, c in d.files.items() if isinstance(c, str)} for d in both}
    for item in both:
        try:
            jenkins_checks.test_parity_with_codepipeline(item.key, files, groovy)
            jenkins_checks.test_jenkins_waits_as_long_as_each_rollout_may_take(
                SimpleNamespace(stem=item.key),  # type: ignore[arg-type]
                files,
                groovy,
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n\n{item.text}") from error


def _codepipeline(rendered: list[Drawn]) -> list[Drawn]:
    """The blueprints whose deploying roles are generated (with Jenkins alone, the credential is the user's)."""
    return [d for d in rendered if "infrastructure/project.yml" in d.files]


def test_deploying_and_running_roles_hold_what_they_need(rendered: list[Drawn], trees: dict[str, Tree]) -> None:
    for item in _codepipeline(rendered):
        tree = trees[item.key]
        try:
            permission_checks.test_deploying_roles_hold_what_the_resource_providers_need(tree)
            permission_checks.test_script_roles_allow_every_api_call(tree)
        except AssertionError as error:
            raise AssertionError(f"{error}\n\n{item.text}") from error


def test_deploying_roles_are_granted_nothing_no_check_needs(rendered: list[Drawn], trees: dict[str, Tree]) -> None:
    for item in _codepipeline(rendered):
        try:
            permission_checks.test_deploying_roles_are_granted_nothing_no_check_needs(trees[item.key])
        except AssertionError as error:
            raise AssertionError(f"{error}\n\n{item.text}") from error


# --- one rule for the roles deploying the stage template ---------------------------------------------------


def _in_project_account(stage: Stage) -> bool:
    return stage.batch is None and stage.targets is None


def _in_target_accounts(stage: Stage) -> bool:
    return stage.targets is not None


# Each role that deploys stage stacks, the template it deploys them from, and which stages are its own.
STAGE_TEMPLATE_ROLES: dict[str, tuple[str, Callable[[Stage], bool]]] = {
    "infrastructure/project.yml#CloudFormationRole": (
        "model-deploy/endpoint-config-template.yml",
        _in_project_account,
    ),
    "infrastructure/target-account.yml#StackSetExecutionRole": (
        "model-deploy/endpoint-stackset-template.yml",
        _in_target_accounts,
    ),
}
MONITOR_PARTS = {part: kind for kind, (part, _) in MONITOR_JOB_DEFINITIONS.items()}


def _role_grants(role: dict[str, Any]) -> tuple[TemplateGrants, list[str]]:
    """What a role's policy grants of the stage template, and the resources of its schedule statement."""
    policy = {s["Sid"]: s for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    created = policy.get("CreateProjectMonitorJobs", {"Action": []})["Action"]
    parts = {m.group(1) for m in (re.fullmatch(r"sagemaker:Create(\w+)JobDefinition", a) for a in created) if m}
    schedules = policy.get("ManageMonitoringSchedules", {"Resource": []})["Resource"]
    grants = TemplateGrants(
        tuple(kind for kind in KINDS if MONITOR_JOB_DEFINITIONS[kind][0] in parts),
        "ManageMonitorAlarms" in policy,
        "RollbackAlarms" in policy,
    )
    return grants, [r["Fn::Sub"] if isinstance(r, dict) else r for r in schedules]


def _template_holds(template: dict[str, Any]) -> TemplateGrants:
    """What the stage template can create, read from its resources (the rule's "template-wide")."""
    resources = template["Resources"]
    kinds = {
        MONITOR_PARTS[r["Type"].removeprefix("AWS::SageMaker::").removesuffix("JobDefinition")]
        for r in resources.values()
        if r["Type"].endswith("JobDefinition")
    }
    return TemplateGrants(
        tuple(kind for kind in KINDS if kind in kinds),
        any(re.fullmatch(rf"({'|'.join(MONITOR_PARTS)})Alarm[0-9]+", logical_id) for logical_id in resources),
        any(logical_id in resources for logical_id in ROLLBACK_ALARMS),
    )


def check_stage_template_grants(plan: Plan, files: dict[str, str | bytes], tree: Tree) -> set[str]:
    """The project's CloudFormation role and the stack-set execution role take their monitor kinds, monitor
    alarms and rollback alarms from one rule (targets/iam_stages.template_grants) for the stages each deploys:
    what the stage template holds when the role deploys any stage of it, and nothing otherwise; the schedules
    they may manage are those of their own stages.

    Returns:
        What was seen (``<role>:deploys``, ``<role>:<monitor kind>``, ``<role>:monitor_alarms`` ...), so a caller
        can tell a vacuous pass.
    """
    assert plan.deploy is not None
    stages = plan.deploy.stages
    seen: set[str] = set()
    for role_id, (template_path, deploys) in STAGE_TEMPLATE_ROLES.items():
        path, logical_id = role_id.split("#")
        text = files.get(path)
        if text is None:
            continue
        assert isinstance(text, str)
        deployed = [s for s in stages if deploys(s)]
        # Who deploys which stage, as the generated pipeline wires it (CodePipeline; Jenkins runs the same).
        wired = {d.stage for d in tree.deployments if d.principal == role_id and d.template == template_path}
        assert not wired or wired == {s.name for s in deployed}, (role_id, wired)
        grants, schedules = _role_grants(yaml.safe_load(text)["Resources"][logical_id])
        assert grants == template_grants(stages, deployed), role_id
        if deployed:
            template = files[template_path]
            assert isinstance(template, str)
            assert grants == _template_holds(yaml.safe_load(template)), f"{role_id} vs {template_path}"
        else:
            assert grants == TemplateGrants((), False, False), role_id
        scoped = {s.name for s in deployed} if grants.monitor_kinds else set()
        name = plan.project.name.lower()
        assert {arn.rsplit(f":monitoring-schedule/{name}-", 1)[-1] for arn in schedules} == {
            f"{stage}-*" for stage in scoped
        }, role_id
        seen |= {f"{role_id}:{'deploys' if deployed else 'idle'}"}
        seen |= {f"{role_id}:{kind}" for kind in grants.monitor_kinds}
        seen |= {f"{role_id}:{flag}" for flag in ("monitor_alarms", "rollback_alarms") if getattr(grants, flag)}
    return seen


def test_roles_deploying_the_stage_template_are_granted_by_one_rule(
    rendered: list[Drawn], trees: dict[str, Tree]
) -> None:
    """check_stage_template_grants on every drawn blueprint: two copies of the rule drifted three times."""
    seen: set[str] = set()
    for item in rendered:
        plan, diagnostics = mlopsgen.api.plan_blueprint(item.text, code=item.code, name=NAME)
        assert plan is not None, diagnostics
        try:
            seen |= check_stage_template_grants(plan, item.files, trees[item.key])
        except AssertionError as error:
            raise AssertionError(f"{error}\n\n{item.text}") from error
    # Vacuous unless both roles were seen deploying, with monitors, monitor alarms and rollback alarms.
    for role_id in STAGE_TEMPLATE_ROLES:
        wanted = {f"{role_id}:{what}" for what in ("deploys", "data_quality", "monitor_alarms", "rollback_alarms")}
        assert wanted <= seen, sorted(wanted - seen)


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "generated").iterdir() if p.is_dir()))
def test_the_examples_roles_deploying_the_stage_template_are_granted_by_one_rule(example: str) -> None:
    """The same rule on the committed examples (fraud_secure and hub_spoke have both roles)."""
    plan, diagnostics = mlopsgen.api.plan_blueprint(ROOT / "blueprints" / f"{example}.yaml")
    assert plan is not None, diagnostics
    generated = ROOT / "generated" / example
    files: dict[str, str | bytes] = {
        p.relative_to(generated).as_posix(): p.read_text() for p in generated.rglob("*.yml") if p.is_file()
    }
    check_stage_template_grants(plan, files, Tree(generated))


# --- mutations: a hostile string in one deploy or operations value --------------------------------------

HOSTILE = [
    'it\'s "quoted"',
    "${AWS::AccountId}",
    "${env.SECRET}",
    "$(id)",
    "`id`",
    "back\\slash\\",
    "line1\nline2",
    '"""',
    "'''",
    "#{x}",
    "$HOME",
    "a;b|c&d",
    ": - [x] {y: z} & *a ! | > % @ `",
    "null",
    "on",
    "0123",
    "~",
    "<script>alert(1)</script> **bold** | cell |",
    "x" * 300,
    "y" * 900,
    "\u2028sep",
]
SECTIONS = (("deploy",), ("notifications",), ("pipeline", "schedules"), ("pipeline", "on_new_data"))


def _string_paths(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        path
        for path in _paths(data)
        if any(path[: len(s)] == s for s in SECTIONS) and isinstance(_get(data, path), str)
    ]


@st.composite
def _mutations(draw: st.DrawFn, sources: list[Drawn]) -> tuple[str, str, dict[str, bytes], bool]:
    """A drawn valid blueprint (YAML text) with one deploy/operations string changed, and the hostile part."""
    source = draw(st.sampled_from(sources))
    data = source.data
    path = draw(st.sampled_from(_string_paths(data)))
    original: str = _get(data, path)
    hostile = draw(st.sampled_from(HOSTILE))
    where = draw(st.sampled_from(["replace", "prefix", "suffix", "middle"]))
    value = {
        "replace": hostile,
        "prefix": hostile + original,
        "suffix": original + hostile,
        "middle": original[: len(original) // 2] + hostile + original[len(original) // 2 :],
    }[where]
    # Where the original lands in the source's output, the changed value must land intact; some values
    # land nowhere (a sample content type without a sample payload).
    groovy = [c for p, c in source.files.items() if p.endswith(("Jenkinsfile", ".groovy")) and isinstance(c, str)]
    lands = _lands_intact(original, source.files, groovy)
    return _dump(_replace(data, path, value, key=False)), value, source.code, lands


def _strings(node: Any, fn_sub: bool = False) -> Iterator[str]:
    """Every text in parsed output, decoded: Fn::Sub escapes undone, JSON in text and shell words opened."""
    if isinstance(node, dict):
        join = node.get("Fn::Join")
        if len(node) == 1 and isinstance(join, list) and all(isinstance(p, str) for p in join[1]):
            yield join[0].join(join[1])
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value, fn_sub or key == "Fn::Sub")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, fn_sub and index == 0)
    elif isinstance(node, str):
        text = node.replace("${!", "${") if fn_sub else node
        yield text
        if text[:1] in "{[" and len(text) < 200_000:
            try:
                yield from _strings(json.loads(text))
            except ValueError:
                pass
        try:
            yield from shlex.split(text)
        except ValueError:
            pass


def _lands_intact(value: str, files: dict[str, str | bytes], groovy_strings: list[str]) -> bool:
    if value.startswith("s3://") and value.count("/") >= 3 and value.split("/", 3)[3]:
        # An S3 URI may land as its bucket and key apart (the new-data rule's event pattern).
        if _lands_intact(value.split("/", 3)[3], files, groovy_strings):
            return True
    for path, content in files.items():
        if not isinstance(content, str):
            continue
        if path.endswith(".json"):
            parsed: Any = json.loads(content)
        elif path.endswith((".yml", ".yaml")):
            parsed = yaml.safe_load(content)
        else:
            parsed = content if path.endswith((".md", ".mmd")) else None
        if parsed is not None and any(value in s for s in _strings(parsed)):
            return True
    return any(value in s for s in groovy_strings)


def test_hostile_deploy_values_are_refused_at_their_line_or_land_intact(rendered: list[Drawn]) -> None:
    sources = [d for d in rendered if _string_paths(d.data)]
    outcomes = {"valid": 0, "refused": 0}
    accepted: list[tuple[str, str, dict[str, str | bytes]]] = []
    groovy: dict[str, str] = {}

    @settings(
        max_examples=MUTATIONS, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(_mutations(sources))
    def run(mutation: tuple[str, str, dict[str, bytes], bool]) -> None:
        text, value, code, lands = mutation
        result = mlopsgen.render(text, code=code, name=NAME)
        if not result.ok:
            outcomes["refused"] += 1
            for diagnostic in result.diagnostics:
                line = diagnostic.format().split("\n    hint: ")[0]
                assert diagnostic.pos is not None and LOCATED.match(line), (line, text)
            return
        outcomes["valid"] += 1
        before = len(groovy)
        _check_outputs(result.files, groovy, [])
        accepted.append((text, value if lands else "", result.files))
        for name in list(groovy)[before:]:
            groovy[f"{len(accepted) - 1}|{name}"] = groovy.pop(name)

    run()
    assert outcomes["valid"] and outcomes["refused"], outcomes
    parsed = parse_groovy(groovy)
    broken = {name: r.describe(name) for name, r in parsed.items() if not r.ok}
    assert not broken, "\n".join(broken.values())
    lost = []
    for index, (text, value, files) in enumerate(accepted):
        strings = [
            s
            for name, result in parsed.items()
            if name.startswith(f"{index}|")
            for s in _strings(json.loads(json.dumps(result.tree)))
        ]
        if not _lands_intact(value, files, strings):
            lost.append(f"{value!r} not found intact in any output of:\n{text}")
    assert not lost, "\n\n".join(lost[:3])
    # The templates a hostile value lands in still satisfy CloudFormation's resource schemas (property
    # patterns and lengths included): a sample, one lint runner.
    findings: list[str] = []
    linted = 0
    for text, value, files in accepted:
        region = yaml.safe_load(text)["project"]["region"]
        for path, content in _templates(Drawn(text, {}, files)):
            if value in content or json.dumps(value)[1:-1] in content:
                if linted < LINTED_MUTATIONS:
                    linted += 1
                    findings += [f"{path}: {f}\n{text}" for f in lint(content, region)]
    assert not findings, "\n\n".join(findings[:3])
    print(f"deploy mutations: {outcomes}")
