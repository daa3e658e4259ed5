"""Multi-agent RL for DRAM controller design (Krishnan et al.), reproduced.

The paper's setting: ArchGym's ten DRAM controller knobs (``dram-target-archgym``), one
agent per knob (``marl`` with one group per parameter), a shared target-distance
reward, one-step episodes; against single-agent PPO (one whole design per action) and
SAC on a continuous relaxation, with the same evaluation budget. Three targets: low
power, low latency, and both. The measure is sample efficiency: the best target
distance reached after each number of evaluations, over seeds.

    dsegym study run marl-dse [--quick] [--output DIR] [--workers N]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dsegym.experiments.studies.common import (
    FigureNote,
    Summary,
    best_so_far,
    parse_study_args,
    run_config,
)

# The paper's absolute targets are for DRAMSys on its own traces. Ours sit in the low
# tail of this model's distribution over the ten-knob space (400 uniform samples on
# cloud-1: power 836-1088 mW with 5% under 858 mW; mean latency 97-5900 ns with 5%
# under 144 ns), so they are hard but reachable.
TARGETS: dict[str, dict[str, Any]] = {
    "low-power": {"target": "power", "target_power_mw": 840.0},
    "low-latency": {"target": "latency", "target_latency_ns": 100.0},
    "both": {"target": "both", "target_power_mw": 840.0, "target_latency_ns": 100.0},
}
AGENTS: list[dict[str, Any]] = [
    # One agent per knob: the cost model's default groups are one per parameter.
    {
        "name": "marl",
        "label": "marl",
        "params": {"episode_length": 1, "n_steps": 16, "minibatch_size": 16},
    },
    {
        "name": "ppo",
        "label": "ppo",
        "params": {"episode_length": 1, "n_steps": 16, "batch_size": 16},
    },
    {"name": "sac", "label": "sac", "params": {"episode_length": 1, "learning_starts": 16}},
    {"name": "random", "label": "random"},
]


def curves(best: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Median and quartiles over seeds of the best distance after n evaluations."""
    grid = np.unique(np.linspace(1, budget, 50).astype(int))
    rows = []
    for (problem, agent), frame in best.groupby(["problem", "agent"]):
        per_seed = []
        for _, run in frame.groupby("run_id"):
            n, b = run["evaluations"].to_numpy(), run["best"].to_numpy()
            per_seed.append(
                [b[np.searchsorted(n, g, side="right") - 1] if g >= n[0] else np.inf for g in grid]
            )
        values = np.array(per_seed)
        for j, g in enumerate(grid):
            col = values[:, j]
            rows.append(
                {
                    "target": problem,
                    "agent": agent,
                    "evaluations": int(g),
                    "median": float(np.median(col)),
                    "q25": float(np.quantile(col, 0.25)),
                    "q75": float(np.quantile(col, 0.75)),
                    "seeds": len(col),
                }
            )
    return pd.DataFrame(rows)


def _mean_log_distance(run: pd.DataFrame, budget: int) -> float:
    """Mean over evaluations 1..budget of log10 of the best distance so far."""
    n, b = run["evaluations"].to_numpy(), run["best"].to_numpy()
    grid = np.arange(1, budget + 1)
    idx = np.searchsorted(n, grid, side="right") - 1
    values = np.where(idx >= 0, b[np.clip(idx, 0, None)], b[0])
    return float(np.mean(np.log10(np.maximum(values, 1e-12))))


