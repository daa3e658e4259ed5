"""CMA-ES for numeric design spaces, through the ``cmaes`` library.

Integer and ordinal parameters use CMA-ES with margin (Hamano et al., GECCO 2022),
which keeps the search from stalling on the plateaus that rounding creates. Every
coordinate is scaled to [0, 1] so one step size suits them all. A run that converges
restarts with a doubled population (IPOP-CMA-ES, Auger and Hansen 2005) and, with
several objectives, a fresh scalarisation weight vector.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.scalarise import Scalariser
from dsegym.costmodels.space import Categorical, Design, DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import Hyperparameters
from dsegym.search.generations import Generation, GenerationalAgent

CMAES_EXTRA = "pip install 'dsegym[cmaes]'"
#: Rounds in a row that find no new design before CMA-ES restarts.
MAX_STALE_ROUNDS = 3


class CMAESHyperparameters(Hyperparameters):
    """CMA-ES hyperparameters."""

    population_size: int | None = pydantic.Field(
        None, ge=2, le=100_000, description="None: 4 + 3 ln(dimension)"
    )
    sigma0: float = pydantic.Field(
        0.3, gt=0.0, le=1.0, description="initial step size, as a fraction of each range"
    )
    restarts: bool = pydantic.Field(True, description="IPOP restarts after convergence")


class CMAES(GenerationalAgent[CMAESHyperparameters]):
    """CMA-ES (with margin when the space has integer or ordinal parameters).

    Raises:
        ConfigError: for a space with a categorical parameter (CMA-ES needs an order),
            or when the ``cmaes`` package is missing.
    """

    name: ClassVar[str] = "cmaes"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        categorical = [p.name for p in space if isinstance(p, Categorical)]
        if categorical:
            raise ConfigError(
                f"agent 'cmaes' needs ordered (integer, ordinal or real) parameters; "
                f"categorical: {', '.join(categorical)}; use 'tpe', 'ga', 'nsga2' or 'aco'"
            )
        try:
            import cmaes  # noqa: F401
        except ImportError:
            raise ConfigError(f"agent 'cmaes' needs the 'cmaes' package; install {CMAES_EXTRA}")
        self.scalariser = Scalariser(self.n_objectives, self.rng)
        d = len(space)
        counts = [1 if p.n_values is None else p.n_values for p in space]
        # A 1-D problem gets a dummy coordinate: the library needs two dimensions.
        self._dim = max(d, 2)
        self._levels = np.array(counts + [1] * (self._dim - d), dtype=np.int64)
        self._steps = np.where(self._levels >= 2, 1.0 / np.maximum(self._levels - 1, 1), 0.0)
        real = np.array([not p.discrete for p in space], dtype=bool)
        self._steps[:d][real] = 0.0
        self._popsize: int | None = self.hp.population_size
        self._optimizer = self._new_optimizer(np.full(self._dim, 0.5))
        self._generation: Generation | None = None
        self._x_tell: list[np.ndarray] = []
        self._restart_due = False

    def _new_optimizer(self, mean: np.ndarray) -> Any:
        import cmaes

        hp = self.hp
        bounds = np.tile([0.0, 1.0], (self._dim, 1))
        seed = int(self.rng.integers(2**31 - 1))
        if (self._steps > 0).any():
            optimizer: Any = cmaes.CMAwM(
                mean=mean,
                sigma=hp.sigma0,
                bounds=bounds,
                steps=self._steps,
                seed=seed,
                population_size=self._popsize,
            )
        else:
            optimizer = cmaes.CMA(
                mean=mean, sigma=hp.sigma0, bounds=bounds, seed=seed, population_size=self._popsize
            )
        self.batch_size = optimizer.population_size
        return optimizer

    def _to_design(self, u: np.ndarray) -> Design:
        # The steps above put each discrete value on the space's lattice encoding.
        return self.space.from_lattice(u[: len(self.space)])

    def new_generation(self) -> Generation:
        if self._restart_due:
            self._restart_due = False
            self._restart()
        xs, designs = [], []
        for _ in range(self._optimizer.population_size):
            sample = self._optimizer.ask()
            x_eval, x_tell = sample if isinstance(sample, tuple) else (sample, sample)
            xs.append(x_tell)
            designs.append(self._to_design(x_eval))
        self._x_tell = xs
        return Generation(designs)

    def on_stale(self, rounds: int) -> None:
        # The optimiser only revisits designs the run has seen: start afresh once the
        # current generation is learnt.
        if rounds % MAX_STALE_ROUNDS == 0:
            self._restart_due = True

    def learn(self, outcomes: list[Outcome]) -> None:
        self.scalariser.observe(outcomes)
        fitness = self.scalariser.fitnesses(outcomes)
        self._optimizer.tell([(x, float(f)) for x, f in zip(self._x_tell, fitness, strict=True)])
        hp = self.hp
        if hp.restarts and self._optimizer.should_stop():
            self._restart()

    def _restart(self) -> None:
        self._popsize = 2 * self._optimizer.population_size
        self.scalariser.new_weights()
        self._optimizer = self._new_optimizer(self.rng.uniform(0.0, 1.0, self._dim))
