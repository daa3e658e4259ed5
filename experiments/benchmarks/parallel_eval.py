"""Parallel efficiency of ``eval_workers`` inside one run.

    python -m dsegym.experiments.benchmarks.parallel_eval [--delay-ms 50] [--budget 120]
        [--wait sleep|busy] [--agents nsga2 tpe random]

One run of each agent on the ``synthetic`` problem whose evaluations take
``--delay-ms`` each, costed serially and then by 2 Ray actors. Ray and the actors are
started (and warmed) beforehand, so what is timed is the run itself:
efficiency = T_serial / (2 x T_parallel). Target: >= 0.85 at 50 ms.

``--wait sleep`` stands for a simulator whose time is spent outside this machine's
CPUs; on a machine shared with other jobs a busy wait measures their load as much as
ours (the default is ``sleep`` for that reason; ``busy`` is there for a quiet machine).
The records of both runs are checked to be identical.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from dsegym.experiments.parallel import EvaluationPool
from dsegym.experiments.runner import RunSpec, execute_run
from dsegym.experiments.storage import read_records

AGENT_PARAMS = {
    "nsga2": {"population_size": 20},
    "tpe": {"batch_size": 4, "n_startup_trials": 8},  # constant liar
    "random": {"batch_size": 16},
}


def _rows(path: Path) -> list[dict]:
    return [
        {k: v for k, v in r.items() if k not in ("eval_time_s", "timestamp")}
        for r in read_records(path)
    ]


def measure(agent: str, budget: int, delay_ms: float, wait: str, pool: EvaluationPool) -> tuple:
    spec = RunSpec(
        experiment="parallel-bench",
        problem="synthetic",
        problem_params={"delay_ms": delay_ms, "wait": wait},
        agent=agent,
        agent_params=AGENT_PARAMS.get(agent, {}),
        seed=0,
        budget=budget,
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        execute_run(spec, Path(tmp) / "serial")
        serial = time.perf_counter() - start
        start = time.perf_counter()
        execute_run(spec, Path(tmp) / "parallel", batch_factory=pool.for_problem)
        parallel = time.perf_counter() - start
        name = f"runs/{spec.run_id}.jsonl"
        identical = _rows(Path(tmp) / "serial" / name) == _rows(Path(tmp) / "parallel" / name)
    return serial, parallel, serial / (len(pool) * parallel), identical


def main() -> None:
    import ray

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--budget", type=int, default=120)
    parser.add_argument("--wait", choices=("sleep", "busy"), default="sleep")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agents", nargs="+", default=["nsga2", "tpe"])
    args = parser.parse_args()
    ray.init(
        address="local",
        num_cpus=args.workers,
        include_dashboard=False,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    try:
        pool = EvaluationPool(args.workers)
        pool.warm_up()
        for agent in args.agents:
            serial, parallel, eff, same = measure(
                agent, args.budget, args.delay_ms, args.wait, pool
            )
            print(
                f"{agent:>6} ({AGENT_PARAMS.get(agent, {})}), {args.budget} evaluations of "
                f"{args.delay_ms:g} ms ({args.wait}), {args.workers} eval workers: serial "
                f"{serial:.2f} s, parallel {parallel:.2f} s, efficiency {eff:.3f}, "
                f"records identical: {same}"
            )
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
