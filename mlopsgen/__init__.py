"""mlopsgen: compile one blueprint into everything a SageMaker MLOps project needs."""

from __future__ import annotations

from mlopsgen.api import RenderResult, render, schema, validate
from mlopsgen.errors import Diagnostic, MlopsgenError

__version__ = "0.1.0"
__all__ = ["Diagnostic", "MlopsgenError", "RenderResult", "__version__", "render", "schema", "validate"]
