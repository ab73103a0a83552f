"""What the user wrote: loading, validating and checking blueprints."""

# Loaded first: steps.py imports steps_external at its end, so steps must start before steps_external.
from mlopsgen.blueprint import steps as _steps  # noqa: E402, F401
