"""Benchmark: the seed Lambda's zip size and cold start (issue #14).

    python bench/lambda_cold_start.py [--zip PATH] [--runs N]

Builds the x86_64 zip (``mlopsgen package-lambda``, shipping blueprints/ as a template) unless
--zip is given, unpacks it into a read-only folder as Lambda's /var/task, then starts N fresh
processes with no site-packages (``python -S``) that import the handler and render the abalone
example through it (template → seeded repository, in memory). Reports the zip size and the
medians of: process wall time, handler import, render. Targets: zip ≤ 15 MB (aim < 6 MB),
cold start (import + render) median ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import sys, time, json
t0, c0 = time.perf_counter(), time.process_time()
sys.path.insert(0, sys.argv[1])
from mlopsgen.seed.handler import load_template
from mlopsgen.seed.template import seed_repository
t1, c1 = time.perf_counter(), time.process_time()
bundle = load_template({"Shipped": "blueprints"}, "abalone.yaml")
seeded = seed_repository(bundle, "abalone.yaml", {})
assert seeded.ok
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "render": t2 - t1, "cpu": [c1 - c0, c2 - c1], "files": len(seeded.files)}))
"""


def _read_only(folder: Path, writable: bool = False) -> None:
    for here, dirs, files in os.walk(folder):
        for name in [*dirs, *files, "."]:
            path = Path(here) / name
            mode = stat.S_IMODE(path.stat().st_mode)
            os.chmod(path, (mode | 0o200) if writable else (mode & ~0o222))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        archive = args.zip
        if archive is None:
            from mlopsgen import packaging

            archive = Path(work) / "seed.zip"
            packaging.build(archive, arch="x86_64", templates=[ROOT / "blueprints"])
        size = archive.stat().st_size  # read now: a zip built here goes with the temporary folder
        task = Path(work) / "task"
        zipfile.ZipFile(archive).extractall(task)
        _read_only(task)
        env = {"PATH": os.environ["PATH"], "LAMBDA_TASK_ROOT": str(task)}
        walls, imports, renders, cpus = [], [], [], []
        try:
            for _ in range(args.runs):
                start = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-S", "-c", CHILD, str(task)], env=env, capture_output=True, text=True, check=True
                )
                walls.append(time.perf_counter() - start)
                data = json.loads(proc.stdout)
                imports.append(data["import"])
                renders.append(data["render"])
                cpus.append(data["cpu"])
        finally:
            _read_only(task, writable=True)
    print(f"zip: {size / 1e6:.2f} MB (target ≤ 15 MB, aim < 6 MB)")
    print(
        f"cold start, median of {args.runs}: process {statistics.median(walls) * 1000:.0f} ms = "
        f"import handler {statistics.median(imports) * 1000:.0f} ms + render abalone "
        f"{statistics.median(renders) * 1000:.0f} ms (+ interpreter start); target ≤ 500 ms"
    )
    cpu_import, cpu_render = (statistics.median(c[i] for c in cpus) * 1000 for i in (0, 1))
    print(f"CPU time (robust to a loaded machine): import {cpu_import:.0f} ms + render {cpu_render:.0f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
