"""Agents backed by Optuna samplers (ask/tell over an in-memory study)."""

from __future__ import annotations

import contextlib
import warnings
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar

import optuna
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.search.agent import (
    AskTellAgent,
    Hyperparameters,
    finite_objectives,
    finite_violation,
)

# This module's agents are generic in their hyperparameters (at least the common ones).
HP = TypeVar("HP", bound=Hyperparameters)


@contextlib.contextmanager
def _quiet_study_creation() -> Iterator[None]:
    """Silences Optuna's INFO line per study created (every run creates one), for this
    call only: Optuna's global log level stays the user's.
    """
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(verbosity, optuna.logging.WARNING))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


class OptunaAgent(AskTellAgent[HP], Generic[HP]):
    """Runs an Optuna sampler through the ask-and-tell interface.

    Constraints reach the sampler through ``trial.set_constraint``: one value, the total
    violation (0 when feasible; a large number when the cost model rejected the design).
    Parameters reach it in the space's Optuna encoding (an ordinal parameter as the
    integer index of its value, so samplers keep its order). A proposal the run has
    already evaluated is answered by the runner's evaluator from its cache.
    """

    _pending: list[optuna.Trial]

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        self._distributions = space.to_optuna_distributions()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = self.make_sampler()
        with _quiet_study_creation():
            self.study = optuna.create_study(
                directions=["minimize"] * self.n_objectives, sampler=sampler
            )
        self._pending = []

    @abstractmethod
    def make_sampler(self) -> optuna.samplers.BaseSampler:
        """Builds the sampler from ``self.hp`` and ``self.seed``."""

    def ask(self, n: int) -> list[Design]:
        self._fail_pending()
        self._pending = [self.study.ask(self._distributions) for _ in range(n)]
        return [self.space.from_optuna(trial.params) for trial in self._pending]

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        for trial, outcome in zip(self.take_pending(len(outcomes)), outcomes, strict=True):
            self.tell_trial(trial, outcome)

    def tell_trial(self, trial: optuna.Trial, outcome: Outcome) -> None:
        """Reports one outcome to the sampler.

        Constraint values are set only on constrained problems: samplers then pay for
        feasibility bookkeeping on every trial. A design the model rejects is ranked
        last anyway through its ``INFEASIBLE_PENALTY`` objectives.
        """
        if self.n_constraints:
            trial.set_constraint("violation", finite_violation(outcome))
        values = finite_objectives(outcome)
        self.study.tell(trial, values if self.n_objectives > 1 else values[0])

    def take_pending(self, n: int) -> list[optuna.Trial]:
        """Removes and returns the first ``n`` asked trials (those now being told)."""
        told, self._pending = self._pending[:n], self._pending[n:]
        return told

    def _fail_pending(self) -> None:
        for trial in self._pending:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        self._pending = []


class _GeneticHyperparameters(Hyperparameters):
    """Hyperparameters shared by Optuna's NSGA-II and NSGA-III samplers."""

    population_size: int = pydantic.Field(50, ge=4, le=100_000)
    crossover: Literal["uniform", "sbx", "blxalpha", "spx", "undx", "vsbx"] = "sbx"
    crossover_prob: float = pydantic.Field(0.9, ge=0.0, le=1.0)
    sbx_eta: float = pydantic.Field(
        20.0, ge=0.0, le=1000.0, description="SBX distribution index (used with crossover='sbx')"
    )
    mutation: Literal["polynomial", "uniform"] = pydantic.Field(
        "polynomial",
        description="polynomial (Deb's, for numeric parameters) or uniform resampling",
    )
    mutation_eta: float = pydantic.Field(20.0, ge=0.0, le=1000.0)
    mutation_prob: float | None = pydantic.Field(
        None, ge=0.0, le=1.0, description="None: 1 / number of parameters"
    )
    swapping_prob: float = pydantic.Field(0.5, ge=0.0, le=1.0)


