"""Training data for proxy cost models: designs and their metrics, with provenance.

Data comes from a results folder (every distinct, feasible design the runs costed) or
from fresh uniform samples of a problem. Designs become features through the space's
unit-cube encoding (``DesignSpace.to_unit``), one column per parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError


@dataclass
class TrainingData:
    """Designs, their feature matrix and metric values, and where they came from.

    Attributes:
        space: The design space the designs belong to.
        designs: The designs, in order.
        X: Features, ``(n, d)``: each design's unit-cube encoding.
        Y: Metric values, ``{metric: (n,) array}``.
        provenance: Problem name and parameters, cost model and version, workload, and
            the source (results folder and runs, or the sampling seed).
    """

    space: DesignSpace
    designs: list[dict[str, Any]]
    X: np.ndarray
    Y: dict[str, np.ndarray]
    provenance: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.designs)


def _features(space: DesignSpace, designs: list[dict[str, Any]]) -> np.ndarray:
    if not designs:
        return np.empty((0, len(space.names)))
    return np.vstack([space.to_unit(d) for d in designs])


def _problem_provenance(problem: Problem) -> dict[str, Any]:
    return {
        "problem": problem.name,
        "problem_params": dict(problem.params),
        "cost_model": problem.cost_model.name,
        "cost_model_version": problem.cost_model.version,
        "workload": problem.workload_name,
        "objectives": [o.metric for o in problem.objectives],
        "units": {m.name: m.unit for m in problem.cost_model.metrics},
    }


def sample_data(problem: Problem, n: int, seed: int = 0) -> TrainingData:
    """Costs ``n`` distinct uniform samples of ``problem`` (feasible ones are kept).

    Raises:
        ConfigError: if no sampled design is feasible.
    """
    if n < 2:
        raise ConfigError(f"proxy training samples: need at least 2 (got {n})")
    rng = np.random.default_rng(seed)
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _ in range(20):  # a small finite space may not hold n distinct designs
        for d in problem.space.sample_many(rng, n - len(seen)):
            seen.setdefault(problem.space.key(d), d)
        if len(seen) >= n or len(seen) >= problem.space.size:
            break
    designs = list(seen.values())
    outcomes = problem.evaluate_batch(designs)
    kept = [o for o in outcomes if o.evaluation.feasible]
    if not kept:
        raise ConfigError(f"proxy training: none of {len(designs)} samples is feasible")
    metrics = problem.cost_model.metric_names
    Y = {m: np.array([o.evaluation.metrics.get(m, math.nan) for o in kept]) for m in metrics}
    provenance = _problem_provenance(problem) | {
        "source": "fresh uniform samples",
        "seed": seed,
        "records": len(kept),
    }
    kept_designs = [dict(o.design) for o in kept]
    return TrainingData(
        problem.space, kept_designs, _features(problem.space, kept_designs), Y, provenance
    )


def results_data(results_dir: Path | str, problem: str | None = None) -> TrainingData:
    """Every distinct feasible design a results folder's runs costed on one problem.

    Args:
        results_dir: The output folder of a ``dsegym run``.
        problem: The problem's label in that folder; needed when it holds several.

    Raises:
        ConfigError: if the folder holds no records, several problems and none was
            named, or the named problem is absent.
    """
    from dsegym.costmodels.registry import make_problem
    from dsegym.experiments.analysis import load_evaluations

    df = load_evaluations(Path(results_dir))
    labels = sorted(df["problem"].unique())
    if problem is None:
        if len(labels) > 1:
            raise ConfigError(
                f"results folder {str(results_dir)!r} holds several problems; name one of: "
                + ", ".join(labels)
            )
        problem = labels[0]
    if problem not in labels:
        raise ConfigError(
            f"results folder {str(results_dir)!r} has no problem {problem!r}; "
            f"it holds: {', '.join(labels)}"
        )
    rows = df[(df["problem"] == problem) & ~df["cached"]]
    first = rows.iloc[0]
    built = make_problem(first["problem_name"], first["problem_params"])
    space = built.space
    seen: dict[tuple[Any, ...], int] = {}
    for i, (design, metrics) in enumerate(zip(rows["design"], rows["metrics"], strict=True)):
        if metrics and all(v is not None for v in metrics.values()) and space.contains(design):
            seen.setdefault(space.key(design), i)
    picked = rows.iloc[sorted(seen.values())]
    if picked.empty:
        raise ConfigError(f"results folder {str(results_dir)!r}: no feasible record to learn")
    designs = [space.clean(d) for d in picked["design"]]
    names = list(picked["metrics"].iloc[0])
    Y = {m: np.array([r.get(m, math.nan) for r in picked["metrics"]], dtype=float) for m in names}
    provenance = _problem_provenance(built) | {
        "source": f"results folder {Path(results_dir).resolve()}",
        "runs": sorted(picked["run_id"].unique().tolist()),
        "records": len(picked),
    }
    return TrainingData(space, designs, _features(space, designs), Y, provenance)
