"""Reproduces the conclusions of the ISPASS 2026 ternary-LUT study on dsegym's model.

Paper: Geens, Heldens, Dumoulin, Verhelst, "Hardware Generation and Exploration of
Lookup Table-Based Accelerators for 1.58-bit LLM Inference" (ISPASS 2026).

Writes to RESULTS_DIR: ``lut_conclusions.png`` (four panels), ``lut_conclusions.md``
(verdict per conclusion, with the model's numbers) and three CSV tables.

Usage:
    dsegym study run lut-conclusions [--output DIR]      # both nodes, with summary.md
    python -m dsegym.experiments.studies.lut_conclusions results/lut_conclusions [--node 16nm]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from dsegym.costmodels.lut.analysis import (
    area_efficiency,
    best_group_size_vs_adder_cost,
    core_scaling,
)
from dsegym.costmodels.lut.combinatorics import SUPPORTED_MU
from dsegym.costmodels.lut.components import load_library
from dsegym.costmodels.lut.datatypes import ACTIVATION_TYPE_NAMES
from dsegym.costmodels.lut.workloads import load_workload
from dsegym.experiments.studies.common import (
    VERDICTS,
    FigureNote,
    Summary,
    judge,
    parse_study_args,
)

ADDER_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def run(out: Path, node: str) -> str:
    """Runs every sweep, writes the files and returns the Markdown report."""
    out.mkdir(parents=True, exist_ok=True)
    lib = load_library(node)
    eff = {t: area_efficiency(lib, t) for t in ACTIVATION_TYPE_NAMES}
    _write_csv(
        out / "area_efficiency.csv",
        [
            "act_dtype",
            "best_mu",
            "tables",
            "fetchers",
            "lut_um2_per_mac",
            "ternary_mac_um2_per_mac",
            "mac_um2_per_mac",
            "saving_vs_ternary_mac",
            "saving_vs_mac",
        ]
        + [f"lut_um2_per_mac_mu{m}" for m in SUPPORTED_MU],
        [
            [
                t,
                *e.lut_shape,
                f"{e.lut_um2_per_mac:.2f}",
                f"{e.ternary_mac_um2_per_mac:.2f}",
                f"{e.mac_um2_per_mac:.2f}",
                f"{e.saving_vs_ternary_mac:.3f}",
                f"{e.saving_vs_mac:.3f}",
            ]
            + [f"{e.best_by_mu[m]:.2f}" for m in SUPPORTED_MU]
            for t, e in eff.items()
        ],
    )
    prefill = load_workload("bitnet-b1.58-0.7b", "prefill", 128)
    cores = core_scaling(lib, "FP16", prefill)
    _write_csv(
        out / "core_scaling.csv",
        [
            "cores",
            "fetchers_per_core",
            "compute_area_mm2",
            "area_mm2",
            "peak_tops_per_mm2",
            "achieved_tops_per_mm2",
        ],
        [
            [
                p.cores,
                p.fetchers_per_core,
                f"{p.compute_area_mm2:.4f}",
                f"{p.area_mm2:.4f}",
                f"{p.peak_tops_per_mm2:.4f}",
                f"{p.achieved_tops_per_mm2:.4f}",
            ]
            for p in cores
        ],
    )
    best_mu = {t: best_group_size_vs_adder_cost(lib, t, ADDER_SCALES) for t in ("INT8", "FP16")}
    _write_csv(
        out / "group_size_vs_adder_cost.csv",
        ["adder_cost_scale", "best_mu_INT8", "best_mu_FP16"],
        [[s, best_mu["INT8"][s], best_mu["FP16"][s]] for s in ADDER_SCALES],
    )
    _plot(out / "lut_conclusions.png", eff, cores, best_mu, node)
    report = _report(eff, cores, best_mu, node)
    (out / "lut_conclusions.md").write_text(report)
    return report


def _plot(path: Path, eff: dict, cores: list, best_mu: dict, node: str) -> None:
    fig = Figure(figsize=(11, 8))
    ax = fig.subplots(2, 2)
    names = list(eff)
    x = range(len(names))
    ax[0, 0].bar(
        [i - 0.2 for i in x], [eff[n].lut_um2_per_mac for n in names], 0.4, label="best LUT"
    )
    ax[0, 0].bar(
        [i + 0.2 for i in x],
        [eff[n].ternary_mac_um2_per_mac for n in names],
        0.4,
        label="ternary MAC array",
    )
    ax[0, 0].set_xticks(list(x), names)
    ax[0, 0].set_ylabel("compute area per MAC/cycle (um^2)")
    ax[0, 0].set_title("(1, 2) LUT vs multiplier baseline")
    ax[0, 0].legend()
    for n in names:
        ax[0, 1].plot(
            SUPPORTED_MU, [eff[n].best_by_mu[m] for m in SUPPORTED_MU], marker="o", label=n
        )
    ax[0, 1].set_yscale("log")
    ax[0, 1].set_xlabel("group size mu")
    ax[0, 1].set_ylabel("best area per MAC/cycle (um^2)")
    ax[0, 1].set_title("(4) area vs group size")
    ax[0, 1].legend()
    ax[1, 0].plot(
        [p.cores for p in cores], [p.peak_tops_per_mm2 for p in cores], marker="o", label="peak"
    )
    ax[1, 0].plot(
        [p.cores for p in cores],
        [p.achieved_tops_per_mm2 for p in cores],
        marker="s",
        label="achieved (0.7B prefill)",
    )
    ax[1, 0].set_xscale("log", base=2)
    ax[1, 0].set_xlabel("cores (same total throughput and buffers)")
    ax[1, 0].set_ylabel("TOPS/mm^2")
    ax[1, 0].set_title("(3) FP16 density vs tiling")
    ax[1, 0].legend()
    for t, series in best_mu.items():
        ax[1, 1].plot(list(series), list(series.values()), marker="o", label=t)
    ax[1, 1].set_xscale("log", base=2)
    ax[1, 1].set_xlabel("adder cost multiplier")
    ax[1, 1].set_ylabel("best mu")
    ax[1, 1].set_title("(4) best group size vs addition cost")
    ax[1, 1].legend()
    fig.suptitle(f"dsegym LUT model, {node}: conclusions of the ISPASS 2026 study")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


RULES = {
    "1": "AGREES when the saving over 1x is within 20% of the published 1.2x "
    "(1.96-2.44x); PARTLY when the LUT still saves area (> 1x); DIFFERS otherwise",
    "2": "AGREES when the LUT saves less than 1.5x (small) but saves; PARTLY when it saves "
    "1.5x or more; DIFFERS when it saves nothing",
    "3": "AGREES when density falls with every added core; PARTLY when one core beats the "
    "most cores but not monotonically; DIFFERS otherwise",
    "4a": "AGREES when every type's best group size is 3-5; PARTLY when all are 2-6 (one "
    "off the range); DIFFERS otherwise",
    "4b": "AGREES when the best group size never falls and grows with the adder cost for "
    "both types; PARTLY for one type; DIFFERS for neither",
}
"""The rule each conclusion's verdict is judged by."""