def _genetic_operators(hp: Any) -> dict[str, Any]:
    """Crossover and mutation objects for Optuna's genetic samplers.

    Polynomial mutation (the operator of Deb's reference NSGA-II code) perturbs numeric
    parameters around their value; categorical ones are resampled either way. Optuna's
    default, uniform resampling, throws away what the parents knew and stalls on ZDT1.
    """
    from optuna.samplers import nsgaii

    crossovers = {
        "uniform": nsgaii.UniformCrossover,
        "sbx": nsgaii.SBXCrossover,
        "blxalpha": nsgaii.BLXAlphaCrossover,
        "spx": nsgaii.SPXCrossover,
        "undx": nsgaii.UNDXCrossover,
        "vsbx": nsgaii.VSBXCrossover,
    }
    crossover = (
        nsgaii.SBXCrossover(eta=hp.sbx_eta) if hp.crossover == "sbx" else crossovers[hp.crossover]()
    )
    mutation = (
        nsgaii.PolynomialMutation(eta=hp.mutation_eta) if hp.mutation == "polynomial" else None
    )
    return {
        "population_size": hp.population_size,
        "crossover": crossover,
        "crossover_prob": hp.crossover_prob,
        "mutation": mutation,
        "mutation_prob": hp.mutation_prob,
        "swapping_prob": hp.swapping_prob,
    }


class OptunaNSGA2Hyperparameters(_GeneticHyperparameters):
    """NSGA-II hyperparameters."""


class OptunaNSGA2(OptunaAgent[OptunaNSGA2Hyperparameters]):
    """NSGA-II (Optuna's ``NSGAIISampler``) with SBX and polynomial mutation.

    Slower than the pymoo-backed ``nsga2`` (the sampler re-reads every trial of the
    study on each proposal), but it shares Optuna's storage and constraint handling.
    """

    name: ClassVar[str] = "optuna_nsga2"

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        hp = self.hp
        self.batch_size = hp.population_size
        return optuna.samplers.NSGAIISampler(**_genetic_operators(hp), seed=self.seed)


class OptunaNSGA3Hyperparameters(_GeneticHyperparameters):
    """NSGA-III hyperparameters."""

    population_size: int = pydantic.Field(92, ge=4, le=100_000)
    dividing_parameter: int = pydantic.Field(
        12, ge=1, le=100, description="Das-Dennis divisions per objective"
    )


class OptunaNSGA3(OptunaAgent[OptunaNSGA3Hyperparameters]):
    """NSGA-III (Optuna's ``NSGAIIISampler``): niching on Das-Dennis reference points.

    The defaults are Deb and Jain's (2014) three-objective setting: 12 divisions give 91
    reference points, and a population of 92.
    """

    name: ClassVar[str] = "optuna_nsga3"

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        hp = self.hp
        self.batch_size = hp.population_size
        return optuna.samplers.NSGAIIISampler(
            **_genetic_operators(hp), dividing_parameter=hp.dividing_parameter, seed=self.seed
        )


class TPEHyperparameters(Hyperparameters):
    """TPE hyperparameters."""

    n_startup_trials: int = pydantic.Field(10, ge=1, le=100_000)
    n_ei_candidates: int = pydantic.Field(24, ge=1, le=10_000)
    multivariate: bool = True
    batch_size: int = pydantic.Field(
        1, ge=1, le=1024, description="designs per round (constant liar above 1)"
    )


class TPE(OptunaAgent[TPEHyperparameters]):
    """Tree-structured Parzen estimator (Optuna's ``TPESampler``), one or many objectives."""

    name: ClassVar[str] = "tpe"

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        hp = self.hp
        self.batch_size = hp.batch_size
        return optuna.samplers.TPESampler(
            n_startup_trials=hp.n_startup_trials,
            n_ei_candidates=hp.n_ei_candidates,
            multivariate=hp.multivariate,
            constant_liar=hp.batch_size > 1,
            seed=self.seed,
        )
