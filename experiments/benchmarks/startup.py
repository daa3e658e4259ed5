"""Measures what a user waits for before anything runs: ``import dsegym`` and ``dsegym --help``.

    python -m dsegym.experiments.benchmarks.startup [--repeats 9] [--python PY ...]

Each is a fresh interpreter started as a subprocess (so nothing is cached in-process),
run ``--repeats`` times; the median wall time and the median CPU time (user + system,
of the subprocess) are printed, each with its minimum. On a busy machine wall time
mostly measures the other load; CPU time is what the start itself costs.
``--python`` compares several installs (say, before and after a change, each in its own
virtual environment): their runs are interleaved round-robin, so load that drifts during
the measurement weighs on all of them alike.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv``."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--python", nargs="+", default=[sys.executable])
    args = parser.parse_args()
    cases = {}
    for py in args.python:
        cli = str(Path(py).with_name("dsegym"))
        cases[f"{py}: import dsegym"] = [py, "-c", "import dsegym"]
        cases[f"{py}: dsegym --help"] = [cli, "--help"]
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in cases}
    for _ in range(args.repeats):
        for label, argv in cases.items():
            times[label].append(timed(argv))
    for label, runs in times.items():
        wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{label}: wall median {statistics.median(wall):.3f} s (min {min(wall):.3f}), "
            f"CPU median {statistics.median(cpu):.3f} s (min {min(cpu):.3f}), "
            f"{args.repeats} runs"
        )


if __name__ == "__main__":
    main()
