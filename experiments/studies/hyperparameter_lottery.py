"""ArchGym's "hyperparameter lottery" on the DRAM controller problem.

ArchGym (see PAPERS.md) reports that, given enough samples, every search algorithm can
meet a DRAM controller's target spec *if* its hyperparameters are tuned, and that the
spread across hyperparameter settings is wide: which setting one happens to pick decides
more than which algorithm. This study sweeps each agent's hyperparameters over several
seeds on ``dram-target`` and reports, per agent, the best, median and worst setting and
the fraction of settings that meet the spec.

    dsegym study run hyperparameter-lottery [--quick] [--output DIR] [--workers 2]

It runs ``experiments/configs/archgym_lottery.yaml`` and writes ``lottery.csv``,
``lottery.png`` and ``summary.md`` into the results folder (beside the records). An
interrupted study resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from dsegym.experiments.analysis import load_evaluations
from dsegym.experiments.studies.common import (
    FigureNote,
    Summary,
    objective_values,
    parse_study_args,
    run_config,
)

HERE = Path(__file__).resolve().parents[1]


def best_per_run(results_dir: Path) -> pd.DataFrame:
    """Best (lowest) objective each run reached, with its agent and hyperparameters."""
    df = load_evaluations(results_dir)
    df = df[df["feasible"] & ~df["cached"]].copy()
    df["objective"] = objective_values(df)
    best = df.groupby("run_id").agg(
        agent=("agent_name", "first"),
        setting=("hyperparameters", "first"),  # JSON text with sorted keys
        seed=("seed", "first"),
        best=("objective", "min"),
    )
    return best.reset_index()


def lottery_table(best: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per agent: spread over hyperparameter settings of the median-over-seeds best."""
    per_setting = best.groupby(["agent", "setting"])["best"].median().reset_index()
    rows = []
    for agent, frame in per_setting.groupby("agent", sort=True):
        values = frame["best"].to_numpy()
        rows.append(
            {
                "agent": agent,
                "settings": len(values),
                "best_setting": float(values.min()),
                "median_setting": float(np.median(values)),
                "worst_setting": float(values.max()),
                "spread_worst_over_best": float(values.max() / max(values.min(), 1e-12)),
                f"settings_meeting_spec_(<= {threshold:g})": float((values <= threshold).mean()),
                "best_hyperparameters": frame.loc[frame["best"].idxmin(), "setting"],
            }
        )
    return pd.DataFrame(rows)


def plot(best: pd.DataFrame, threshold: float, path: Path) -> None:
    """One column of points per agent: each point a setting's median best."""
    per_setting = best.groupby(["agent", "setting"])["best"].median().reset_index()
    agents = sorted(per_setting["agent"].unique())
    fig = Figure(figsize=(1.4 * len(agents) + 2.5, 4.2))
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    for i, agent in enumerate(agents):
        values = per_setting.loc[per_setting["agent"] == agent, "best"].to_numpy()
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(values)), values, s=22, alpha=0.8)
        ax.plot([i - 0.3, i + 0.3], [np.median(values)] * 2, c="k", lw=1)
    ax.axhline(threshold, ls="--", c="grey", lw=1, label=f"spec met (<= {threshold:g})")
    ax.set_xticks(range(len(agents)), agents)
    ax.set_yscale("log")
    ax.set_ylabel("best target distance (median over seeds)")
    ax.set_title("Hyperparameter lottery: one point per hyperparameter setting")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


QUICK = {
    "workers": 1,
    "budget": 60,
    "seeds": [0],
    "agents": [
        "random",
        {"name": "ga", "params": {"population_size": [8, 32]}},
        {"name": "aco", "params": {"ant_count": [4, 16]}},
        {"name": "tpe", "params": {"n_startup_trials": [5, 30]}},
    ],
}
"""The quick version: fewer agents, settings, seeds and evaluations (a smoke test)."""

THRESHOLD = 0.05
"""Target distance that counts as meeting the spec (within 5%)."""


def main(argv: Sequence[str] | None = None) -> None:
    """``dsegym study run hyperparameter-lottery [--quick] [--output DIR] [--workers N]``."""
    opts = parse_study_args(argv, "hyperparameter-lottery", __doc__.splitlines()[0])
    started = time.perf_counter()
    data = yaml.safe_load((HERE / "configs" / "archgym_lottery.yaml").read_text())
    if opts.quick:
        data.update(QUICK)
    out = opts.output
    out.mkdir(parents=True, exist_ok=True)
    run_config(data, out, opts.workers)
    best = best_per_run(out)
    table = lottery_table(best, THRESHOLD)
    table.to_csv(out / "lottery.csv", index=False)
    plot(best, THRESHOLD, out / "lottery.png")
    problem = data["problems"][0]
    summary = Summary("Hyperparameter lottery on the DRAM controller (ArchGym, reproduced)")
    summary.text(
        f"Problem: {problem['name']} {problem['params']}; budget {data['budget']} per run; "
        f"seeds {data['seeds']}. Each agent's hyperparameters are swept as in "
        f"`experiments/configs/archgym_lottery.yaml`; a setting's value is the median over "
        f"seeds of the best target distance its runs reached."
    )
    summary.table(table)
    meets = table[f"settings_meeting_spec_(<= {THRESHOLD:g})"]
    wide = table["spread_worst_over_best"] >= 2.0
    all_meet = bool((meets > 0).all())
    most_meet = bool((meets > 0).mean() >= 0.5)
    verdict = "AGREES" if all_meet and wide.mean() >= 0.5 else "PARTLY" if most_meet else "DIFFERS"
    summary.figure(
        FigureNote(
            "lottery.png",
            "Best target distance per hyperparameter setting",
            "ArchGym's hyperparameter-lottery figure for DRAMGym: every agent meets the "
            "target with some setting, and the spread across settings is wide",
            verdict,
            "AGREES when every agent has a setting that meets the spec and at least half "
            "the agents spread 2x or more between their worst and best settings; PARTLY "
            "when at least half the agents have a setting that meets the spec; DIFFERS "
            "otherwise",
            f"{int((meets > 0).sum())} of {len(table)} agents have a setting that meets the "
            f"spec (distance <= {THRESHOLD:g}); worst/best spread >= 2x for "
            f"{int(wide.sum())} of {len(table)} agents",
        )
    )
    scale = (
        f"{len(data['seeds'])} seed(s), {data['budget']} evaluations per run, "
        f"{best['run_id'].nunique()} runs"
    )
    path = summary.write(out, started, opts, scale)
    print(path.read_text())


if __name__ == "__main__":
    main()
