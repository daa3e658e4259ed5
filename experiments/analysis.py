"""Turns run records into tables: evaluations, fronts, hypervolume and IGD.

The reference-point rule is the one in :mod:`dsegym.pareto` (ideal and nadir of
the union of the runs' own fronts); what was used for each problem is written to
``reference_points.json`` beside the results. A problem with one objective, or whose
ideal equals its nadir, is summarised by its best value and the evaluations to reach it.

Every run the experiment planned appears in the run table with its status (finished,
proposal limit, space exhausted, error, interrupted), whether or not it recorded a
feasible design, so a report never hides or crashes on a failed run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments.escape import csv_safe
from dsegym.experiments.parquet_stream import write_evaluations
from dsegym.experiments.report_problems import report_problem
from dsegym.experiments.results_folder import (
    ANYTIME_CSV,
    EVALUATIONS,
    HISTORY_CSV,
    RECORD,
    REFERENCES,
    RUNS_CSV,
    SCOREBOARD,
    SUMMARY_CSV,
    ResultsFolder,
    RunStatus,
)
from dsegym.experiments.run_digest import RunDigest, counts_table, kept_table, load_digests
from dsegym.experiments.scoreboard import facts as scoreboard_facts
from dsegym.experiments.scoreboard import lead_summary, score_runs
from dsegym.experiments.storage import RecordedEvaluation, read_evaluations, write_json
from dsegym.experiments.tidy import (
    DESIGN,
    METRIC,
    OBJECTIVE,
    front_rows,
    tidy_records,
    write_parquet,
)
from dsegym.pareto import SCALES, Normaliser, Scale, hypervolume, igd, nondominated
from dsegym.yaml_input import safe_load

N_CHECKPOINTS = 40
RULE_DECLARED = "declared by the problem (raw objectives)"
RULE_FRONTS = (
    "objectives normalised by the ideal and nadir of the union of the runs' own Pareto "
    "fronts (and the known front){log}; reference point 1.1 per objective"
)
RULE_BEST = (
    "not measured by hypervolume ({why}): summarised by the best value found and the "
    "evaluations needed to reach it"
)


def load_records(results_dir: Path) -> list[RecordedEvaluation]:
    """Every record of every run, typed, read by the rule of :mod:`.storage` (a torn
    last line dropped, a blank line skipped, any other bad line refused with its file
    and line). A finished run whose record holds fewer evaluations than its completion
    marker counts (a record deleted or cut short after the run) is refused too: its
    numbers would be wrong.

    Raises:
        ConfigError: if the folder holds no dsegym results, or a record is damaged.
    """
    folder = ResultsFolder(results_dir)
    if not folder.runs_dir.is_dir():
        raise ConfigError(
            f"results folder {str(results_dir)!r} has no runs/ (is it the output_dir of "
            "a `dsegym run`?)"
        )
    records: list[RecordedEvaluation] = []
    recorded: dict[str, int] = {}
    for path in folder.record_files():
        run = read_evaluations(path)
        recorded[path.name.removesuffix(RECORD)] = sum(not r.record.cached for r in run)
        records += run
    _check_complete(folder, recorded)
    if not records and not folder.run_ids_on_disk():
        raise ConfigError(f"results folder {str(results_dir)!r} has no recorded evaluations")
    return records


def load_evaluations(results_dir: Path) -> pd.DataFrame:
    """Every recorded proposal as the tidy table (see :mod:`.tidy`), by run and proposal.

    Raises:
        ConfigError: as :func:`load_records`.
    """
    return tidy_records(load_records(results_dir))


def _check_complete(folder: ResultsFolder, recorded: dict[str, int]) -> None:
    """Refuses a finished run whose record lost evaluations its marker counts."""
    for run_id in sorted(folder.run_ids_on_disk()):
        summary = folder.done_summary(run_id)
        if summary is None or summary["evaluations"] <= recorded.get(run_id, 0):
            continue
        record = folder.record(run_id)
        what = (
            "is missing"
            if not record.exists()
            else (f"holds {recorded.get(run_id, 0)} evaluations")
        )
        raise ConfigError(
            f"record file {str(record)!r} {what}, but {str(folder.done(run_id))!r} counts "
            f"{summary['evaluations']}: the record was deleted or cut short after the run; "
            "restore it, or delete the run's files and finish it with `dsegym run CONFIG "
            "--resume`"
        )


@dataclass
class ProblemReference:
    """How one problem's runs are measured.

    ``normaliser`` is ``None`` when the problem is summarised by its best value instead
    of hypervolume (one objective, or ideal equal to nadir).
    """

    problem: str
    labels: list[str]
    normaliser: Normaliser | None
    known_front: np.ndarray | None
    rule: str

    @property
    def measure(self) -> str:
        return "best" if self.normaliser is None else "hypervolume"

    @property
    def true_hypervolume(self) -> float | None:
        if self.known_front is None or self.normaliser is None:
            return None
        return hypervolume(self.normaliser(self.known_front), self.normaliser.reference_point)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"objectives": self.labels, "measure": self.measure}
        out["rule"] = self.rule
        if self.normaliser is not None:
            out["ideal"] = self.normaliser.ideal.tolist()
            out["nadir"] = self.normaliser.nadir.tolist()
            out["log_scaled"] = [
                label
                for label, flag in zip(self.labels, self.normaliser._flags(), strict=True)
                if flag
            ]
            out["reference_point_normalised"] = self.normaliser.reference_point.tolist()
            out["true_front_hypervolume"] = self.true_hypervolume
        return out


def _F(frame: pd.DataFrame, labels: list[str]) -> np.ndarray:
    """The objective values of ``frame``'s rows (tidy columns), one row each."""
    cols = [OBJECTIVE + label for label in labels]
    return frame[cols].to_numpy(dtype=float).reshape(len(frame), len(labels))


