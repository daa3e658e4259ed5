"""Evaluations per second of the soc-farsi problem, one process (one core).

    DSEGYM_DATA_DIR=/work/shared/data .venv/bin/python -m dsegym.experiments.benchmarks.soc_speed \\
        [--workloads audio_decoder edge_detection hpvm_cava] [--designs 2000] [--repeats 3]

Times ``Problem.evaluate`` (space check, decoding, costing, simulation, F and G) on
random designs of each workload, drawn with a fixed seed, feasible and infeasible
alike, and separately on the feasible ones only. A warm-up evaluation first keeps
numba's compilation (cached on disk after the first run) out of the figures. The best
of ``--repeats`` passes is reported.
"""

from __future__ import annotations

import argparse
import time
from typing import cast

import numpy as np

from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.soc.model import SocFarsi


def rate(problem, designs, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for d in designs:
            problem.evaluate(d)
        best = min(best, time.perf_counter() - start)
    return len(designs) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workloads", nargs="+", default=["audio_decoder", "edge_detection", "hpvm_cava"]
    )
    parser.add_argument("--designs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'workload':15s} {'params':>6s} {'feasible':>8s} {'all evals/s':>11s} "
        f"{'feasible evals/s':>16s}"
    )
    for workload in args.workloads:
        problem = make_problem("soc-farsi", {"workload": workload})
        model = cast(SocFarsi, problem.cost_model)
        problem.evaluate(model.reference_design())  # JIT warm-up
        designs = problem.space.sample_many(np.random.default_rng(0), args.designs)
        feasible = [d for d in designs if problem.evaluate(d).evaluation.feasible]
        print(
            f"{workload:15s} {len(problem.space):6d} {len(feasible):8d} "
            f"{rate(problem, designs, args.repeats):11.0f} "
            f"{rate(problem, feasible, args.repeats):16.0f}"
        )


if __name__ == "__main__":
    main()
