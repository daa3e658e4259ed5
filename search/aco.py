"""Ant colony optimisation over a design space (our own implementation).

No maintained library runs ACO over categorical design spaces, so this one is written
here. It follows the rules of DeepSwarm (Byla and Pang, 2019), the ACO that ArchGym
drives, with ArchGym's knobs: ant count, evaporation rate, greediness and depth.

Each parameter has a pheromone table with one entry per value (a real parameter is cut
into ``real_bins`` equal bins on its own scale, and a value is drawn uniformly inside
the chosen bin). An ant builds a design parameter by parameter: with probability
``greediness`` it takes the value with the most pheromone, otherwise it draws one with
probability proportional to pheromone (roulette wheel). After an ant has chosen, the
local update pulls its values' pheromone back towards the starting level, which pushes
later ants elsewhere; after every iteration the best design found so far deposits
pheromone on its values (global update, rate ``evaporation``). Costs come in arbitrary
units, so the deposit is a constant 1 instead of DeepSwarm's ``1 / (10 * loss)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.scalarise import Scalariser
from dsegym.costmodels.space import Design, DesignSpace, Real
from dsegym.search.agent import AskTellAgent, Hyperparameters

#: Pheromone the best design deposits on each of its values in a global update.
DEPOSIT = 1.0


class AntColonyHyperparameters(Hyperparameters):
    """ACO hyperparameters (ArchGym: ant_count, evaporation, greediness, depth)."""

    ant_count: int = pydantic.Field(16, ge=1, le=100_000, description="ants per iteration")
    evaporation: float = pydantic.Field(
        0.25, ge=0.0, le=1.0, description="global update rate towards the deposit"
    )
    greediness: float = pydantic.Field(
        0.25, ge=0.0, le=1.0, description="chance of taking the value with most pheromone"
    )
    depth: int | None = pydantic.Field(
        None, ge=1, le=1_000_000, description="iterations; None: until the budget is spent"
    )
    pheromone_start: float = pydantic.Field(0.1, gt=0.0, le=100.0)
    decay: float = pydantic.Field(
        0.1, ge=0.0, le=1.0, description="local update rate back towards pheromone_start"
    )
    real_bins: int = pydantic.Field(16, ge=2, le=10_000, description="bins per real parameter")


class AntColony(AskTellAgent[AntColonyHyperparameters]):
    """Ant colony optimisation with DeepSwarm's selection and update rules.

    With several objectives, each iteration draws a fresh Chebyshev weight vector and
    the best design under it (from the archive of non-dominated designs) deposits.
    """

    name: ClassVar[str] = "aco"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        hp = self.hp
        self.batch_size = hp.ant_count
        self._sizes = [
            hp.real_bins if isinstance(p, Real) else cast(int, p.n_values) for p in space
        ]
        self.pheromone = [np.full(n, hp.pheromone_start) for n in self._sizes]
        self.scalariser = Scalariser(self.n_objectives, self.rng)
        self._iteration = 0
        self._ants: list[np.ndarray] = []  # value (or bin) indices of this iteration's ants
        self._told: list[Outcome] = []
        self._archive: list[tuple[np.ndarray, Outcome]] = []  # non-dominated feasible
        self._best_infeasible: tuple[np.ndarray, Outcome] | None = None

    # ------------------------------------------------------------------ building ants
    def ask(self, n: int) -> list[Design]:
        hp = self.hp
        if hp.depth is not None and self._iteration >= hp.depth:
            return []
        n = min(n, hp.ant_count - len(self._ants))
        designs = []
        for _ in range(n):
            choice = np.array([self._select(tau) for tau in self.pheromone], dtype=np.int64)
            for tau, i in zip(self.pheromone, choice, strict=True):  # local update
                tau[i] = (1 - hp.decay) * tau[i] + hp.decay * hp.pheromone_start
            self._ants.append(choice)
            designs.append(self._design(choice))
        return designs

    def _select(self, tau: np.ndarray) -> int:
        hp = self.hp
        if self.rng.random() <= hp.greediness:
            best = np.flatnonzero(tau == tau.max())
            return int(self.rng.choice(best))
        return int(self.rng.choice(len(tau), p=tau / tau.sum()))

    def _design(self, choice: np.ndarray) -> Design:
        unit = np.empty(len(self._sizes))
        for k, (i, n) in enumerate(zip(choice, self._sizes, strict=True)):
            jitter = self.rng.random() if isinstance(self.space.parameters[k], Real) else 0.5
            unit[k] = (i + jitter) / n
        return self.space.from_unit(unit)

    # ------------------------------------------------------------------ learning
    def tell(self, outcomes: Sequence[Outcome]) -> None:
        start = len(self._told)
        self._told.extend(outcomes)
        self.scalariser.observe(outcomes)
        for choice, outcome in zip(self._ants[start:], outcomes, strict=False):
            self._remember(choice, outcome)
        hp = self.hp
        if len(self._told) < hp.ant_count:
            return
        self.scalariser.new_weights()
        best = self._best()
        if best is not None:
            for tau, i in zip(self.pheromone, best, strict=True):
                tau[i] = (1 - hp.evaporation) * tau[i] + hp.evaporation * DEPOSIT
        self._ants, self._told = [], []
        self._iteration += 1

    def _remember(self, choice: np.ndarray, outcome: Outcome) -> None:
        if not outcome.feasible:
            if self._archive:
                return
            if self._best_infeasible is None or self.scalariser.fitness(
                outcome
            ) < self.scalariser.fitness(self._best_infeasible[1]):
                self._best_infeasible = (choice, outcome)
            return
        F = outcome.F
        if any((a.F <= F).all() for _, a in self._archive):
            return  # dominated by (or equal to) an archived design
        self._archive = [(c, a) for c, a in self._archive if not (F <= a.F).all()]
        self._archive.append((choice, outcome))

    def _best(self) -> np.ndarray | None:
        if self._archive:
            fitness = [self.scalariser.fitness(o) for _, o in self._archive]
            return self._archive[int(np.argmin(fitness))][0]
        return None if self._best_infeasible is None else self._best_infeasible[0]
