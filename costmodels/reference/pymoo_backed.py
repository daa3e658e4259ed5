"""A cost model backed by one of pymoo's analytic test problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import moocore
import numpy as np

from dsegym.costmodels.base import CostModel, Evaluation, Metric
from dsegym.costmodels.space import DesignSpace, Real


class PymooReference(CostModel):
    """Wraps a pymoo test problem; metrics ``f1..fm`` are its objectives.

    Args:
        pymoo_name: pymoo problem name (``"zdt1"``, ``"dtlz2"``...).
        **kwargs: Passed to :func:`pymoo.problems.get_problem` (``n_var``, ``n_obj``).
    """

    version: ClassVar[str] = "1"

    def __init__(self, pymoo_name: str, **kwargs: Any):
        from pymoo.problems import get_problem

        self.pymoo_name = pymoo_name
        self._problem = get_problem(pymoo_name, **kwargs)
        xl = np.broadcast_to(self._problem.xl, (self._problem.n_var,))
        xu = np.broadcast_to(self._problem.xu, (self._problem.n_var,))
        self._space = DesignSpace(
            [
                Real(f"x{i + 1}", float(lo), float(hi), description=f"decision variable {i + 1}")
                for i, (lo, hi) in enumerate(zip(xl, xu, strict=True))
            ]
        )
        self._names = [f"f{i + 1}" for i in range(self._problem.n_obj)]

    @property
    def space(self) -> DesignSpace:
        return self._space

    @property
    def instance_metrics(self) -> tuple[Metric, ...]:
        return tuple(Metric(n, "1", f"objective {n} of {self.pymoo_name}") for n in self._names)

    @property
    def metrics(self) -> tuple[Metric, ...]:  # type: ignore[override]  # per instance
        return self.instance_metrics

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Evaluation:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any = None
    ) -> list[Evaluation]:
        X = np.array([[d[n] for n in self._space.names] for d in designs], dtype=float)
        F = np.atleast_2d(self._problem.evaluate(X, return_values_of=["F"]))
        return [Evaluation(dict(zip(self._names, row, strict=True))) for row in F]

    def pareto_front(self, n_points: int | None = None) -> np.ndarray:
        """The analytic Pareto front from pymoo (offline), dominated points removed."""
        if self._problem.n_obj == 2:
            try:
                front = self._problem.pareto_front(n_pareto_points=n_points or 100)
            except TypeError:  # ZDT3's disconnected front has a fixed resolution
                front = self._problem.pareto_front()
        else:
            from pymoo.util.ref_dirs import get_reference_directions

            ref_dirs = get_reference_directions("das-dennis", self._problem.n_obj, n_partitions=24)
            front = self._problem.pareto_front(ref_dirs)
        front = np.asarray(front, dtype=float)
        # pymoo's sampled ZDT3 front keeps a few dominated segment ends.
        return front[moocore.is_nondominated(front)]
