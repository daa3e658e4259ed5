"""A problem of your own, beside the config that names it (no change to dsegym).

``experiment.yaml`` names the factory as ``my_models:cache_problem``; dsegym imports
this file from the config's folder (or the current folder) and validates the config's
``params`` against the factory's typed signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import pydantic

from dsegym import (
    Constraint,
    CostModel,
    DesignSpace,
    Evaluation,
    Integer,
    Metric,
    Objective,
    Ordinal,
    Problem,
)


class CacheModel(CostModel):
    """A set-associative cache's miss rate, access energy and area (rough analytic model)."""

    name: ClassVar[str] = "my-cache"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("miss_rate", "1", "misses per access on the workload"),
        Metric("energy_pj", "pJ", "energy of one access"),
        Metric("area_mm2", "mm^2", "SRAM and tag area"),
    )

    def __init__(self, working_set_kib: int):
        self.working_set_kib = working_set_kib
        self._space = DesignSpace(
            [
                Ordinal.powers_of_two("size_kib", 4, 256, description="capacity in KiB"),
                Ordinal.powers_of_two("ways", 1, 16, description="associativity (ways per set)"),
                Ordinal.powers_of_two("line_bytes", 16, 128, description="line size in bytes"),
                Integer("banks", 1, 8, description="independently accessed banks"),
            ]
        )

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        size, ways = design["size_kib"], design["ways"]
        line, banks = design["line_bytes"], design["banks"]
        if ways * line > size * 1024 // 4:
            return Evaluation.infeasible(f"{ways} ways of {line} B leave fewer than 4 sets")
        capacity_miss = max(0.0, 1.0 - size / self.working_set_kib) ** 2
        conflict_miss = 0.05 / ways
        spatial = 0.02 * (64 / line)
        return Evaluation(
            {
                "miss_rate": min(1.0, capacity_miss + conflict_miss + spatial),
                "energy_pj": 0.5 * (size / banks) ** 0.5 * (1 + 0.1 * ways) + 0.01 * line,
                "area_mm2": 0.004 * size * (1 + 0.02 * ways) + 0.01 * banks,
            }
        )


def cache_problem(
    working_set_kib: pydantic.PositiveInt = 64,
    area_budget_mm2: pydantic.PositiveFloat = 0.5,
    objectives: Literal["miss-energy", "miss"] = "miss-energy",
) -> Problem:
    """Minimise miss rate (and access energy) within an area budget.

    Args:
        working_set_kib: The workload's working set.
        area_budget_mm2: Largest cache area allowed.
        objectives: ``miss-energy`` (two objectives) or ``miss`` (one).
    """
    chosen = ["miss_rate", "energy_pj"] if objectives == "miss-energy" else ["miss_rate"]
    return Problem(
        name="cache",
        cost_model=CacheModel(working_set_kib),
        objectives=[Objective(m) for m in chosen],
        constraints=[Constraint("area_mm2", upper=area_budget_mm2)],
        workload_name=f"working-set-{working_set_kib}KiB",
        description="a set-associative cache under an area budget",
    )
