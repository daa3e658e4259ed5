"""Each agent's own cost per proposal, evaluation excluded, over 1,000 evaluations.

The evaluator is wrapped so that the time spent inside it (cost model, cache, runner
bookkeeping) is subtracted; what remains is the agent: sampler, model fitting, neural
network updates, env wrappers. Problems: toy-accelerator (3,000 mixed designs,
microseconds per evaluation) and ZDT1 with 30 real variables.

Usage (from the repository root; ~15 minutes, most of it the GP sampler):
    python -m dsegym.experiments.benchmarks.agent_overhead [--evaluations 1000] [--agents ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Design
from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import AGENTS, make_agent_for

PROBLEMS = [("toy-accelerator", {}), ("zdt1", {"n_var": 30})]
#: GP-based samplers get fewer evaluations: their cost grows with the cube of the trials.
REDUCED = {"gp": 200, "botorch": 200}


class TimedEvaluator(RunEvaluator):
    """A RunEvaluator that adds up the time spent inside it."""

    inside = 0.0

    def __call__(self, designs: Sequence[Design]) -> list[Any]:
        start = time.perf_counter()
        try:
            return super().__call__(designs)
        finally:
            self.inside += time.perf_counter() - start


def measure(agent_name: str, problem_name: str, params: dict[str, Any], budget: int) -> str:
    problem = make_problem(problem_name, params)
    start = time.perf_counter()
    try:
        agent = make_agent_for(agent_name, problem, seed=0)
    except ConfigError as exc:
        return f"n/a ({str(exc).split(';')[0].split('(')[0].strip()[:40]})"
    evaluator = TimedEvaluator(problem, budget)
    agent.run(evaluator)
    own = time.perf_counter() - start - evaluator.inside
    per_1000 = own / max(evaluator.charged, 1) * 1000
    per_proposal_ms = own / max(evaluator.proposals, 1) * 1000
    note = "" if budget == 1000 else f" ({budget} evals)"
    return f"{per_proposal_ms:.2f} ms/proposal, {per_1000:.2f} s per 1,000 evals{note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=1000)
    parser.add_argument("--agents", nargs="+", default=[a for a in AGENTS if a != "botorch"])
    args = parser.parse_args()
    print("| agent | " + " | ".join(p for p, _ in PROBLEMS) + " |")
    print("|---|" + "---|" * len(PROBLEMS))
    for agent in args.agents:
        budget = min(args.evaluations, REDUCED.get(agent, args.evaluations))
        cells = [measure(agent, p, params, budget) for p, params in PROBLEMS]
        print(f"| {agent} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
