"""Best-known fronts: the union of every recorded front of one instance.

``dsegym front compute PROBLEM --from RESULTS_DIR ...`` reads the records of the given
results folders, keeps the runs of the same problem, canonical parameters, cost model
and model version, pools their feasible points with the stored best-known front (if
any), and stores the non-dominated union labelled ``best-known``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.errors import ConfigError
from dsegym.experiments.reference_fronts import (
    ReferenceFront,
    best_known,
    canonical_params,
    current_version,
    find_front,
)
from dsegym.experiments.results_folder import ResultsFolder
from dsegym.experiments.storage import read_evaluations
from dsegym.pareto import nondominated


def recorded_fronts(
    problem: str, params: Mapping[str, Any], model: tuple[str, str], folders: Sequence[Path]
) -> tuple[list[np.ndarray], list[str]]:
    """Each matching run's feasible non-dominated points, and where they came from."""
    wanted = canonical_params(problem, params)
    fronts, sources = [], []
    for folder in folders:
        results = ResultsFolder(Path(folder))
        if not results.runs_dir.is_dir():
            raise ConfigError(f"--from {str(folder)!r}: not a results folder (no runs/)")
        for path in results.record_files():
            items = read_evaluations(path)
            if not items:
                continue
            run = items[0].run
            if (run.problem_name or run.problem) != problem:
                continue
            if (run.cost_model, run.cost_model_version) != model:
                continue
            if canonical_params(problem, run.problem_params or {}) != wanted:
                continue
            points = [
                item.record.F for item in items if item.record.feasible and not item.record.cached
            ]
            if points:
                fronts.append(nondominated(np.array(points, dtype=float)))
                sources.append(f"{folder}/runs/{path.name}")
    return fronts, sources


def pool_results(
    problem: str, params: Mapping[str, Any], folders: Sequence[Path]
) -> ReferenceFront:
    """The best-known front of an instance from the runs recorded in ``folders``.

    Raises:
        ConfigError: if an exact front is stored (nothing to improve) or no run matches.
    """
    model = current_version(problem, canonical_params(problem, params))
    stored, _ = find_front(problem, params, *model)
    if stored is not None and stored.kind == "exact":
        raise ConfigError(
            f"an exact front of {problem} with these parameters is already stored "
            f"({stored.describe()}); a best-known front cannot improve on it"
        )
    fronts, sources = recorded_fronts(problem, params, model, folders)
    if not fronts:
        raise ConfigError(
            f"no run in {', '.join(map(str, folders))} is of {problem} with these parameters "
            f"and {model[0]} version {model[1]} with a feasible design"
        )
    return best_known(problem, params, fronts, sources, previous=stored)
