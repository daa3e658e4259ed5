"""Records and reports millions of evaluations: time and peak memory of each step.

Run from the repository root (on a shared machine, under ``nice``)::

    python -m dsegym.experiments.benchmarks.results_scale --million 1 3 [--runs 10] \
        [--small-runs] [--out /tmp/results_scale] [--keep]

For each total (in millions of evaluations) it writes an experiment of ``zdt1`` (30
variables) searched by ``random``, ``--runs`` runs of total / runs evaluations each
(``--small-runs``: runs of 10,000 evaluations instead, e.g. 100 runs for one million),
and measures, each in its own process:

1. ``dsegym run CONFIG --no-report`` (the run, recording included);
2. ``dsegym report FOLDER`` with no cache (every record streamed once);
3. ``dsegym report FOLDER`` again (every run's digest read from the cache);
4. ``dsegym report FOLDER`` after one run was deleted and made again with ``--resume``
   (only that run's record is read).

Printed per step: wall and CPU (user + sys) seconds, CPU seconds per million
evaluations, and peak resident memory (the largest ``ru_maxrss`` of the step's
processes, from ``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process, so
one step's peak is never another's). Also the size of ``runs/`` and of
``evaluations.parquet``. Wall times on a shared machine are inflated by the load: read
the CPU times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from dsegym.experiments.results_folder import ResultsFolder

ROOT = Path(__file__).resolve().parents[2]
DSEGYM = [sys.executable, "-m", "dsegym.cli"]
SMALL_RUN = 10_000
# Runs a command in a fresh process and prints its children's resource use as JSON.
WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": time.perf_counter() - t, "cpu": u.ru_utime + u.ru_stime,
                  "peak_mb": u.ru_maxrss / 1024}))
"""


def measure(cmd: list[str]) -> dict[str, float]:
    """Wall, CPU and peak memory of ``cmd``, run in a fresh wrapper process."""
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {result['rc']}: {out.stderr[-2000:]}")
    return result


def config(folder: Path, runs: int, budget: int, name: str) -> Path:
    """An experiment of ``runs`` random-search runs of ``zdt1`` (30 variables)."""
    path = folder / f"{name}.yaml"
    body = {
        "name": name,
        "budget": budget,
        "seeds": list(range(runs)),
        "problems": [{"name": "zdt1", "params": {"n_var": 30}}],
        "agents": ["random"],
        "output_dir": str(folder / name),
    }
    path.write_text(yaml.safe_dump(body))
    return path


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def line(step: str, m: dict[str, float], millions: float) -> str:
    return (
        f"  {step:<28} wall {m['wall']:8.1f} s  cpu {m['cpu']:8.1f} s  "
        f"cpu/M {m['cpu'] / millions:7.1f} s  peak {m['peak_mb']:7.0f} MB"
    )


def bench(total: int, runs: int, work: Path) -> dict[str, object]:
    """Records and reports ``total`` evaluations in ``runs`` runs; prints and returns."""
    budget = total // runs
    name = f"scale_{total}_{runs}"
    millions = total / 1e6
    cfg = config(work, runs, budget, name)
    out = work / name
    print(f"{total:,} evaluations: {runs} runs x {budget:,} (zdt1, 30 variables, random)")
    results: dict[str, object] = {"evaluations": total, "runs": runs, "budget": budget}
    steps = [
        ("run (recording)", [*DSEGYM, "run", str(cfg), "--no-report", "--quiet"]),
        ("report, no cache", [*DSEGYM, "report", str(out)]),
        ("report, cached", [*DSEGYM, "report", str(out)]),
    ]
    for step, cmd in steps:
        m = measure(cmd)
        results[step] = m
        print(line(step, m, millions), flush=True)
    # One run made again by --resume (its files deleted first): the next report reads
    # only that run's record, every other run's digest comes from the cache.
    folder = ResultsFolder(out)
    last = folder.plan()[-1]["run_id"]
    for path in folder.run_paths(last):
        path.unlink(missing_ok=True)
    measure([*DSEGYM, "run", str(cfg), "--resume", "--no-report", "--quiet"])
    m = measure([*DSEGYM, "report", str(out)])
    results["report, one run resumed"] = m
    print(line("report, one run resumed", m, millions), flush=True)
    results["runs_mb"] = size_mb(out / "runs")
    results["parquet_mb"] = size_mb(out / "evaluations.parquet")
    results["cache_mb"] = size_mb(out / "cache")
    print(
        f"  runs/ {results['runs_mb']:.0f} MB, evaluations.parquet "
        f"{results['parquet_mb']:.0f} MB, cache/ {results['cache_mb']:.0f} MB",
        flush=True,
    )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--million", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--runs", type=int, default=10, help="runs per total (default 10)")
    parser.add_argument(
        "--small-runs", action="store_true", help=f"runs of {SMALL_RUN:,} evaluations each"
    )
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the results folders")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"argument --runs: must be at least 1, got {args.runs}")
    # Every run gets at least one evaluation: --small-runs needs one run of SMALL_RUN.
    need = SMALL_RUN if args.small_runs else args.runs
    for millions in args.million:
        if int(round(millions * 1e6)) < need:
            parser.error(
                f"argument --million: must give at least {need:,} evaluations, got {millions}"
            )
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    work = args.out or Path(tempfile.mkdtemp(prefix="results_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, work folder {work}")
    figures = []
    try:
        for millions in args.million:
            total = int(round(millions * 1e6))
            runs = total // SMALL_RUN if args.small_runs else args.runs
            figures.append(bench(total, runs, work))
            if args.json:
                args.json.write_text(json.dumps(figures, indent=2))
            if not args.keep:
                shutil.rmtree(work / f"scale_{total}_{runs}", ignore_errors=True)
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