def _group_size_verdict(best: dict[str, int]) -> str:
    values = list(best.values())
    if all(3 <= m <= 5 for m in values):
        return "AGREES"
    return "PARTLY" if all(2 <= m <= 6 for m in values) else "DIFFERS"


def _verdicts(eff: dict, cores: list, best_mu: dict) -> dict[str, str]:
    fp16, int8 = eff["FP16"].saving_vs_ternary_mac, eff["INT8"].saving_vs_ternary_mac
    dens = [p.peak_tops_per_mm2 for p in cores]
    grows = [
        list(s.values()) == sorted(s.values()) and max(s.values()) > min(s.values())
        for s in best_mu.values()
    ]
    return {
        "1": judge(fp16, 2.2, 0.2, neutral=1.0),
        "2": "AGREES" if 1 < int8 < 1.5 else "PARTLY" if int8 >= 1.5 else "DIFFERS",
        "3": "AGREES"
        if all(a > b for a, b in zip(dens, dens[1:], strict=False))
        else "PARTLY"
        if dens[0] > dens[-1]
        else "DIFFERS",
        "4a-floats": _group_size_verdict({t: eff[t].best_mu for t in ("FP16", "BF16", "FP8")}),
        "4a-integers": _group_size_verdict({t: eff[t].best_mu for t in ("INT4", "INT8")}),
        "4b": "AGREES" if all(grows) else "PARTLY" if any(grows) else "DIFFERS",
    }


