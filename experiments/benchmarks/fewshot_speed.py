"""Times ``fewshot_latency``: the first call (reads the data set, learns the prior from
the 25 devices) and later calls (adapts the prior to new samples), K = 10.

    python -m dsegym.experiments.benchmarks.fewshot_speed [--repeats N]

Needs the ``nasbench201`` data set. Prints the first call's time and the median and
maximum of the later calls' wall and CPU times, each predicting all 15,625 cells.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dsegym.costmodels.nas import fewshot_latency  # noqa: E402


def samples(draw: int, k: int = 10) -> dict[int, float]:
    """K cells with made-up positive latencies (timing only: the values do not matter)."""
    rng = np.random.default_rng(draw)
    cells = rng.choice(15625, size=k, replace=False)
    return {int(c): float(v) for c, v in zip(cells, rng.uniform(2, 20, k), strict=True)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    fewshot_latency(samples(0))
    first = time.perf_counter() - started
    times, cpu_times = [], []
    for draw in range(1, args.repeats + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        fewshot_latency(samples(draw))
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    print(f"first call (reads data, learns the prior): {first:.2f} s")
    # CPU time beside the wall time: on a shared machine the wall time includes waiting.
    print(
        f"later calls, K=10, all 15,625 cells ({args.repeats} calls): median "
        f"{statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms "
        f"(CPU time: median {statistics.median(cpu_times) * 1e3:.1f} ms, max "
        f"{max(cpu_times) * 1e3:.1f} ms)"
    )


if __name__ == "__main__":
    main()
