"""Design evaluations per second of the LUT accelerator model on one core.

Usage:
    python -m dsegym.experiments.benchmarks.lut_speed [--designs 50000] [--workload llama3-8b-1.58]

Reports three paths: the array kernel (``evaluate_arrays``), the cost model's
``evaluate_batch`` (dicts in, ``Evaluation`` objects out) and ``Problem.evaluate_batch``
(which also validates every design against the space).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from dsegym.costmodels.lut.model import LUTAccelerator, evaluate_arrays, to_arrays  # noqa: E402
from dsegym.costmodels.lut.workloads import load_workload  # noqa: E402
from dsegym.costmodels.registry import make_problem  # noqa: E402


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--designs", type=int, default=50_000)
    parser.add_argument("--workload", default="llama3-8b-1.58")
    parser.add_argument("--phase", default="decode")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    model = LUTAccelerator()
    workload = load_workload(args.workload, args.phase)
    designs = model.space.sample_many(np.random.default_rng(0), args.designs)
    arrays, _ = to_arrays(designs, None)
    problem = make_problem("lut-accelerator", {"workload": args.workload, "phase": args.phase})
    problem_designs = problem.space.sample_many(np.random.default_rng(0), args.designs)

    n = args.designs
    rows = [
        (
            "array kernel",
            best_of(args.repeats, lambda: evaluate_arrays(model.library, arrays, workload)),
        ),
        (
            "CostModel.evaluate_batch",
            best_of(args.repeats, lambda: model.evaluate_batch(designs, workload)),
        ),
        (
            "Problem.evaluate_batch",
            best_of(args.repeats, lambda: problem.evaluate_batch(problem_designs)),
        ),
    ]
    print(f"{n} designs, workload {workload.name} ({len(workload.layers)} layer shapes), one core")
    for label, seconds in rows:
        print(f"{label:26s} {seconds * 1e3:9.1f} ms  {n / seconds:12,.0f} designs/s")


if __name__ == "__main__":
    main()
