"""Instructions executed by a whole-process render: this checkout against an earlier git revision.

    python bench/instructions.py REVISION [--blueprint blueprints/abalone.yaml]

Why: wall-clock A/B runs (bench/ab.py) on a shared 2-core machine move by 10-30 % with the load, which
is the size of the budgets they judge ("no more than 10 % slower"). The number of instructions a
process executes does not depend on the load: valgrind's cachegrind counts them exactly, run after
run (same inputs, ``PYTHONHASHSEED=0``), so a change of 1 % is visible and repeatable. It is a proxy
(it ignores cache misses and system time), so budgets are still reported with the wall-clock A/B
beside it. Needs ``valgrind`` (Debian: ``apt-get install valgrind``); ~15 s per process.

Both trees run with this interpreter and their package first on the path, bytecode compiled first (as
an installed package has it), exactly as ``python -m mlopsgen render BLUEPRINT -o OUT --force``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from revision import ROOT
from revision import trees as revision_trees  # bench/ is on the path when a script runs


def instructions(tree: Path, blueprint: str, out: str) -> int:
    """Instructions (cachegrind ``I refs``) of one whole-process render in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)  # each version decides for itself, as when a user runs it
    argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    argv += [sys.executable, "-m", "mlopsgen", "render", str(tree / blueprint), "-o", out, "--force"]
    proc = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{proc.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the earlier revision (commit, tag or branch)")
    parser.add_argument("--blueprint", default="blueprints/abalone.yaml")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    with revision_trees(args.revision) as (trees, scratch):
        counts: dict[str, int] = {}
        for name, tree in trees.items():
            out = str(scratch / ("out-new" if tree == ROOT else "out-old"))
            instructions(tree, args.blueprint, out)  # first run writes the output folder; not counted
            counts[name] = instructions(tree, args.blueprint, out)
            print(f"{name:<40} {counts[name] / 1e6:9.1f} million instructions")
        ratio = counts["this checkout"] / counts[args.revision]
        print(f"this checkout / {args.revision}: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
