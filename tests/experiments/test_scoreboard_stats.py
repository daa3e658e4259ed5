"""Anytime ECDFs and significance on synthetic runs with a known ordering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dsegym.experiments import anytime, significance


def test_hitting_times_and_area_by_hand():
    evals, hvs = np.array([1.0, 10.0]), np.array([0.5, 0.9])
    times = anytime.hitting_times(evals, hvs, np.array([0.0, 0.5, 0.9, 1.0]))
    assert times.tolist() == [1.0, 1.0, 10.0, np.inf]
    # budget 100 = two decades: credits 1, 1, 1 - 1/2, 0
    assert anytime.anytime_area(times, 100) == pytest.approx(2.5 / 4)
    assert anytime.anytime_area(np.full(3, np.inf), 100) == 0.0


def test_ecdf_counts_pairs_and_pools_problems():
    times = pd.DataFrame(
        [
            {"problem": "p", "agent": "a", "times": np.array([1.0, 10.0])},
            {"problem": "q", "agent": "a", "times": np.array([np.inf, 100.0])},
        ]
    )
    table = anytime.ecdf_table(times, 100, points=3)  # 1, 10, 100 evaluations
    p = table[(table["problem"] == "p")]["fraction"].tolist()
    pooled = table[(table["problem"] == anytime.AGGREGATE)]["fraction"].tolist()
    assert p == [0.5, 1.0, 1.0]
    assert pooled == [0.25, 0.5, 0.75]


def _runs(levels: dict[str, float], seeds: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        {"agent": agent, "ref_hv_ratio": level + 0.01 * rng.standard_normal()}
        for agent, level in levels.items()
        for _ in range(seeds)
    ]
    return pd.DataFrame(rows)


def test_marks_follow_a_known_ordering():
    values = _runs({"strong": 0.95, "middle": 0.7, "random": 0.4, "twin": 0.95}, seeds=5)
    marks = significance.problem_marks(values, "ref_hv_ratio").set_index("agent")
    best = marks.loc[marks["vs_best"] == "(best)"].index[0]
    assert best in ("strong", "twin")
    assert marks.loc["middle", "vs_best"].startswith("worse")
    assert marks.loc["random", "vs_best"].startswith("worse")
    assert marks.loc["strong", "vs_random"].startswith("better")
    assert marks.loc["middle", "vs_random"].startswith("better")
    other = "twin" if best == "strong" else "strong"
    assert marks.loc[other, "vs_best"].startswith("tied")
    p = significance.pairwise(values, "ref_hv_ratio")
    assert p.loc["strong", "random"] < 0.05 and p.loc["strong", "twin"] > 0.05


def test_too_few_seeds_are_said_not_tested():
    values = _runs({"strong": 0.95, "random": 0.4, "middle": 0.7}, seeds=3)
    marks = significance.problem_marks(values, "ref_hv_ratio").set_index("agent")
    assert marks.loc["strong", "vs_random"].startswith("too few seeds (3 vs 3)")
    assert significance.min_p_value(3, 3) == pytest.approx(0.1)


def test_friedman_and_mean_ranks_across_problems():
    means = pd.DataFrame(
        {"a": [0.9, 0.8, 0.95, 0.7], "b": [0.6, 0.5, 0.7, 0.4], "c": [0.3, 0.2, 0.1, 0.2]},
        index=["p1", "p2", "p3", "p4"],
    )
    out = significance.across_problems(means)
    assert out["mean_ranks"].to_dict() == {"a": 1.0, "b": 2.0, "c": 3.0}
    assert out["friedman_p"] == pytest.approx(np.exp(-8 / 2))  # chi2 = 8 with 2 dof
    one = significance.across_problems(means.iloc[:1])
    assert one["friedman_p"] is None and "2 problems" in one["note"]
