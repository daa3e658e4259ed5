"""A tiny mixed problem with a constraint and designs the model rejects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal, Real

_OFFSET = {"a": 0.0, "b": 0.1, "c": 0.2}


class MixedModel(CostModel):
    """Rejects (c, i > 5); metrics are simple sums so every agent can make progress."""

    name: ClassVar[str] = "mixed-test"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("f1", "1"),
        Metric("f2", "1"),
        Metric("load", "1"),
    )

    def __init__(self, categorical: bool = True, real: bool = True):
        params: list[Any] = [Integer("i", 0, 7), Ordinal("o", (1, 2, 4, 8))]
        if categorical:
            params.append(Categorical("c", ("a", "b", "c")))
        if real:
            params.append(Real("x", 0.0, 1.0))
        self._space = DesignSpace(params)

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        c = design.get("c", "a")
        if c == "c" and design["i"] > 5:
            return Evaluation.infeasible("c cannot have i > 5")
        x = design.get("x", 0.5)
        offset = _OFFSET[c]
        return Evaluation(
            {
                "f1": x + design["i"] / 7 + offset,
                "f2": (1 - x) + design["o"] / 8 + (7 - design["i"]) / 7 + offset,
                "load": design["i"] + design["o"],
            }
        )


def mixed_problem(n_objectives: int = 2, categorical: bool = True, real: bool = True) -> Problem:
    """Two objectives (or one), a constraint ``load <= 12`` and rejected designs."""
    objectives = [Objective("f1"), Objective("f2")][:n_objectives]
    return Problem(
        name="mixed-test",
        cost_model=MixedModel(categorical, real),
        objectives=objectives,
        constraints=[Constraint("load", upper=12)],
    )
