"""mlopsgen: compile one blueprint into everything a SageMaker MLOps project needs.

The public names are loaded on first use (PEP 562) rather than at ``import mlopsgen``: importing any
submodule imports this package first, and the CLI's entry point (``__main__.main``) must run before the
blueprint models are built so that it can configure pydantic for the process (see ``__main__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlopsgen.api import RenderResult, render, schema, validate
    from mlopsgen.errors import Diagnostic, MlopsgenError

__version__ = "0.1.0"
__all__ = ["Diagnostic", "MlopsgenError", "RenderResult", "__version__", "render", "schema", "validate"]

_FROM = {
    "RenderResult": "mlopsgen.api",
    "render": "mlopsgen.api",
    "schema": "mlopsgen.api",
    "validate": "mlopsgen.api",
    "Diagnostic": "mlopsgen.errors",
    "MlopsgenError": "mlopsgen.errors",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first read."""
    if name not in _FROM:
        raise AttributeError(f"module 'mlopsgen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_FROM[name]), name)
    globals()[name] = value
    return value
