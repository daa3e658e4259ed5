"""A trivial cost model with an optional delay, for measuring the runner itself.

The benchmarks use it to time the runner's own overhead per evaluation (``delay_ms=0``)
and Ray's parallel efficiency on evaluations of known cost (``delay_ms=20``, a busy
wait that occupies a core, or ``wait="sleep"``, which stands for a simulator whose time
is spent elsewhere and is not skewed by other jobs on a shared machine).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.space import Categorical, DesignSpace, Integer, Real


class Synthetic(CostModel):
    """Two cheap objectives over a small mixed space; optionally burns CPU per call."""

    name: ClassVar[str] = "synthetic"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("cost", "1", "(x - 0.3)^2 + level / 10"),
        Metric("size", "1", "1 - x + mode bonus"),
    )

    def __init__(self, delay_ms: float = 0.0, wait: Literal["busy", "sleep"] = "busy"):
        self.delay_s = delay_ms / 1000.0
        self.wait = wait
        self._space = DesignSpace(
            [
                Real("x", 0.0, 1.0, description="a real knob (no physical meaning)"),
                Integer("level", 0, 9, description="an integer knob (no physical meaning)"),
                Categorical(
                    "mode",
                    ("fast", "small", "balanced"),
                    description="a categorical knob (no physical meaning)",
                ),
            ]
        )

    @property
    def space(self) -> DesignSpace:
        return self._space

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        if self.delay_s and self.wait == "sleep":
            # A simulator run elsewhere (another machine, a licence server): no local CPU.
            time.sleep(self.delay_s)
        elif self.delay_s:
            # Busy-wait rather than sleep: a real model occupies a core.
            end = time.perf_counter() + self.delay_s
            while time.perf_counter() < end:
                pass
        bonus = {"fast": 0.2, "small": -0.1, "balanced": 0.0}[design["mode"]]
        x = design["x"]
        return Evaluation({"cost": (x - 0.3) ** 2 + design["level"] / 10, "size": 1 - x + bonus})


def synthetic(
    delay_ms: Annotated[float, Field(ge=0, le=10_000)] = 0.0,
    wait: Literal["busy", "sleep"] = "busy",
) -> Problem:
    """Trivial two-objective problem; ``delay_ms`` per evaluation, busy or asleep."""
    return Problem(
        name="synthetic",
        cost_model=Synthetic(delay_ms, wait),
        objectives=[Objective("cost"), Objective("size")],
        description="trivial mixed problem for runner and parallelism benchmarks",
    )
