"""The notebook API: run an experiment, or load a results folder, and get DataFrames.

    import dsegym

    res = dsegym.run("experiments/configs/quickstart.yaml", output="results/qs")
    res.summary                      # one row per (problem, agent)
    res.evaluations                  # one row per evaluation, one column per knob/metric
    res.front("toy-accelerator")     # the non-dominated designs, all agents together
    res = dsegym.load("results/qs")  # the same, from a finished folder

Importing :mod:`dsegym` stays light: pandas, Ray and the analysis load only when one of
these functions is first called.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsegym.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.dataset

    from dsegym.experiments.config import ExperimentConfig
    from dsegym.experiments.export_optuna import ExportResult


@dataclass
class Results:
    """A results folder as DataFrames; each table is read on first use.

    Attributes:
        path: The results folder.
        errors: ``{run_id: error}`` for runs that crashed (only from :func:`run`).
    """

    path: Path
    errors: dict[str, str] = field(default_factory=dict)

    @cached_property
    def evaluations(self) -> pd.DataFrame:
        """Every recorded proposal, one column per value (see :mod:`.experiments.tidy`).

        The run's fields, then ``design.<knob>``, ``metric.<name>``,
        ``objective.<label>`` and ``constraint.<metric>`` columns.
        """
        from dsegym.experiments.tidy import read_parquet

        return read_parquet(self.path / "evaluations.parquet")

    @cached_property
    def dataset(self) -> pyarrow.dataset.Dataset:
        """``evaluations.parquet`` as a lazy pyarrow dataset: select columns and filter
        rows before anything is read, so memory grows with what you keep, not with the
        evaluations recorded::

            import pyarrow.compute as pc
            rows = res.dataset.to_table(
                columns=["run_id", "eval_index", "objective.f1"],
                filter=pc.field("agent") == "nsga2",
            ).to_pandas()

        (``res.evaluations`` reads the whole table at once.)
        """
        import pyarrow.dataset as ds

        return ds.dataset(self.path / "evaluations.parquet", format="parquet")

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per (problem, agent): hypervolume over seeds and the rest."""
        return self._csv("summary.csv")

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: final hypervolume, IGD, best values, evaluations."""
        return self._csv("runs.csv")

    @cached_property
    def history(self) -> pd.DataFrame:
        """Hypervolume against evaluations, one row per (run, checkpoint)."""
        return self._csv("hypervolume_history.csv")

    @cached_property
    def fronts(self) -> dict[str, pd.DataFrame]:
        """Each run's Pareto front with its designs (``fronts/<run>.csv``), keyed by run id."""
        import pandas as pd

        return {p.stem: pd.read_csv(p) for p in sorted((self.path / "fronts").glob("*.csv"))}

    @property
    def report_html(self) -> Path:
        """The interactive report (written by :func:`run` or ``dsegym report``)."""
        return self.path / "report.html"

    def _csv(self, name: str) -> pd.DataFrame:
        import pandas as pd

        from dsegym.experiments.escape import read_csv

        try:
            return read_csv(self.path / name)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()

    def front(self, problem: str, agent: str | None = None) -> pd.DataFrame:
        """The feasible non-dominated evaluations of a problem, with their designs.

        Args:
            problem: A problem label (see ``summary["problem"]``).
            agent: Only this agent's evaluations (default: all agents together).

        Raises:
            ConfigError: for a problem or agent the folder does not hold.
        """
        import pyarrow.compute as pc

        from dsegym.experiments.tidy import scan_front

        def distinct(column: str, where: Any = None) -> set[Any]:
            batches = self.dataset.to_batches(columns=[column], filter=where)
            return {v for b in batches for v in pc.unique(b[column]).to_pylist()}

        problems = distinct("problem")
        if problem not in problems:
            allowed = ", ".join(sorted(map(str, problems)))
            raise ConfigError(f"problem {problem!r} is not in {self.path}; allowed: {allowed}")
        if agent is not None:
            agents = distinct("agent", pc.field("problem") == problem)
            if agent not in agents:
                allowed = ", ".join(sorted(map(str, agents)))
                raise ConfigError(f"agent {agent!r} did not run {problem!r}; allowed: {allowed}")
        front = scan_front(self.path / "evaluations.parquet", problem, agent)
        if front is None:  # no feasible design: an empty table with the columns
            import pandas as pd

            columns = self.dataset.schema.names
            return pd.DataFrame(columns=columns).dropna(axis=1, how="all")
        # other problems' knobs and metrics are empty here
        return front.dropna(axis=1, how="all").reset_index(drop=True)

    def export_optuna(self, output: Path | None = None, per: str = "run") -> ExportResult:
        """Writes the runs as Optuna studies (see ``dsegym export optuna``)."""
        from dsegym.experiments.export_optuna import export_optuna

        if per not in ("run", "agent"):
            raise ConfigError(f"per={per!r}: allowed: run, agent")
        return export_optuna(self.path, output, per="run" if per == "run" else "agent")

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r})"


