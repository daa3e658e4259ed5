"""ZDT1-4 and ZDT6: two-objective real-valued test problems with analytic fronts."""

from __future__ import annotations

from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field

from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.reference.pymoo_backed import PymooReference


class ZDT(PymooReference):
    """Zitzler-Deb-Thiele problems, evaluated by pymoo."""

    name: ClassVar[str] = "zdt"


def _zdt(which: str, n_var: int) -> Problem:
    model = ZDT(which, n_var=n_var)
    return Problem(
        name=which,
        cost_model=model,
        objectives=[Objective("f1"), Objective("f2")],
        known_front=model.pareto_front(n_points=1000),
        # Standard ZDT practice: a point just beyond the front's nadir (1, 1).
        reference_point=np.array([1.1, 1.1]),
        description=f"{which.upper()}: {n_var} real variables, 2 objectives, analytic front",
    )


def zdt1(n_var: Annotated[int, Field(ge=2, le=1000)] = 30) -> Problem:
    """ZDT1: convex front f2 = 1 - sqrt(f1)."""
    return _zdt("zdt1", n_var)


def zdt2(n_var: Annotated[int, Field(ge=2, le=1000)] = 30) -> Problem:
    """ZDT2: concave front f2 = 1 - f1^2."""
    return _zdt("zdt2", n_var)


def zdt3(n_var: Annotated[int, Field(ge=2, le=1000)] = 30) -> Problem:
    """ZDT3: disconnected front."""
    return _zdt("zdt3", n_var)


def zdt4(n_var: Annotated[int, Field(ge=2, le=1000)] = 10) -> Problem:
    """ZDT4: multimodal (21^9 local fronts)."""
    return _zdt("zdt4", n_var)


def zdt6(n_var: Annotated[int, Field(ge=2, le=1000)] = 10) -> Problem:
    """ZDT6: non-uniform, biased search space."""
    return _zdt("zdt6", n_var)
