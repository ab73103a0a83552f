"""Regenerate mlopsgen/plan/framework_images.json from the pinned SageMaker SDK's own image_uris.retrieve.

The script-mode framework containers (PyTorch, TensorFlow, Hugging Face) are chosen by version, Python
version and processor, every combination the SDK's image tables list for training (``frameworks``) and
for inference (``inference``: the serving containers a model trained in script mode is registered with),
in every commercial region. Run with the sdk extra installed: ``python scripts/sync_framework_images.py``;
tests/unit/plan/test_framework_images.py checks the table against the SDK again.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from sagemaker.core import image_uris  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(image_uris.__file__).resolve().parent / "image_uri_config"
FRAMEWORKS = ("pytorch", "tensorflow", "huggingface")
INSTANCE = {"cpu": "ml.m5.xlarge", "gpu": "ml.p3.2xlarge"}
"""An instance type the SDK maps to each processor (``image_uris._processor``)."""


SCOPES = {"frameworks": "training", "inference": "inference"}
"""The table's key → the SDK's image scope."""


def _combinations(name: str, scope: str) -> list[tuple[str, str | None, dict]]:
    """(version, Hugging Face base framework or None, the version's config) for every version of a scope.

    The SDK's ``version_aliases`` ("2.3" for "2.3.0") are versions in their own right: ``retrieve``
    looks the alias up as its full version but writes the alias into the tag ("2.3-cpu-py311", the
    containers' floating tag for the latest patch), so an alias is listed with its own tag. The same
    holds for Hugging Face's base framework aliases ("pytorch1.6" for "pytorch1.6.0").
    """
    config = json.loads((CONFIG / f"{name}.json").read_text())[scope]
    versions = config["versions"]
    named = {**versions, **{a: versions[f] for a, f in config.get("version_aliases", {}).items() if f in versions}}
    out = []
    for version, spec in sorted(named.items()):
        if name != "huggingface":
            out.append((version, None, spec))
            continue
        bases = {b: s for b, s in spec.items() if b != "version_aliases" and isinstance(s, dict) and "registries" in s}
        bases.update({a: bases[f] for a, f in spec.get("version_aliases", {}).items() if f in bases})
        for base, base_spec in sorted(bases.items()):
            out.append((version, base, base_spec))
    return out


def main() -> int:
    accounts: dict[str, dict] = {}
    tables = {key: _scope(scope, accounts) for key, scope in SCOPES.items()}
    out = {
        "source": "sagemaker==3.27.0 sagemaker.core.image_uris.retrieve(image_scope='training' for frameworks, "
        "'inference' for inference), per py_version and processor; Hugging Face versions are "
        "'<transformers>-<base framework>'",
        "registries": {v["id"]: v["regions"] for v in accounts.values()},
        **tables,
    }
    path = ROOT / "mlopsgen" / "plan" / "framework_images.json"
    path.write_text(json.dumps(out, indent=0, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


def _scope(scope: str, accounts: dict[str, dict]) -> dict[str, dict]:
    """framework → version → py_version → processor → [registry id, repository, tag] for one image scope."""
    table: dict[str, dict] = {}
    for name in FRAMEWORKS:
        processors = json.loads((CONFIG / f"{name}.json").read_text())[scope]["processors"]
        entries: dict[str, dict] = {}
        for version, base, spec in _combinations(name, scope):
            key = f"{version}-{base}" if base else version
            # Inference images without a Python version (TensorFlow Serving) are filed under "".
            for py in spec.get("py_versions") or ([None] if scope == "inference" else []):
                for processor in processors:
                    if processor not in INSTANCE:
                        continue
                    regions = {
                        r: a
                        for r, a in sorted(spec["registries"].items())
                        if not r.startswith(("cn-", "us-iso", "eu-isoe", "us-gov"))
                    }
                    kwargs = {"base_framework_version": base} if base else {}
                    # One retrieve per combination gives the repository and tag (the same in every
                    # region); the accounts are the config's registries, which retrieve reads too.
                    probe = "eu-west-1" if "eu-west-1" in regions else next(iter(regions), "")
                    try:
                        uri = image_uris.retrieve(
                            name,
                            region=probe,
                            version=version,
                            py_version=py,
                            instance_type=INSTANCE[processor],
                            image_scope=scope,
                            **kwargs,
                        )
                    except Exception:  # the SDK refuses some combinations; leave them out
                        continue
                    host, _, image = uri.partition("/")
                    if host != f"{regions[probe]}.dkr.ecr.{probe}.amazonaws.com":
                        continue
                    repo, _, tag = image.partition(":")
                    if not regions:
                        continue
                    registry = json.dumps(regions, sort_keys=True)
                    accounts.setdefault(registry, {"id": f"r{len(accounts)}", "regions": regions})
                    entries.setdefault(key, {}).setdefault(py or "", {})[processor] = [
                        accounts[registry]["id"],
                        repo,
                        tag,
                    ]
        table[name] = entries
    return table


if __name__ == "__main__":
    sys.exit(main())
