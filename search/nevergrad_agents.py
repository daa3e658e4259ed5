"""Agents backed by Nevergrad's optimisers (ask and tell over the space's parametrization).

The parametrization comes from :meth:`~dsegym.costmodels.space.DesignSpace.to_nevergrad`:
reals as bounded scalars (log-scaled where asked), integers as integer-cast scalars,
ordinals as ordered ``TransitionChoice`` and categoricals as ``Choice``. Nevergrad picks
its own operators for each kind. Several objectives go to Nevergrad as a list of losses
(its own hypervolume-based multi-objective mode); constraint violations as its
``constraint_violation``.

Nevergrad is an optional extra (``pip install 'dsegym[nevergrad]'``): it pins an exact
``bayesian-optimization`` release and pulls scikit-learn.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import (
    AskTellAgent,
    Evaluator,
    Hyperparameters,
    finite_objectives,
    finite_violation,
)

# These agents are generic in their hyperparameters, which extend the common Nevergrad ones.
HP = TypeVar("HP", bound="_NevergradHyperparameters")

NEVERGRAD_EXTRA = "pip install 'dsegym[nevergrad]'"
#: Rounds in a row without a new design before the optimiser restarts.
MAX_STALE_ROUNDS = 10


def import_nevergrad(agent: str) -> Any:
    """Nevergrad, or a :class:`ConfigError` that names the extra to install."""
    try:
        import nevergrad as ng
    except ImportError:
        raise ConfigError(
            f"agent {agent!r} needs the 'nevergrad' package; install it with {NEVERGRAD_EXTRA}"
        ) from None
    return ng


class _NevergradHyperparameters(Hyperparameters):
    num_workers: int = pydantic.Field(
        1, ge=1, le=1024, description="designs asked before any is told (batch size)"
    )


class NevergradAgent(AskTellAgent[HP], Generic[HP]):
    """Runs one Nevergrad optimiser; subclasses name it in :meth:`make_optimizer`.

    The optimiser is built when the run starts, because Nevergrad's portfolios choose
    their algorithm from the budget.
    """

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        self.ng = import_nevergrad(self.name)
        self.batch_size = self.hp.num_workers
        self.optimizer: Any = None
        self._pending: list[Any] = []
        self._restarts = 0
        self._evaluator: Evaluator | None = None

    def make_optimizer(self, budget: int) -> Any:
        """The optimiser for ``budget`` evaluations."""
        parametrization = self.space.to_nevergrad()
        # Restarts draw their seeds from the agent's generator: runs stay deterministic.
        seed = self.seed if self._restarts == 0 else int(self.rng.integers(2**31 - 1))
        parametrization.random_state = np.random.RandomState(seed)
        return self.optimizer_factory()(
            parametrization=parametrization, budget=budget, num_workers=self.batch_size
        )

    def optimizer_factory(self) -> Any:
        """A Nevergrad optimizer class or configured family."""
        return self.ng.optimizers.registry[self.ng_name]

    ng_name: ClassVar[str]

    def run(self, evaluator: Evaluator) -> None:
        self._evaluator = evaluator
        self.optimizer = self.make_optimizer(max(1, evaluator.remaining))
        super().run(evaluator)

    def on_stale(self, rounds: int) -> None:
        # Nevergrad's optimisers revisit designs freely (a revisit costs a raw loop an
        # evaluation); here revisits are free, so a run could circle for ever. After
        # MAX_STALE_ROUNDS rounds without a new design, start a fresh optimiser.
        if rounds % MAX_STALE_ROUNDS == 0:
            self._restarts += 1
            remaining = self._evaluator.remaining if self._evaluator is not None else 1
            self.optimizer = self.make_optimizer(max(1, remaining))

    def ask(self, n: int) -> list[Design]:
        if self.optimizer is None:
            self.optimizer = self.make_optimizer(n)
        self._pending = [self.optimizer.ask() for _ in range(n)]
        return [self.space.from_nevergrad(c.value) for c in self._pending]

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        told, self._pending = self._pending[: len(outcomes)], self._pending[len(outcomes) :]
        with warnings.catch_warnings():
            # A rejected design's INFEASIBLE_PENALTY is meant to be a very bad loss.
            warnings.simplefilter("ignore", self.ng.errors.LossTooLargeWarning)
            warnings.simplefilter("ignore", self.ng.errors.BadLossWarning)
            for candidate, outcome in zip(told, outcomes, strict=True):
                self._tell_one(candidate, outcome)

    def _tell_one(self, candidate: Any, outcome: Outcome) -> None:
        values = finite_objectives(outcome)
        loss = values[0] if self.n_objectives == 1 else values
        violation = finite_violation(outcome) if self.n_constraints else 0.0
        if violation > 0:
            self.optimizer.tell(candidate, loss, constraint_violation=[violation])
        else:
            # Nevergrad's penalty is 0 for a met constraint, but computing it multiplies
            # an infinite multi-objective loss by 0 (NaN): leave the argument out.
            self.optimizer.tell(candidate, loss)


class NGOptHyperparameters(_NevergradHyperparameters):
    """NGOpt hyperparameters."""


class NGOpt(NevergradAgent[NGOptHyperparameters]):
    """Nevergrad's ``NGOpt``: a portfolio that picks an algorithm from the space and budget."""

    name: ClassVar[str] = "ngopt"
    ng_name: ClassVar[str] = "NGOpt"


