"""Turns run records into tables: evaluations, fronts, hypervolume and IGD.

The reference-point rule is the one in :mod:`dsegym.search.pareto`; what was used for
each problem is written to ``reference_points.json`` beside the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError
from dsegym.experiments.storage import read_records, write_json
from dsegym.experiments.tidy import write_parquet
from dsegym.search.pareto import Normaliser, hypervolume, igd, nondominated

N_CHECKPOINTS = 40


def load_evaluations(results_dir: Path) -> pd.DataFrame:
    """Every recorded row of every run, one row per proposal.

    Raises:
        ConfigError: if the folder holds no dsegym results.
    """
    runs_dir = Path(results_dir) / "runs"
    if not runs_dir.is_dir():
        raise ConfigError(
            f"results folder {str(results_dir)!r} has no runs/ (is it the output_dir of "
            "a `dsegym run`?)"
        )
    rows: list[dict[str, Any]] = []
    for path in sorted(runs_dir.glob("*.jsonl")):
        rows.extend(read_records(path))
    if not rows:
        raise ConfigError(f"results folder {str(results_dir)!r} has no recorded evaluations")
    df = pd.DataFrame(rows)
    return df.sort_values(["run_id", "proposal_index"], kind="stable").reset_index(drop=True)


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Writes the evaluations as a tidy Parquet table (see :mod:`.tidy` for its columns)."""
    write_parquet(df, path)


@dataclass
class ProblemReference:
    """How one problem's runs are measured."""

    problem: str
    labels: list[str]
    normaliser: Normaliser
    known_front: np.ndarray | None
    rule: str

    @property
    def true_hypervolume(self) -> float | None:
        if self.known_front is None:
            return None
        return hypervolume(self.normaliser(self.known_front), self.normaliser.reference_point)

    def to_dict(self) -> dict[str, Any]:
        return {
            "objectives": self.labels,
            "rule": self.rule,
            "ideal": self.normaliser.ideal.tolist(),
            "nadir": self.normaliser.nadir.tolist(),
            "reference_point_normalised": self.normaliser.reference_point.tolist(),
            "true_front_hypervolume": self.true_hypervolume,
        }


def _F(frame: pd.DataFrame) -> np.ndarray:
    F = np.array([[np.inf if f is None else f for f in row] for row in frame["F"]], dtype=float)
    return F.reshape(len(frame), -1)


def problem_references(df: pd.DataFrame) -> dict[str, ProblemReference]:
    """One reference (normaliser, reference point, known front) per problem label."""
    refs = {}
    for label, frame in df.groupby("problem", sort=True):
        first = frame.iloc[0]
        problem = make_problem(_problem_name(frame), first["problem_params"])
        feasible = frame[frame["feasible"] & ~frame["cached"]]
        if problem.reference_point is not None:
            normaliser = Normaliser.identity(problem.reference_point)
            rule = "declared by the problem (raw objectives)"
        else:
            points = [_F(feasible)] if len(feasible) else []
            if problem.known_front is not None:
                points.append(np.asarray(problem.known_front, dtype=float))
            if not points:
                continue
            normaliser = Normaliser.from_points(np.vstack(points))
            rule = (
                "objectives normalised by the ideal and nadir of all feasible points of the "
                "experiment (and the known front); reference point 1.1 per objective"
            )
        refs[str(label)] = ProblemReference(
            str(label), list(first["objectives"]), normaliser, problem.known_front, rule
        )
    return refs


def _problem_name(frame: pd.DataFrame) -> str:
    spec_name = frame.iloc[0].get("problem_name")
    if isinstance(spec_name, str):
        return spec_name
    return str(frame.iloc[0]["problem"])


