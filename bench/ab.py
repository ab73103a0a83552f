"""Interleaved A/B of whole-process renders: this checkout against an earlier git revision.

    python bench/ab.py REVISION [--runs N] [--blueprint blueprints/abalone.yaml]

Why interleaved: on a shared machine the load drifts over minutes, so timing A then B compares the
machine with itself as much as the versions. Alternating A and B, run by run, exposes both to the
same drift; the ratio of medians is what a regression budget (e.g. "no more than 10 % slower") is
judged on. The earlier revision is checked out into a temporary git worktree and run with this
interpreter (same dependencies), its package first on the path; bytecode is compiled for both, as
an installed package has it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from revision import ROOT
from revision import trees as revision_trees  # bench/ is on the path when a script runs


def _time(tree: Path, blueprint: str, out: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-m", "mlopsgen", "render", str(tree / blueprint), "-o", out, "--force"]
    start = time.perf_counter()
    subprocess.run(argv, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the earlier revision (commit, tag or branch)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--blueprint", default="blueprints/abalone.yaml")
    args = parser.parse_args()
    with revision_trees(args.revision) as (trees, scratch):
        samples: dict[str, list[float]] = {name: [] for name in trees}
        for run in range(args.runs + 1):
            order = list(trees.items())
            if run % 2:  # ABBA: neither version always runs first after the other's process exits
                order.reverse()
            for name, tree in order:
                out = str(scratch / ("out-new" if tree == ROOT else "out-old"))
                elapsed = _time(tree, args.blueprint, out)
                if run:  # the first round warms the caches and is not counted
                    samples[name].append(elapsed)
        medians = {name: statistics.median(times) for name, times in samples.items()}
        for name, median in medians.items():
            print(f"{name:<40} median {median * 1000:7.1f} ms over {args.runs} runs")
        ratio = medians["this checkout"] / medians[args.revision]
        print(f"this checkout / {args.revision}: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
