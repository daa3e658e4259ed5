"""Single-objective genetic algorithm: pymoo's ``GA`` driven by ask and tell.

ArchGym's GA knobs map onto it: population (``num_agents``), generations
(``num_iter_ga``) and per-gene mutation probability (``prob_mut``). Genes are value
indices of discrete parameters and unit-scaled reals (``search.vectors``), bred by
simulated binary crossover and polynomial mutation, rounded back onto the grid.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pydantic
from pymoo.problems.static import StaticProblem

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.search.generations import Generation, GenerationalAgent
from dsegym.search.scalarise import Scalariser
from dsegym.search.vectors import MixedVectors

#: Generations made only of known designs in a row before the GA restarts.
MAX_KNOWN_GENERATIONS = 10
#: Restarts in a row that find nothing new before the GA gives up.
MAX_RESTARTS = 20


class GeneticAlgorithm(GenerationalAgent):
    """Tournament selection, SBX, polynomial mutation and elitist survival (pymoo).

    The fitness is :class:`~dsegym.search.scalarise.Scalariser`'s: feasible designs
    first, then by total violation. With several objectives each generation draws a
    fresh Chebyshev weight vector and re-scores the parents with it, so successive
    generations pull towards different parts of the front.
    """

    name: ClassVar[str] = "ga"

    class Hyperparameters(pydantic.BaseModel):
        """GA hyperparameters (ArchGym: num_agents, num_iter_ga, prob_mut)."""

        model_config = pydantic.ConfigDict(extra="forbid")
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

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        from pymoo.algorithms.soo.nonconvex.ga import GA
        from pymoo.core.evaluator import Evaluator
        from pymoo.core.problem import Problem as PymooProblem
        from pymoo.core.repair import Repair
        from pymoo.core.termination import NoTermination
        from pymoo.operators.crossover.sbx import SBX
        from pymoo.operators.mutation.pm import PM

        hp: Any = self.hp
        self.vectors = MixedVectors(space)
        self.scalariser = Scalariser(self.n_objectives, self.rng)
        vectors = self.vectors

        class OntoGrid(Repair):
            def _do(self, problem: Any, X: np.ndarray, **kwargs: Any) -> np.ndarray:
                return vectors.round(X)

        problem = PymooProblem(
            n_var=len(space), n_obj=1, xl=vectors.lower, xu=vectors.upper, vtype=float
        )

        def new_algorithm(seed: int) -> Any:
            algorithm = GA(
                pop_size=hp.population_size,
                crossover=SBX(prob=hp.crossover_prob, eta=hp.sbx_eta),
                mutation=PM(prob=1.0, prob_var=hp.mutation_prob, eta=hp.mutation_eta),
                repair=OntoGrid(),
                eliminate_duplicates=True,
            )
            algorithm.setup(problem, termination=NoTermination(), seed=seed)
            return algorithm

        self._new_algorithm = new_algorithm
        self._algorithm = new_algorithm(self.seed)
        self._problem = problem
        self._evaluator = Evaluator()
        self.batch_size = hp.population_size
        self._offspring: Any = None  # the pymoo population being evaluated
        self._generation: Generation | None = None
        self._memory: dict[tuple[Any, ...], Outcome] = {}
        self._generations_done = 0

    def ask(self, n: int) -> list[Design]:
        hp: Any = self.hp
        for _ in range(MAX_RESTARTS):
            for _ in range(MAX_KNOWN_GENERATIONS):
                if hp.generations is not None and self._generations_done >= hp.generations:
                    return []
                if self._generation is None:
                    self._offspring = self._algorithm.ask()
                    designs = [self.vectors.to_design(x) for x in self._offspring.get("X")]
                    self._generation = Generation(designs, self._memory, self.space.key)
                if not self._generation.complete:
                    return self._generation.ask(n)
                self._finish_generation()
            # Generation after generation of known designs: the population has converged.
            # Restart from a fresh random population (the memory keeps what was learnt).
            self._algorithm = self._new_algorithm(int(self.rng.integers(2**31 - 1)))
        return []  # even fresh populations only find known designs: the space is spent

    def learn(self, outcomes: list[Outcome]) -> None:
        self.scalariser.observe(outcomes)
        self.scalariser.new_weights()
        offspring = self._offspring
        offspring.set("outcome", outcomes)
        fitness = self.scalariser.fitnesses(outcomes)[:, None]
        self._evaluator.eval(StaticProblem(self._problem, F=fitness), offspring)
        parents = self._algorithm.pop
        if parents is not None and self.n_objectives > 1:
            parents.set("F", self.scalariser.fitnesses(parents.get("outcome"))[:, None])
        self._algorithm.tell(infills=offspring)
        self._generations_done += 1
