"""State shared while one definition is imported: the project it implies, findings, code files, security.

The step importers (``jobs.py``, ``models.py``, ``flow.py``) read values through ``Context.value`` so that
every expression is converted in one place and every problem becomes a finding with the step's name and
the JSON path of the value, never an exception that loses where it happened.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Any

from mlopsgen.frozen import frozen
from mlopsgen.importing.values import NotExpressible, value

PROJECTS_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/service-role/AmazonSageMakerProjectsExecutionRole$")
ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")
IMAGE_REGION = re.compile(r"^\d{12}\.dkr\.ecr\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com")
CODE_DIR = "/opt/ml/processing/input/code"


@frozen
class Finding:
    """Something in the definition the imported blueprint does not express.

    Attributes:
        code: ``MLG6xx``.
        step: The step it belongs to ("" for the pipeline as a whole).
        json_path: Where in the definition, e.g. ``Steps[Train].Arguments.RetryStrategy``.
        message: Why it cannot be expressed.
    """

    code: str
    step: str
    json_path: str
    message: str


@frozen
class CodeFile:
    """A code file a step reads from S3: where the imported blueprint expects it, and where it is now."""

    path: str
    """Relative to the blueprint (``code/preprocess.py``), or a source folder (``code/Train/src``)."""
    s3_uri: str
    folder: bool = False
    """True for a script-mode ``sourcedir.tar.gz`` (unpacked into ``path``)."""
    entry_point: str = ""
    """The script inside a source folder."""
    other_entry_points: tuple[str, ...] = ()
    """Scripts other steps run from the same folder."""

    @property
    def entry_points(self) -> tuple[str, ...]:
        """Every script steps run from this source folder."""
        return (self.entry_point, *self.other_entry_points) if self.entry_point else self.other_entry_points


@dataclass
class Context:
    """What importing one definition has learnt so far."""

    project_name: str
    project_id: str
    findings: list[Finding] = field(default_factory=list)
    code: dict[str, CodeFile] = field(default_factory=dict)
    """S3 URI → the code file it becomes."""
    step_types: dict[str, str] = field(default_factory=dict)
    """Step name → blueprint type, in definition order."""
    roles: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    security: dict[str, Any] = field(default_factory=dict)
    """Security settings seen on jobs (``vpc``, ``volume``, ``output``, ``encrypt``, ``isolation``)."""
    buckets: list[str] = field(default_factory=list)
    helpers: dict[str, bytes] = field(default_factory=dict)
    """Downloaded helper files by S3 URI (a framework processor's runproc.sh), when the user asked."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Definition URI → the token the round trip compares it as (helpers mlopsgen regenerates itself)."""
    clarify_monitoring: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Clarify step name → (check, digest of the monitoring configuration its downloaded settings imply)."""

    @property
    def pipeline(self) -> str:
        """The pipeline name mlopsgen derives: ``<project>-<id>`` (plan/naming.py)."""
        return f"{self.project_name}-{self.project_id}"

    @property
    def bucket(self) -> str:
        """The artifact bucket the definition's own default paths use (first seen), else the default."""
        return self.buckets[0] if self.buckets else f"sagemaker-project-{self.project_id}"

    def lose(self, step: str, json_path: str, message: str, code: str = "MLG601") -> None:
        """Record a finding."""
        self.findings.append(Finding(code, step, json_path, message))

    def value(self, node: Any, step: str, json_path: str) -> Any:
        """Convert one value; on failure record a finding and return None.

        Args:
            node: The definition value.
            step: The step it belongs to.
            json_path: Its JSON path, for the finding.

        Returns:
            The blueprint value, or None when it cannot be written.
        """
        try:
            return value(node, self.step_types)
        except NotExpressible as exc:
            self.lose(step, json_path + exc.path, exc.why)
            return None

    def mapping(self, node: Any, step: str, json_path: str) -> dict[str, Any]:
        """A ``{KEY: value}`` map (environment, hyperparameters) converted value by value."""
        if not isinstance(node, dict):
            return {}
        return {k: self.value(v, step, f"{json_path}.{k}") for k, v in node.items()}

    def role(self, arn: Any) -> None:
        """Note a job's role (the blueprint has one pipeline role; a second is a finding at verification)."""
        if isinstance(arn, str) and arn not in self.roles:
            self.roles.append(arn)

    def image(self, uri: Any) -> None:
        """Note an image URI's region (the project's region, when nothing else names it)."""
        match = IMAGE_REGION.match(uri) if isinstance(uri, str) else None
        if match and match.group(1) not in self.regions:
            self.regions.append(match.group(1))

    def code_file(self, uri: str, step: str, *, folder: bool = False, entry_point: str = "") -> str:
        """The blueprint path of a code file at ``uri`` (the same URI always gives the same path).

        Code lands under ``code/``: a file keeps its base name unless another URI took it (then it goes
        under ``code/<step>/``); a source archive becomes the folder ``code/<step>``.
        """
        known = self.code.get(uri)
        if known is not None:
            if folder and entry_point not in known.entry_points:  # another step runs another script from it
                self.code[uri] = replace(known, other_entry_points=(*known.other_entry_points, entry_point))
            return known.path
        taken = {c.path for c in self.code.values()}
        base = posixpath.basename(uri.rstrip("/"))
        if base in ("", ".", "..") or "\\" in base:  # the path is written to disk by --download
            base = "code.py"
        path = f"code/{step}" if folder else f"code/{base}"
        if path in taken:
            path = f"code/{step}/{base}" if not folder else f"code/{step}-{len(taken)}"
        self.code[uri] = CodeFile(path, uri, folder, entry_point)
        return path
