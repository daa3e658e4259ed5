"""Gaussian-process Bayesian optimisation through Optuna: ``gp`` and ``botorch``.

Both fit a surrogate to the objective values, so a design the cost model rejects is
told to the sampler as a *failed* trial (which the surrogate skips) instead of the
``INFEASIBLE_PENALTY`` the rank-based samplers get: one value of 1e12 among values
near 1 would flatten the fit. Designs that only miss a spec keep their objectives and
report their violation through ``trial.set_constraint``.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

import optuna
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.errors import ConfigError
from dsegym.search.agent import Hyperparameters
from dsegym.search.optuna_agents import OptunaAgent

# This module's agents are generic in their hyperparameters (at least the common ones).
HP = TypeVar("HP", bound=Hyperparameters)

BOTORCH_EXTRA = "pip install 'dsegym[botorch]'"


class _SurrogateAgent(OptunaAgent[HP], Generic[HP]):
    """An Optuna agent whose sampler fits a surrogate model to the values."""

    def tell_trial(self, trial: optuna.Trial, outcome: Outcome) -> None:
        if not outcome.evaluation.feasible:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        if self.n_constraints:
            trial.set_constraint("violation", outcome.violation)
        values = [float(f) for f in outcome.F]
        self.study.tell(trial, values if self.n_objectives > 1 else values[0])


class GPHyperparameters(Hyperparameters):
    """GP sampler hyperparameters."""

    n_startup_trials: int = pydantic.Field(10, ge=1, le=100_000)
    deterministic_objective: bool = pydantic.Field(
        True, description="cost models are deterministic: fit without observation noise"
    )


class GP(_SurrogateAgent[GPHyperparameters]):
    """Optuna's ``GPSampler``: log EI (one objective), log EHVI (several), with constraints.

    Slow on CPU: 0.3 s per proposal on the toy accelerator and 0.45 s on 30-variable
    ZDT1, averaged over 200 evaluations (experiments/benchmarks/agent_overhead.py), and
    growing with the number of trials. Meant for budgets of a few hundred evaluations.
    """

    name: ClassVar[str] = "gp"

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        hp = self.hp
        return optuna.samplers.GPSampler(
            n_startup_trials=hp.n_startup_trials,
            deterministic_objective=hp.deterministic_objective,
            seed=self.seed,
            warn_independent_sampling=False,
        )


class BoTorchHyperparameters(Hyperparameters):
    """BoTorch sampler hyperparameters."""

    n_startup_trials: int = pydantic.Field(10, ge=1, le=100_000)


class BoTorch(_SurrogateAgent[BoTorchHyperparameters]):
    """BoTorch through ``optuna-integration``: qNEHVI for several objectives, qEI for one.

    An optional extra (it pulls in BoTorch and GPyTorch): ``pip install 'dsegym[botorch]'``.
    """

    name: ClassVar[str] = "botorch"

    def make_sampler(self) -> optuna.samplers.BaseSampler:
        try:
            import botorch  # noqa: F401
            from optuna_integration import BoTorchSampler
        except ImportError as exc:
            raise ConfigError(
                f"agent 'botorch' needs the optional BoTorch extra ({exc}); install it with "
                f"{BOTORCH_EXTRA}"
            ) from None
        hp = self.hp
        # Constraints arrive through trial.set_constraint (optuna-integration 5 reads them).
        # Checked in a separate venv with botorch 0.18.1 and optuna-integration 5.0.0.
        return BoTorchSampler(n_startup_trials=hp.n_startup_trials, seed=self.seed)
