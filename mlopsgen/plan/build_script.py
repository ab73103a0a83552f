"""Script-mode pieces of the Plan: a step's ``entry_point`` + ``source_dir`` → a content-addressed SourceBundle.

The folder is listed and read through the same boundary as code files (``ListCode``/``ReadCode``:
nothing outside the repository, no link out of it), packed with the runtime packer that CI runs
too (``runtime/sourcedir.py``), and addressed in S3 by the digest of the tar stream, like code
files by theirs. What cannot be packed is an issue located at the field that named it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from mlopsgen.blueprint import steps as spec
from mlopsgen.blueprint.checks import Issue
from mlopsgen.blueprint.loader import PathKey
from mlopsgen.plan import model as ir
from mlopsgen.plan.build_base import BuilderBase, CodeRefused
from mlopsgen.plan.images import is_algorithm
from mlopsgen.plan.naming import code_s3_uri
from mlopsgen.runtime import sourcedir

ListCode = Callable[[str], list[str] | None]
"""Lists the files under a blueprint-relative folder (paths relative to it), or None when it is no folder.

Raises ``CodeRefused`` for a folder that must not be read (a link out of the repository).
"""

RESERVED_HYPERPARAMETERS = ("sagemaker_program", "sagemaker_submit_directory")
"""What script mode writes into HyperParameters (the framework containers' contract)."""


class ScriptBuilder(BuilderBase):
    """Packs source directories once each, and turns a step's script-mode fields into ``ScriptMode``."""

    list_code: ListCode
    bundles: dict[str, ir.SourceBundle]

    def init_script(self, list_code: ListCode) -> None:
        """Set the folder lister (the builder's other readers come with its constructor)."""
        self.list_code = list_code
        self.bundles = {}

    def script(self, step: spec.TrainingBase, path: PathKey) -> ir.ScriptMode | None:
        """A training or tuning step's script mode, or None without one (MLG350-MLG354 when it is wrong)."""
        if step.entry_point is None and step.source_dir is None:
            return None
        if step.entry_point is None or step.source_dir is None:
            given, missing = ("entry_point", "source_dir") if step.source_dir is None else ("source_dir", "entry_point")
            self.issues.append(
                Issue(
                    "MLG350", (*path, given), f"script mode needs both entry_point and source_dir; {missing} is missing"
                )
            )
            return None
        if step.image.framework is not None and is_algorithm(step.image.framework):
            self.issues.append(
                Issue(
                    "MLG354",
                    (*path, "image", "framework"),
                    f"'{step.image.framework}' is a built-in algorithm, which runs no script",
                    "script mode needs a framework container (sklearn, xgboost) or an image.uri built for it.",
                    at_value=True,
                )
            )
        clashes = sorted(set(step.hyperparameters) & set(RESERVED_HYPERPARAMETERS))
        for name in clashes:
            self.issues.append(
                Issue(
                    "MLG353",
                    (*path, "hyperparameters", name),
                    f"hyperparameter '{name}' is set by script mode from entry_point and source_dir",
                )
            )
        bundle = self.source_bundle(step.source_dir, (*path, "source_dir"))
        if bundle is None:
            return None
        entry = self.entry_in_bundle(step.entry_point, bundle, path)
        return None if entry is None else ir.ScriptMode(bundle, entry)

    def entry_in_bundle(self, entry_point: str, bundle: ir.SourceBundle, path: PathKey) -> str | None:
        """The entry point as a path inside the packed folder, or None (MLG351) when the folder lacks it."""
        entry = entry_point.replace("\\", "/").removeprefix("./")
        if entry in dict(bundle.files):
            return entry
        self.issues.append(
            Issue(
                "MLG351",
                (*path, "entry_point"),
                f"entry_point '{entry_point}' is not a file in source_dir '{bundle.path}'",
                "entry_point is relative to source_dir; files: " + ", ".join(n for n, _ in bundle.files[:8]),
                at_value=True,
            )
        )
        return None

    def source_bundle(self, folder: str, path: PathKey) -> ir.SourceBundle | None:
        """A source directory packed and addressed by content (MLG352 unreadable, MLG352 too large)."""
        cleaned = folder.replace("\\", "/").removeprefix("./").rstrip("/") or "."
        if cleaned.startswith("/") or ".." in cleaned.split("/"):
            self._refuse(path, f"source_dir '{folder}' must stay inside the repository")
            return None
        if cleaned in self.bundles:
            return self.bundles[cleaned]
        try:
            names = self.list_code(cleaned)
        except CodeRefused as exc:
            self._refuse(path, f"source_dir '{cleaned}' {exc}")
            return None
        if names is None:
            self._refuse(
                path, f"source_dir '{cleaned}' is not a folder", "source_dir is relative to the blueprint file."
            )
            return None
        names = sorted(n for n in names if sourcedir.packed(n))
        if not names:
            self._refuse(path, f"source_dir '{cleaned}' holds no files to pack")
            return None
        if len(names) > sourcedir.MAX_FILES:
            self._refuse(path, f"source_dir '{cleaned}' holds {len(names)} files, more than {sourcedir.MAX_FILES}")
            return None
        contents: list[tuple[str, bytes]] = []
        total = 0
        for name in names:
            where = name if cleaned == "." else f"{cleaned}/{name}"
            try:
                data = self.read_code(where)
            except CodeRefused as exc:
                self._refuse(path, f"source_dir file '{where}' {exc}")
                return None
            if data is None:
                self._refuse(path, f"source_dir file '{where}' cannot be read")
                return None
            total += len(data)
            if total > sourcedir.MAX_BYTES:
                self._refuse(
                    path,
                    f"source_dir '{cleaned}' holds more than {sourcedir.MAX_BYTES // (1024 * 1024)} MB",
                    "data belongs in S3 (a channel or input), not in the code bundle.",
                )
                return None
            contents.append((name, data))
        digest = sourcedir.digest(sourcedir.pack_tar(contents))
        bundle = ir.SourceBundle(
            path=cleaned,
            sha256=digest,
            s3_uri=code_s3_uri(self.bucket, self.names.pipeline, digest, sourcedir.ARCHIVE_NAME),
            files=tuple((name, hashlib.sha256(data).hexdigest()) for name, data in contents),
        )
        self.bundles[cleaned] = bundle
        return bundle

    def bundle_files(self) -> tuple[ir.CodeFile, ...]:
        """Every packed file as a code file, for the CI triggers (a change to any of them reruns the build)."""
        return tuple(
            ir.CodeFile(name if b.path == "." else f"{b.path}/{name}", sha, b.s3_uri)
            for b in sorted(self.bundles.values(), key=lambda b: b.path)
            for name, sha in b.files
        )

    def _refuse(self, path: PathKey, message: str, hint: str = "") -> None:
        self.issues.append(Issue("MLG352", path, message, hint, at_value=True))
