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

    python -m dsegym.experiments.studies.nasaic [--config experiments/configs/nasaic.yaml]
        [--output DIR] [--quick]

Writes ``nasaic_runs.csv``, ``nasaic_summary.csv`` and ``nasaic.md`` into ``DIR``
(default ``results/nasaic``). ``--quick`` runs one seed, random search and a budget of
150 (for tests). Needs the ``nasbench201`` data set.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.costmodels.nas.nasaic import TASKS
from dsegym.costmodels.nas.tables import accuracy
from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.config import AgentEntry, load_config
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import make_agent_for

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


def excess(outcome: Outcome, specs: dict[str, float]) -> float:
    """Sum of relative spec excesses (0 when every spec is met)."""
    metrics = outcome.evaluation.metrics
    return sum(max(0.0, metrics[m] / bound - 1.0) for m, bound in specs.items())


def pick(history: list[Outcome], specs: dict[str, float]) -> Outcome | None:
    """The run's result: the most accurate design meeting every spec, else the closest.

    Designs the model rejects (over the PE or bandwidth budget) are never picked.
    """
    valid = [o for o in history if o.evaluation.feasible]
    if not valid:
        return None
    meeting = [o for o in valid if excess(o, specs) == 0.0]
    if meeting:
        return min(
            meeting,
            key=lambda o: (
                o.evaluation.metrics["mean_error"],
                o.evaluation.metrics["latency_cycles"],
            ),
        )
    return min(valid, key=lambda o: (excess(o, specs), o.evaluation.metrics["mean_error"]))


def run_search(problem: Problem, agent: AgentEntry, seed: int, budget: int) -> list[Outcome]:
    """One search; returns every outcome in evaluation order."""
    evaluator = RunEvaluator(problem, budget)
    make_agent_for(agent.name, problem, seed=seed, params=agent.params).run(evaluator)
    return evaluator.history


def run_study(
    params: dict[str, Any], agents: list[AgentEntry], seeds: list[int], budget: int
) -> pd.DataFrame:
    """Both methods for every agent and seed: one row per run with its result."""
    tasks = list(params.get("tasks", list(TASKS)))
    specs = {metric: float(params[key]) for key, metric in SPECS.items() if params.get(key)}
    methods = {
        "nas_first": make_problem("nasaic", {**params, "cells": best_cells(tasks)}),
        "joint": make_problem("nasaic", params),
    }
    rows = []
    for agent in agents:
        for seed in seeds:
            for method, problem in methods.items():
                history = run_search(problem, agent, seed, budget)
                best = pick(history, specs)
                row: dict[str, Any] = {
                    "agent": agent.label or agent.name,
                    "seed": seed,
                    "method": method,
                    "evaluations": len(history),
                    "meets_specs": best is not None and excess(best, specs) == 0.0,
                }
                metrics = best.evaluation.metrics if best is not None else {}
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
    return pd.DataFrame(rows)


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


def run_and_save(
    config_path: Path, quick: bool, out: Path
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], int]:
    """Runs the study of a config (reduced when ``quick``) and writes its CSV tables.

    Returns:
        The per-run table, the summary, the ``nasaic`` problem's parameters and the budget.
    """
    config = load_config(config_path)
    entry = next(p for p in config.problem_entries if p.name == "nasaic")
    agents, seeds, budget = config.agent_entries, config.seeds, config.budget
    if quick:
        agents, seeds, budget = [AgentEntry(name="random", label=None)], seeds[:1], QUICK_BUDGET
    params = dict(entry.params)
    runs = run_study(params, agents, seeds, budget)
    summary = summarise(runs)
    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / "nasaic_runs.csv", index=False, float_format="%.6g")
    summary.to_csv(out / "nasaic_summary.csv", index=False, float_format="%.6g")
    return runs, summary, params, budget


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--output", type=Path, default=Path("results/nasaic"))
    parser.add_argument(
        "--quick", action="store_true", help="one seed, random search, small budget"
    )
    args = parser.parse_args(argv)
    runs, summary, params, budget = run_and_save(args.config, args.quick, args.output)
    report = to_markdown(summary, runs, params, budget)
    (args.output / "nasaic.md").write_text(report)
    print(report)
    return report


if __name__ == "__main__":
    main()


def _direction_verdict(measured: float, published: float) -> str:
    """AGREES within 2x of the published figure, PARTLY same direction, else DIFFERS."""
    if not math.isfinite(measured) or measured <= 0:
        return "DIFFERS"
    return "AGREES" if 0.5 <= measured / published <= 2.0 else "PARTLY"


def study_main(argv: list[str] | None = None) -> None:
    """``dsegym study run nasaic [--quick] [--output DIR] [--workers N]``.

    The searches run in this process (``--workers`` is accepted for a uniform command
    line and noted in the summary); figures and verdicts go to ``summary.md`` and
    ``verdicts.json`` beside the CSV tables.
    """
    import time

    from dsegym.experiments.studies.common import FigureNote, Summary, parse_study_args

    started = time.perf_counter()
    options = parse_study_args(argv, "nasaic", __doc__.splitlines()[0])
    out = options.output
    runs, summary, params, budget = run_and_save(DEFAULT_CONFIG, options.quick, out)
    report = Summary("NASAIC on dsegym: NAS first, then hardware vs joint co-exploration")
    report.text(to_markdown(summary, runs, params, budget).split("\n", 2)[2])
    if options.workers not in (None, 1):
        report.text(f"(`--workers {options.workers}` ignored: this study runs in-process.)")
    met = bool(
        (summary["joint_meets_specs"] > summary["nas_first_meets_specs"]).all()
        and (summary["joint_meets_specs"] == 1.0).all()
    )
    report.figure(
        FigureNote(
            "nasaic_summary.csv",
            "Spec satisfaction",
            "NAS first violates the specs; joint co-exploration meets them",
            "AGREES" if met else "DIFFERS",
            "; ".join(
                f"{s.agent}: NAS-first {s.nas_first_meets_specs:.0%}, joint "
                f"{s.joint_meets_specs:.0%}"
                for s in summary.itertuples()
            ),
        )
    )
    figures = [
        ("latency_reduction_pct", "Latency reduction (%)", "17.77% lower latency"),
        ("energy_ratio", "Energy ratio (NAS-first / joint)", "2.49x lower energy"),
        ("area_ratio", "Area ratio (NAS-first / joint)", "2.32x lower area"),
    ]
    for column, title, claim in figures:
        verdicts = {
            _direction_verdict(
                value - (1.0 if column.endswith("ratio") else 0.0),
                PUBLISHED[column] - (1.0 if column.endswith("ratio") else 0.0),
            )
            for value in summary[column]
        }
        verdict = (
            "AGREES"
            if verdicts == {"AGREES"}
            else ("DIFFERS" if verdicts == {"DIFFERS"} else "PARTLY")
        )
        pairs = zip(summary["agent"], summary[column], strict=True)
        detail = ", ".join(f"{a}: {v:.3g}" for a, v in pairs)
        report.figure(FigureNote("nasaic_summary.csv", title, claim, verdict, detail))
    lost = summary["accuracy_lost_pct"]
    report.figure(
        FigureNote(
            "nasaic_summary.csv",
            "Accuracy lost by joint co-exploration (points)",
            "0.76% accuracy lost",
            "AGREES" if (lost <= 2 * PUBLISHED["accuracy_lost_pct"]).all() else "DIFFERS",
            ", ".join(f"{a}: {v:.2f}" for a, v in zip(summary["agent"], lost, strict=True))
            + " (a verdict of AGREES needs at most twice the published loss)",
        )
    )
    report.write(out, started, options.quick)
