"""Evaluations per second of the ``collective`` and ``training-system`` problems, one core.

    .venv/bin/python -m dsegym.experiments.benchmarks.distributed_speed \\
        [--designs 4000] [--batch 1000] [--repeats 3]

Times ``Problem.evaluate_batch`` (space check, costing, F and G) on random designs drawn
with a fixed seed, in batches of ``--batch`` (the vectorised path), feasible and
infeasible alike; then on the feasible designs only (repeated to the same count); then
``Problem.evaluate`` one design at a time (the scalar path). Each figure is the best of
``--repeats`` passes, as ``CPU/wall``: evaluations per second of this process's CPU time
(``time.process_time``, which other work on a shared machine does not inflate) and per
wall-clock second; the load average is printed above them.
Targets (issue 23): 10,000 collective and 2,000 training-system evaluations per second.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem

CASES = {
    "collective": {"dims": 2},
    "training-system": {"dims": 2},
}


def best_rate(run: Callable[[], None], n: int, repeats: int) -> str:
    """``"cpu/wall"``: evaluations per CPU second and per wall-clock second, best pass."""
    cpu = wall = float("inf")
    for _ in range(repeats):
        start, start_wall = time.process_time(), time.perf_counter()
        run()
        cpu = min(cpu, time.process_time() - start)
        wall = min(wall, time.perf_counter() - start_wall)
    return f"{n / cpu:.0f}/{n / wall:.0f}"


def in_batches(problem: Problem, designs: Sequence[Any], batch: int) -> Callable[[], None]:
    def run() -> None:
        for i in range(0, len(designs), batch):
            problem.evaluate_batch(designs[i : i + batch])

    return run


def one_by_one(problem: Problem, designs: Sequence[Any]) -> Callable[[], None]:
    def run() -> None:
        for d in designs:
            problem.evaluate(d)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(
        f"{'problem':16s} {'feasible':>8s} {'batch evals/s':>15s} "
        f"{'feasible batch/s':>16s} {'single evals/s':>15s}   (CPU/wall)"
    )
    for name, params in CASES.items():
        problem = make_problem(name, params)
        designs = problem.space.sample_many(np.random.default_rng(0), args.designs)
        outcomes = problem.evaluate_batch(designs)
        feasible = [d for d, o in zip(designs, outcomes, strict=True) if o.evaluation.feasible]
        if not feasible:
            raise SystemExit(f"{name}: no feasible design among {len(designs)}")
        repeated = (feasible * (len(designs) // len(feasible) + 1))[: len(designs)]
        single = designs[:1000]
        r = args.repeats
        every = best_rate(in_batches(problem, designs, args.batch), len(designs), r)
        only_feasible = best_rate(in_batches(problem, repeated, args.batch), len(repeated), r)
        scalar = best_rate(one_by_one(problem, single), len(single), r)
        print(f"{name:16s} {len(feasible):8d} {every:>15s} {only_feasible:>16s} {scalar:>15s}")


if __name__ == "__main__":
    main()
