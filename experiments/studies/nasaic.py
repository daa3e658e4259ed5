"""NASAIC's comparison on dsegym: "NAS first, then hardware" vs joint co-exploration.

Yang et al., "Co-Exploration of Neural Architectures and Heterogeneous ASIC
Accelerator Designs Targeting Multiple Tasks" (DAC 2020), report that designing the
networks first (best accuracy) and the accelerator afterwards violates the specs, while
exploring both together meets them "with 17.77%, 2.49x and 2.32x reductions on latency,
energy and area and with 0.76% accuracy loss". This study runs both on the ``nasaic``
problem of the config, under the same specs and evaluation budget, over its seeds:

* **NAS first, then hardware**: each task's cell is the one with the best accuracy in
  the benchmark (a perfect NAS, free of charge), then the agent searches the hardware
  and the mapping only (``cells`` fixed), with the whole budget.
* **Joint**: the agent searches cells, hardware and mapping together, same budget.

Each run's result is its best design: the most accurate one that meets every spec, or,
when none does, the one closest to the specs (smallest sum of relative excesses). It
reports spec satisfaction, accuracy lost and the latency/energy/area ratios
(NAS-first / joint) beside NASAIC's published figures, as measured.

    dsegym study run nasaic [--quick] [--output DIR] [--workers N]
    python -m dsegym.experiments.studies.nasaic [--config experiments/configs/nasaic.yaml]
        [--quick] [--output DIR] [--workers N]

Writes the run records (``runs/``, with ``runs_summary.md``, ``report.html``, tables and
plots, as ``dsegym run`` does), ``nasaic_runs.csv``, ``nasaic_summary.csv``,
``nasaic_results.png``, ``nasaic.md``, ``summary.md`` and ``verdicts.json`` into ``DIR``
(default ``results/study-nasaic``, or ``results/study-nasaic-quick``). ``--quick`` runs
one seed, random search and a budget of 150. Needs the ``nasbench201`` data set.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dsegym.costmodels.nas.nasaic import TASKS
from dsegym.costmodels.nas.tables import accuracy
from dsegym.errors import ConfigError
from dsegym.experiments.config import AgentEntry, load_config
from dsegym.experiments.studies.common import (
    FigureNote,
    StudyOptions,
    Summary,
    judge,
    judge_rule,
    parse_study_args,
    run_config,
)
from dsegym.experiments.tidy import METRIC, OBJECTIVE, columns

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "nasaic.yaml"
PUBLISHED = {
    "latency_reduction_pct": 17.77,
    "energy_ratio": 2.49,
    "area_ratio": 2.32,
    "accuracy_lost_pct": 0.76,
}
SPECS = {
    "latency_spec_cycles": "latency_cycles",
    "energy_spec_pj": "energy_pj",
    "area_spec_mm2": "area_mm2",
}
QUICK_BUDGET = 150


def best_cells(tasks: list[str], fidelity: str = "12epoch") -> dict[str, int]:
    """The NAS-first networks: each task's most accurate cell."""
    return {t: int(np.nanargmax(accuracy(TASKS[t], fidelity))) for t in tasks}


@dataclass(frozen=True)
class Candidate:
    """One evaluated design: its metrics, and whether the model accepts it (within the
    PE and bandwidth budgets; specs are judged apart).
    """

    metrics: dict[str, float]
    valid: bool


def excess(candidate: Candidate, specs: dict[str, float]) -> float:
    """Sum of relative spec excesses (0 when every spec is met)."""
    metrics = candidate.metrics
    return sum(max(0.0, metrics[m] / bound - 1.0) for m, bound in specs.items())


def pick(history: Sequence[Candidate], specs: dict[str, float]) -> Candidate | None:
    """The run's result: the most accurate design meeting every spec, else the closest.

    Designs the model rejects (over the PE or bandwidth budget) are never picked.
    """
    valid = [c for c in history if c.valid]
    if not valid:
        return None
    meeting = [c for c in valid if excess(c, specs) == 0.0]
    if meeting:
        return min(meeting, key=lambda c: (c.metrics["mean_error"], c.metrics["latency_cycles"]))
    return min(valid, key=lambda c: (excess(c, specs), c.metrics["mean_error"]))


