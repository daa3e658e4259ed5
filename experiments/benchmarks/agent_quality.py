"""Search quality against known answers: hypervolume ratios and single-objective bests.

Hypervolume ratio = HV(non-dominated feasible designs the agent evaluated) / HV(true
front), both measured in the same normalised space: for ZDT and DTLZ the problem's own
reference point (1.1 x the front's nadir) on raw objectives; for the toy accelerator the
objectives are scaled by the exact front's ideal and nadir and the reference point is
1.1 in each (``dsegym.pareto.Normaliser.from_points(known_front)``).

Single objective: best feasible value found / known optimum (1.0 = optimum), per seed,
and whether an agent's median over seeds beats random search's median, on
toy-accelerator-1obj (3,000 designs, nine of them optimal: at 100 evaluations every
agent's result is close to a lottery) and separable-discrete (~7e10 designs).

Usage (from the repository root; about 50 CPU-minutes in all, half of it the GP sampler,
so about 25 minutes with the default two workers):
    python -m dsegym.experiments.benchmarks.agent_quality [--sections targets toy single]
        [--workers 2] [--seeds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from typing import Any

import numpy as np

from dsegym.costmodels.registry import make_problem
from dsegym.experiments.benchmarks.parity import CASES, compare, hv_ratio
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import AGENTS, make_agent_for

#: Targets are what the wrapped library reaches used directly, same budget and seed
#: (TPE at 1,000 evaluations on 30-variable ZDT1 scores 0 in Optuna itself).
TARGETS = ["nsga2-zdt1", "tpe-zdt1", "nsga3-dtlz2", "optuna_nsga2-zdt1", "moead-zdt1"]
#: Context rows without a library to match.
CONTEXT = [
    ("zdt1", {"n_var": 30}, "nsga2", 1_000),
    ("zdt1", {"n_var": 10}, "tpe", 1_000),
    ("zdt1", {"n_var": 5}, "tpe", 1_000),
    ("zdt1", {"n_var": 30}, "random", 10_000),
]
TOY_BUDGETS = (200, 1000)
#: GP-based samplers cost about a second per proposal here; they get the small budget only.
SLOW_AGENTS = {"gp": 200, "botorch": 200}
#: Single-objective problems with a known optimum, and the budgets to test them at.
SINGLE_PROBLEMS: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {
    "toy-accelerator-1obj": ({}, (100,)),
    "separable-discrete": ({}, (300, 1000)),
    "separable-discrete (numeric)": ({"categorical": False}, (300,)),
}
SINGLE_SEEDS = 5


def run_one(task: tuple[str, dict[str, Any], str, int, int]) -> dict[str, Any]:
    """Runs one agent on one problem; returns its quality and wall time."""
    problem_name, params, agent_name, budget, seed = task
    problem = make_problem(problem_name, params)
    try:
        agent = make_agent_for(agent_name, problem, seed=seed)
    except Exception as exc:  # an agent that cannot run here (cmaes on categorical...)
        return {"task": task, "error": str(exc).split(";")[0]}
    evaluator = RunEvaluator(problem, budget)
    start = time.perf_counter()
    agent.run(evaluator)
    wall = time.perf_counter() - start
    F = np.array([o.F for o in evaluator.history if o.feasible]).reshape(-1, problem.n_objectives)
    out: dict[str, Any] = {"task": task, "wall_s": wall, "evaluations": evaluator.charged}
    if problem.n_objectives == 1:
        assert problem.known_front is not None  # the benchmark's problems all have one
        optimum = float(problem.known_front[0, 0])
        out["best_ratio"] = float(F[:, 0].min()) / optimum if len(F) else float("inf")
    else:
        out["hv_ratio"] = hv_ratio(problem, F)
    return out


def _pool_map(tasks: list[Any], workers: int) -> list[dict[str, Any]]:
    if workers <= 1:
        return [run_one(t) for t in tasks]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(run_one, tasks, chunksize=1)


def section_targets(workers: int) -> None:
    print("\n## Agents against their library used directly (seed 0)\n")
    print("| problem | agent | budget | HV ratio | library's HV ratio (target) | met | wall s |")
    print("|---|---|---|---|---|---|---|")
    for name in TARGETS:
        c = compare(CASES[name], range(1))
        case, ratio, target = c.case, c.agent_quality[0], c.raw_quality[0]
        met = "yes" if c.within_noise or ratio >= target else "NO"
        label = f"{case.problem} {case.problem_params}"
        print(
            f"| {label} | {case.agent} | {case.budget} | {ratio:.3f} | {target:.3f} | {met} "
            f"| {c.agent_wall[0]:.1f} |"
        )
    tasks = [(p, params, a, b, 0) for p, params, a, b in CONTEXT]
    for (p, params, a, b), r in zip(CONTEXT, _pool_map(tasks, workers), strict=True):
        print(f"| {p} {params} | {a} | {b} | {r['hv_ratio']:.3f} | - | - | {r['wall_s']:.0f} |")


def section_toy(workers: int, seeds: int, only: list[str] | None) -> None:
    agents = [a for a in AGENTS if a != "grid"] + ["grid"]
    agents = [a for a in agents if only is None or a in only]
    tasks: list[tuple[str, dict[str, object], str, int, int]] = []
    for a in agents:
        for b in TOY_BUDGETS:
            if b <= SLOW_AGENTS.get(a, b):
                tasks += [("toy-accelerator", {}, a, b, s) for s in range(seeds)]
    results = _pool_map(tasks, workers)
    print(f"\n## toy-accelerator (latency, area; exact front): HV ratio, mean over {seeds} seeds\n")
    print("| agent | " + " | ".join(f"{b} evals" for b in TOY_BUDGETS) + " | wall s (largest) |")
    print("|---|" + "---|" * len(TOY_BUDGETS) + "---|")
    for a in agents:
        cells, wall = [], 0.0
        for b in TOY_BUDGETS:
            rs = [r for r in results if r["task"][2] == a and r["task"][3] == b]
            if not rs:
                cells.append("not run (slow)")
            elif "error" in rs[0]:
                cells.append(f"n/a: {rs[0]['error'][:60]}")
            else:
                ratios = [r["hv_ratio"] for r in rs]
                cells.append(f"{np.mean(ratios):.4f} (min {min(ratios):.4f})")
                wall = max(wall, max(r["wall_s"] for r in rs))
        print(f"| {a} | " + " | ".join(cells) + f" | {wall:.1f} |")


def section_single(workers: int, only: list[str] | None) -> None:
    for label, (params, budgets) in SINGLE_PROBLEMS.items():
        problem = label.split(" ")[0]
        for budget in budgets:
            agents = [
                a
                for a in AGENTS
                if a not in ("grid", "botorch") and budget <= SLOW_AGENTS.get(a, budget)
            ]
            agents = [a for a in agents if only is None or a in only or a == "random"]
            tasks = [(problem, params, a, budget, s) for a in agents for s in range(SINGLE_SEEDS)]
            _print_single(label, budget, _pool_map(tasks, workers))


def _print_single(problem: str, budget: int, results: list[dict[str, Any]]) -> None:
    by_agent: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    for r in results:
        if "error" in r:
            errors[r["task"][2]] = r["error"]
        else:
            by_agent.setdefault(r["task"][2], []).append(r["best_ratio"])
    random_median = statistics.median(by_agent["random"])
    print(
        f"\n## {problem}, {budget} evaluations, {SINGLE_SEEDS} seeds: "
        "best feasible value found / known optimum (1.000 = optimum)\n"
    )
    print("| agent | per seed | median | beats random's median |")
    print("|---|---|---|---|")
    for a, ratios in by_agent.items():
        median = statistics.median(ratios)
        verdict = "-" if a == "random" else ("yes" if median < random_median else "no")
        print(f"| {a} | {' '.join(f'{x:.3f}' for x in ratios)} | {median:.3f} | {verdict} |")
    for a, error in errors.items():
        print(f"| {a} | n/a: {error[:70]} | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", nargs="+", default=["targets", "toy", "single"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3, help="seeds per toy-accelerator cell")
    parser.add_argument("--agents", nargs="+", default=None, help="only these agents")
    args = parser.parse_args()
    if "targets" in args.sections:
        section_targets(args.workers)
    if "toy" in args.sections:
        section_toy(args.workers, args.seeds, args.agents)
    if "single" in args.sections:
        section_single(args.workers, args.agents)


if __name__ == "__main__":
    main()
