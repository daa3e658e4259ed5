"""The driver's peak memory when a Ray sweep is resumed: runs prepared a window ahead or all first.

    python -m dsegym.experiments.benchmarks.resume_memory --prepare DIR [--runs 40] [--budget 4000]
    python -m dsegym.experiments.benchmarks.resume_memory --resume DIR [--all-at-once]

``--prepare`` records ``--runs`` runs of ``zdt1`` (30 variables, ``random``) serially in
``DIR``, then cuts every record to half its lines and removes the completion markers, as
a sweep killed half-way would leave them. ``--resume`` copies ``DIR`` and resumes the copy
on a local Ray instance with two workers; it prints the driver's peak resident memory
(``ru_maxrss`` of this process, so run each resume in a fresh process) and the wall time.
The driver reads each resumed run's replay before submitting the run: with the runs
prepared a window ahead (two per CPU, what ``dsegym run`` does) it holds the replays of
the runs in flight; ``--all-at-once`` prepares every run first (what it did before).
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import tempfile
import time
from pathlib import Path

from dsegym.experiments import launch
from dsegym.experiments.config import load_config, parse_config
from dsegym.experiments.results_folder import ResultsFolder


def _config(runs: int, budget: int) -> dict[str, object]:
    return {
        "name": "resume-memory",
        "budget": budget,
        "seeds": list(range(runs)),
        "problems": [{"name": "zdt1", "params": {"n_var": 30}}],
        "agents": ["random"],
    }


def prepare(folder: Path, runs: int, budget: int) -> None:
    config = parse_config(_config(runs, budget))
    launch.run_experiment(config, results_dir=folder, show_progress=False)
    results = ResultsFolder(folder)
    for record in results.record_files():
        lines = record.read_bytes().splitlines(keepends=True)
        record.write_bytes(b"".join(lines[: len(lines) // 2 + 1]))  # header + half
        results.done(record.name.removesuffix(".jsonl")).unlink()


def resume(folder: Path, all_at_once: bool) -> None:
    import ray

    config = load_config(folder / "config.yaml")
    if all_at_once:
        launch.IN_FLIGHT_PER_CPU = 10**9
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy"
        shutil.copytree(folder, copy)
        ray.init(  # a fresh local instance, never a cluster someone else started
            address="local", num_cpus=2, include_dashboard=False, logging_level=logging.ERROR
        )
        start = time.perf_counter()
        try:
            launch.run_experiment(
                config, results_dir=copy, workers=2, resume=True, show_progress=False
            )
        finally:
            ray.shutdown()
        wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mode = "all runs prepared at once" if all_at_once else "a window ahead"
    print(f"resume, {mode}: driver peak RSS {peak:.0f} MB, {wall:.1f} s wall")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--prepare", type=Path, metavar="DIR")
    what.add_argument("--resume", type=Path, metavar="DIR")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--budget", type=int, default=4000)
    parser.add_argument("--all-at-once", action="store_true")
    args = parser.parse_args(argv)
    if args.prepare is not None:
        prepare(args.prepare, args.runs, args.budget)
    else:
        resume(args.resume, args.all_at_once)


if __name__ == "__main__":
    main()
