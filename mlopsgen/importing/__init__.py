"""Import: a SageMaker pipeline definition → a blueprint (the reverse stage; see ``importer.py``)."""

from mlopsgen.importing.context import CodeFile, Finding
from mlopsgen.importing.importer import Imported, import_definition

__all__ = ["CodeFile", "Finding", "Imported", "import_definition"]
