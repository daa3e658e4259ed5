"""Checks of a cost model and of a problem: what the conformance suites run on every entry.

Rules (each failure names one):

- ``model-declaration``: ``name`` set, ``version`` decimal digits, metric names distinct.
- ``no-exception``: costing a boundary design (every knob at its lowest value, then at
  its highest, then each knob alone at an extreme) or a seeded random design raises
  nothing; a design the model cannot cost is ``Evaluation.infeasible(reasons)``.
- ``infeasible-has-reasons``: an infeasible evaluation says why.
- ``declared-metrics``: a feasible evaluation returns every declared metric, finite.
- ``batch-equals-single``: ``evaluate_batch`` gives what ``evaluate`` gives one at a time.
- ``deterministic``: the same design costs the same twice.
- ``problem-declaration``: objectives and constraints name declared metrics.
- ``outcomes``: a problem's outcomes have one ``F`` value per objective, finite when
  feasible.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation
from dsegym.costmodels.problem import Problem
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.testing.failure import require


def boundary_designs(space: DesignSpace) -> list[Design]:
    """Every knob at its lowest, every knob at its highest, then each knob alone at an
    extreme with the others at their lowest (duplicates dropped, order kept).
    """
    low = space.from_unit(np.zeros(len(space)))
    high = space.from_unit(np.ones(len(space)))
    designs = [low, high]
    for name in space.names:
        designs.append({**low, name: high[name]})
    unique: dict[tuple[Any, ...], Design] = {}
    for d in designs:
        unique.setdefault(space.key(d), d)
    return list(unique.values())


def check_designs(space: DesignSpace, n_random: int = 6, seed: int = 12345) -> list[Design]:
    """The designs every check costs: boundary designs, then seeded random ones."""
    return boundary_designs(space) + space.sample_many(np.random.default_rng(seed), n_random)


def _same(a: Evaluation, b: Evaluation) -> bool:
    if a.feasible != b.feasible or set(a.metrics) != set(b.metrics):
        return False
    for name, value in a.metrics.items():
        other = b.metrics[name]
        if not (value == other or (math.isnan(value) and math.isnan(other))):
            return False
    return True


def _evaluate(model: CostModel, design: Design, workload: Any, subject: str) -> Evaluation:
    try:
        return model.evaluate(design, workload)
    except Exception as exc:  # noqa: BLE001 - the rule is that nothing is raised
        require(
            False,
            "no-exception",
            subject,
            f"evaluate raised {type(exc).__name__}: {exc} on design {design}; a design the "
            "model cannot cost must be Evaluation.infeasible(reasons)",
        )
        raise  # unreachable: require raised


def check_cost_model(
    model: CostModel,
    workload: Any = None,
    *,
    n_random: int = 6,
    seed: int = 12345,
    nan_allowed: frozenset[str] = frozenset(),
) -> None:
    """Checks ``model`` on boundary and seeded random designs (see the module's rules).

    Args:
        model: The cost model.
        workload: What to cost the designs on (``None``: the model's default).
        n_random: Random designs besides the boundary ones.
        seed: Seed of the random designs.
        nan_allowed: Declared metrics a feasible design may leave undefined (NaN).

    Raises:
        ConformanceError: naming the first rule broken.
    """
    subject = f"cost model {getattr(model, 'name', type(model).__name__)!r}"
    names = [m.name for m in model.metrics]
    require(bool(model.name), "model-declaration", subject, "name is empty")
    require(
        isinstance(model.version, str) and model.version.isdecimal(),
        "model-declaration",
        subject,
        f"version {model.version!r} must be a string of decimal digits",
    )
    require(len(set(names)) == len(names), "model-declaration", subject, f"metrics {names}")
    designs = check_designs(model.space, n_random, seed)
    single = [_evaluate(model, d, workload, subject) for d in designs]
    for design, evaluation in zip(designs, single, strict=True):
        if not evaluation.feasible:
            require(
                bool(evaluation.violations),
                "infeasible-has-reasons",
                subject,
                f"design {design} is infeasible without a reason",
            )
            continue
        missing = set(names) - set(evaluation.metrics)
        require(
            not missing,
            "declared-metrics",
            subject,
            f"metrics {sorted(missing)} not returned for {design}",
        )
        bad = [
            k
            for k in names
            if k not in nan_allowed and not math.isfinite(float(evaluation.metrics[k]))
        ]
        require(not bad, "declared-metrics", subject, f"non-finite metrics {bad} on {design}")
    try:
        batch = model.evaluate_batch(designs, workload)
    except Exception as exc:  # noqa: BLE001 - the rule is that nothing is raised
        require(False, "no-exception", subject, f"evaluate_batch raised {exc!r}")
    require(
        len(batch) == len(designs),
        "batch-equals-single",
        subject,
        f"evaluate_batch returned {len(batch)} evaluations for {len(designs)} designs",
    )
    again = [_evaluate(model, d, workload, subject) for d in designs]
    for design, b, s, a in zip(designs, batch, single, again, strict=True):
        require(_same(b, s), "batch-equals-single", subject, f"they differ on {design}")
        require(_same(s, a), "deterministic", subject, f"two evaluations differ on {design}")


def check_problem(problem: Problem, *, n_random: int = 6, seed: int = 12345) -> None:
    """Checks ``problem``: its cost model (:func:`check_cost_model` on its workload), its
    declaration and its outcomes.

    Raises:
        ConformanceError: naming the first rule broken.
    """
    subject = f"problem {problem.name!r}"
    metrics = set(problem.cost_model.metric_names)
    for label, metric in [("objective", o.metric) for o in problem.objectives] + [
        ("constraint", c.metric) for c in problem.constraints
    ]:
        require(
            metric in metrics,
            "problem-declaration",
            subject,
            f"{label} metric {metric!r} is not one of the model's metrics {sorted(metrics)}",
        )
    check_cost_model(problem.cost_model, problem.workload, n_random=n_random, seed=seed)
    designs = check_designs(problem.space, n_random, seed)
    try:
        outcomes = problem.evaluate_batch(designs)
    except Exception as exc:  # noqa: BLE001 - the rule is that nothing is raised
        require(False, "no-exception", subject, f"evaluate_batch raised {exc!r}")
    for design, outcome in zip(designs, outcomes, strict=True):
        require(
            outcome.F.shape == (problem.n_objectives,),
            "outcomes",
            subject,
            f"F has shape {outcome.F.shape} for {problem.n_objectives} objectives on {design}",
        )
        require(
            not outcome.feasible or bool(np.isfinite(outcome.F).all()),
            "outcomes",
            subject,
            f"a feasible outcome has non-finite F {outcome.F.tolist()} on {design}",
        )
