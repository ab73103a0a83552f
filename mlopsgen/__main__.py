"""``python -m mlopsgen`` and the ``mlopsgen`` command: the CLI process's entry point.

The one thing done here before the CLI is imported: pydantic plugins are switched off for the process
(unless the user's environment already says otherwise). pydantic looks for plugins through every installed
distribution's entry points when the first model is built; in a typical data-science environment that
scan is a fifth of a render's whole-process time (measured: ~20 ms of ~500 ms), and a plugin would only
observe mlopsgen's own, internal validation. Library users (``import mlopsgen``, the seed Lambda) are left
alone: a library must not change its host process's settings.

The second: the cyclic garbage collector is paused while the CLI's modules load. Defining ~200
pydantic models and ~110 dataclasses allocates hundreds of thousands of long-lived objects, and each
allocation burst triggers collections that walk all of them again and free nothing (measured: ~5 % of
a render's instructions). After the imports those objects are moved out of the collector's view
(``gc.freeze``) and collection resumes for the command itself, so a long ``render`` of many
blueprints still frees its cycles.
"""

from __future__ import annotations

import gc
import os


def main() -> None:
    """Run the CLI with pydantic plugins off and no collections while it loads (see the module docstring)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.disable()
    try:
        from mlopsgen.cli import run
    finally:
        gc.freeze()
        gc.enable()
    run()


if __name__ == "__main__":
    main()
