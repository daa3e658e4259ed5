"""Requests simulated per second by the DRAM controller model, per scheduler and page policy.

    .venv/bin/python -m dsegym.experiments.benchmarks.dram_speed \\
        [--requests 100000] [--device ddr4-2400]

For each workload the trace is generated and prepared once (as a problem does); each
timing is the best of ``--repeats`` runs of ``DramController.evaluate`` after a warm-up
call, so numba's JIT compilation (cached on disk after the first run) is excluded.
"""

from __future__ import annotations

import argparse
import time

from dsegym.costmodels.dram.config import DEFAULT_DESIGN, PAGE_POLICIES, SCHEDULERS
from dsegym.costmodels.dram.model import DramController
from dsegym.costmodels.dram.synthetic import generate_preset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--device", default="ddr4-2400")
    parser.add_argument("--workloads", nargs="+", default=["random", "mixed", "cloud-1", "stream"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    model = DramController(args.device)
    model.evaluate(DEFAULT_DESIGN, generate_preset("random", n_requests=100))  # JIT warm-up
    print(f"device {args.device}, {args.requests} requests per trace, best of {args.repeats}")
    print(f"{'workload':10s} {'scheduler':10s} {'page policy':15s} {'Mreq/s':>7s} {'ms':>7s}")
    rates = []
    for workload in args.workloads:
        prepared = model.prepare(generate_preset(workload, n_requests=args.requests))
        for scheduler in SCHEDULERS:
            for page in PAGE_POLICIES:
                design = {**DEFAULT_DESIGN, "Scheduler": scheduler, "PagePolicy": page}
                best = float("inf")
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    model.evaluate(design, prepared)
                    best = min(best, time.perf_counter() - start)
                rate = args.requests / best
                rates.append(rate)
                print(
                    f"{workload:10s} {scheduler:10s} {page:15s} {rate / 1e6:7.2f} {best * 1e3:7.1f}"
                )
    print(f"slowest {min(rates) / 1e6:.2f} Mreq/s, fastest {max(rates) / 1e6:.2f} Mreq/s")


if __name__ == "__main__":
    main()
