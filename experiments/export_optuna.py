"""``dsegym export optuna DIR``: the records as Optuna studies in one journal file.

Each run (or each problem x agent, seeds together) becomes a study whose trials are
the run's cost-model evaluations, in order: the design as params with the design
space's own Optuna distributions, the objectives as values (a ``-metric`` objective is
exported as ``metric`` with direction ``maximize``), the constraint values ``G`` as
Optuna constraints (the trial system attribute ``constraints``, feasible iff every one
is ``<= 0``; their names are the study's ``constraint_names``), and the metrics, seed and
evaluation index as user attributes. A design the cost model rejected is a FAIL trial
with its reasons. Repeats answered from the run's cache are left out: they cost
nothing and are not evaluations.

Open it with ``optuna-dashboard DIR/optuna-journal.log``, or load it with
``optuna.load_study(study_name=..., storage=JournalStorage(JournalFileBackend(path)))``.
"""

from __future__ import annotations

import datetime
import math
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import optuna
import pandas as pd
from optuna.storages import JournalStorage
from optuna.storages.journal import BaseJournalBackend, JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import DesignSpace, Ordinal
from dsegym.experiments.analysis import load_evaluations
from dsegym.experiments.results_folder import JOURNAL, ResultsFolder
from dsegym.experiments.tidy import constraint_labels

#: Constraint values as the list Optuna's constrained samplers have always written.
#: Optuna 5 also reads named ``constraints:<name>`` attributes, but optuna-dashboard
#: (0.21) reads only this list; the names go into the study's ``constraint_names``.
CONSTRAINTS_KEY = "constraints"
Grouping = Literal["run", "agent"]
Direction = Literal["minimize", "maximize"]


@dataclass
class ExportResult:
    """What was written: the journal's path and each study's trial count."""

    path: Path
    studies: dict[str, int] = field(default_factory=dict)


@dataclass
class _ProblemInfo:
    space: DesignSpace
    directions: list[Direction]
    metric_names: list[str]
    constraints: list[str]


class _Collected(BaseJournalBackend):
    """A journal kept in memory, then written to the file in one append.

    The file backend syncs to disk on every append, which is once per trial when a
    study is built through Optuna's API (about 4 ms each); the logs are the same.
    """

    def __init__(self) -> None:
        self.logs: list[dict[str, Any]] = []

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        return self.logs[log_number_from:]

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        self.logs.extend(logs)


def _problem_info(rows: pd.DataFrame) -> _ProblemInfo:
    first = rows.iloc[0]
    name = str(first.get("problem_name", first["problem"]))
    problem = make_problem(name, first["problem_params"])
    labels = list(first["objectives"])
    return _ProblemInfo(
        space=problem.space,
        directions=[_direction(lab) for lab in labels],
        metric_names=[lab.removeprefix("-") for lab in labels],
        constraints=constraint_labels(name, first["problem_params"], problem.n_constraints),
    )


def _direction(label: str) -> Direction:
    return "maximize" if label.startswith("-") else "minimize"


def _finite(values: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items() if v is not None and math.isfinite(float(v))}


def _trial(row: pd.Series, info: _ProblemInfo, distributions: dict[str, Any]) -> FrozenTrial:
    """One record row as a finished Optuna trial."""
    design = row["design"]
    in_space = info.space.contains(design)
    user_attrs: dict[str, Any] = {
        "run_id": row["run_id"],
        "seed": int(row["seed"]),
        "eval_index": int(row["eval_index"]),
        "feasible": bool(row["feasible"]),
        "violations": list(row["violations"]),
        "metrics": _finite(row["metrics"]),
    }
    params = {k: design[k] for k in distributions} if in_space else {}
    rejected = not in_space or any(f is None for f in row["F"])
    if rejected:
        trial = optuna.trial.create_trial(
            state=TrialState.FAIL,
            params=params,
            distributions=distributions if in_space else {},
            user_attrs={**user_attrs, "design": {k: str(v) for k, v in design.items()}},
        )
    else:
        values = [
            -f if d == "maximize" else f for f, d in zip(row["F"], info.directions, strict=True)
        ]
        trial = optuna.trial.create_trial(
            state=TrialState.COMPLETE,
            values=values,
            params=params,
            distributions=distributions,
            user_attrs=user_attrs,
            system_attrs={CONSTRAINTS_KEY: [float(g) for g in row["G"]]} if row["G"] else None,
        )
    # The record's clock, so the dashboard's history shows when each design was costed.
    end = datetime.datetime.fromtimestamp(float(row["timestamp"]))
    trial.datetime_complete = end
    trial.datetime_start = end - datetime.timedelta(seconds=float(row["eval_time_s"]))
    return trial


