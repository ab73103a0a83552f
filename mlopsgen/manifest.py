"""The output folder's manifest (``mlopsgen.manifest.json``): what mlopsgen owns there, read and written.

A leaf beside ``output.py`` (which writes the folder): the manifest records every file mlopsgen owns
with its content hash, the files handed over to the user (ejected) and a summary for reviews.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "mlopsgen.manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    """What mlopsgen owns in one output folder."""

    blueprint: str
    files: dict[str, str] = field(default_factory=dict)
    ejected: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_text(self) -> str:
        """The manifest file's content (sorted, stable)."""
        data = {
            "blueprint": self.blueprint,
            "generated_by": "mlopsgen; do not edit (use `mlopsgen eject` to take a file over)",
            "format": FORMAT,
            "files": dict(sorted(self.files.items())),
            "ejected": sorted(self.ejected),
            "summary": self.summary,
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sha256(text: str) -> str:
    """Content hash as the manifest records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(
            blueprint=str(data.get("blueprint", "")),
            files={str(k): str(v) for k, v in data.get("files", {}).items()},
            ejected=[str(p) for p in data.get("ejected", [])],
            summary=data.get("summary", {}),
        )
    except (OSError, ValueError, AttributeError):
        return None
