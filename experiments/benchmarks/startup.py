"""Measures what a user waits for before anything runs: ``import dsegym`` and ``dsegym --help``.

    python -m dsegym.experiments.benchmarks.startup [--repeats 7]

Each is a fresh interpreter started as a subprocess (so nothing is cached in-process),
run ``--repeats`` times; the median wall time is printed, and the minimum beside it
(the least disturbed by other load on the machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall_times(argv: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    cli = str(Path(sys.executable).with_name("dsegym"))
    cases = {
        "python -c 'import dsegym'": [sys.executable, "-c", "import dsegym"],
        "dsegym --help": [cli, "--help"],
    }
    for label, argv in cases.items():
        times = wall_times(argv, args.repeats)
        print(
            f"{label:<28} median {statistics.median(times):.3f} s, "
            f"min {min(times):.3f} s ({args.repeats} runs)"
        )


if __name__ == "__main__":
    main()
