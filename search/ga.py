"""Single-objective genetic algorithm: pymoo's ``GA`` driven by ask and tell.

ArchGym's GA knobs map onto it: population (``num_agents``), generations
(``num_iter_ga``) and per-gene mutation probability (``prob_mut``). Encodings and
operators are :class:`~dsegym.search.pymoo_agents.PymooAgent`'s: SBX and polynomial
mutation with pymoo's rounding repair on numeric spaces, pymoo's mixed-variable
operators where a categorical parameter is present.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.scalarise import Scalariser
from dsegym.costmodels.space import DesignSpace
from dsegym.search.agent import Hyperparameters
from dsegym.search.generations import Generation
from dsegym.search.pymoo_agents import PymooAgent, _operator_settings

#: Rounds in a row that find no new design before the GA restarts from a fresh population.
MAX_STALE_ROUNDS = 3


class GeneticAlgorithmHyperparameters(Hyperparameters):
    """GA hyperparameters (ArchGym: num_agents, num_iter_ga, prob_mut)."""

    population_size: int = pydantic.Field(32, ge=2, le=100_000)
    generations: int | None = pydantic.Field(
        None, ge=1, le=1_000_000, description="None: until the budget is spent"
    )
    mutation_prob: float | None = pydantic.Field(
        None, ge=0.0, le=1.0, description="per-gene; None: 1 / number of parameters"
    )
    crossover_prob: float = pydantic.Field(0.9, ge=0.0, le=1.0)
    sbx_eta: float = pydantic.Field(15.0, ge=1.0, le=1000.0)
    mutation_eta: float = pydantic.Field(20.0, ge=1.0, le=1000.0)


class GeneticAlgorithm(PymooAgent[GeneticAlgorithmHyperparameters]):
    """Tournament selection, SBX, polynomial mutation and elitist survival (pymoo).

    With one objective the GA is pymoo's, objective and constraints as they are. With
    several, the fitness is :class:`~dsegym.costmodels.scalarise.Scalariser`'s (feasible
    designs first, then by total violation): each generation draws a fresh Chebyshev
    weight vector and re-scores the parents with it, so successive generations pull
    towards different parts of the front. A population that has
    converged (rounds of designs the run has already seen) restarts from random.
    """

    name: ClassVar[str] = "ga"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        self.scalariser = Scalariser(self.n_objectives, self.rng)
        self._restart_due = False

    def pymoo_shape(self) -> tuple[int, int]:
        if self.n_objectives == 1:
            return 1, self.n_constraints  # pymoo's own constraint handling
        return 1, 0  # the scalariser folds objectives and violations into one fitness

    def make_algorithm(self) -> Any:
        from pymoo.algorithms.soo.nonconvex.ga import GA

        hp = self.hp
        self.batch_size = hp.population_size
        return GA(pop_size=hp.population_size, **self.operators(**_operator_settings(hp)))

    def new_generation(self) -> Generation | None:
        hp = self.hp
        if hp.generations is not None and self.generations_done >= hp.generations:
            return None
        if self._restart_due:
            from pymoo.core.termination import NoTermination

            self._restart_due = False
            self.algorithm = self.make_algorithm()
            seed = int(self.rng.integers(2**31 - 1))
            self.algorithm.setup(self.problem, termination=NoTermination(), seed=seed)
        return super().new_generation()

    def pymoo_values(self, outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray | None]:
        if self.n_objectives == 1:
            return super().pymoo_values(outcomes)
        self.scalariser.observe(outcomes)
        self.scalariser.new_weights()
        self._infills.set("outcome", list(outcomes))
        parents = self.algorithm.pop
        if parents is not None:  # fitness under this generation's weights and scaling
            parents.set("F", self.scalariser.fitnesses(parents.get("outcome"))[:, None])
        return self.scalariser.fitnesses(outcomes)[:, None], None

    def on_stale(self, rounds: int) -> None:
        # A converged population: start afresh once the current generation is learnt.
        if rounds % MAX_STALE_ROUNDS == 0:
            self._restart_due = True
