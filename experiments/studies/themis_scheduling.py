"""Themis vs the baseline hierarchical all-reduce on asymmetric multi-dimensional networks.

Reproduces the headline claim of Themis (Rashidi et al., "Themis: a network
bandwidth-aware collective scheduling policy for distributed training of DL models",
ISCA 2022): "on average, Themis can improve the network BW utilization of the single
All-Reduce by 1.72X (2.70X max)". For one all-reduce of a fixed size the bandwidth
utilisation is the bytes over the time, so its improvement is the speed-up
``T_baseline / T_themis``, measured here with the ``collective`` cost model on 1,024-NPU
networks of 2, 3 and 4 dimensions whose bandwidth falls from the innermost dimension
outward (the asymmetry Themis targets), and on control networks whose bandwidths are
chosen so that the baseline already loads every dimension equally (where the paper's
argument predicts no gain).

    dsegym study run themis-scheduling [--quick] [--output DIR]

The networks are ours, built after the paper's description (a fast, small inner
dimension; slower, larger outer ones); the paper's own topology table is not copied.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.optimize import linprog

from dsegym.costmodels.distributed.model import CollectiveModel, network_design
from dsegym.costmodels.distributed.network import phase_coefficients
from dsegym.experiments.studies.common import (
    FigureNote,
    Summary,
    judge,
    judge_rule,
    parse_study_args,
)

PUBLISHED_MEAN, PUBLISHED_MAX = 1.72, 2.70
CHUNKS = 64  # chunks per collective for both policies (ours)
ACTIVE = 1  # active chunks per dimension (ours)
# Sensitivity grid: (link latency ns, active chunks, chunks).
SETTINGS = [(lat, k, c) for lat in (50, 500) for k in (1, 4) for c in (16, 64)]

# name -> [(topology, NPUs, GB/s, ns, algorithm)] per dimension, innermost first; every
# link 500 ns (ASTRA-sim's example network configurations use 500 ns).
NETWORKS: dict[str, list[tuple[str, int, int, int, str]]] = {
    "2D FC-SW 8x128, 400/50": [
        ("fully_connected", 8, 400, 500, "direct"),
        ("switch", 128, 50, 500, "ring"),
    ],
    "2D R-SW 16x64, 200/25": [("ring", 16, 200, 500, "ring"), ("switch", 64, 25, 500, "ring")],
    "3D R-FC-SW 4x8x32, 400/100/25": [
        ("ring", 4, 400, 500, "ring"),
        ("fully_connected", 8, 100, 500, "direct"),
        ("switch", 32, 25, 500, "ring"),
    ],
    "3D SW-SW-SW 8x8x16, 800/200/50": [
        ("switch", 8, 800, 500, "ring"),
        ("switch", 8, 200, 500, "ring"),
        ("switch", 16, 50, 500, "ring"),
    ],
    "4D R-FC-R-SW 2x8x8x8, 800/400/100/50": [
        ("ring", 2, 800, 500, "ring"),
        ("fully_connected", 8, 400, 500, "direct"),
        ("ring", 8, 100, 500, "ring"),
        ("switch", 8, 50, 500, "ring"),
    ],
    "4D SW x4 4x4x8x8, 400/200/100/50": [
        ("switch", 4, 400, 500, "ring"),
        ("switch", 4, 200, 500, "ring"),
        ("switch", 8, 100, 500, "ring"),
        ("switch", 8, 50, 500, "ring"),
    ],
}
SIZES_MIB = (64, 256, 1024)


def balanced(network: Sequence[tuple[str, int, int, int, str]]) -> list[tuple]:
    """The same network with bandwidths that load each dimension equally under the
    baseline (ring over switch dims: load ~ (p-1)/p * bytes entering / B), scaled so the
    innermost keeps its bandwidth.
    """
    entering, loads = 1.0, []
    for _, p, _, _, _ in network:
        loads.append((p - 1) / p * entering)
        entering /= p
    inner = network[0][2]
    return [
        ("switch", p, inner * load / loads[0], lat, "ring")
        for (_, p, _, lat, _), load in zip(network, loads, strict=True)
    ]


def ideal_speedup(network: Sequence[tuple]) -> float:
    """Upper bound on any chunk-order policy's speed-up over the baseline in the
    bandwidth-bound limit: bandwidth terms only, infinitely many chunks, the best
    mixture of dimension orders (a linear program over the ``D!`` orders; scipy's
    HiGHS solves it).
    """
    coefficients = [
        phase_coefficients("all_reduce", alg, topo, p, bw, lat) for topo, p, bw, lat, alg in network
    ]
    K = [c[1] for c in coefficients if not isinstance(c, str)]
    P = [p for _, p, _, _, _ in network]
    dims = len(network)

    def load(order: Sequence[int]) -> list[float]:
        per_byte, share = [0.0] * dims, 1.0
        for d in order:
            per_byte[d] = K[d] * share
            share /= P[d]
        return per_byte

    orders = list(itertools.permutations(range(dims)))
    loads = np.array([load(o) for o in orders])  # (orders, dims)
    # variables: mixture weight per order, then z; minimise z
    c = np.r_[np.zeros(len(orders)), 1.0]
    A_ub = np.c_[loads.T, -np.ones(dims)]
    A_eq = np.r_[np.ones(len(orders)), 0.0][None, :]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(dims), A_eq=A_eq, b_eq=[1.0], method="highs")
    return float(max(load(range(dims))) / res.x[-1])


def speedups(
    sizes: Sequence[int], latency: float | None = None, active: int = ACTIVE, chunks: int = CHUNKS
) -> pd.DataFrame:
    """Baseline and Themis all-reduce times on every network and size."""
    rows = []
    for kind in ("asymmetric", "balanced control"):
        for name, network in NETWORKS.items():
            net = network if kind == "asymmetric" else balanced(network)
            if latency is not None:
                net = [(t, p, bw, latency, alg) for t, p, bw, _, alg in net]
            model = CollectiveModel(len(net))
            for mib in sizes:
                workload = ("all_reduce", mib * 2**20)
                # The model's space holds the usual knob values; the control networks'
                # bandwidths are not among them, so the model is called directly.
                base, themis = (
                    model.evaluate(network_design(net, s, chunks, active), workload).metrics[
                        "time_us"
                    ]
                    for s in ("baseline", "themis")
                )
                rows.append(
                    {
                        "network": name,
                        "kind": kind,
                        "size_mib": mib,
                        "baseline_us": base,
                        "themis_us": themis,
                        "speedup": base / themis,
                        "ideal_bound": ideal_speedup(net),
                    }
                )
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path) -> None:
    asym = table[table["kind"] == "asymmetric"]
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    labels = [f"{n}\n{s} MiB" for n, s in zip(asym["network"], asym["size_mib"], strict=True)]
    ax.bar(range(len(asym)), asym["speedup"], color="tab:blue", label="dsegym (measured)")
    ax.axhline(PUBLISHED_MEAN, color="tab:red", ls="--", label="Themis paper: mean 1.72x")
    ax.axhline(PUBLISHED_MAX, color="tab:red", ls=":", label="Themis paper: max 2.70x")
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(asym)), labels, rotation=90, fontsize=6)
    ax.set_ylabel("all-reduce speed-up, Themis / baseline")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


# The headline is judged on the mean speed-up, an effect measured from 1.0x (no gain), by
# the rule every study uses; Themis must also never be slower than the baseline.
TOLERANCE = 0.25
VERDICT_RULE = (
    judge_rule(TOLERANCE, "Themis is faster on average and never slower", neutral=1.0)
    + " (judged on the mean speed-up)"
)


def verdict(mean: float, never_slower: bool) -> str:
    """The verdict on the headline figure, by :data:`VERDICT_RULE`."""
    if not never_slower:
        return "DIFFERS"
    return judge(mean, PUBLISHED_MEAN, TOLERANCE, neutral=1.0)


def main(argv: list[str] | None = None) -> None:
    """``dsegym study run themis-scheduling [--quick] [--output DIR]``."""
    started = time.perf_counter()
    options = parse_study_args(argv, "themis-scheduling", __doc__.splitlines()[0])
    out = options.output
    out.mkdir(parents=True, exist_ok=True)
    table = speedups(SIZES_MIB[-1:] if options.quick else SIZES_MIB)
    table.to_csv(out / "themis_speedups.csv", index=False)
    plot(table, out / "themis_speedups.png")
    asym = table[table["kind"] == "asymmetric"]["speedup"]
    control = table[table["kind"] == "balanced control"]["speedup"]
    mean, top = float(asym.mean()), float(asym.max())
    report = Summary("Themis vs baseline multi-dimensional all-reduce (ASTRA-sim style)")
    report.text(
        f"One all-reduce per network and size, {CHUNKS} chunks, one active chunk per "
        "dimension; speed-up = baseline time / Themis time (= the bandwidth-utilisation "
        "ratio the paper reports). Model: `collective` "
        f"v{CollectiveModel.version} (closed forms per dimension, pipeline rule of "
        "`costmodels/distributed/collectives.py`).",
        f"Rule of the verdict on the headline figure: {VERDICT_RULE}",
    )
    report.table(table)
    rows = []
    for lat, k, c in SETTINGS[:2] if options.quick else SETTINGS:
        grid = speedups(SIZES_MIB[-1:] if options.quick else SIZES_MIB, lat, k, c)
        sp = grid[grid["kind"] == "asymmetric"]["speedup"]
        rows.append(
            {
                "latency_ns": lat,
                "active_chunks": k,
                "chunks": c,
                "mean_speedup": sp.mean(),
                "max_speedup": sp.max(),
                "min_speedup": sp.min(),
            }
        )
    sensitivity = pd.DataFrame(rows)
    sensitivity.to_csv(out / "themis_sensitivity.csv", index=False)
    report.text(
        "Sensitivity of the asymmetric networks' speed-up to link latency, active "
        "chunks per dimension and chunk count (all other settings as above):"
    )
    report.table(sensitivity)
    bound = table[table["kind"] == "asymmetric"]["ideal_bound"]
    report.text(
        "Why the measured gain is smaller than the paper's: `ideal_bound` is the largest "
        "speed-up any policy that reorders dimensions per chunk could reach on each "
        "network in the bandwidth-bound limit (bandwidth terms only, infinitely many "
        "chunks, best mixture of orders, a linear program; with finite chunks the fill "
        "and drain of the pipeline can differ a little more): "
        f"{bound.min():.2f}x..{bound.max():.2f}x here, mean "
        f"{bound.mean():.2f}x. On two-dimensional networks whose inner dimension is the "
        "faster, the baseline order is already optimal (bound 1.0x), and latency terms "
        "(one active chunk, 500 ns links, ring phases over up to 128 NPUs) are not "
        "reordered away at all. Reaching the paper's 1.72x mean needs networks whose "
        "imbalance is larger than ours; the paper's own topology table is not "
        "reproduced here, and its baseline is ASTRA-sim's event-driven scheduler rather "
        "than this closed-form pipeline rule.",
    )
    report.figure(
        FigureNote(
            "themis_speedups.png",
            "Themis speed-up on asymmetric networks",
            "Themis (ISCA 2022): single all-reduce BW utilisation 1.72x on average, 2.70x max",
            verdict(mean, bool((asym >= 1.0 - 1e-9).all())),
            VERDICT_RULE,
            f"measured mean {mean:.2f}x, max {top:.2f}x over {len(asym)} network x size "
            f"cases (published 1.72x mean, 2.70x max; networks are ours, not the paper's)",
        )
    )
    report.figure(
        FigureNote(
            "themis_speedups.csv",
            "Control: networks the baseline already balances",
            "Themis' premise: its gain comes from load imbalance across dimensions",
            "AGREES" if float((control - 1).abs().max()) <= 0.05 else "DIFFERS",
            "AGREES when every control is within 5% of 1.0x (no gain without imbalance); "
            "DIFFERS otherwise (no PARTLY: the premise holds or it does not)",
            f"speed-up on balanced controls {control.min():.3f}x..{control.max():.3f}x",
        )
    )
    sizes = SIZES_MIB[-1:] if options.quick else SIZES_MIB
    report.write(
        out,
        started,
        options,
        f"{len(asym)} asymmetric network x size cases ({len(sizes)} sizes), analytical",
    )


if __name__ == "__main__":
    main()
