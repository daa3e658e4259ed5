"""Measures the runner's own cost per evaluation and Ray's parallel efficiency.

    python -m dsegym.experiments.benchmarks.runner_overhead [--evaluations 20000] [--ray-runs 4]

Runner overhead: distinct designs of the trivial ``synthetic`` problem are fed through
the runner's evaluator with recording on (JSON line + flush per evaluation); the cost
model's own time is measured separately and subtracted. Target: < 50 us, serial.

Ray efficiency: runs whose evaluations take 20 ms of CPU each, serial vs 2 Ray workers
(Ray started beforehand, so its start-up is not counted):
efficiency = T_serial / (2 x T_ray). Target: >= 0.85.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.costmodels import make_problem
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.record_writer import LineFormatter, RecordWriter, line_formatter
from dsegym.experiments.runner import RunEvaluator


def _formatter(problem: Any) -> LineFormatter:
    """The record format a run writes (a run header, then compact lines)."""
    run = {"run_id": "bench", "seed": 0}
    return line_formatter(run, problem.space.names, problem.cost_model.metric_names)


def runner_overhead(n: int, batch: int) -> tuple[float, float]:
    problem = make_problem("synthetic")
    rng = np.random.default_rng(0)
    designs = problem.space.sample_many(rng, n)
    start = time.perf_counter()
    for d in designs:
        problem.cost_model.evaluate(d)
    model_s = time.perf_counter() - start
    with (
        tempfile.TemporaryDirectory() as tmp,
        RecordWriter(Path(tmp) / "r.jsonl", _formatter(problem)) as w,
    ):
        ev = RunEvaluator(problem, budget=n, writer=w)
        start = time.perf_counter()
        for i in range(0, n, batch):
            ev(designs[i : i + batch])
        total_s = time.perf_counter() - start
    return (total_s - model_s) / n * 1e6, total_s / n * 1e6


def ray_efficiency(runs: int, evals: int, delay_ms: float) -> tuple[float, float, float]:
    import ray

    cfg = parse_config(
        {
            "name": "ray-bench",
            "budget": evals,
            "seeds": list(range(runs)),
            "problems": [{"name": "synthetic", "params": {"delay_ms": delay_ms}}],
            "agents": ["random"],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_experiment(cfg, results_dir=Path(tmp) / "s", show_progress=False)
        serial = time.perf_counter() - start
        ray.init(
            address="local",  # a fresh instance, never a cluster someone else started
            num_cpus=2,
            include_dashboard=False,
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
        try:
            # Warm the worker pool (process start and the one-off import of dsegym), so
            # what is measured is the steady-state dispatch of runs.
            warm = ray.remote(lambda: __import__("dsegym.experiments.launch").__name__)
            ray.get([warm.remote() for _ in range(4)])
            start = time.perf_counter()
            run_experiment(cfg, results_dir=Path(tmp) / "r", workers=2, show_progress=False)
            parallel = time.perf_counter() - start
        finally:
            ray.shutdown()
    return serial, parallel, serial / (2 * parallel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=20_000)
    parser.add_argument("--ray-runs", type=int, default=4)
    parser.add_argument("--ray-evaluations", type=int, default=100)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    for batch in (1, 64):
        own, total = runner_overhead(args.evaluations, batch)
        print(
            f"runner overhead, batch {batch:>2}: {own:6.1f} us/evaluation "
            f"(with the trivial model: {total:6.1f} us)"
        )
    serial, parallel, eff = ray_efficiency(args.ray_runs, args.ray_evaluations, args.delay_ms)
    print(
        f"ray, 2 workers, {args.ray_runs} runs x {args.ray_evaluations} evaluations of "
        f"{args.delay_ms:g} ms: serial {serial:.2f} s, parallel {parallel:.2f} s, "
        f"efficiency {eff:.3f}"
    )


if __name__ == "__main__":
    main()
