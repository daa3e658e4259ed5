"""Significance of differences between agents: per problem and across problems.

Per problem, on one final indicator per run (higher is better):

* every pair of agents is compared by a two-sided Mann-Whitney rank-sum test
  (scikit-posthocs over SciPy), p-values Holm-corrected over all pairs
  (``significance.csv``);
* each agent is marked ``better`` / ``worse`` / ``tied`` against the best agent
  (highest mean, the summary's rank 1) and against ``random``: rank-sum tests of every
  agent against that control, Holm-corrected within the family of the k-1 comparisons
  with it (many-to-one).

A test is only run when it could reject at ``ALPHA``: with n1 and n2 runs the smallest
two-sided p-value of the exact test is ``2 / C(n1 + n2, n1)``; when that, times the
family size, exceeds ``ALPHA`` the mark says there are too few seeds.

Across problems: agents are ranked per problem by their mean indicator (1 = best;
ties share the mean rank); the mean ranks, a Friedman test (SciPy) and the Nemenyi
post-hoc test (scikit-posthocs) behind a critical-difference diagram (read it only
where Friedman rejects). Friedman needs at least 3 agents and 2 problems.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

ALPHA = 0.05
CONTROL = "random"


def min_p_value(n1: int, n2: int) -> float:
    """The smallest two-sided p-value an exact rank-sum test can give for n1 vs n2 runs."""
    if n1 < 1 or n2 < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values (statsmodels' ``multipletests``, kept monotone)."""
    if not p_values:
        return []
    from statsmodels.stats.multitest import multipletests

    return [float(p) for p in multipletests(p_values, method="holm")[1]]


def _rank_sum(a: np.ndarray, b: np.ndarray) -> float:
    if np.all(a == a[0]) and np.array_equal(np.unique(a), np.unique(b)):
        return 1.0  # identical constant samples: scipy would warn and return NaN
    return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def pairwise(values: pd.DataFrame, column: str) -> pd.DataFrame:
    """Holm-corrected rank-sum p-values between every pair of agents (a square table)."""
    agents = sorted(values["agent"].unique())
    if len(agents) < 2:
        return pd.DataFrame(index=agents, columns=agents, dtype=float)
    import scikit_posthocs as sp  # imports pyplot: only when a test runs

    table: pd.DataFrame = sp.posthoc_mannwhitney(
        values, val_col=column, group_col="agent", p_adjust="holm"
    )
    return table.loc[agents, agents]


def control_marks(values: pd.DataFrame, column: str, control: str) -> dict[str, str]:
    """Each agent against ``control``: ``better``, ``worse``, ``tied`` or why untested."""
    groups = {a: g[column].to_numpy(dtype=float) for a, g in values.groupby("agent")}
    if control not in groups:
        return {}
    others = [a for a in sorted(groups) if a != control]
    family = len(others)
    ref = groups[control]
    testable = [a for a in others if min_p_value(len(groups[a]), len(ref)) * family <= ALPHA]
    adjusted = dict(zip(testable, holm([_rank_sum(groups[a], ref) for a in testable]), strict=True))
    marks = {control: "(itself)"}
    for a in others:
        if a not in adjusted:
            marks[a] = f"too few seeds ({len(groups[a])} vs {len(ref)})"
        elif adjusted[a] > ALPHA:
            marks[a] = f"tied (p={adjusted[a]:.2g})"
        else:
            better = np.mean(groups[a]) > np.mean(ref)
            marks[a] = f"{'better' if better else 'worse'} (p={adjusted[a]:.2g})"
    return marks


def problem_marks(values: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per agent of one problem: marks against the best agent and against random.

    Args:
        values: One row per measured run: ``agent`` and ``column``.
        column: The indicator, higher is better.
    """
    clean = values.dropna(subset=[column])
    if clean.empty:
        return pd.DataFrame(columns=["agent", "vs_best", "vs_random"])
    means = clean.groupby("agent")[column].mean()
    best = str(means.idxmax())  # the summary's rank 1
    vs_best = control_marks(clean, column, best)
    vs_best[best] = "(best)"
    vs_random = control_marks(clean, column, CONTROL)
    return pd.DataFrame(
        [
            {"agent": a, "vs_best": vs_best.get(a, ""), "vs_random": vs_random.get(a, "")}
            for a in sorted(clean["agent"].unique())
        ]
    )


def across_problems(means: pd.DataFrame) -> dict[str, Any]:
    """Mean ranks, Friedman test and Nemenyi p-values over problems.

    Args:
        means: Rows are problems, columns agents, values the mean indicator (higher is
            better). Problems where an agent is missing are dropped.

    Returns:
        ``mean_ranks`` (Series), ``friedman_p`` (or None), ``nemenyi`` (DataFrame or
        None) and ``note`` (why a test was not run).
    """
    complete = means.dropna(axis=0, how="any")
    out: dict[str, Any] = {"mean_ranks": pd.Series(dtype=float), "friedman_p": None}
    out["nemenyi"], out["note"] = None, ""
    if complete.empty:
        out["note"] = "no problem where every agent was measured"
        return out
    ranks = complete.rank(axis=1, ascending=False, method="average")
    out["mean_ranks"] = ranks.mean(axis=0).sort_values()
    n_problems, n_agents = complete.shape
    if n_agents < 3 or n_problems < 2:
        out["note"] = (
            f"Friedman test needs at least 3 agents and 2 problems (have {n_agents} "
            f"agents, {n_problems} problems)"
        )
        return out
    p = float(stats.friedmanchisquare(*[complete[c].to_numpy() for c in complete]).pvalue)
    out["friedman_p"] = p
    import scikit_posthocs as sp  # imports pyplot: only when a test runs

    out["nemenyi"] = sp.posthoc_nemenyi_friedman(complete.to_numpy())
    out["nemenyi"].index = out["nemenyi"].columns = list(complete.columns)
    if p > ALPHA:
        out["note"] = f"Friedman test does not reject equal ranks (p={p:.2g})"
    return out


def cd_diagram(result: dict[str, Any], path: Path) -> Path | None:
    """A critical-difference diagram (scikit-posthocs) as PNG, when there is a test."""
    if result.get("nemenyi") is None or not len(result["mean_ranks"]):
        return None
    import scikit_posthocs as sp  # imports pyplot: only when a diagram is drawn

    fig = Figure(figsize=(7.0, 0.6 + 0.35 * len(result["mean_ranks"])))
    ax = fig.subplots()
    sp.critical_difference_diagram(result["mean_ranks"], result["nemenyi"], ax=ax, alpha=ALPHA)
    title = f"mean ranks over problems; Friedman p={result['friedman_p']:.2g}"
    ax.set_title(title + " (bars join agents Nemenyi cannot tell apart)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