def _groups(df: pd.DataFrame, per: Grouping) -> Iterator[tuple[str, pd.DataFrame]]:
    keys = ["run_id"] if per == "run" else ["problem", "agent"]
    for key, rows in df.groupby(keys, sort=True):
        name = "__".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
        yield name, rows.sort_values(["seed", "eval_index"], kind="stable")


def export_optuna(
    results_dir: Path, output: Path | None = None, per: Grouping = "run"
) -> ExportResult:
    """Writes every run (``per="run"``) or problem x agent (``per="agent"``) as a study.

    The journal is written beside and then moved over ``output`` (default
    ``results_dir/optuna-journal.log``), so a reader never sees half a file.

    Raises:
        ConfigError: if the folder holds no dsegym results.
    """
    folder = ResultsFolder(results_dir)
    with folder.lock():
        return _export(folder, output, per)


def _export(folder: ResultsFolder, output: Path | None, per: Grouping) -> ExportResult:
    results_dir = folder.path
    df = load_evaluations(results_dir)
    df = df[~df["cached"]]
    path = Path(output) if output is not None else folder.file(JOURNAL)
    tmp = path.with_name(path.name + ".tmp")
    if path.resolve().parent == folder.path.resolve():
        # Inside the results folder: only over a journal dsegym wrote there.
        path = folder.path / path.name
        tmp = folder.path / tmp.name
        folder.claim([path, tmp])
    tmp.unlink(missing_ok=True)
    journal = _Collected()
    storage = JournalStorage(journal)
    infos = {str(p): _problem_info(rows) for p, rows in df.groupby("problem", sort=True)}
    result = ExportResult(path)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per study created
    try:
        with warnings.catch_warnings():
            # set_metric_names has been "experimental" since Optuna 3.2
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            for name, rows in _groups(df, per):
                result.studies[name] = _write_study(storage, name, rows, infos, per)
    finally:
        optuna.logging.set_verbosity(verbosity)
    JournalFileBackend(str(tmp)).append_logs(journal.logs)
    os.replace(tmp, path)
    return result


def _display_distributions(space: DesignSpace) -> dict[str, Any]:
    """Distributions over the knobs' own values, so the dashboard shows ``64``, not ``3``.

    The agents give Optuna an ordinal parameter as an integer over its index (which keeps
    its order for the samplers); an export is for reading, so an ordinal's values are
    listed as they are, as choices.
    """
    from optuna.distributions import CategoricalDistribution

    return {
        p.name: (
            CategoricalDistribution(p.values) if isinstance(p, Ordinal) else p.optuna_distribution()
        )
        for p in space
    }


def _write_study(
    storage: JournalStorage,
    name: str,
    rows: pd.DataFrame,
    infos: dict[str, _ProblemInfo],
    per: Grouping,
) -> int:
    """Creates one study and adds its trials; returns the trial count."""
    first = rows.iloc[0]
    info = infos[str(first["problem"])]
    distributions = _display_distributions(info.space)
    study = optuna.create_study(storage=storage, study_name=name, directions=info.directions)
    study.set_metric_names(info.metric_names)
    for key in ("experiment", "problem", "agent", "cost_model", "workload"):
        if key in first:
            study.set_user_attr(key, str(first[key]))
    study.set_user_attr("problem_params", first["problem_params"])
    study.set_user_attr("seeds", sorted(int(s) for s in rows["seed"].unique()))
    study.set_user_attr("constraint_names", info.constraints)
    if per == "run":
        study.set_user_attr("hyperparameters", first["hyperparameters"])
    study.add_trials([_trial(row, info, distributions) for _, row in rows.iterrows()])
    return len(rows)