def study_config(
    params: dict[str, Any], agents: list[AgentEntry], seeds: list[int], budget: int
) -> dict[str, Any]:
    """The experiment both methods run: the ``nasaic`` problem with the best cells fixed
    (``nas_first``) and with everything searched (``joint``), every agent and seed.
    """
    tasks = list(params.get("tasks", list(TASKS)))
    return {
        "name": "nasaic-study",
        "budget": budget,
        "seeds": seeds,
        "problems": [
            {
                "name": "nasaic",
                "label": "nas_first",
                "params": {**params, "cells": best_cells(tasks)},
            },
            {"name": "nasaic", "label": "joint", "params": params},
        ],
        "agents": [a.model_dump(exclude_none=True) for a in agents],
    }


def run_table(records: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """One row per run with its result (see :func:`pick`), from the run records."""
    tasks = list(params.get("tasks", list(TASKS)))
    specs = {metric: float(params[key]) for key, metric in SPECS.items() if params.get(key)}
    rows = []
    charged = records[~records["cached"]]
    for _, run in charged.groupby("run_id", sort=False):
        first = run.iloc[0]
        metric_cols = [c for c in columns(run, METRIC) if run[c].notna().any()]
        # The model accepted a design iff its objectives are finite (tidy null rule: +inf).
        accepted = np.isfinite(run[OBJECTIVE + list(first["objectives"])[0]].to_numpy(float))
        history = [
            Candidate(
                {
                    c[len(METRIC) :]: float(v)
                    for c, v in zip(metric_cols, values, strict=True)
                    if pd.notna(v)
                },
                bool(ok),
            )
            for values, ok in zip(run[metric_cols].itertuples(index=False), accepted, strict=True)
        ]
        best = pick(history, specs)
        row: dict[str, Any] = {
            "agent": first["agent"],
            "seed": int(first["seed"]),
            "method": first["problem"],
            "evaluations": len(run),
            "meets_specs": best is not None and excess(best, specs) == 0.0,
        }
        metrics = best.metrics if best is not None else {}
        row["mean_accuracy"] = 100.0 - metrics.get("mean_error", math.nan)
        for t in tasks:
            row[f"{t}_accuracy"] = 100.0 - metrics.get(f"{t}_error", math.nan)
        for key in ("latency_cycles", "energy_pj", "area_mm2", "subaccs"):
            row[key] = metrics.get(key, math.nan)
        row["violated"] = (
            ", ".join(m for m, b in specs.items() if metrics.get(m, math.inf) > b)
            if best is not None
            else "no valid design"
        )
        rows.append(row)
    return pd.DataFrame(rows).sort_values(["agent", "seed", "method"], kind="stable")


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per agent: spec satisfaction of each method and the NAS-first / joint ratios."""
    out = []
    for agent, group in runs.groupby("agent", sort=False):
        first = group[group["method"] == "nas_first"].set_index("seed")
        joint = group[group["method"] == "joint"].set_index("seed")
        out.append(
            {
                "agent": agent,
                "seeds": len(joint),
                "nas_first_meets_specs": float(first["meets_specs"].mean()),
                "joint_meets_specs": float(joint["meets_specs"].mean()),
                "latency_reduction_pct": float(
                    100 * (1 - joint["latency_cycles"] / first["latency_cycles"]).mean()
                ),
                "energy_ratio": float((first["energy_pj"] / joint["energy_pj"]).mean()),
                "area_ratio": float((first["area_mm2"] / joint["area_mm2"]).mean()),
                "accuracy_lost_pct": float(
                    (first["mean_accuracy"] - joint["mean_accuracy"]).mean()
                ),
                "nas_first_mean_accuracy": float(first["mean_accuracy"].mean()),
                "joint_mean_accuracy": float(joint["mean_accuracy"].mean()),
            }
        )
    return pd.DataFrame(out)


def to_markdown(
    summary: pd.DataFrame, runs: pd.DataFrame, params: dict[str, Any], budget: int
) -> str:
    specs = ", ".join(f"{m} <= {params[k]:g}" for k, m in SPECS.items() if params.get(k))
    lines = [
        "# NASAIC on dsegym: NAS first, then hardware vs joint co-exploration",
        "",
        f"Tasks {params.get('tasks', list(TASKS))}; specs: {specs}; budget {budget} "
        f"evaluations per run; accuracy: 12-epoch validation (NAS-Bench-201).",
        "Ratios are NAS-first / joint, averaged over seeds (latency: % lower for joint).",
        "",
        "| | specs met (NAS-first) | specs met (joint) | latency reduction | energy ratio "
        "| area ratio | accuracy lost (points) |",
        "|---|---|---|---|---|---|---|",
        f"| NASAIC (published) | no | yes | {PUBLISHED['latency_reduction_pct']}% "
        f"| {PUBLISHED['energy_ratio']}x | {PUBLISHED['area_ratio']}x "
        f"| {PUBLISHED['accuracy_lost_pct']} |",
    ]
    for _, s in summary.iterrows():
        lines.append(
            f"| dsegym, {s['agent']} ({s['seeds']} seeds) | {s['nas_first_meets_specs']:.0%} "
            f"| {s['joint_meets_specs']:.0%} | {s['latency_reduction_pct']:.2f}% "
            f"| {s['energy_ratio']:.2f}x | {s['area_ratio']:.2f}x | {s['accuracy_lost_pct']:.2f} |"
        )
    columns = ["agent", "seed", "method", "meets_specs", "mean_accuracy", "latency_cycles",
               "energy_pj", "area_mm2", "subaccs", "violated"]  # fmt: skip
    lines += ["", "Per run:", "", "| " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    for _, run in runs[columns].iterrows():
        cells = (f"{v:.4g}" if isinstance(v, float) else str(v) for v in run)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(runs: pd.DataFrame, params: dict[str, Any], path: Path) -> None:
    """Each run's result: latency against energy, one marker per method, specs as lines."""
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    for (method, agent), group in runs.groupby(["method", "agent"], sort=True):
        marker = "o" if method == "joint" else "x"
        ax.scatter(group["latency_cycles"], group["energy_pj"], marker=marker,
                   label=f"{method}, {agent}")  # fmt: skip
    if params.get("latency_spec_cycles"):
        ax.axvline(float(params["latency_spec_cycles"]), ls="--", c="grey", lw=1)
    if params.get("energy_spec_pj"):
        ax.axhline(float(params["energy_spec_pj"]), ls="--", c="grey", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("makespan (cycles)")
    ax.set_ylabel("energy (pJ)")
    ax.set_title("Each run's result (dashed: the specs)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def run_and_save(
    config_path: Path, options: StudyOptions
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], int, list[int]]:
    """Runs (or resumes) the study of a config (reduced when quick) and writes its
    records, tables and plot.

    Returns:
        The per-run table, the summary, the ``nasaic`` problem's parameters, the budget
        and the seeds.
    """
    config = load_config(config_path)
    entry = next(p for p in config.problem_entries if p.name == "nasaic")
    agents, seeds, budget = config.agent_entries, config.seeds, config.budget
    if options.quick:
        agents, seeds, budget = [AgentEntry(name="random", label=None)], seeds[:1], QUICK_BUDGET
    params = dict(entry.params)
    out = options.output
    out.mkdir(parents=True, exist_ok=True)
    records = run_config(study_config(params, agents, seeds, budget), out, options.workers)
    runs = run_table(records, params)
    summary = summarise(runs)
    runs.to_csv(out / "nasaic_runs.csv", index=False, float_format="%.6g")
    summary.to_csv(out / "nasaic_summary.csv", index=False, float_format="%.6g")
    plot(runs, params, out / "nasaic_results.png")
    return runs, summary, params, budget, seeds


RATIO_TOLERANCE = 0.5
"""A ratio or reduction AGREES when its effect is within 50% of the published effect."""


def _combined(verdicts: list[str]) -> str:
    """One verdict over agents: AGREES if all agree, DIFFERS if all differ, else PARTLY."""
    if set(verdicts) == {"AGREES"}:
        return "AGREES"
    return "DIFFERS" if set(verdicts) == {"DIFFERS"} else "PARTLY"


def main(argv: Sequence[str] | None = None) -> str:
    """``dsegym study run nasaic [--quick] [--output DIR] [--workers N]`` (and
    ``--config FILE`` when run as a module); returns the summary's text.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    config_path = DEFAULT_CONFIG
    if "--config" in args:
        at = args.index("--config")
        if at + 1 >= len(args):
            raise ConfigError("--config: give a config file")
        config_path = Path(args.pop(at + 1))
        args.pop(at)
    started = time.perf_counter()
    options = parse_study_args(args, "nasaic", __doc__.splitlines()[0])
    runs, summary, params, budget, seeds = run_and_save(config_path, options)
    out = options.output
    nasaic_md = to_markdown(summary, runs, params, budget)
    (out / "nasaic.md").write_text(nasaic_md)
    report = Summary("NASAIC on dsegym: NAS first, then hardware vs joint co-exploration")
    report.text(nasaic_md.split("\n", 2)[2])
    report.figure(
        FigureNote(
            "nasaic_results.png",
            "Spec satisfaction",
            "NAS first violates the specs; joint co-exploration meets them",
            "AGREES"
            if (summary["joint_meets_specs"] == 1.0).all()
            and (summary["nas_first_meets_specs"] < 1.0).all()
            else "PARTLY"
            if (summary["joint_meets_specs"] > summary["nas_first_meets_specs"]).any()
            else "DIFFERS",
            "AGREES when, for every agent, joint meets the specs in every seed and NAS-first "
            "does not; PARTLY when joint meets them more often than NAS-first for some agent; "
            "DIFFERS otherwise",
            "; ".join(
                f"{s.agent}: NAS-first {s.nas_first_meets_specs:.0%}, joint "
                f"{s.joint_meets_specs:.0%}"
                for s in summary.itertuples()
            ),
        )
    )
    figures = [
        ("latency_reduction_pct", "Latency reduction (%)", "17.77% lower latency", 0.0),
        ("energy_ratio", "Energy ratio (NAS-first / joint)", "2.49x lower energy", 1.0),
        ("area_ratio", "Area ratio (NAS-first / joint)", "2.32x lower area", 1.0),
        ("accuracy_lost_pct", "Accuracy lost by joint co-exploration (points)",
         "0.76% accuracy lost", 0.0),
    ]  # fmt: skip
    for column, title, claim, neutral in figures:
        tolerance = 1.0 if column == "accuracy_lost_pct" else RATIO_TOLERANCE
        verdicts = [judge(v, PUBLISHED[column], tolerance, neutral) for v in summary[column]]
        direction = (
            "joint loses accuracy" if neutral == 0.0 and column.startswith("accuracy")
            else "joint is lower" if neutral == 0.0 else "the ratio is above 1"
        )  # fmt: skip
        pairs = zip(summary["agent"], summary[column], verdicts, strict=True)
        report.figure(
            FigureNote(
                "nasaic_summary.csv",
                title,
                claim,
                _combined(verdicts),
                judge_rule(tolerance, direction, neutral)
                + ", per agent; overall AGREES when every "
                "agent agrees, DIFFERS when every agent differs, else PARTLY",
                ", ".join(f"{a}: {v:.3g} ({w})" for a, v, w in pairs),
            )
        )
    scale = (
        f"{len(seeds)} seed(s), {budget} evaluations per run, "
        f"{runs['agent'].nunique()} agent(s) x 2 methods = {len(runs)} runs"
    )
    text = report.write(out, started, options, scale).read_text()
    print(text)
    return text


study_main = main
"""The registry's entry point (the same as :func:`main`)."""


if __name__ == "__main__":
    main()
