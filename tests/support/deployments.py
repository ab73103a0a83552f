"""Who deploys which template and who runs which script, read from a generated tree (never a hand list).

- A CodePipeline ``CloudFormation`` action deploys its ``TemplatePath`` with its ``RoleArn``; a
  ``CloudFormationStackSet`` action deploys with the role named ``ExecutionRoleName`` (defined in
  another template of the tree: the target account's). The artifact file is traced back to the
  generated file through the ``cp`` commands of the build project that produced the artifact, and
  its parameters (``<stage>-config-export.json`` / ``<stage>-params-export.json``) to the
  ``--stage-config`` file ``<stage>-config.json`` that the build passes to ``deploy_config.py``.
- A CodeBuild project runs the ``python3 <script>`` lines of its buildspec as its service role; a
  Lambda function runs its inline code as its role.
- A Jenkinsfile's ``python3`` lines run with the Jenkins credential, which the README documents as
  "allowed what the CodePipeline roles are allowed": the union of the roles of the pipelines' template.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from tests.support.cfn_permissions import Resolver
from tests.support.iam_policy import Statement, statements


@dataclass
class Principal:
    """A role (or the documented Jenkins credential) and its identity-policy statements."""

    name: str
    policy: list[Statement] = field(default_factory=list)


@dataclass(frozen=True)
class Deployment:
    """``template`` (a path in the tree) deployed by ``principal`` with one stage's parameters."""

    template: str
    principal: str
    parameters: dict[str, str]
    stage: str


@dataclass(frozen=True)
class Run:
    """``script`` (a path in the tree, or ``template#logical id`` for inline code) run as ``principal``.

    ``command`` is the command line's words (empty for inline code): some calls depend on its flags.
    """

    script: str
    source: str
    principal: str
    command: tuple[str, ...] = ()


