"""Does each instance tell agents apart? The best stored agent against ``random``.

From the stored baselines only (full budget, the suite's seeds): per instance, the
agent with the best mean main indicator, its mean and random's, and the scoreboard's
mark of that agent against ``random`` (two-sided rank-sum test, Holm-corrected over
the family of every agent's comparison with random, alpha 0.05). An instance
*discriminates* when that mark is ``better``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments import significance
from dsegym.experiments.bench import baselines
from dsegym.experiments.bench.leaderboard import finals_at, per_instance
from dsegym.experiments.bench.suite import Suite

COLUMNS = ["instance", "indicator", "best agent", "best mean", "random mean", "best vs random"]


def discrimination(suite: Suite, folder: Path | None = None) -> pd.DataFrame:
    """One row per instance (see the module docstring).

    Raises:
        ConfigError: if no baselines are stored, or they hold no ``random`` runs.
    """
    stored, _ = baselines.load(suite, folder)
    if stored.empty:
        raise ConfigError(
            f"no stored baselines for suite {suite.suite}; make them with `dsegym bench "
            f"baselines {suite.suite} --agents random,...`"
        )
    if significance.CONTROL not in set(stored["agent"]):
        raise ConfigError(
            f"the stored baselines of {suite.suite} have no '{significance.CONTROL}' runs"
        )
    budgets = {i.id: i.budget for i in suite.instances}
    table = per_instance(finals_at(stored, suite, budgets), suite)
    rows = []
    for inst in suite.instances:
        part = table[table["instance"] == inst.id]
        if part.empty:
            continue
        best = part.sort_values(["rank", "agent"], kind="stable").iloc[0]
        rand = part[part["agent"] == significance.CONTROL]
        rows.append(
            {
                "instance": inst.id,
                "indicator": inst.column,
                "best agent": best["agent"],
                "best mean": float(best["mean"]),
                "random mean": float(rand["mean"].iloc[0]) if len(rand) else float("nan"),
                "best vs random": str(best["vs_random"]),
                "agents": int(part.shape[0]),
            }
        )
    return pd.DataFrame(rows, columns=[*COLUMNS, "agents"])


def markdown(table: pd.DataFrame, suite: Suite) -> list[str]:
    """The table as Markdown, with the count of instances that discriminate."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.4g} | {r[4]:.4g} | {r[5]} |")
    n = int(table["best vs random"].str.startswith("better").sum()) if len(table) else 0
    agents = int(table["agents"].max()) if len(table) else 0
    lines += [
        "",
        f"{n} of {len(table)} instances discriminate (best of {agents} stored agents "
        f"significantly better than random; suite {suite.suite}, hash {suite.content_hash()}).",
    ]
    return lines
