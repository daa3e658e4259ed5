"""Small problems the checks run agents on: mixed spaces, constraints, rejected designs.

Public so that a user's tests can run their agents on the same problems dsegym's
conformance suites use.
"""

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
        params: list[Any] = [
            Integer("i", 0, 7, description="an integer knob"),
            Ordinal("o", (1, 2, 4, 8), description="an ordinal knob (powers of two)"),
        ]
        if categorical:
            params.append(Categorical("c", ("a", "b", "c"), description="a categorical knob"))
        if real:
            params.append(Real("x", 0.0, 1.0, description="a real knob"))
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


class PickyModel(CostModel):
    """A mixed space where the model rejects every design with ``width > 6``."""

    name: ClassVar[str] = "picky"
    metrics: ClassVar[tuple[Metric, ...]] = (Metric("cost", "1"), Metric("size", "1"))
    _space = DesignSpace(
        [
            Integer("width", 1, 8, description="a width the model rejects above 6"),
            Categorical("kind", ("a", "b", "c"), description="a categorical knob"),
            Real("knob", 0.0, 1.0, description="a real knob"),
        ]
    )

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if design["width"] > 6:
            return Evaluation.infeasible(f"width {design['width']} > 6 does not fit")
        bias = {"a": 0.0, "b": 0.5, "c": 1.0}[design["kind"]]
        cost = (design["width"] - 3) ** 2 + bias + design["knob"]
        return Evaluation({"cost": cost, "size": design["width"] + (1 - design["knob"])})


def picky_problem() -> Problem:
    """Two objectives, one spec (size <= 6), and designs the model rejects."""
    return Problem(
        name="picky",
        cost_model=PickyModel(),
        objectives=[Objective("cost"), Objective("size")],
        constraints=[Constraint("size", upper=6.0)],
    )


def agent_check_problems() -> dict[str, Problem]:
    """The spaces every agent is checked on, by kind."""
    from dsegym.costmodels.registry import make_problem

    return {
        "mixed-with-rejections": picky_problem(),
        "discrete-2obj": make_problem("toy-accelerator"),
        "real-2obj": make_problem("zdt1", {"n_var": 5}),
        # Integers, an ordinal and a real: no categorical, yet not one pymoo vector.
        "numeric-2obj": mixed_problem(categorical=False),
        "discrete-1obj-constrained": make_problem("toy-accelerator-1obj"),
    }
