"""DTLZ1-4: scalable many-objective test problems with analytic fronts."""

from __future__ import annotations

from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field

from dsegym.costmodels.problem import Objective, Problem
from dsegym.costmodels.reference.pymoo_backed import PymooReference


class DTLZ(PymooReference):
    """Deb-Thiele-Laumanns-Zitzler problems, evaluated by pymoo."""

    name: ClassVar[str] = "dtlz"


NObj = Annotated[int, Field(ge=2, le=10)]


def _dtlz(which: str, n_obj: int, n_var: int | None, k: int) -> Problem:
    n_var = n_var if n_var is not None else n_obj + k - 1
    model = DTLZ(which, n_var=n_var, n_obj=n_obj)
    # DTLZ1's front lies on sum(f) = 0.5, the others on the unit sphere.
    nadir = 0.5 if which == "dtlz1" else 1.0
    return Problem(
        name=which,
        cost_model=model,
        objectives=[Objective(f"f{i + 1}") for i in range(n_obj)],
        known_front=model.pareto_front(),
        reference_point=np.full(n_obj, 1.1 * nadir),
        description=f"{which.upper()}: {n_var} real variables, {n_obj} objectives",
    )


def dtlz1(n_obj: NObj = 3, n_var: Annotated[int, Field(ge=2)] | None = None) -> Problem:
    """DTLZ1: linear front, many local fronts (default n_var = n_obj + 4)."""
    return _dtlz("dtlz1", n_obj, n_var, k=5)


def dtlz2(n_obj: NObj = 3, n_var: Annotated[int, Field(ge=2)] | None = None) -> Problem:
    """DTLZ2: spherical front (default n_var = n_obj + 9)."""
    return _dtlz("dtlz2", n_obj, n_var, k=10)


def dtlz3(n_obj: NObj = 3, n_var: Annotated[int, Field(ge=2)] | None = None) -> Problem:
    """DTLZ3: spherical front with many local fronts."""
    return _dtlz("dtlz3", n_obj, n_var, k=10)


def dtlz4(n_obj: NObj = 3, n_var: Annotated[int, Field(ge=2)] | None = None) -> Problem:
    """DTLZ4: spherical front, biased density."""
    return _dtlz("dtlz4", n_obj, n_var, k=10)