def _front(frame: pd.DataFrame, labels: list[str]) -> np.ndarray:
    feasible = frame[frame["feasible"].astype(bool) & ~frame["cached"].astype(bool)]
    return nondominated(_F(feasible, labels)) if len(feasible) else np.empty((0, len(labels)))


def problem_references(df: pd.DataFrame, scale: Scale = "linear") -> dict[str, ProblemReference]:
    """One reference (normaliser, reference point, known front) per problem label.

    A problem none of whose runs found a feasible design (and which has no known front)
    gets no reference: its runs have no front to measure.
    """
    refs = {}
    for label, frame in df.groupby("problem", sort=True):
        first = frame.iloc[0]
        labels = list(first["objectives"])
        # Built for its known front and declared reference point, not to label columns.
        problem = report_problem(str(first["problem_name"]), json.loads(first["problem_params"]))
        fronts = [_front(run, labels) for _, run in frame.groupby("run_id", sort=True)]
        if problem.known_front is not None:
            fronts.append(np.asarray(problem.known_front, dtype=float))
        if not any(len(f) for f in fronts):
            continue
        normaliser: Normaliser | None
        if len(labels) == 1:
            normaliser, rule = None, RULE_BEST.format(why="one objective")
        elif problem.reference_point is not None:
            normaliser, rule = Normaliser.identity(problem.reference_point), RULE_DECLARED
        else:
            normaliser = Normaliser.from_fronts(fronts, scale)
            logged = [lab for lab, f in zip(labels, normaliser._flags(), strict=True) if f]
            rule = RULE_FRONTS.format(log=f", in log10 for {', '.join(logged)}" if logged else "")
            if normaliser.degenerate:
                normaliser = None
                rule = RULE_BEST.format(why="the ideal equals the nadir")
        refs[str(label)] = ProblemReference(
            str(label), labels, normaliser, problem.known_front, rule
        )
    return refs


def run_statuses(results_dir: Path) -> pd.DataFrame:
    """Every planned run with how it ended, read from ``runs.json`` and the run files.

    ``status`` is a :class:`~dsegym.experiments.results_folder.RunStatus`: finished
    (budget spent), space exhausted, proposal limit, agent finished, error (``error``
    holds its first line) or interrupted (neither a completion marker nor an error file).
    """
    folder = ResultsFolder(results_dir)
    plan = folder.plan()
    run_ids = [p["run_id"] for p in plan]
    run_ids += sorted(folder.run_ids_on_disk() - set(run_ids))
    by_id = {p["run_id"]: p for p in plan}
    rows = []
    for run_id in run_ids:
        spec = by_id.get(run_id, {})
        state = folder.run_state(run_id)
        rows.append(
            {
                "run_id": run_id,
                "problem": spec.get("problem_label") or spec.get("problem"),
                "agent": spec.get("agent_label") or spec.get("agent"),
                "seed": spec.get("seed"),
                "status": str(state.status),
                "stop_reason": None if state.stop_reason is None else str(state.stop_reason),
                "error": state.error,
            }
        )
    columns = ["run_id", "problem", "agent", "seed", "status", "stop_reason", "error"]
    return pd.DataFrame(rows, columns=columns)