def plot(curve: pd.DataFrame, path: Path) -> None:
    targets = list(TARGETS)
    fig = Figure(figsize=(4.2 * len(targets), 3.8))
    axes = fig.subplots(1, len(targets))
    for ax, target in zip(axes, targets, strict=True):
        for agent, frame in curve[curve["target"] == target].groupby("agent"):
            ax.plot(frame["evaluations"], frame["median"], label=agent)
            ax.fill_between(frame["evaluations"], frame["q25"], frame["q75"], alpha=0.2)
        ax.set_yscale("log")
        ax.set_title(f"target: {target}")
        ax.set_xlabel("evaluations")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("best target distance (median, quartiles over seeds)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: Sequence[str] | None = None) -> None:
    """``dsegym study run marl-dse [--quick] [--output DIR] [--workers N]``."""
    opts = parse_study_args(argv, "marl-dse", __doc__.splitlines()[0])
    started = time.perf_counter()
    out = opts.output
    out.mkdir(parents=True, exist_ok=True)
    budget, seeds = (48, [0]) if opts.quick else (400, [0, 1, 2, 3, 4])
    config = {
        "name": "marl-dse",
        "budget": budget,
        "seeds": seeds,
        "problems": [
            {"name": "dram-target-archgym", "label": label, "params": params}
            for label, params in TARGETS.items()
        ],
        "agents": AGENTS,
    }
    best = best_so_far(run_config(config, out, opts.workers))
    curve = curves(best, budget)
    curve.to_csv(out / "sample_efficiency.csv", index=False)
    final = (
        best.groupby(["problem", "agent", "run_id"])["best"]
        .min()
        .groupby(["problem", "agent"])
        .agg(["median", "min", "max"])
        .reset_index()
        .rename(
            columns={
                "problem": "target",
                "median": "median_best",
                "min": "best_seed",
                "max": "worst_seed",
            }
        )
    )
    half = curve[
        curve["evaluations"]
        == curve["evaluations"].unique()[len(curve["evaluations"].unique()) // 2]
    ][["target", "agent", "median"]]
    final = final.merge(
        half.rename(columns={"median": "median_at_half_budget"}), on=["target", "agent"]
    )
    efficiency = (
        best.groupby(["problem", "agent", "run_id"])
        .apply(lambda run: _mean_log_distance(run, budget), include_groups=False)
        .groupby(["problem", "agent"])
        .median()
        .rename("mean_log10_distance")
        .reset_index()
        .rename(columns={"problem": "target"})
    )
    final = final.merge(efficiency, on=["target", "agent"])
    final.to_csv(out / "final.csv", index=False)
    plot(curve, out / "sample_efficiency.png")
    summary = Summary("Multi-agent RL for DRAM controller design (Krishnan et al., reproduced)")
    summary.text(
        f"Problem `dram-target-archgym` (cloud-1 trace, DDR3-1600), budget {budget} "
        f"evaluations per run, seeds {seeds}. MARL: one PPO learner per knob (ten), "
        "one-step episodes, shared reward; PPO and SAC: one design per action, one-step "
        "episodes. All use the same reward (minus the target distance, normalised by "
        "its observed range). Random search is shown as the floor. Targets: "
        + "; ".join(f"{k}: {v}" for k, v in TARGETS.items()),
    )
    summary.table(final)
    summary.text(
        "Where this setting differs from the paper's: the cost model is dsegym's analytical "
        "DRAM controller, not DRAMSys; RequestBufferSize has 6 values (1..32), not 8, since "
        "dsegym's controller caps the buffer at 32; the targets are set in the low tail of "
        "this model's distribution, not the paper's absolute values; the reward is minus "
        "the normalised target distance for every agent (the paper's reward is the inverse "
        "distance); MARL is dsegym's independent PPO learners (`marl`), PPO and SAC are "
        "stable-baselines3's. `mean_log10_distance` is the median over seeds of the mean, "
        "over evaluations 1..budget, of log10 of the best distance so far (lower: reaches "
        "good designs sooner)."
    )
    verdicts = {}
    for target, frame in final.groupby("target"):
        score = dict(zip(frame["agent"], frame["mean_log10_distance"], strict=True))
        rivals = min(score["ppo"], score["sac"])
        # Sample efficiency: the whole curve (mean log10 best distance over the
        # evaluation grid), so an agent that gets there sooner scores lower.
        verdicts[target] = (
            "better"
            if score["marl"] < rivals - 0.01
            else "tie"
            if abs(score["marl"] - rivals) <= 0.01
            else "worse"
        )
    n_win = sum(v == "better" for v in verdicts.values())
    summary.figure(
        FigureNote(
            "sample_efficiency.png",
            "Best target distance against evaluations",
            "Krishnan et al.: MARL consistently outperforms single-agent PPO and SAC on "
            "low-power, low-latency and joint targets",
            "AGREES" if n_win == len(verdicts) else "PARTLY" if n_win else "DIFFERS",
            "AGREES when MARL is more sample-efficient than both PPO and SAC (by more than "
            "0.01 in mean log10 distance) on all three targets; PARTLY on some; DIFFERS on "
            "none",
            "MARL's sample efficiency (median over seeds of the mean log10 best distance "
            "over the run; lower is better; within 0.01 is a tie) against the better of "
            "PPO and SAC: " + ", ".join(f"{t}: {v}" for t, v in verdicts.items()),
        )
    )
    scale = f"{len(seeds)} seed(s), {budget} evaluations per run, {len(AGENTS)} agents x 3 targets"
    print(summary.write(out, started, opts, scale).read_text())


if __name__ == "__main__":
    main()
