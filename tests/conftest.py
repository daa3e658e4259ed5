"""Shared fixtures: small problems, including one whose model rejects designs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pytest

from dsegym.costmodels import (
    Categorical,
    Constraint,
    CostModel,
    DesignSpace,
    Evaluation,
    Integer,
    Metric,
    Objective,
    Problem,
    Real,
)


class PickyModel(CostModel):
    """A mixed space where the model rejects every design with ``width > 6``."""

    name: ClassVar[str] = "picky"
    metrics: ClassVar[tuple[Metric, ...]] = (Metric("cost", "1"), Metric("size", "1"))
    _space = DesignSpace(
        [Integer("width", 1, 8), Categorical("kind", ("a", "b", "c")), Real("knob", 0.0, 1.0)]
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


@pytest.fixture
def picky_problem() -> Problem:
    """Two objectives, one spec (size <= 6), and designs the model rejects."""
    return Problem(
        name="picky",
        cost_model=PickyModel(),
        objectives=[Objective("cost"), Objective("size")],
        constraints=[Constraint("size", upper=6.0)],
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