def _first_reaching(F: np.ndarray, eval_idx: np.ndarray, target: np.ndarray) -> float:
    """Evaluation index of the first row of ``F`` at least as good as ``target``."""
    hit = np.flatnonzero((target >= F).all(axis=1)) if len(F) else np.empty(0, dtype=int)
    return float(eval_idx[hit[0]]) if len(hit) else np.nan


def run_metrics(
    df: pd.DataFrame,
    refs: dict[str, ProblemReference],
    statuses: pd.DataFrame | None = None,
    counts: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Per run: status, final hypervolume or best value, IGD; each run's HV history and front.

    Runs listed in ``statuses`` that recorded nothing still get a row. ``df`` holds
    every record, or (with ``counts``, see :mod:`.run_digest`) only the kept records
    of each run, whose counts then come from ``counts``: the numbers are the same.

    Returns:
        (one row per run, one row per (run, checkpoint), {run_id: front in F space}).
    """
    finals, histories, fronts = [], [], {}
    status_of = statuses.set_index("run_id").to_dict("index") if statuses is not None else {}
    count_of = counts.set_index("run_id").to_dict("index") if counts is not None else {}
    for run_id, frame in df.groupby("run_id", sort=True):
        first = frame.iloc[0]
        labels = list(first["objectives"])
        ref = refs.get(first["problem"])
        evaluated = frame[~frame["cached"].astype(bool)]
        feasible = evaluated[evaluated["feasible"].astype(bool)]
        F_all = _F(feasible, labels)
        front = nondominated(F_all) if len(F_all) else np.empty((0, len(labels)))
        fronts[str(run_id)] = front
        status = status_of.get(run_id, {})
        row: dict[str, Any] = {
            "run_id": run_id,
            "problem": first["problem"],
            "agent": first["agent"],
            "seed": first["seed"],
            "status": status.get("status", str(RunStatus.INTERRUPTED)),
            "stop_reason": status.get("stop_reason"),
            "evaluations": int(evaluated["eval_index"].max()) if len(evaluated) else 0,
            "feasible_evaluations": len(feasible),
            "feasible_fraction": float(evaluated["feasible"].mean()) if len(evaluated) else 0.0,
            "front_size": len(front),
        }
        if run_id in count_of:  # df holds only the run's kept records
            c = count_of[run_id]
            row["evaluations"] = int(c["evaluations"])
            row["feasible_evaluations"] = int(c["feasible"])
            row["feasible_fraction"] = c["feasible"] / c["charged"] if c["charged"] else 0.0
        for j, label in enumerate(labels):
            row[f"best_{label}"] = float(F_all[:, j].min()) if len(F_all) else np.nan
        eval_idx = feasible["eval_index"].to_numpy()
        if ref is not None and ref.normaliser is None:
            target = F_all.min(axis=0) if len(F_all) else np.full(len(labels), np.nan)
            row["evals_to_best"] = _first_reaching(F_all, eval_idx, target)
        elif ref is not None and ref.normaliser is not None:
            norm_F = ref.normaliser(F_all) if len(F_all) else np.empty((0, len(labels)))
            rp = ref.normaliser.reference_point
            row["hypervolume"] = hypervolume(norm_F, rp)
            true_hv = ref.true_hypervolume
            row["hv_ratio"] = row["hypervolume"] / true_hv if true_hv else np.nan
            if ref.known_front is not None and len(front):
                row["igd"] = igd(ref.normaliser(front), ref.normaliser(ref.known_front))
            else:
                row["igd"] = np.nan
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
        row["error"] = status.get("error")
        finals.append(row)
    recorded = set(df["run_id"]) if len(df) else set()
    for run_id, status in status_of.items():
        if run_id not in recorded:
            finals.append(
                {
                    **{
                        k: status.get(k)
                        for k in ("problem", "agent", "seed", "status", "stop_reason", "error")
                    },
                    "run_id": run_id,
                    "evaluations": 0,
                    "feasible_evaluations": 0,
                    "feasible_fraction": 0.0,
                    "front_size": 0,
                }
            )
    runs = pd.DataFrame(finals)
    if len(runs):
        runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)
    return runs, pd.DataFrame(histories), fronts


def evaluations_to_reach(history: pd.DataFrame, target: float) -> float:
    """First checkpoint whose hypervolume reaches ``target`` (NaN if never)."""
    hit = history[history["hypervolume"] >= target]
    return float(hit["evaluations"].min()) if len(hit) else np.nan


# Runs whose numbers are partial: counted in the notes, left out of the statistics.
INCOMPLETE = tuple(str(s) for s in RunStatus if not s.complete)


def _notes(frame: pd.DataFrame) -> str:
    """``2 finished, 1 error, 1 without a feasible design`` for a group of runs."""
    counts = frame["status"].value_counts()
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    infeasible = int((frame["feasible_evaluations"] == 0).sum())
    if infeasible:
        parts.append(f"{infeasible} without a feasible design")
    return ", ".join(parts)


def front_table(rows: pd.DataFrame) -> pd.DataFrame:
    """A run's Pareto front with its designs: ``fronts/<run>.csv``.

    One row per distinct non-dominated objective vector (its first evaluation), with the
    run's evaluation index, the design's knobs, the objectives and the metrics.
    """
    front = front_rows(rows, list(rows["objectives"].iloc[0]))
    front = front.sort_values("eval_index", kind="stable")
    cols = ["eval_index"] + [c for c in front.columns if c.startswith((DESIGN, OBJECTIVE, METRIC))]
    return front[cols].dropna(axis=1, how="all").reset_index(drop=True)


def summarise(
    finals: pd.DataFrame,
    histories: pd.DataFrame,
    refs: dict[str, ProblemReference] | None = None,
) -> pd.DataFrame:
    """Per (problem, agent): hypervolume (or best value) over seeds and evaluations to reach it.

    Runs that errored or were interrupted are listed in ``notes`` and left out of the
    statistics (``runs`` counts the runs measured). A run without a feasible design
    counts with hypervolume 0.
    """
    refs = refs or {}
    rows = []
    if finals.empty:
        return pd.DataFrame(columns=["problem", "agent", "runs", "measure", "notes"])
    for (problem, agent), group in finals.groupby(["problem", "agent"], sort=True):
        frame = group[~group["status"].isin(INCOMPLETE)]
        ref = refs.get(problem)
        measure = "none" if ref is None else ref.measure
        row: dict[str, Any] = {"problem": problem, "agent": agent, "runs": len(frame)}
        row["measure"] = measure
        if measure == "hypervolume" and len(frame):
            hv = frame["hypervolume"].fillna(0.0)
            measured = finals[~finals["status"].isin(INCOMPLETE)]
            best_seen = measured.loc[measured["problem"] == problem, "hypervolume"].max()
            row["hv_mean"] = hv.mean()
            row["hv_std"] = hv.std(ddof=0)
            row["hv_ratio_mean"] = frame["hv_ratio"].mean()
            row["igd_mean"] = frame["igd"].mean()
            for pct in (90, 99):
                reach = np.array(
                    [
                        evaluations_to_reach(
                            histories[histories["run_id"] == rid], best_seen * pct / 100
                        )
                        if len(histories)
                        else np.nan
                        for rid in frame["run_id"]
                    ],
                    dtype=float,
                )
                row[f"evals_to_{pct}pct"] = (
                    float(np.nanmean(reach)) if np.isfinite(reach).any() else np.nan
                )
                row[f"reached_{pct}pct"] = f"{int(np.isfinite(reach).sum())}/{len(reach)}"
        elif measure == "best" and len(frame):
            label = ref.labels[0] if ref is not None and len(ref.labels) == 1 else None
            if label is not None:
                row["best_mean"] = frame[f"best_{label}"].mean()
                row["best_std"] = frame[f"best_{label}"].std(ddof=0)
            row["evals_to_best_mean"] = frame["evals_to_best"].mean()
        best_cols = [c for c in frame.columns if c.startswith("best_")]
        for c in best_cols:
            row[c] = frame[c].median()
        row["feasible_fraction"] = frame["feasible_fraction"].mean() if len(frame) else np.nan
        row["notes"] = _notes(group)
        rows.append(row)
    return pd.DataFrame(rows)


def report_scale(results_dir: Path) -> Scale:
    """The hypervolume scale the results folder's config asks for (default linear)."""
    import yaml

    path = Path(results_dir) / "config.yaml"
    if not path.is_file():
        return "linear"
    try:
        scale = (safe_load(path.read_text()) or {}).get("hypervolume_scale", "linear")
    except (yaml.YAMLError, AttributeError, UnicodeDecodeError):
        return "linear"
    return scale if scale in SCALES else "linear"


def _digests(folder: ResultsFolder) -> dict[str, RunDigest]:
    """Every run's digest (streamed, or from the cache), checked as :func:`load_records`."""
    if not folder.runs_dir.is_dir():
        raise ConfigError(
            f"results folder {str(folder.path)!r} has no runs/ (is it the output_dir of "
            "a `dsegym run`?)"
        )
    digests = load_digests(folder.path)
    _check_complete(folder, {r: d.charged for r, d in digests.items()})
    if not any(d.records for d in digests.values()) and not folder.run_ids_on_disk():
        raise ConfigError(f"results folder {str(folder.path)!r} has no recorded evaluations")
    return digests


def analyse(results_dir: Path, *, scale: Scale | None = None) -> dict[str, Any]:
    """Computes and writes every table of a results folder; returns them.

    Args:
        results_dir: A results folder of ``dsegym run``.
        scale: ``"linear"`` or ``"log"`` objective normalisation for hypervolume
            (default: the config's ``hypervolume_scale``).
    """
    results_dir = Path(results_dir)
    folder = ResultsFolder(results_dir)
    scale = scale or report_scale(results_dir)
    digests = _digests(folder)
    df, counts = kept_table(digests.values()), counts_table(digests.values())
    statuses = run_statuses(results_dir)
    fixed = (EVALUATIONS, REFERENCES, RUNS_CSV, HISTORY_CSV, SUMMARY_CSV, ANYTIME_CSV, SCOREBOARD)
    run_ids = set(df["run_id"]) | set(statuses["run_id"])
    folder.claim([folder.file(n) for n in fixed] + [folder.front(r) for r in sorted(run_ids)])
    if any(d.records for d in digests.values()):
        write_evaluations(folder, sorted(digests), folder.file(EVALUATIONS))
    else:
        write_parquet(tidy_records([]), folder.file(EVALUATIONS))
    refs = problem_references(df, scale) if len(df) else {}
    finals, histories, fronts = run_metrics(df, refs, statuses, counts)
    finals, scores, ecdf = score_runs(df, finals) if len(df) else (finals, {}, pd.DataFrame())
    references = {k: v.to_dict() for k, v in refs.items()}
    for k, ps in scores.items():
        references.setdefault(k, {})["scoreboard"] = ps.to_dict()
    write_json(folder.file(REFERENCES), references)
    csv_safe(ecdf).to_csv(folder.file(ANYTIME_CSV), index=False)
    csv_safe(finals).to_csv(folder.file(RUNS_CSV), index=False)
    csv_safe(histories).to_csv(folder.file(HISTORY_CSV), index=False)
    folder.fronts_dir.mkdir(exist_ok=True)
    for run_id, rows in df.groupby("run_id", sort=True):
        csv_safe(front_table(rows)).to_csv(folder.front(str(run_id)), index=False)
    summary, marks = lead_summary(summarise(finals, histories, refs), finals, scores)
    csv_safe(summary).to_csv(folder.file(SUMMARY_CSV), index=False)
    tables = {
        "scores": scores,
        "anytime": ecdf,
        "marks": marks,
        "kept": df,
        "counts": counts,
        "references": refs,
        "runs": finals,
        "histories": histories,
        "fronts": fronts,
        "summary": summary,
    }
    tables["facts"] = scoreboard_facts(tables)
    write_json(folder.file(SCOREBOARD), tables["facts"])
    folder.note_tables()
    return tables
