"""How well cheap proxies rank NAS-Bench-201 architectures by measured device latency.

For every cell (all 15,625, or a random sample with ``--quick``) and every device of
``latency_ms.csv``, the Spearman rank correlation between the measured latency and:
FLOPs and parameter count of the CIFAR-10 network (the benchmark's counting convention),
and dsegym's accelerator model latency of that network on the ``eyeriss`` and
``systolic`` presets of ``nasbench201-hw``, both as ``nasbench201-hw`` costs it (dead
edges pruned) and with every non-``none`` edge run (``_all_edges``), as the measured
frameworks do. Needs the ``nasbench201`` data set.

    python -m dsegym.experiments.studies.nas_latency_proxies [--output DIR] [--quick]

Writes ``latency_proxies.csv`` and ``latency_proxies.md`` into ``DIR`` (default
``results/nas_latency_proxies``) and returns the Markdown table.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from dsegym.costmodels.nas import cell_design
from dsegym.costmodels.nas.cells import cell_of
from dsegym.costmodels.nas.hwcost import NetworkCoster
from dsegym.costmodels.nas.model import NasBench201Hardware
from dsegym.costmodels.nas.tables import device_names, frame
from dsegym.costmodels.registry import make_problem

PRESETS = ("eyeriss", "systolic")
QUICK_CELLS = 1500


def proxies(indices: np.ndarray) -> pd.DataFrame:
    """FLOPs, parameters and the accelerator model's latency per cell (CIFAR-10 network)."""
    rows: dict[str, list[float]] = {"mflops": [], "mparams": []}
    problems = {p: make_problem("nasbench201-hw", {"hardware": p}) for p in PRESETS}
    for p in PRESETS:
        rows[f"dsegym_{p}_latency"] = []
    designs = [cell_design(int(i)) for i in indices]
    for p, problem in problems.items():
        for outcome in problem.evaluate_batch(designs):
            rows[f"dsegym_{p}_latency"].append(outcome.evaluation.metrics["latency_cycles"])
    for outcome in problems[PRESETS[0]].evaluate_batch(designs):
        rows["mflops"].append(outcome.evaluation.metrics["mflops"])
        rows["mparams"].append(outcome.evaluation.metrics["mparams"])
    for p, problem in problems.items():
        model = cast(NasBench201Hardware, problem.cost_model)
        coster = NetworkCoster(["cifar10"], model.tile_model.table, prune=False)
        tile = model.tile({})
        assert not isinstance(tile, str), tile  # every preset fixes a valid tile
        costs = coster.tile_costs([tile])[0]
        rows[f"dsegym_{p}_latency_all_edges"] = [
            coster.network_totals(costs, "cifar10", cell_of(d))["latency_cycles"] for d in designs
        ]
    return pd.DataFrame(rows, index=indices)


def spearman_table(indices: np.ndarray) -> pd.DataFrame:
    """Spearman rho of each proxy against each device's measured latency."""
    measured = frame("latency_ms.csv").set_index("index").loc[indices]
    values = proxies(indices)
    table = pd.DataFrame(
        {
            proxy: [values[proxy].corr(measured[d], method="spearman") for d in device_names()]
            for proxy in values.columns
        },
        index=list(device_names()),
    )
    table.index.name = "device"
    return table


def to_markdown(table: pd.DataFrame, n_cells: int) -> str:
    header = "| device | " + " | ".join(table.columns) + " | best proxy |"
    lines = [
        f"Spearman rank correlation with measured latency over {n_cells} NAS-Bench-201 "
        "cells (CIFAR-10 network)",
        "",
        header,
        "|" + "---|" * (len(table.columns) + 2),
    ]
    for device, row in table.iterrows():
        cells = " | ".join(f"{v:.3f}" for v in row)
        lines.append(f"| {device} | {cells} | {row.idxmax()} |")
    mean = " | ".join(f"{v:.3f}" for v in table.mean())
    lines.append(f"| **mean** | {mean} | {table.mean().idxmax()} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("results/nas_latency_proxies"))
    parser.add_argument("--quick", action="store_true", help=f"a random {QUICK_CELLS}-cell sample")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    indices = np.arange(15625)
    if args.quick:
        indices = np.sort(np.random.default_rng(args.seed).choice(indices, QUICK_CELLS, False))
    table = spearman_table(indices)
    args.output.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output / "latency_proxies.csv", float_format="%.4f")
    report = to_markdown(table, len(indices))
    (args.output / "latency_proxies.md").write_text(report)
    print(report)
    return report


if __name__ == "__main__":
    main()
