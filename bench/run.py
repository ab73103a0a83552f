"""Benchmark: whole-process timings (medians of several runs), in-process render time, peak memory.

    python bench/run.py [--runs N] [--drop-caches]

Compares `mlopsgen render blueprints/abalone.yaml` (a fresh process each run) with building the
same definition through the SageMaker SDK the usual way (bench/sdk_abalone.py), and times
`mlopsgen validate` as a whole process. Peak memory is the child's ru_maxrss from wait4.
Targets (issue #2): render ≥10x faster than the SDK route, peak memory < 80 MB, validate < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def run_once(argv: list[str], drop: bool) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    if drop:
        _drop_caches()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return elapsed, usage.ru_maxrss / 1024


def measure(name: str, argv: list[str], runs: int, drop: bool) -> dict[str, float]:
    run_once(argv, False)  # warm-up: bytecode caches, first-run imports
    samples = [run_once(argv, drop) for _ in range(runs)]
    times = [t for t, _ in samples]
    result = {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "peak_mb": max(m for _, m in samples),
    }
    print(
        f"{name:<34} median {result['median_s'] * 1000:8.1f} ms  (min {result['min_s'] * 1000:.1f}, "
        f"max {result['max_s'] * 1000:.1f})  peak RSS {result['peak_mb']:.1f} MB"
    )
    return result


def in_process(runs: int) -> float:
    import mlopsgen

    blueprint = ROOT / "blueprints" / "abalone.yaml"
    mlopsgen.render(blueprint)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = mlopsgen.render(blueprint)
        times.append(time.perf_counter() - start)
        assert result.ok
    median = statistics.median(times)
    print(f"{'in-process render (abalone)':<34} median {median * 1000:8.2f} ms over {runs} runs")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--drop-caches", action="store_true", help="drop the page cache before each run (root)")
    args = parser.parse_args()
    out = tempfile.mkdtemp(prefix="mlopsgen-bench-")
    # An installed package has its bytecode compiled by pip; an editable checkout under
    # PYTHONDONTWRITEBYTECODE (set on this machine) would recompile every module on every run.
    import compileall

    compileall.compile_dir(str(ROOT / "mlopsgen"), quiet=1)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, runs={args.runs}, drop_caches={args.drop_caches}")
    render = measure(
        "mlopsgen render abalone (CLI)",
        [str(BIN / "mlopsgen"), "render", "blueprints/abalone.yaml", "-o", out],
        args.runs,
        args.drop_caches,
    )
    validate = measure(
        "mlopsgen validate abalone (CLI)",
        [str(BIN / "mlopsgen"), "validate", "blueprints/abalone.yaml"],
        args.runs,
        args.drop_caches,
    )
    floor = measure(
        "python + one pydantic model",
        [sys.executable, "-c", "from pydantic import BaseModel\nclass A(BaseModel):\n    x: int"],
        args.runs,
        args.drop_caches,
    )
    sdk = measure(
        "SDK route (bench/sdk_abalone.py)",
        [sys.executable, "bench/sdk_abalone.py", os.path.join(out, "sdk.json")],
        args.runs,
        args.drop_caches,
    )
    in_process(50)
    ratio = sdk["median_s"] / render["median_s"]
    print(f"\nrender speed-up vs SDK route: {ratio:.1f}x (target >= 10x)")
    print(f"render peak memory: {render['peak_mb']:.1f} MB (target < 80 MB)")
    print(
        f"validate whole process: {validate['median_s'] * 1000:.0f} ms (target < 150 ms; "
        f"floor of python + pydantic here: {floor['median_s'] * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
