"""The record sink of a Ray sweep: its memory over time, and the rows per second it writes.

    python -m dsegym.experiments.benchmarks.sink_throughput [--runs 40] [--budget 2000]
        [--seconds 4] [--nodes 2]

Starts a ``ray.cluster_utils.Cluster`` of ``--nodes`` nodes of one CPU each (the head
included) and measures three things:

1. **A sweep.** ``--runs`` runs of ``zdt1`` (30 variables, ``random``, ``--budget``
   evaluations each) with ``workers`` = the cluster's CPUs: every run's rows go to the
   driver's sink. Every 0.5 s it samples the resident memory (RSS) of the sink actor's
   process and of the driver, and the bytes the sink has written. The rows per second
   the workers produced (the rows written while the runs ran) are set against one such
   run recording to a local file, in the driver's process before Ray starts (what a
   worker produces with no sink in the way); the sink's CPU time per row in the sweep
   gives the rows per second it could write at the sweep's batch size.
2. **The sink's capacity.** One sender task per CPU sends already formatted lines
   (real lines of the sweep) in batches of 1, 16 and 256 lines, each waiting for the
   acknowledgement as a run does, for ``--seconds`` each. Rows per second written, and
   the sink process's CPU time per call and per row (``psutil``'s user + system time of
   that process, which a shared machine's load inflates far less than wall time): rows
   per sink-CPU second is what one sink can write, whatever the number of workers.
3. **What limits it**, from 2: the sink's CPU per call is fitted as ``a + b x lines``
   (least squares over the three batch sizes): ``a`` is the cost of one Ray actor call,
   ``b`` that of one line (write and flush).

Memory rule: a worker sends a batch and waits for the sink's acknowledgement before it
goes on (the crash-safety rule: its agent sees an outcome only once it is recorded), so
at most one batch per worker is ever queued at the sink; its memory is bounded by
workers x batch, whatever the length of the sweep.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from dsegym.experiments.config import ExperimentConfig, parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.runner import execute_run
from dsegym.experiments.sink import start_sink

BATCHES = (1, 16, 256)
MB = 1024**2


def _config(runs: int, budget: int) -> ExperimentConfig:
    return parse_config(
        {
            "name": "sink",
            "budget": budget,
            "seeds": list(range(runs)),
            "problems": [{"name": "zdt1", "params": {"n_var": 30}}],
            "agents": ["random"],
        }
    )


def find_sink() -> psutil.Process | None:
    """The sink actor's process: Ray titles an actor's process ``ray::<class>``, and the
    cluster this script started runs under it (so another user's sink is never taken).
    """
    for proc in psutil.Process().children(recursive=True):
        try:
            if " ".join(proc.cmdline()).startswith("ray::_Sink"):
                return proc
        except psutil.Error:
            continue
    return None


@dataclass
class Sampler:
    """Samples the sink's and the driver's RSS and the bytes written, every ``period``."""

    runs_dir: Path | None = None
    period: float = 0.5
    sink: psutil.Process | None = None
    samples: list[tuple[float, float, float, float]] = field(default_factory=list)
    #: The sink process's CPU seconds (user + system) at its first and last sample.
    sink_cpu: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        driver, sink = psutil.Process(), self.sink
        while not self._stop.wait(self.period):
            try:
                sink = sink or find_sink()
                sink_rss = sink.memory_info().rss / MB if sink else float("nan")
                if sink is not None:
                    cpu = sink.cpu_times()
                    self.sink_cpu[1:] = [cpu.user + cpu.system]
                    if len(self.sink_cpu) == 1:
                        self.sink_cpu.insert(0, self.sink_cpu[0])
            except psutil.NoSuchProcess:
                sink, sink_rss = None, float("nan")
            written = 0
            if self.runs_dir is not None and self.runs_dir.exists():
                written = sum(p.stat().st_size for p in self.runs_dir.glob("*.jsonl"))
            t = time.perf_counter() - self._start
            self.samples.append((t, sink_rss, driver.memory_info().rss / MB, written / MB))


def local_rate(config: ExperimentConfig, out: Path) -> float:
    """Rows per second of one run recording to a local file, in this process."""
    from dsegym.experiments.config import expand_runs

    summary = execute_run(expand_runs(config)[0], out)
    return summary.proposals / summary.wall_time_s


def sweep(config: ExperimentConfig, out: Path, workers: int) -> None:
    runs_dir = out / "runs"
    start = time.perf_counter()
    with Sampler(runs_dir) as sampler:
        summaries = run_experiment(config, results_dir=out, workers=workers, show_progress=False)
    wall = time.perf_counter() - start
    rows = sum(s.proposals for s in summaries)
    print(f"\n1. sweep: {len(summaries)} runs, {rows} rows, {workers} workers, {wall:.1f} s wall")
    print("   t (s)  sink RSS (MB)  driver RSS (MB)  written (MB)")
    step = max(1, len(sampler.samples) // 12)
    for t, sink_rss, driver_rss, written in sampler.samples[::step] + sampler.samples[-1:]:
        print(f"   {t:5.1f}  {sink_rss:13.1f}  {driver_rss:15.1f}  {written:12.1f}")
    sink = np.array([s[1] for s in sampler.samples])
    sink = sink[~np.isnan(sink)]
    if len(sink):
        tenth = sink[len(sink) // 10 :]
        print(
            f"   sink RSS from 10% of the sweep on: min {tenth.min():.1f}, max {tenth.max():.1f}, "
            f"last {sink[-1]:.1f} MB"
        )
    # Steady state: from the first bytes written to the last sample.
    writing = [s for s in sampler.samples if s[3] > 0]
    on_disk = sum(p.stat().st_size for p in runs_dir.glob("*.jsonl")) / MB
    if len(writing) >= 2 and sampler.sink_cpu:
        span = writing[-1][0] - writing[0][0]
        steady = (writing[-1][3] - writing[0][3]) / on_disk * rows / span
        busy = (sampler.sink_cpu[1] - sampler.sink_cpu[0]) / span
        print(
            f"   rows/s written while the runs ran: {steady:,.0f} (what the {workers} workers "
            f"produced); the sink's CPU was busy {busy:.0%} of that time, "
            f"{busy / steady * 1e6:.0f} us per row: at this batch size it could write "
            f"{steady / busy:,.0f} rows/s (below 100% busy it kept up: the workers set the pace)"
        )


def _sender(sink: Any, run_id: str, text: str, seconds: float) -> int:
    """Sends ``text`` to the sink again and again, waiting for each acknowledgement."""
    import ray

    calls, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        ray.get(sink.append.remote(run_id, text))
        calls += 1
    return calls


def capacity(out: Path, lines: list[str], senders: int, seconds: float) -> None:
    import ray

    sink = start_sink(out)
    proc = psutil.Process(ray.get(sink.__ray_call__.remote(lambda _: os.getpid())))
    send = ray.remote(num_cpus=1)(_sender)
    print(f"\n2. capacity: {senders} senders, each waiting for every acknowledgement")
    print(
        "   lines/call  rows/s written  sink CPU/call (us)  sink CPU/row (us)  "
        "sink RSS (MB) at 0, 1/4, 1/2, 3/4, end of the phase"
    )
    fit = []
    for batch in BATCHES:
        text = "".join(lines[i % len(lines)] for i in range(batch))
        rss = proc.memory_info().rss / MB
        before, start = proc.cpu_times(), time.perf_counter()
        with Sampler(period=0.25, sink=proc) as sampler:
            refs = [send.remote(sink, f"send-{batch}-{i}", text, seconds) for i in range(senders)]
            calls = sum(ray.get(refs))
        wall = time.perf_counter() - start
        after = proc.cpu_times()
        trace = [rss, *(s[1] for s in sampler.samples), proc.memory_info().rss / MB]
        quarters = ", ".join(
            f"{trace[round(q * (len(trace) - 1))]:.1f}" for q in np.linspace(0, 1, 5)
        )
        cpu = (after.user + after.system) - (before.user + before.system)
        per_call = cpu / calls * 1e6
        fit.append((batch, per_call))
        print(
            f"   {batch:10d}  {calls * batch / wall:14,.0f}  {per_call:18.1f}  "
            f"{per_call / batch:17.2f}  {quarters}"
        )
    ray.get(sink.close_all.remote())
    ray.kill(sink)
    b, a = np.polyfit([x for x, _ in fit], [y for _, y in fit], 1)
    print(
        f"\n3. the sink's CPU per call ~ {a:.0f} us + {b:.2f} us x lines: at "
        f"{BATCHES[1]} lines a call it writes up to {BATCHES[1] / (a + b * BATCHES[1]) * 1e6:,.0f} "
        f"rows per second of its CPU; the fixed cost of a Ray call dominates below "
        f"{a / b:.0f} lines a call"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--nodes", type=int, default=2, help="nodes of one CPU each")
    args = parser.parse_args(argv)
    import ray
    from ray.cluster_utils import Cluster

    config = _config(args.runs, args.budget)
    print(f"load average {os.getloadavg()[0]:.2f} (a shared machine: wall times are inflated)")
    with tempfile.TemporaryDirectory() as tmp:
        rate = local_rate(config, Path(tmp) / "local")
        print(f"one run recording to a local file (no Ray): {rate:,.0f} rows/s")
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
        for _ in range(args.nodes - 1):
            cluster.add_node(num_cpus=1)
        try:
            cluster.wait_for_nodes()
            ray.init(address=cluster.address, logging_level=logging.ERROR, log_to_driver=False)
            warm = ray.remote(num_cpus=1)(lambda: __import__("dsegym.experiments.launch").__name__)
            ray.get([warm.remote() for _ in range(args.nodes)])  # worker start-up not measured
            out = Path(tmp) / "sweep"
            sweep(config, out, workers=args.nodes)
            lines = (out / "runs").glob("*.jsonl").__next__().read_text().splitlines(True)[1:]
            capacity(Path(tmp) / "capacity", lines[:256], args.nodes, args.seconds)
        finally:
            ray.shutdown()
            cluster.shutdown()


if __name__ == "__main__":
    main()