class Tree:
    """One generated example: its files, templates, roles, deployments and script runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def text(self, path: str) -> str:
        return (self.root / path).read_text()

    @cached_property
    def templates(self) -> dict[str, dict[str, Any]]:
        """Every CloudFormation template (YAML or JSON with a ``Resources`` mapping)."""
        out = {}
        for path in self.files:
            if path.endswith((".yml", ".yaml", ".json")):
                data = yaml.load(self.text(path), Loader=_LOADER)
                if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
                    out[path] = data
        return out

    @cached_property
    def region(self) -> str:
        for _, props in self._resources("AWS::CodeBuild::Project"):
            for variable in props.get("Environment", {}).get("EnvironmentVariables", []):
                if variable["Name"] == "AWS_REGION":
                    return str(variable["Value"])
        return "us-east-1"

    def find(self, referenced: str) -> str:
        """The file of this tree a CI path (relative to the repository root) points at."""
        matches = [f for f in self.files if referenced == f or referenced.endswith("/" + f)]
        assert matches, f"{self.root.name}: no generated file for {referenced!r}"
        return max(matches, key=len)

    def _resources(self, kind: str, template: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [
            (logical_id, resource.get("Properties", {}))
            for path, body in self.templates.items()
            if template in (None, path)
            for logical_id, resource in body["Resources"].items()
            if resource["Type"] == kind
        ]

    @cached_property
    def principals(self) -> dict[str, Principal]:
        """Roles by ``template#logical id``, their inline policies and the policies attached to them."""
        out: dict[str, Principal] = {}
        for path, body in self.templates.items():
            resolve = Resolver(body, {}, self.region)
            resources = body["Resources"]
            for logical_id, resource in resources.items():
                if resource["Type"] == "AWS::IAM::Role":
                    role = out.setdefault(f"{path}#{logical_id}", Principal(f"{path}#{logical_id}"))
                    for policy in resource.get("Properties", {}).get("Policies", []):
                        role.policy += statements(policy["PolicyDocument"], resolve)
            for resource in resources.values():
                if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                    props = resource["Properties"]
                    for ref in props.get("Roles", []):
                        if isinstance(ref, dict) and ref.get("Ref") in resources:
                            out[f"{path}#{ref['Ref']}"].policy += statements(props["PolicyDocument"], resolve)
        return out

    def _role_of(self, template: str, value: Any) -> str:
        """The role a ``Fn::GetAtt [Role, Arn]`` (or a role name) designates."""
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return f"{template}#{value['Fn::GetAtt'][0]}"
        for path, body in self.templates.items():
            for logical_id, resource in body["Resources"].items():
                if resource["Type"] == "AWS::IAM::Role" and resource["Properties"].get("RoleName") == value:
                    return f"{path}#{logical_id}"
        raise AssertionError(f"{self.root.name}/{template}: no role {value!r} in the tree")

    def _buildspec_commands(self, template: str, project: str) -> tuple[str, list[str], dict[str, str]]:
        props = dict(self._resources("AWS::CodeBuild::Project", template))[project]
        path = self.find(props["Source"]["BuildSpec"])
        spec = yaml.load(self.text(path), Loader=_LOADER)
        env = {v["Name"]: str(v["Value"]) for v in props["Environment"].get("EnvironmentVariables", [])}
        env |= {k: str(v) for k, v in spec.get("env", {}).get("variables", {}).items()}
        commands = [c for phase in spec.get("phases", {}).values() for c in phase.get("commands", [])]
        return path, commands, env

    @cached_property
    def deployments(self) -> list[Deployment]:
        out = []
        for template, props in [
            (t, p) for t in self.templates for _, p in self._resources("AWS::CodePipeline::Pipeline", t)
        ]:
            actions = [a for stage in props["Stages"] for a in stage["Actions"]]
            producers = {
                artifact["Name"]: action["Configuration"]["ProjectName"]["Ref"]
                for action in actions
                if action["ActionTypeId"]["Provider"] == "CodeBuild"
                for artifact in action.get("OutputArtifacts", [])
            }
            for action in actions:
                provider, config = action["ActionTypeId"]["Provider"], action["Configuration"]
                if provider not in ("CloudFormation", "CloudFormationStackSet"):
                    continue
                artifact, exported = config["TemplatePath"].split("::")
                _, commands, env = self._buildspec_commands(template, producers[artifact])
                copies, configs = {}, []
                for command in commands:
                    words = shlex.split(_expand(command, env))
                    if words[:1] == ["cp"] and len(words) == 3:
                        copies[words[2]] = words[1]
                    if "--stage-config" in words:
                        configs = [words[i + 1] for i, w in enumerate(words) if w == "--stage-config"]
                parameters_file = (config.get("TemplateConfiguration") or config["Parameters"]).split("::")[1]
                stage = re.sub(r"-(config|params)-export\.json$", "", parameters_file)
                (stage_config,) = [c for c in configs if c.rsplit("/", 1)[-1] == f"{stage}-config.json"]
                parameters = json.loads(self.text(self.find(stage_config)))["Parameters"]
                role = config.get("RoleArn") if provider == "CloudFormation" else config["ExecutionRoleName"]
                out.append(Deployment(self.find(copies[exported]), self._role_of(template, role), parameters, stage))
        return out

    @cached_property
    def runs(self) -> list[Run]:
        out = []
        started = {
            action["Configuration"]["ProjectName"]["Ref"]
            for _, props in self._resources("AWS::CodePipeline::Pipeline")
            for stage in props["Stages"]
            for action in stage["Actions"]
            if action["ActionTypeId"]["Provider"] == "CodeBuild"
        }
        for template in self.templates:
            for logical_id, props in self._resources("AWS::CodeBuild::Project", template):
                if logical_id not in started:
                    continue  # no action starts it (the smoke-test project of a project with batch stages only)
                _, commands, _ = self._buildspec_commands(template, logical_id)
                role = self._role_of(template, props["ServiceRole"])
                for script, words in _python_scripts(commands):
                    path = self.find(script)
                    out.append(Run(path, self.text(path), role, words))
            for logical_id, props in self._resources("AWS::Lambda::Function", template):
                if "ZipFile" in props.get("Code", {}):
                    role = self._role_of(template, props["Role"])
                    out.append(Run(f"{template}#{logical_id}", props["Code"]["ZipFile"], role))
        for path in self.files:
            if path.endswith("Jenkinsfile"):
                commands = re.findall(r"sh '(python3 \S+\.py.*)'$", self.text(path), re.MULTILINE)
                for script, words in _python_scripts(commands):
                    out.append(Run(self.find(script), self.text(self.find(script)), JENKINS, words))
        return out

    @cached_property
    def jenkins_credential(self) -> Principal | None:
        """The README's Jenkins credential: what the roles of the CodePipeline template are allowed."""
        pipelines = {t for t in self.templates if self._resources("AWS::CodePipeline::Pipeline", t)}
        if not pipelines:
            return None
        roles = [p for name, p in self.principals.items() if name.split("#")[0] in pipelines]
        policy = [s for role in roles for s in role.policy]
        # Managed policies the README says to attach to the Jenkins credential (JenkinsNotifyPolicy, ...).
        for body in self.templates.values():
            for logical_id, resource in body["Resources"].items():
                if resource["Type"] == "AWS::IAM::ManagedPolicy" and logical_id.startswith("Jenkins"):
                    policy += statements(resource["Properties"]["PolicyDocument"], Resolver(body, {}, self.region))
        return Principal(JENKINS, policy)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
JENKINS = "Jenkins credential (README: allowed what the CodePipeline roles are allowed, plus the Jenkins* policies)"


def _expand(command: str, env: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` replaced by the build's environment (others left as they are)."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), command)


def _python_scripts(commands: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """``(script, words)`` of each ``python3 <script>.py ...`` command (words split on blanks: flags only)."""
    out = []
    for command in commands:
        words = tuple(command.split())
        if words[:1] == ("python3",) and len(words) > 1 and words[1].endswith(".py"):
            out.append((words[1], words))
    return out
