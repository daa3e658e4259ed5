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
from optuna.storages import JournalStorage
from optuna.storages.journal import BaseJournalBackend, JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import DesignSpace, Ordinal
from dsegym.experiments.analysis import load_records
from dsegym.experiments.results_folder import JOURNAL, ResultsFolder
from dsegym.experiments.storage import RecordedEvaluation, RunFields

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


def _problem_info(run: RunFields) -> _ProblemInfo:
    # Built for its design space (the trials' distributions), not to label anything.
    problem = make_problem(run.problem_name, run.problem_params)
    return _ProblemInfo(
        space=problem.space,
        directions=[_direction(lab) for lab in run.objectives],
        metric_names=[lab.removeprefix("-") for lab in run.objectives],
        constraints=run.constraint_labels(problem.n_constraints),
    )


def _direction(label: str) -> Direction:
    return "maximize" if label.startswith("-") else "minimize"


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if math.isfinite(v)}


def _trial(
    item: RecordedEvaluation, info: _ProblemInfo, distributions: dict[str, Any]
) -> FrozenTrial:
    """One record as a finished Optuna trial."""
    run, record = item.run, item.record
    design = record.design
    in_space = info.space.contains(design)
    user_attrs: dict[str, Any] = {
        "run_id": run.run_id,
        "seed": run.seed,
        "eval_index": record.eval_index,
        "feasible": record.feasible,
        "violations": record.violations,
        "metrics": _finite(record.metrics),
    }
    params = {k: design[k] for k in distributions} if in_space else {}
    if not in_space or record.rejected:
        trial = optuna.trial.create_trial(
            state=TrialState.FAIL,
            params=params,
            distributions=distributions if in_space else {},
            user_attrs={**user_attrs, "design": {k: str(v) for k, v in design.items()}},
        )
    else:
        values = [
            -f if d == "maximize" else f for f, d in zip(record.F, info.directions, strict=True)
        ]
        trial = optuna.trial.create_trial(
            state=TrialState.COMPLETE,
            values=values,
            params=params,
            distributions=distributions,
            user_attrs=user_attrs,
            system_attrs={CONSTRAINTS_KEY: record.G} if record.G else None,
        )
    # The record's clock, so the dashboard's history shows when each design was costed.
    end = datetime.datetime.fromtimestamp(record.timestamp)
    trial.datetime_complete = end
    trial.datetime_start = end - datetime.timedelta(seconds=record.eval_time_s)
    return trial


def _groups(
    records: list[RecordedEvaluation], per: Grouping
) -> Iterator[tuple[str, list[RecordedEvaluation]]]:
    groups: dict[str, list[RecordedEvaluation]] = {}
    for item in records:
        run = item.run
        name = run.run_id if per == "run" else f"{run.problem}__{run.agent}"
        groups.setdefault(name, []).append(item)
    for name in sorted(groups):
        yield name, sorted(groups[name], key=lambda r: (r.run.seed, r.record.eval_index))


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
    path = Path(output) if output is not None else folder.file(JOURNAL)
    if path.resolve().parent != folder.path.resolve():
        return _export(folder, path, per)  # the folder is only read
    with folder.lock():
        # Inside the results folder: only over a journal dsegym wrote there.
        path = folder.path / path.name
        folder.claim([path, path.with_name(path.name + ".tmp")])
        return _export(folder, path, per)


def _export(folder: ResultsFolder, path: Path, per: Grouping) -> ExportResult:
    records = [r for r in load_records(folder.path) if not r.record.cached]
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    journal = _Collected()
    storage = JournalStorage(journal)
    infos: dict[str, _ProblemInfo] = {}
    for item in records:
        if item.run.problem not in infos:
            infos[item.run.problem] = _problem_info(item.run)
    result = ExportResult(path)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per study created
    try:
        with warnings.catch_warnings():
            # set_metric_names has been "experimental" since Optuna 3.2
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            for name, rows in _groups(records, per):
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
    rows: list[RecordedEvaluation],
    infos: dict[str, _ProblemInfo],
    per: Grouping,
) -> int:
    """Creates one study and adds its trials; returns the trial count."""
    first = rows[0].run
    info = infos[first.problem]
    distributions = _display_distributions(info.space)
    study = optuna.create_study(storage=storage, study_name=name, directions=info.directions)
    study.set_metric_names(info.metric_names)
    for key in ("experiment", "problem", "agent", "cost_model", "workload"):
        study.set_user_attr(key, str(getattr(first, key)))
    study.set_user_attr("problem_params", first.problem_params)
    study.set_user_attr("seeds", sorted({r.run.seed for r in rows}))
    study.set_user_attr("constraint_names", info.constraints)
    if per == "run":
        study.set_user_attr("hyperparameters", first.hyperparameters)
    study.add_trials([_trial(row, info, distributions) for row in rows])
    return len(rows)
