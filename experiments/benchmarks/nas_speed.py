"""Evaluations per second of the NAS-with-hardware problems on one core.

Needs the ``nasbench201`` data set (``DSEGYM_DATA_DIR`` or ``dsegym data install``)::

    OMP_NUM_THREADS=1 python -m dsegym.experiments.benchmarks.nas_speed [--n 20000]

Designs are drawn uniformly at random (a worst case for the caches: a search revisits
cells and tiles far more often). Each scenario is timed on a first pass over fresh
designs ("cold": every new cell's network and every new tile is built and costed) and on
a second pass over other fresh designs once the caches hold what the first pass built
("warm"), both one design per call (``Problem.evaluate``) and in batches of 1000
(``Problem.evaluate_batch``, the runner's path).
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dsegym.costmodels.registry import make_problem  # noqa: E402

SCENARIOS = {
    "nasbench201-hw (hardware=eyeriss: network search)": (
        "nasbench201-hw",
        {"hardware": "eyeriss"},
    ),
    "nasbench201-hw (joint: cell x eyeriss tile knobs)": ("nasbench201-hw", {}),
    "nasaic (3 tasks x up to 3 sub-accelerators)": ("nasaic", {}),
}


def rate(fn, designs: list) -> float:
    start = time.perf_counter()
    fn(designs)
    return len(designs) / (time.perf_counter() - start)


def one_by_one(problem):
    return lambda designs: [problem.evaluate(d) for d in designs]


def batched(problem, size: int = 1000):
    def run(designs):
        for i in range(0, len(designs), size):
            problem.evaluate_batch(designs[i : i + size])

    return run


def measure(name: str, params: dict, n: int, seed: int = 0) -> dict[str, float]:
    """Cold and warm rates, one by one and batched, each on fresh problems/designs."""
    out = {}
    for mode, runner in (("single", one_by_one), ("batch", batched)):
        problem = make_problem(name, params)  # fresh caches
        rng = np.random.default_rng(seed)
        cold = [problem.space.sample(rng) for _ in range(n)]
        warm = [problem.space.sample(rng) for _ in range(n)]
        out[f"{mode}_cold_per_s"] = rate(runner(problem), cold)
        out[f"{mode}_warm_per_s"] = rate(runner(problem), warm)
    return out


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="designs per pass")
    args = parser.parse_args(argv)
    results = {}
    for label, (name, params) in SCENARIOS.items():
        results[label] = measure(name, params, args.n)
        figures = ", ".join(f"{k} {v:,.0f}" for k, v in results[label].items())
        print(f"{label}: {figures}", flush=True)
    print(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
