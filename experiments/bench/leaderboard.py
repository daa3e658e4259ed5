"""The leaderboard of a suite: final indicators, significance, ranks and anytime curves.

Computed from indicator histories only (:mod:`.histories`), so the stored baselines
and any new results folder are placed side by side without re-running anything:

* **Per instance**: each run's main indicator after the instance's budget; per agent
  the mean and standard deviation over seeds, the rank of the mean, and the scoreboard's
  marks (:func:`dsegym.experiments.significance.problem_marks`: two-sided rank-sum
  tests, Holm-corrected, against the best agent and against ``random``). Indicators
  where lower is better (IGD+, epsilon) are negated for the tests and ranks only.
* **Across the suite**: agents ranked per instance by their mean (1 = best), mean
  ranks, Friedman and Nemenyi tests and the critical-difference diagram
  (:func:`dsegym.experiments.significance.across_problems`), over the instances where
  every agent was measured.
* **Anytime**: per run, the first evaluation at which ``hv_ratio`` reaches each of the
  scoreboard's targets ``1 - gap`` (:func:`dsegym.experiments.anytime.target_gaps`);
  the ECDF of (run, target) pairs per instance against evaluations, and aggregated over
  instances against the fraction of each instance's budget (instances have different
  budgets); the anytime score of a run is the area under its ECDF over log10
  evaluations (:func:`dsegym.experiments.anytime.anytime_area`), averaged per agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dsegym.experiments import anytime, significance
from dsegym.experiments.bench.histories import HV, value_at
from dsegym.experiments.bench.suite import Suite

#: The aggregated curve's x axis: fractions of the budget, log-spaced from 1e-3 to 1.
FRACTION_GRID = np.logspace(-3, 0, 61)
ALL = anytime.AGGREGATE


@dataclass
class Leaderboard:
    """Every table of a leaderboard (see the module docstring)."""

    per_instance: pd.DataFrame  # instance, agent, runs, mean, std, rank, vs_best, vs_random
    finals: pd.DataFrame  # instance, agent, seed, value (main indicator at the budget)
    across: dict[str, Any]  # significance.across_problems' result
    ecdf: pd.DataFrame  # problem (instance or ALL), agent, evaluations|fraction, fraction
    anytime_scores: pd.DataFrame  # agent, anytime (mean area over runs and instances)
    notes: list[str] = field(default_factory=list)


def finals_at(history: pd.DataFrame, suite: Suite, budgets: dict[str, int]) -> pd.DataFrame:
    """Each run's main indicator after its instance's budget."""
    rows = []
    for inst in suite.instances:
        part = history[(history["instance"] == inst.id) & (history["indicator"] == inst.column)]
        if part.empty:
            continue
        rows.append(value_at(part, budgets[inst.id]))
    if not rows:
        return pd.DataFrame(columns=["instance", "agent", "seed", "value"])
    return pd.concat(rows, ignore_index=True)[["instance", "agent", "seed", "value"]]


def per_instance(finals: pd.DataFrame, suite: Suite) -> pd.DataFrame:
    """Mean, std, rank and significance marks per (instance, agent)."""
    out = []
    for inst in suite.instances:
        part = finals[finals["instance"] == inst.id]
        if part.empty:
            continue
        sign = 1.0 if inst.higher_is_better else -1.0
        scored = part.assign(score=sign * part["value"])
        stats = part.groupby("agent")["value"].agg(runs="count", mean="mean", std="std")
        stats["std"] = part.groupby("agent")["value"].std(ddof=0)
        marks = significance.problem_marks(scored[["agent", "score"]], "score")
        table = stats.reset_index().merge(marks, on="agent", how="left")
        table["rank"] = (sign * table["mean"]).rank(ascending=False, method="min")
        table.insert(0, "instance", inst.id)
        table.insert(2, "indicator", inst.column)
        out.append(table.sort_values(["rank", "agent"], kind="stable"))
    if not out:
        return pd.DataFrame()
    return pd.concat(out, ignore_index=True)


def _hitting(part: pd.DataFrame, budget: int) -> np.ndarray:
    """One run's hitting times of the ``hv_ratio`` targets, within ``budget``.

    Only values above 0 count (a front inside the box), as in the scoreboard.
    """
    part = part[(part["evaluations"] <= budget) & (part["value"] > 0)]
    targets = 1.0 - anytime.target_gaps()
    return anytime.hitting_times(
        part["evaluations"].to_numpy(dtype=float), part["value"].to_numpy(dtype=float), targets
    )


def anytime_tables(
    history: pd.DataFrame, suite: Suite, budgets: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ECDF table (per instance and aggregated) and each agent's anytime score."""
    hv = history[history["indicator"] == HV]
    parts, frac_rows, scores = [], [], []
    for inst in suite.instances:
        budget = budgets[inst.id]
        rows = []
        for (agent, _seed), run in hv[hv["instance"] == inst.id].groupby(["agent", "seed"]):
            t = _hitting(run, budget)
            rows.append({"problem": inst.id, "agent": agent, "times": t})
            frac_rows.append({"agent": agent, "fractions": t / budget})
            scores.append({"agent": agent, "anytime": anytime.anytime_area(t, budget)})
        if rows:
            parts.append(anytime.ecdf_table(pd.DataFrame(rows), budget).assign(x="evaluations"))
    parts.append(_fraction_ecdf(frac_rows))
    ecdf = pd.concat(parts, ignore_index=True)
    table = pd.DataFrame(scores, columns=["agent", "anytime"])
    table = table.groupby("agent", as_index=False)["anytime"].mean()
    return ecdf, table.sort_values("anytime", ascending=False, kind="stable")


