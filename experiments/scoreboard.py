"""The scoreboard of a results folder: indicators per run against a reference front,
anytime ECDFs, significance marks and the warnings a reader needs.

The reference front of each problem, in order of preference: the problem's declared
front (toy accelerator, ZDT, DTLZ); a stored exact front of the same instance and model
version; a stored best-known front pooled with these runs' fronts; otherwise the union
of these runs' fronts (as the legacy hypervolume does). Which one was used is written
to ``reference_points.json`` and shown in every report. See :mod:`dsegym.indicators`,
:mod:`.anytime` and :mod:`.significance` for the measures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dsegym.errors import DsegymError
from dsegym.experiments import anytime, significance
from dsegym.experiments.reference_fronts import find_front
from dsegym.experiments.results_folder import SCOREBOARD
from dsegym.experiments.tidy import CONSTRAINT, DESIGN, OBJECTIVE, columns
from dsegym.indicators import ReferenceBox, describe_box, score
from dsegym.pareto import nondominated

PRIMARY = "ref_hv_ratio"  # the indicator runs are ranked and tested on (higher is better)
#: Summary columns, in the order the tables show them (before the legacy ones).
LEADING = [
    "rank",
    "ref_hv_ratio",
    "recall_exact",
    "points_found",
    "recall_tol",
    "igd_plus",
    "epsilon_additive",
    "anytime",
    "vs_best",
    "vs_random",
]
FACTS_FILE = SCOREBOARD
DECLARED = (
    "the problem's declared front (exact for an enumerable space such as the toy "
    "accelerator's; points of the analytic front for ZDT and DTLZ)"
)
SATURATION_MARGIN = 0.01  # legacy hypervolumes within 1% of each other count as saturated


@dataclass
class ProblemScore:
    """How one problem was scored: its box and where its reference front came from."""

    problem: str
    labels: list[str]
    box: ReferenceBox
    source: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"reference_front": self.source, **describe_box(self.box, self.labels)}


def _objectives(frame: pd.DataFrame) -> np.ndarray:
    """The minimised objective vectors of ``frame``'s rows (tidy ``objective.*`` columns)."""
    labels = list(frame.iloc[0]["objectives"]) if len(frame) else []
    cols = [OBJECTIVE + label for label in labels]
    return frame[cols].to_numpy(dtype=float).reshape(len(frame), len(labels))