def run_metrics(
    df: pd.DataFrame, refs: dict[str, ProblemReference]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Per run: final hypervolume, IGD, best values; plus each run's HV history and front.

    Returns:
        (one row per run, one row per (run, checkpoint), {run_id: front in F space}).
    """
    finals, histories, fronts = [], [], {}
    for run_id, frame in df.groupby("run_id", sort=True):
        first = frame.iloc[0]
        ref = refs.get(first["problem"])
        evaluated = frame[~frame["cached"]]
        feasible = evaluated[evaluated["feasible"]]
        F_all = _F(feasible)
        front = nondominated(F_all) if len(F_all) else np.empty((0, len(first["objectives"])))
        fronts[str(run_id)] = front
        row: dict[str, Any] = {
            "run_id": run_id,
            "problem": first["problem"],
            "agent": first["agent"],
            "seed": first["seed"],
            "evaluations": int(evaluated["eval_index"].max()) if len(evaluated) else 0,
            "feasible_fraction": float(evaluated["feasible"].mean()) if len(evaluated) else 0.0,
            "front_size": len(front),
        }
        for j, label in enumerate(first["objectives"]):
            row[f"best_{label}"] = float(F_all[:, j].min()) if len(F_all) else np.nan
        if ref is not None:
            norm_F = ref.normaliser(F_all) if len(F_all) else F_all
            rp = ref.normaliser.reference_point
            row["hypervolume"] = hypervolume(norm_F, rp)
            true_hv = ref.true_hypervolume
            row["hv_ratio"] = row["hypervolume"] / true_hv if true_hv else np.nan
            if ref.known_front is not None and len(front):
                row["igd"] = igd(ref.normaliser(front), ref.normaliser(ref.known_front))
            else:
                row["igd"] = np.nan
            eval_idx = feasible["eval_index"].to_numpy()
            total = max(row["evaluations"], 1)
            checkpoints = np.unique(np.linspace(1, total, N_CHECKPOINTS).round().astype(int))
            for k in checkpoints:
                hv = hypervolume(norm_F[eval_idx <= k], rp) if len(norm_F) else 0.0
                histories.append(
                    {
                        "run_id": run_id,
                        "problem": first["problem"],
                        "agent": first["agent"],
                        "seed": first["seed"],
                        "evaluations": int(k),
                        "hypervolume": hv,
                    }
                )
        finals.append(row)
    return pd.DataFrame(finals), pd.DataFrame(histories), fronts


def evaluations_to_reach(history: pd.DataFrame, target: float) -> float:
    """First checkpoint whose hypervolume reaches ``target`` (NaN if never)."""
    hit = history[history["hypervolume"] >= target]
    return float(hit["evaluations"].min()) if len(hit) else np.nan


def summarise(finals: pd.DataFrame, histories: pd.DataFrame) -> pd.DataFrame:
    """Per (problem, agent): hypervolume over seeds and evaluations to reach 90%/99%."""
    rows = []
    for (problem, agent), frame in finals.groupby(["problem", "agent"], sort=True):
        row: dict[str, Any] = {"problem": problem, "agent": agent, "runs": len(frame)}
        if "hypervolume" in frame and frame["hypervolume"].notna().any():
            best_seen = finals.loc[finals["problem"] == problem, "hypervolume"].max()
            row["hv_mean"] = frame["hypervolume"].mean()
            row["hv_std"] = frame["hypervolume"].std(ddof=0)
            row["hv_ratio_mean"] = frame["hv_ratio"].mean()
            row["igd_mean"] = frame["igd"].mean()
            for pct in (90, 99):
                reach = [
                    evaluations_to_reach(
                        histories[histories["run_id"] == rid], best_seen * pct / 100
                    )
                    for rid in frame["run_id"]
                ]
                row[f"evals_to_{pct}pct"] = (
                    float(np.nanmean(reach)) if np.isfinite(reach).any() else np.nan
                )
                row[f"reached_{pct}pct"] = f"{int(np.isfinite(reach).sum())}/{len(reach)}"
        best_cols = [c for c in frame.columns if c.startswith("best_")]
        for c in best_cols:
            row[c] = frame[c].median()
        row["feasible_fraction"] = frame["feasible_fraction"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def analyse(results_dir: Path) -> dict[str, Any]:
    """Computes and writes every table of a results folder; returns them."""
    results_dir = Path(results_dir)
    df = load_evaluations(results_dir)
    write_table(df, results_dir / "evaluations.parquet")
    refs = problem_references(df)
    write_json(results_dir / "reference_points.json", {k: v.to_dict() for k, v in refs.items()})
    finals, histories, fronts = run_metrics(df, refs)
    finals.to_csv(results_dir / "runs.csv", index=False)
    histories.to_csv(results_dir / "hypervolume_history.csv", index=False)
    fronts_dir = results_dir / "fronts"
    fronts_dir.mkdir(exist_ok=True)
    labels = {r: df.loc[df["run_id"] == r, "objectives"].iloc[0] for r in fronts}
    for run_id, front in fronts.items():
        pd.DataFrame(front, columns=labels[run_id]).to_csv(
            fronts_dir / f"{run_id}.csv", index=False
        )
    summary = summarise(finals, histories)
    summary.to_csv(results_dir / "summary.csv", index=False)
    return {
        "evaluations": df,
        "references": refs,
        "runs": finals,
        "histories": histories,
        "fronts": fronts,
        "summary": summary,
    }