def _fraction_ecdf(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """ECDF of (run, target) pairs against the fraction of the budget, pooled."""
    out = []
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["problem", "agent", "evaluations", "fraction", "pairs", "x"])
    for agent, part in frame.groupby("agent", sort=True):
        stacked = np.sort(np.concatenate(list(part["fractions"])))
        counts = np.searchsorted(stacked, FRACTION_GRID * (1 + 1e-12), side="right")
        for x, c in zip(FRACTION_GRID, counts, strict=True):
            out.append(
                {
                    "problem": ALL,
                    "agent": agent,
                    "evaluations": float(x),
                    "fraction": c / len(stacked),
                    "pairs": len(stacked),
                    "x": "budget fraction",
                }
            )
    return pd.DataFrame(out)


def leaderboard(history: pd.DataFrame, suite: Suite, budgets: dict[str, int]) -> Leaderboard:
    """Every leaderboard table of ``history`` (stored baselines and new runs together)."""
    finals = finals_at(history, suite, budgets)
    table = per_instance(finals, suite)
    notes: list[str] = []
    if len(table):
        signed = table.assign(
            score=[
                m if suite.instance(i).higher_is_better else -m
                for i, m in zip(table["instance"], table["mean"], strict=True)
            ]
        )
        means = signed.pivot_table(index="instance", columns="agent", values="score")
        # An agent measured on only some instances (a partial run) is left out of the
        # ranks rather than shrinking the suite to the instances every agent covered.
        partial = [a for a in means.columns if means[a].isna().any()]
        for a in partial:
            notes.append(
                f"{a} was measured on {int(means[a].notna().sum())} of {len(means)} "
                "instances: shown per instance, left out of the mean ranks"
            )
        across = significance.across_problems(means.drop(columns=partial))
    else:
        across = significance.across_problems(pd.DataFrame())
    ecdf, scores = anytime_tables(history, suite, budgets)
    notes += early_stops(history, budgets)
    return Leaderboard(table, finals, across, ecdf, scores, notes)


def early_stops(history: pd.DataFrame, budgets: dict[str, int]) -> list[str]:
    """Runs that spent fewer evaluations than the budget (proposal limit, agent done)."""
    hv = history[history["indicator"] == HV]
    spent = hv.groupby(["agent", "instance", "seed"])["evaluations"].max().reset_index()
    spent["budget"] = spent["instance"].map(budgets)
    short = spent[spent["evaluations"] < spent["budget"]]
    out = []
    for agent, part in short.groupby("agent", sort=True):
        out.append(
            f"{len(part)} runs of {agent} stopped before their budget (at "
            f"{int(part['evaluations'].min())}-{int(part['evaluations'].max())} "
            "evaluations; scored with what they found)"
        )
    return out