def _run_points(frame: pd.DataFrame, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Feasible charged evaluations of one run: (F in evaluation order, eval indices)."""
    ok = frame[frame["feasible"].astype(bool) & ~frame["cached"].astype(bool)]
    F = _objectives(ok).reshape(len(ok), m)
    return F, ok["eval_index"].to_numpy()


def _reference(label: str, frame: pd.DataFrame, union: np.ndarray) -> ProblemScore | None:
    from dsegym.experiments.report_problems import report_problem

    first = frame.iloc[0]
    labels = list(first["objectives"])
    name = str(first.get("problem_name") or first["problem"])
    raw = first["problem_params"]  # JSON text in the tidy table (see tidy.AS_JSON)
    params = (json.loads(raw) if isinstance(raw, str) else raw) or {}
    notes: list[str] = []
    try:
        problem = report_problem(name, params)
    except DsegymError as exc:  # a problem that cannot be rebuilt: only the runs remain
        problem, notes = None, [f"problem not rebuilt ({exc})"]
    front: np.ndarray | None = None
    if problem is not None and problem.known_front is not None:
        front, source = np.asarray(problem.known_front, dtype=float), DECLARED
    elif problem is not None:
        try:
            stored, notes = find_front(
                name, params, str(first["cost_model"]), str(first["cost_model_version"])
            )
        except DsegymError as exc:
            stored, notes = None, [f"no stored front looked up ({exc})"]
        if stored is not None and stored.objectives == labels:
            if stored.kind == "exact":
                front, source = stored.points, stored.describe()
            else:
                pooled = [stored.points, union] if len(union) else [stored.points]
                front = nondominated(np.vstack(pooled))
                source = f"{stored.describe()}, pooled with these runs' fronts"
    if front is None:
        if not len(union):
            return None
        front = union
        source = "union of these runs' fronts (no stored reference front for this instance)"
    return ProblemScore(label, labels, ReferenceBox.from_front(front), source, notes)


def score_runs(
    df: pd.DataFrame, finals: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, ProblemScore], pd.DataFrame]:
    """Indicators and anytime score per run, the boxes, and the ECDF table.

    Returns:
        (``finals`` with indicator columns added, {problem: score}, ECDF table).
    """
    extra: list[dict[str, Any]] = []
    scores: dict[str, ProblemScore] = {}
    times_rows: list[dict[str, Any]] = []
    budget = int(finals["evaluations"].max()) if len(finals) else 1
    for label, frame in df.groupby("problem", sort=True):
        m = len(frame.iloc[0]["objectives"])
        if m < 2:
            continue  # one objective: summarised by its best value (see analysis)
        runs = {str(r): _run_points(g, m) for r, g in frame.groupby("run_id", sort=True)}
        fronts = {r: nondominated(F) if len(F) else np.empty((0, m)) for r, (F, _) in runs.items()}
        pooled = [f for f in fronts.values() if len(f)]
        union = nondominated(np.vstack(pooled)) if pooled else np.empty((0, m))
        ps = _reference(str(label), frame, union)
        if ps is None or ps.box.degenerate:
            continue
        scores[str(label)] = ps
        own = finals.loc[finals["problem"] == label, "evaluations"]
        problem_budget = int(own.max()) if len(own) else budget
        trajectories = {r: anytime.hv_trajectory(F, idx, ps.box) for r, (F, idx) in runs.items()}
        hits = anytime.run_hitting_times(trajectories, ps.box)
        for run_id, front in fronts.items():
            row: dict[str, Any] = {"run_id": run_id, **score(front, ps.box)}
            row["points_found"] = int(round(row["recall_exact"] * len(ps.box.front)))
            row["anytime"] = anytime.anytime_area(hits[run_id], problem_budget)
            extra.append(row)
            first = frame[frame["run_id"] == run_id].iloc[0]
            times_rows.append(
                {"problem": str(label), "agent": first["agent"], "times": hits[run_id]}
            )
    if extra:
        finals = finals.merge(pd.DataFrame(extra), on="run_id", how="left")
    ecdf = anytime.ecdf_table(pd.DataFrame(times_rows), budget)
    return finals, scores, ecdf


def _measured(finals: pd.DataFrame) -> pd.DataFrame:
    from dsegym.experiments.analysis import INCOMPLETE

    return finals[~finals["status"].isin(INCOMPLETE)]


def lead_summary(
    summary: pd.DataFrame, finals: pd.DataFrame, scores: dict[str, ProblemScore]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary with the discriminating indicators first, ranked; and the marks.

    Returns:
        (summary, one row per (problem, agent) with ``vs_best`` and ``vs_random``).
    """
    if PRIMARY not in finals or summary.empty:
        return summary, pd.DataFrame()
    measured = _measured(finals)
    cols = [c for c in LEADING if c in measured and c not in ("rank", "vs_best", "vs_random")]
    means = measured.groupby(["problem", "agent"])[cols].mean().reset_index()
    mark_rows = []
    for problem in scores:
        values = measured[measured["problem"] == problem][["agent", PRIMARY]]
        marks = significance.problem_marks(values, PRIMARY)
        marks.insert(0, "problem", problem)
        mark_rows.append(marks)
    marks = pd.concat(mark_rows, ignore_index=True) if mark_rows else pd.DataFrame()
    out = summary.merge(means, on=["problem", "agent"], how="left")
    if len(marks):
        out = out.merge(marks, on=["problem", "agent"], how="left")
    out["rank"] = out.groupby("problem")[PRIMARY].rank(ascending=False, method="min")
    lead = ["problem", "agent"] + [c for c in LEADING if c in out]
    out = out[lead + [c for c in out.columns if c not in lead]]
    out = out.sort_values(["problem", "rank", "agent"], kind="stable", na_position="last")
    return out.reset_index(drop=True), marks


def warnings(
    summary: pd.DataFrame, finals: pd.DataFrame, df: pd.DataFrame, problem: str
) -> list[str]:
    """What a reader must know before trusting one problem's table."""
    out: list[str] = []
    part = summary[summary["problem"] == problem]
    runs = finals[finals["problem"] == problem]
    if "hv_mean" in part and PRIMARY in part and part["hv_mean"].notna().sum() > 1:
        hv = part["hv_mean"].dropna()
        spread = (hv.max() - hv.min()) / hv.max() if hv.max() > 0 else 0.0
        ratio = part[PRIMARY].dropna()
        recall = part["recall_exact"].dropna() if "recall_exact" in part else ratio[:0]
        if spread < SATURATION_MARGIN and (
            (len(ratio) and ratio.max() - ratio.min() > 2 * SATURATION_MARGIN)
            or (len(recall) and recall.max() - recall.min() > 2 * SATURATION_MARGIN)
        ):
            out.append(
                f"the legacy hypervolume (hv_mean, normalised linearly by the runs' own "
                f"fronts) puts every agent within {spread:.1%} of each other while ref_hv_ratio "
                f"spans {ratio.min():.3g}-{ratio.max():.3g} and exact recall "
                f"{recall.min():.3g}-{recall.max():.3g}: it is saturated; rank by ref_hv_ratio "
                "and recall"
            )
    if "evals_to_90pct" in part and len(runs) and part["evals_to_90pct"].notna().all():
        budget = runs["evaluations"].max()
        if budget and part["evals_to_90pct"].max() <= 0.05 * budget:
            out.append(
                "every agent reaches 90% of the best legacy hypervolume within 5% of the "
                "budget: evals_to_90pct does not discriminate here (see the anytime ECDF)"
            )
    early = runs[runs["status"].isin(["proposal limit", "space exhausted", "agent finished"])]
    full = runs[runs["status"] == "finished"]
    if len(early) and len(full):
        who = ", ".join(
            f"{r.agent} seed {r.seed} ({r.status}, {int(r.evaluations)} evaluations)"
            for r in early.itertuples()
        )
        out.append(
            f"{len(early)} runs stopped early and are compared with {len(full)} full runs "
            f"of {int(full['evaluations'].max())} evaluations: {who}"
        )
    rows = df[df["problem"] == problem] if len(df) else df
    if len(rows) and not rows["feasible"].astype(bool).any():
        out.append("no run found a feasible design. " + closest_designs(rows))
    return out


def closest_designs(rows: pd.DataFrame, n: int = 3) -> str:
    """The designs with the least total constraint violation and the specs they miss."""
    accepted = rows[np.isfinite(_objectives(rows)).all(axis=1)]
    if accepted.empty:
        return "The cost model rejected every design (see the runs' violations)."
    # This problem's constraint columns (the tidy table holds every problem's).
    g_cols = [c for c in columns(accepted, CONSTRAINT) if accepted[c].notna().any()]
    G = accepted[g_cols].to_numpy(dtype=float).reshape(len(accepted), len(g_cols))
    violation = np.nansum(np.clip(G, 0, None), axis=1)
    d_cols = [c for c in columns(accepted, DESIGN) if accepted[c].notna().any()]
    order = np.argsort(violation, kind="stable")[:n]
    parts = []
    for i in order:
        row = accepted.iloc[int(i)]
        # Plain Python values, so the message reads {'x': 0.5}, not np.float64(0.5).
        design = {c[len(DESIGN) :]: getattr(row[c], "item", lambda v=row[c]: v)() for c in d_cols}
        missed = "; ".join(str(v) for v in row["violations"]) or "no reason recorded"
        parts.append(f"{row['agent']} seed {row['seed']}: {design} misses {missed}")
    return "Closest designs (least total violation): " + " | ".join(parts)


def across_problems(finals: pd.DataFrame, scores: dict[str, ProblemScore]) -> dict[str, Any]:
    """Mean ranks, Friedman and Nemenyi over the scored problems."""
    if PRIMARY not in finals or not scores:
        return significance.across_problems(pd.DataFrame())
    measured = _measured(finals)
    measured = measured[measured["problem"].isin(list(scores))]
    means = measured.pivot_table(index="problem", columns="agent", values=PRIMARY, aggfunc="mean")
    return significance.across_problems(means)


def facts(tables: dict[str, Any]) -> dict[str, Any]:
    """What ``scoreboard.json`` holds: per problem its reference front, notes and
    warnings; across problems the mean ranks and the Friedman test.
    """
    summary = tables["summary"]
    problems = {}
    for problem in sorted(summary["problem"].unique()) if len(summary) else []:
        ps = tables["scores"].get(problem)
        problems[str(problem)] = {
            "reference_front": ps.source if ps is not None else None,
            "notes": ps.notes if ps is not None else [],
            "warnings": warnings(summary, tables["runs"], tables["kept"], problem),
        }
    across = across_problems(tables["runs"], tables["scores"])
    return {
        "problems": problems,
        "mean_ranks": {str(k): float(v) for k, v in across["mean_ranks"].items()},
        "friedman_p": across["friedman_p"],
        "note": across["note"],
    }
