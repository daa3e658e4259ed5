"""A discrete single-objective problem with a known optimum, for checking search agents.

Twelve parameters (ordinal, integer and categorical), about 7e10 designs. The cost is
1 plus a weighted squared distance of each ordered parameter's index from a fixed
target index, plus a penalty for each categorical parameter off its target choice;
the target design costs exactly 1. A load constraint cuts away a third of the space
(but not the target), and the model rejects one corner. The parameters barely
interact, which is the premise of multi-agent RL for design (each learner owns one
parameter); it is a synthetic reference problem, not a hardware model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Constraint, Objective, Problem
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Ordinal

_ORDINALS = {f"o{i}": t for i, t in enumerate((5, 2, 6, 1))}  # target index of 8 values
_INTEGERS = {f"n{i}": t for i, t in enumerate((11, 3, 7, 14))}  # target value in 0..15
_CATEGORICALS = {f"c{i}": t for i, t in enumerate("cadb")}  # target choice
_CHOICES = ("a", "b", "c", "d")
LOAD_LIMIT = 0.6


class SeparableDiscrete(CostModel):
    """Weighted distance to a target design; optimum 1.0 at the target."""

    name: ClassVar[str] = "separable-discrete"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("cost", "1", "1 + weighted distance from the target design"),
        Metric("load", "1", "mean normalised index of the ordered parameters"),
    )

    def __init__(self, categorical: bool = True):
        self.categorical = categorical
        self._space = DesignSpace(
            [Ordinal.powers_of_two(n, 1, 128, description="a power-of-two knob") for n in _ORDINALS]
            + [Integer(n, 0, 15, description="an integer knob") for n in _INTEGERS]
            + (
                [Categorical(n, _CHOICES, description="a categorical knob") for n in _CATEGORICALS]
                if categorical
                else []
            )
        )

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if design.get("c0") == "d" and design["o0"] == 128:
            return Evaluation.infeasible("c0='d' cannot run with o0=128")
        ordinal = np.array([np.log2(design[n]) / 7 for n in _ORDINALS])
        integer = np.array([design[n] / 15 for n in _INTEGERS])
        target = np.array(
            [t / 7 for t in _ORDINALS.values()] + [t / 15 for t in _INTEGERS.values()]
        )
        position = np.concatenate([ordinal, integer])
        distance = float(np.sum((position - target) ** 2))
        mismatches = sum(design.get(n, t) != t for n, t in _CATEGORICALS.items())
        return Evaluation(
            {"cost": 1.0 + distance + 0.25 * mismatches, "load": float(position.mean())}
        )


def separable_discrete(categorical: bool = True) -> Problem:
    """Minimise the cost under ``load <= 0.6``; the known optimum is 1.0.

    Args:
        categorical: Include the four categorical parameters (without them the space
            is numeric, ~1.8e7 designs, and CMA-ES applies).
    """
    return Problem(
        name="separable-discrete",
        cost_model=SeparableDiscrete(categorical),
        objectives=[Objective("cost")],
        constraints=[Constraint("load", upper=LOAD_LIMIT)],
        known_front=np.array([[1.0]]),
        description="12 discrete parameters, ~7e10 designs, one objective, optimum 1.0 known",
    )
