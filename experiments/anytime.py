"""Anytime performance the way COCO reports it: runtime ECDFs over a ladder of targets.

Per problem, the targets are hypervolumes in the reference box
(:class:`dsegym.indicators.ReferenceBox`): ``HV_ref * (1 - gap)`` for ``N_TARGETS``
gaps log-spaced from 1 down to ``10**-TARGET_DECADES`` (relative to the reference
front's hypervolume). A (run, target) pair is *reached* at the first evaluation after
which the run's front has at least that hypervolume (and more than 0). An agent's ECDF
at ``x`` evaluations is the fraction of its (run, target) pairs reached by then; over
several problems the pairs are pooled (each problem weighs the same when the agents ran
the same seeds). The anytime score of a run is the area under its ECDF over
``log10(evaluations)`` from 1 to the budget, divided by that range: 1 means every
target at the first evaluation, 0 none at all. Hand-written: neither COCO's nor
IOHprofiler's Python packages take arbitrary run records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dsegym.indicators import ReferenceBox
from dsegym.pareto import hypervolume

N_TARGETS = 51
TARGET_DECADES = 3.0
ECDF_POINTS = 60
AGGREGATE = "all problems"


def target_gaps(n: int = N_TARGETS, decades: float = TARGET_DECADES) -> np.ndarray:
    """The ladder of relative hypervolume gaps, from 1 down to ``10**-decades``."""
    return np.logspace(0.0, -decades, n)


def hv_trajectory(
    F: np.ndarray, eval_index: np.ndarray, box: ReferenceBox
) -> tuple[np.ndarray, np.ndarray]:
    """The run's hypervolume in ``box`` after each evaluation that changed its front.

    Args:
        F: Feasible points in evaluation order (raw objective units).
        eval_index: The evaluation index of each row of ``F``.
        box: The reference box.

    Returns:
        (evaluation indices, hypervolume after each), both increasing.
    """
    norm = box.normaliser(F) if len(F) else np.empty((0, box.front.shape[1]))
    rp = box.normaliser.reference_point
    archive = np.empty((0, norm.shape[1]))
    evals, hvs = [], []
    for x, k in zip(norm, eval_index, strict=True):
        if not np.all(x < rp):
            continue  # outside the box: adds no hypervolume
        if len(archive) and np.any(np.all(archive <= x, axis=1)):
            continue  # weakly dominated by the archive
        archive = np.vstack([archive[~np.all(x <= archive, axis=1)], x])
        evals.append(int(k))
        hvs.append(hypervolume(archive, rp))
    return np.array(evals, dtype=float), np.array(hvs, dtype=float)


def hitting_times(evals: np.ndarray, hvs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """First evaluation at which ``hvs`` reaches each target (``inf`` if never)."""
    if not len(hvs):
        return np.full(len(targets), np.inf)
    best = np.maximum.accumulate(hvs)
    pos = np.searchsorted(best, targets, side="left")
    out = np.full(len(targets), np.inf)
    ok = pos < len(best)  # every recorded hypervolume is > 0 (points inside the box)
    out[ok] = evals[pos[ok]]
    return out


def anytime_area(times: np.ndarray, budget: int) -> float:
    """Area under one run's ECDF over ``log10`` evaluations, normalised to [0, 1]."""
    if budget <= 1:
        return float(np.mean(np.isfinite(times) & (times <= 1)))
    span = np.log10(budget)
    t = np.where(np.isfinite(times) & (times <= budget), times, np.nan)
    with np.errstate(invalid="ignore"):
        credit = np.where(np.isnan(t), 0.0, 1.0 - np.log10(np.maximum(t, 1.0)) / span)
    return float(credit.mean())


def run_hitting_times(
    runs: dict[str, tuple[np.ndarray, np.ndarray]], box: ReferenceBox
) -> dict[str, np.ndarray]:
    """Hitting times of every run's trajectory for the box's target ladder."""
    targets = box.hypervolume * (1.0 - target_gaps())
    return {rid: hitting_times(e, h, targets) for rid, (e, h) in runs.items()}


def ecdf_table(times: pd.DataFrame, budget: int, points: int = ECDF_POINTS) -> pd.DataFrame:
    """The ECDF per (problem, agent) and pooled over problems.

    Args:
        times: One row per run: ``problem``, ``agent``, ``times`` (an array per run).
        budget: The largest evaluation count shown.
        points: How many log-spaced evaluation counts to tabulate.

    Returns:
        Columns ``problem`` (or ``all problems``), ``agent``, ``evaluations``,
        ``fraction`` (of (run, target) pairs reached), ``pairs``.
    """
    grid = np.unique(np.round(np.logspace(0, np.log10(max(budget, 1)), points)).astype(int))
    rows: list[dict[str, Any]] = []
    if times.empty:
        return pd.DataFrame(columns=["problem", "agent", "evaluations", "fraction", "pairs"])

    def add(problem: str, agent: str, stacked: np.ndarray) -> None:
        ordered = np.sort(stacked)
        counts = np.searchsorted(ordered, grid, side="right")
        for x, c in zip(grid, counts, strict=True):
            rows.append(
                {
                    "problem": problem,
                    "agent": agent,
                    "evaluations": int(x),
                    "fraction": c / len(stacked),
                    "pairs": len(stacked),
                }
            )

    for (problem, agent), frame in times.groupby(["problem", "agent"], sort=True):
        add(str(problem), str(agent), np.concatenate(list(frame["times"])))
    if times["problem"].nunique() > 1:
        for agent, frame in times.groupby("agent", sort=True):
            add(AGGREGATE, str(agent), np.concatenate(list(frame["times"])))
    return pd.DataFrame(rows)