class DifferentialEvolutionHyperparameters(_NevergradHyperparameters):
    """Differential evolution hyperparameters (Nevergrad's defaults)."""

    popsize: int | None = pydantic.Field(
        None, ge=4, le=100_000, description="None: Nevergrad's 'standard' size"
    )
    crossover: float = pydantic.Field(0.5, ge=0.0, le=1.0)
    F1: float = pydantic.Field(0.8, gt=0.0, le=2.0)
    F2: float = pydantic.Field(0.8, gt=0.0, le=2.0)


class DifferentialEvolution(NevergradAgent[DifferentialEvolutionHyperparameters]):
    """Differential evolution (Nevergrad's ``DifferentialEvolution`` family; ``DE`` defaults)."""

    name: ClassVar[str] = "de"
    ng_name: ClassVar[str] = "DE"

    def optimizer_factory(self) -> Any:
        hp = self.hp
        return self.ng.families.DifferentialEvolution(
            popsize=hp.popsize or "standard", crossover=hp.crossover, F1=hp.F1, F2=hp.F2
        )


class ParticleSwarmHyperparameters(_NevergradHyperparameters):
    """PSO hyperparameters (Nevergrad's defaults)."""

    popsize: int | None = pydantic.Field(
        None, ge=2, le=100_000, description="None: max(40, number of workers)"
    )
    omega: float = pydantic.Field(0.5 / np.log(2.0), gt=0.0, le=2.0)
    phip: float = pydantic.Field(0.5 + np.log(2.0), ge=0.0, le=4.0)
    phig: float = pydantic.Field(0.5 + np.log(2.0), ge=0.0, le=4.0)


class ParticleSwarm(NevergradAgent[ParticleSwarmHyperparameters]):
    """Particle swarm optimisation (Nevergrad's ``ConfPSO`` with ``PSO``'s arctan transform)."""

    name: ClassVar[str] = "pso"
    ng_name: ClassVar[str] = "PSO"

    def optimizer_factory(self) -> Any:
        hp = self.hp
        return self.ng.families.ConfPSO(
            transform="arctan", popsize=hp.popsize, omega=hp.omega, phip=hp.phip, phig=hp.phig
        )


class DiscreteOnePlusOneHyperparameters(_NevergradHyperparameters):
    """DiscreteOnePlusOne hyperparameters."""


class DiscreteOnePlusOne(NevergradAgent[DiscreteOnePlusOneHyperparameters]):
    """Nevergrad's ``DiscreteOnePlusOne``: a (1+1) evolution strategy with discrete mutations."""

    name: ClassVar[str] = "discrete_1p1"
    ng_name: ClassVar[str] = "DiscreteOnePlusOne"
