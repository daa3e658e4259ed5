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
    from dsegym.experiments.analysis import load_records

    records = load_records(Path(results_dir))
    labels = sorted({r.run.problem for r in records})
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
    rows = [r for r in records if r.run.problem == problem and not r.record.cached]
    first = rows[0].run
    built = make_problem(first.problem_name, first.problem_params)
    space = built.space
    picked, seen = [], set()
    for item in rows:
        design, metrics = item.record.design, item.record.metrics
        usable = metrics and all(map(math.isfinite, metrics.values()))
        if usable and space.contains(design) and space.key(design) not in seen:
            seen.add(space.key(design))
            picked.append(item)
    if not picked:
        raise ConfigError(f"results folder {str(results_dir)!r}: no feasible record to learn")
    designs = [space.clean(r.record.design) for r in picked]
    names = list(picked[0].record.metrics)
    Y = {
        m: np.array([r.record.metrics.get(m, math.nan) for r in picked], dtype=float) for m in names
    }
    provenance = _problem_provenance(built) | {
        "source": f"results folder {Path(results_dir).resolve()}",
        "runs": sorted({r.run.run_id for r in picked}),
        "records": len(picked),
    }
    return TrainingData(space, designs, _features(space, designs), Y, provenance)
