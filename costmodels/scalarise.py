"""One number to minimise, for algorithms that optimise a single objective.

Single-objective algorithms (GA, CMA-ES, ant colony, RL) still have to work on problems
with several objectives and with constraints. They rank outcomes with Deb's feasibility
rules (every feasible design beats every infeasible one; among designs that miss a
spec, the smaller total violation wins; a design the cost model rejects is worst), and
reduce several objectives to one by an augmented Chebyshev scalarisation of objectives
normalised by the ideal and nadir seen so far (ParEGO's scalarisation, Knowles 2006).
Drawing a fresh weight vector now and then (:meth:`Scalariser.new_weights`) moves the
search along the front instead of converging on one compromise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dsegym.costmodels.problem import Outcome

#: Offset that puts every spec-violating design behind every feasible one.
VIOLATED_OFFSET = 1e6
#: Fitness of a design the cost model rejected (behind every spec-violating one).
REJECTED_FITNESS = 1e9
#: Weight of the sum term in the augmented Chebyshev scalarisation (ParEGO uses 0.05).
AUGMENTATION = 0.05


class Scalariser:
    """Maps outcomes to a scalar fitness (lower is better) with Deb's rules.

    Feasible fitness lies in about ``[0, 1 + AUGMENTATION * m]`` once objectives have
    been seen; a spec-violating design scores ``VIOLATED_OFFSET + violation``; a
    rejected one ``REJECTED_FITNESS``. The values are for ranking: the normalisation
    moves as new outcomes widen the observed range.

    Args:
        n_objectives: Number of objectives in ``F``.
        rng: Where fresh weight vectors come from.
    """

    def __init__(self, n_objectives: int, rng: np.random.Generator):
        self.n_objectives = n_objectives
        self.rng = rng
        self.weights = np.full(n_objectives, 1.0 / n_objectives)
        self.ideal = np.full(n_objectives, np.inf)
        self.nadir = np.full(n_objectives, -np.inf)

    def observe(self, outcomes: Sequence[Outcome]) -> None:
        """Widens the ideal and nadir with the feasible outcomes."""
        for o in outcomes:
            if o.feasible and np.isfinite(o.F).all():
                self.ideal = np.minimum(self.ideal, o.F)
                self.nadir = np.maximum(self.nadir, o.F)

    def new_weights(self) -> np.ndarray:
        """Draws a weight vector uniformly from the simplex (one objective: ``[1]``)."""
        if self.n_objectives > 1:
            self.weights = self.rng.dirichlet(np.ones(self.n_objectives))
        return self.weights

    def fitness(self, outcome: Outcome) -> float:
        """Scalar fitness of one outcome (lower is better)."""
        if not outcome.evaluation.feasible:
            return REJECTED_FITNESS
        if not outcome.feasible:
            violation = outcome.violation
            return VIOLATED_OFFSET + (violation if math.isfinite(violation) else VIOLATED_OFFSET)
        if not np.isfinite(self.ideal).all():
            self.observe([outcome])
        span = np.where(self.nadir > self.ideal, self.nadir - self.ideal, 1.0)
        z = (np.asarray(outcome.F, dtype=float) - self.ideal) / span
        weighted = self.weights * z
        return float(weighted.max() + AUGMENTATION * weighted.sum())

    def fitnesses(self, outcomes: Sequence[Outcome]) -> np.ndarray:
        """Fitness of each outcome, as an array."""
        return np.array([self.fitness(o) for o in outcomes], dtype=float)
