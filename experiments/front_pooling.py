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
from dsegym.experiments.storage import read_records, read_vector
from dsegym.pareto import nondominated


def recorded_fronts(
    problem: str, params: Mapping[str, Any], model: tuple[str, str], folders: Sequence[Path]
) -> tuple[list[np.ndarray], list[str]]:
    """Each matching run's feasible non-dominated points, and where they came from."""
    wanted = canonical_params(problem, params)
    fronts, sources = [], []
    for folder in folders:
        runs = Path(folder) / "runs"
        if not runs.is_dir():
            raise ConfigError(f"--from {str(folder)!r}: not a results folder (no runs/)")
        for path in sorted(runs.glob("*.jsonl")):
            rows = read_records(path)
            if not rows:
                continue
            first = rows[0]
            name = first.get("problem_name") or first.get("problem")
            if name != problem or (first.get("cost_model"), first.get("cost_model_version")) != (
                model
            ):
                continue
            if canonical_params(problem, first.get("problem_params") or {}) != wanted:
                continue
            points = [
                read_vector(r["F"]) for r in rows if r.get("feasible") and not r.get("cached")
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
