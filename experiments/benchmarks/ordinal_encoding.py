"""The effect of keeping ordinal parameters ordered in the library encodings.

"Before" is the encoding dsegym used to give samplers: every ordinal parameter (powers
of two and the like) as an unordered categorical. It is reproduced here by handing the
agent a copy of the space whose ordinals are categoricals with the same values; the
designs, the problem and the runner are unchanged. "After" is the space as it is: an
ordinal is the integer index of its value for Optuna and pymoo.

Quality: for one objective, known optimum / best feasible value (1.0 = optimum); for
several, the hypervolume ratio against the problem's known front, or, where none is
known (the accelerator problems), against the non-dominated union of every run of that
problem in this script (both encodings, all agents and seeds), normalised by its ideal
and nadir.

Usage (from the repository root):
    python -m dsegym.experiments.benchmarks.ordinal_encoding [--seeds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
from typing import Any

import numpy as np

from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Categorical, DesignSpace, Ordinal
from dsegym.experiments.benchmarks.parity import feasible_F, quality
from dsegym.experiments.runner import RunEvaluator
from dsegym.pareto import Normaliser, hypervolume, nondominated
from dsegym.search.registry import make_agent

PROBLEMS: dict[str, int] = {  # problem: budget
    "toy-accelerator": 200,
    "toy-accelerator-1obj": 100,
    "separable-discrete": 300,
    "accelerator-systolic": 300,
}
AGENTS = ["tpe", "optuna_nsga2", "nsga2"]
ENCODINGS = ["categorical (before)", "ordered (after)"]


def unordered(space: DesignSpace) -> DesignSpace:
    """``space`` with every ordinal parameter turned into a categorical one."""
    return DesignSpace(
        [Categorical(p.name, p.values) if isinstance(p, Ordinal) else p for p in space]
    )


def run_one(task: tuple[str, str, str, int]) -> dict[str, Any]:
    problem_name, agent_name, encoding, seed = task
    problem = make_problem(problem_name)
    space = problem.space if encoding == ENCODINGS[1] else unordered(problem.space)
    agent = make_agent(
        agent_name,
        space,
        n_objectives=problem.n_objectives,
        n_constraints=problem.n_constraints,
        seed=seed,
    )
    evaluator = RunEvaluator(problem, PROBLEMS[problem_name])
    agent.run(evaluator)
    return {"task": task, "F": feasible_F(problem, evaluator.history)}


def union_quality(F: np.ndarray, union: np.ndarray) -> float:
    """HV ratio of ``F`` against the non-dominated ``union`` of every run."""
    norm = Normaliser.from_points(union)
    ref = norm.reference_point
    if len(F) == 0:
        return 0.0
    return hypervolume(norm(nondominated(F)), ref) / hypervolume(norm(union), ref)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    args = parser.parse_args()
    tasks = [
        (p, a, e, s)
        for p in args.problems
        for a in AGENTS
        for e in ENCODINGS
        for s in range(args.seeds)
    ]
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(run_one, tasks, chunksize=1)
    print("| problem | budget | agent | categorical (before) | ordered (after) | after - before |")
    print("|---|---|---|---|---|---|")
    for p in args.problems:
        problem = make_problem(p)
        rows = [r for r in results if r["task"][0] == p]
        union = None
        if problem.n_objectives > 1 and problem.known_front is None:
            union = nondominated(np.vstack([r["F"] for r in rows if len(r["F"])]))
        for a in AGENTS:
            cells = []
            for e in ENCODINGS:
                scores = [
                    union_quality(r["F"], union) if union is not None else quality(problem, r["F"])
                    for r in rows
                    if r["task"][1] == a and r["task"][2] == e
                ]
                cells.append(scores)
            means = [statistics.mean(c) for c in cells]
            sds = [statistics.stdev(c) if len(c) > 1 else 0.0 for c in cells]
            print(
                f"| {p} | {PROBLEMS[p]} | {a} | {means[0]:.4f} ± {sds[0]:.4f} "
                f"| {means[1]:.4f} ± {sds[1]:.4f} | {means[1] - means[0]:+.4f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