def _report(eff: dict, cores: list, best_mu: dict, node: str) -> str:
    fp16, int8 = eff["FP16"], eff["INT8"]
    dens = [p.peak_tops_per_mm2 for p in cores]
    float_mu = {t: eff[t].best_mu for t in ("FP16", "BF16", "FP8")}
    int_mu = {t: eff[t].best_mu for t in ("INT4", "INT8")}
    v = _verdicts(eff, cores, best_mu)
    lines = [
        f"# LUT accelerator conclusions ({node})",
        "",
        "| # | published conclusion | dsegym model | verdict | rule |",
        "|---|---|---|---|---|",
        f"| 1 | FP16: best LUT needs about half the area of the multiplier baseline (2.2x) "
        f"| {fp16.saving_vs_ternary_mac:.2f}x vs ternary MAC array, "
        f"{fp16.saving_vs_mac:.2f}x vs FP16 MAC array (mu, L, K = {fp16.lut_shape}; "
        f"{fp16.lut_um2_per_mac:.2f} vs {fp16.ternary_mac_um2_per_mac:.2f} um^2 per MAC/cycle) "
        f"| {v['1']} | {RULES['1']} |",
        f"| 2 | INT8: the advantage is small | {int8.saving_vs_ternary_mac:.2f}x vs ternary MAC "
        f"array ({int8.lut_um2_per_mac:.2f} vs {int8.ternary_mac_um2_per_mac:.2f} um^2) "
        f"| {v['2']} | {RULES['2']} |",
        f"| 3 | a few large cores beat many small ones in area density | peak TOPS/mm^2 "
        f"{' > '.join(f'{d:.2f}' for d in dens)} for 1..{cores[-1].cores} cores "
        f"| {v['3']} | {RULES['3']} |",
        f"| 4a | the best group size is small (3-5), floats | {float_mu} "
        f"| {v['4a-floats']} | {RULES['4a']} |",
        f"| 4a | the best group size is small (3-5), integers | {int_mu} "
        f"| {v['4a-integers']} | {RULES['4a']} |",
        f"| 4b | the best group size grows when additions are expensive "
        f"| {', '.join(f'{t}: {list(s.values())}' for t, s in best_mu.items())} "
        f"for adder cost x{list(ADDER_SCALES)} | {v['4b']} | {RULES['4b']} |",
        "",
        "Why integers are off on 4a: an integer adder is cheap, so the saving of going "
        "from mu = 2 to 3 (1/2 - 1/3 of a reduction adder per MAC) is smaller than the "
        "growth of the read-out multiplexer (from 3/2 to 12/3 two-input cells per bit per "
        "MAC). The multiplexer is modelled as a tree of 2:1 cells; a synthesised AND-OR "
        "mux with shared select decoding is cheaper per input, which would move the "
        "integer optimum towards 3.",
        "",
        "Why conclusions 1, 2 and 4 give the same ratios on every node: each library scales "
        "all logic cells of the 45 nm reference by one area factor (Stillmaker & Baas give "
        "one factor per node, not one per cell type), and these conclusions compare logic "
        "with logic (compute area per MAC/cycle, buffers excluded), so the factor cancels. "
        "The absolute areas above differ between nodes; conclusion 3, whose density "
        "includes the SRAM buffers (a node-specific bitcell), does too.",
        "",
        "Area per MAC/cycle is minimised over mu = 2..7, L = 1..128 tables and K = 1..256 "
        "fetchers (powers of two), optimised build tree, 32-bit accumulators; baselines "
        "are minimised over the same tile shapes. Core scaling keeps mu = 3, L = 32, "
        "256 fetch lanes and 4 MiB + 2 MiB of buffers in total; cores split the output "
        "columns, so each builds its own tables.",
    ]
    return "\n".join(lines) + "\n"


def study_main(argv: Sequence[str] | None = None) -> None:
    """``dsegym study run lut-conclusions [--quick] [--output DIR]``.

    The study is analytical (no search), so the quick and full versions are the same:
    both nodes' component libraries, each in its own sub-folder.
    """
    opts = parse_study_args(argv, "lut-conclusions", __doc__.splitlines()[0])
    started = time.perf_counter()
    summary = Summary("LUT accelerator conclusions (ISPASS 2026, reproduced)")
    for node in ("16nm", "28nm"):
        report = run(opts.output / node, node)
        words = [
            line.split(" | ")[-2]
            for line in report.splitlines()
            if line[:3] in ("| 1", "| 2", "| 3", "| 4")
        ]
        counts = {w: words.count(w) for w in VERDICTS}
        summary.text(report.replace("# LUT", "## LUT", 1))
        summary.figure(
            FigureNote(
                f"{node}/lut_conclusions.png",
                f"The four conclusions on the {node} library",
                "the ISPASS 2026 study's conclusions: 2.2x area saving for FP16, a small "
                "advantage for INT8, a few large cores beat many small ones, best group "
                "size 3-5 growing with adder cost",
                "AGREES"
                if counts["AGREES"] == len(words)
                else "DIFFERS"
                if counts["DIFFERS"] == len(words)
                else "PARTLY",
                "AGREES when every row of the table agrees; DIFFERS when every row differs; "
                "PARTLY otherwise (each row's own rule is in the table)",
                ", ".join(f"{n} rows {w}" for w, n in counts.items()) + f" of {len(words)}",
            )
        )
    scale = "analytical (no search, no seeds): both nodes' full sweeps, quick = full"
    print(summary.write(opts.output, started, opts, scale, quick_is_full=True).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=Path)
    parser.add_argument("--node", default="16nm", help="component library (16nm, 28nm or YAML)")
    args = parser.parse_args()
    print(run(args.results_dir, args.node))


if __name__ == "__main__":
    main()