def load(results_dir: str | Path) -> Results:
    """Opens a results folder; recomputes its tables first unless they were computed
    from the record files as they are now (a record added, changed or deleted since, or
    a folder older than that check, makes them stale).

    Raises:
        ConfigError: if the folder does not exist, holds no dsegym records, or a record
            is damaged (see :mod:`dsegym.experiments.storage`).
    """
    from dsegym.experiments.results_folder import ResultsFolder

    path = Path(results_dir)
    if not path.is_dir():
        raise ConfigError(f"results folder {str(path)!r} does not exist")
    folder = ResultsFolder(path)
    if not folder.tables_current():  # a current folder is only read (it may be read-only)
        from dsegym.experiments.analysis import analyse

        with folder.lock():
            if not folder.tables_current():
                analyse(path)
    return Results(path)


def _config(config: str | Path | Mapping[str, Any] | ExperimentConfig) -> ExperimentConfig:
    from dsegym.experiments.config import ExperimentConfig, load_config, parse_config

    if isinstance(config, ExperimentConfig):
        return config
    if isinstance(config, Mapping):
        return parse_config(dict(config), "config")
    return load_config(Path(config))


def run(
    config: str | Path | Mapping[str, Any] | ExperimentConfig,
    *,
    output: str | Path | None = None,
    workers: int | None = None,
    address: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    report: bool = True,
    progress: bool = False,
) -> Results:
    """Runs an experiment, as ``dsegym run`` does, and returns its results.

    Args:
        config: A YAML path, a dict in the same shape, or an ``ExperimentConfig``.
        output: Results folder (default: the config's ``output_dir``).
        workers: Parallel runs under Ray (default: the config's; 1 is serial).
        address: An existing Ray cluster ('auto' or host:port).
        resume: Finish an interrupted experiment in ``output``.
        overwrite: Delete the folder's earlier runs first.
        report: Also write the Markdown, PNG and HTML reports (tables are always written).
        progress: Draw a progress bar.

    Returns:
        The results; runs that crashed are listed in ``errors`` (and warned about).

    Raises:
        ConfigError: for an invalid config or a folder that already holds runs.
    """
    from dsegym.experiments.launch import run_experiment
    from dsegym.experiments.results_folder import ResultsFolder

    cfg = _config(config)
    results_dir = Path(output) if output is not None else cfg.results_dir()
    with ResultsFolder(results_dir).lock():
        summaries = run_experiment(
            cfg,
            results_dir=results_dir,
            workers=workers,
            address=address,
            resume=resume,
            overwrite=overwrite,
            show_progress=progress,
        )
        if report:
            from dsegym.experiments.report import write_report

            write_report(results_dir)
    errors = {s.run_id: s.error for s in summaries if s.error}
    for run_id, error in errors.items():
        warnings.warn(f"run {run_id} failed: {error}", RuntimeWarning, stacklevel=2)
    results = load(results_dir)
    results.errors = errors
    return results
