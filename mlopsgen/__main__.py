"""``python -m mlopsgen`` and the ``mlopsgen`` command: the CLI process's entry point.

The one thing done here before the CLI is imported: pydantic plugins are switched off for the process
(unless the user's environment already says otherwise). pydantic looks for plugins through every installed
distribution's entry points when the first model is built; in a typical data-science environment that
scan is a fifth of a render's whole-process time (measured: ~20 ms of ~500 ms), and a plugin would only
observe mlopsgen's own, internal validation. Library users (``import mlopsgen``, the seed Lambda) are left
alone: a library must not change its host process's settings.
"""

from __future__ import annotations

import os


def main() -> None:
    """Run the CLI with pydantic plugins off (see the module docstring)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mlopsgen.cli import run

    run()


if __name__ == "__main__":
    main()
