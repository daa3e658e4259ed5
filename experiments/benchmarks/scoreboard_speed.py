"""Times the scoreboard: exact-front enumeration and a report over a results folder.

Run from the repository root::

    python -m dsegym.experiments.benchmarks.scoreboard_speed front [PROBLEM]
    python -m dsegym.experiments.benchmarks.scoreboard_speed report RESULTS_DIR

``front`` enumerates PROBLEM (default ``accelerator-systolic``, 750,141 designs) the way
``dsegym front compute`` does, in this one process with one BLAS thread, and prints the
CPU time (``time.process_time``: one core's work, whatever else the machine runs) and
the wall time. ``report`` rewrites RESULTS_DIR's report (``dsegym report``) and prints
its CPU and wall time, and the CPU time of the scoreboard's own parts (indicators,
anytime curves, significance, their plots).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def time_front(problem: str) -> None:
    from dsegym.experiments.front_compute import compute_exact

    cpu, wall = time.process_time(), time.perf_counter()
    front = compute_exact(problem)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    facts = front.provenance
    print(
        f"{problem}: {facts['designs_enumerated']:,} designs, {facts['feasible_designs']:,} "
        f"feasible, {len(front.points)} front points; CPU {cpu:.1f} s, wall {wall:.1f} s"
    )


def time_report(results_dir: Path) -> None:
    from dsegym.experiments import analysis, report, scoreboard_report

    spent = {"scoreboard": 0.0}

    def timed(module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent["scoreboard"] += time.process_time() - start

        setattr(module, name, wrapper)

    for name in ("score_runs", "lead_summary", "scoreboard_facts"):
        timed(analysis, name)
    for name in ("plot_anytime", "markdown_overall", "anytime_figure", "markdown_problem"):
        timed(scoreboard_report, name)
    cpu, wall = time.process_time(), time.perf_counter()
    report.write_report(results_dir)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"report of {results_dir}: CPU {cpu:.1f} s, wall {wall:.1f} s; scoreboard parts "
        f"CPU {spent['scoreboard']:.1f} s (an upper bound: nested parts count twice)"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["front"]:
        time_front(argv[1] if len(argv) > 1 else "accelerator-systolic")
    elif argv[:1] == ["report"] and len(argv) == 2:
        time_report(Path(argv[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
