"""Ray Tune with dsegym: NSGA-II (a dsegym agent) drives a Tune experiment that costs
designs of a dsegym problem (a Tune trainable).

    python experiments/examples/tune_agent_searcher.py [--problem toy-accelerator]
        [--agent nsga2] [--samples 40]

Swap ``AgentSearcher`` for any Tune searcher (``OptunaSearch``, ``HyperOptSearch``...)
to explore a dsegym problem with Tune's own algorithms, or swap the trainable for your
own to drive it with a dsegym agent.
"""

from __future__ import annotations

import argparse
import logging
import tempfile

import ray
from ray import tune

from dsegym.costmodels import make_problem
from dsegym.experiments.tune import AgentSearcher, param_space, problem_trainable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="toy-accelerator")
    parser.add_argument("--agent", default="nsga2")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = make_problem(args.problem)
    ray.init(include_dashboard=False, logging_level=logging.ERROR)
    try:
        tuner = tune.Tuner(
            problem_trainable(args.problem),
            param_space=param_space(problem.space),
            tune_config=tune.TuneConfig(
                search_alg=AgentSearcher(args.agent, problem, seed=args.seed),
                num_samples=args.samples,
            ),
            run_config=tune.RunConfig(storage_path=tempfile.mkdtemp(), verbose=1),
        )
        frame = tuner.fit().get_dataframe()
    finally:
        ray.shutdown()
    objectives = [f"F{i}" for i in range(problem.n_objectives)]
    feasible = frame[frame["feasible"]]
    print(f"{len(frame)} trials, {len(feasible)} feasible; best per objective:")
    for i, label in enumerate(problem.objective_labels):
        best = feasible.loc[feasible[objectives[i]].idxmin()]
        config = {
            k.removeprefix("config/"): getattr(best[k], "item", lambda v=best[k]: v)()
            for k in frame
            if k.startswith("config/")
        }
        print(f"  {label}: {best[objectives[i]]:.6g} at {config}")


if __name__ == "__main__":
    main()
