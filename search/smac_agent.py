"""SMAC: random-forest Bayesian optimisation (SMAC3's hyperparameter-optimisation facade).

The space reaches SMAC through :meth:`~dsegym.costmodels.space.DesignSpace.to_configspace`
(ordinals as ConfigSpace ordinal hyperparameters, so the forest splits on their order).
Several objectives go through SMAC's ParEGO. SMAC has no constraints: a design that
misses a spec or that the cost model rejects is imputed the worst cost seen (``_cost``).

An optional extra (``pip install 'dsegym[smac]'``): SMAC pulls in Dask and Distributed.
SMAC 2.4 no longer needs ``pyrfr`` (its forest is scikit-learn's), so it installs from
wheels on a fresh machine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import AskTellAgent, Evaluator, Hyperparameters

SMAC_EXTRA = "pip install 'dsegym[smac]'"
#: SMAC logs at ERROR only (its INFO lines would flood a run's console).
SMAC_LOG_LEVEL = 40


class SMACHyperparameters(Hyperparameters):
    """SMAC hyperparameters."""

    n_initial: int | None = pydantic.Field(
        None, ge=1, le=100_000, description="initial Sobol designs; None: SMAC's default"
    )


def _reproducible_maximizer(facade: Any, scenario: Any) -> Any:
    """SMAC's default acquisition maximizer, made independent of Python's hash seed.

    SMAC 2.4's local search de-duplicates its starting points through a ``set`` of
    configurations, whose order follows string hashing, so the same seed gave different
    proposals in different processes (serial vs Ray, or a resumed run). Sorting the
    starting points by their vector restores one order; which points start is unchanged.
    """
    from smac.acquisition.maximizer.local_search import LocalSearch

    class OrderedLocalSearch(LocalSearch):
        def _get_init_points_from_previous_configs(self, *args: Any, **kwargs: Any) -> Any:
            points = super()._get_init_points_from_previous_configs(*args, **kwargs)
            return sorted(points, key=lambda c: tuple(np.nan_to_num(c.get_array(), nan=-1.0)))

    maximizer = facade.get_acquisition_maximizer(scenario)
    # The local search is built inside the maximizer; SMAC offers no argument for it.
    maximizer._local_search.__class__ = OrderedLocalSearch
    return maximizer


class SMAC(AskTellAgent[SMACHyperparameters]):
    """SMAC3's random forest with log expected improvement, one design per round.

    Raises:
        ConfigError: when the ``smac`` package is missing.
    """

    name: ClassVar[str] = "smac"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        try:
            import smac  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"agent 'smac' needs the 'smac' package; install it with {SMAC_EXTRA}"
            ) from None
        self.facade: Any = None
        self._pending: list[Any] = []
        self._worst: np.ndarray | None = None
        # SMAC writes its run history to disk; keep it out of the user's folders.
        self._scratch = tempfile.TemporaryDirectory(prefix="dsegym-smac-")

    def make_facade(self, budget: int) -> Any:
        """SMAC's facade for a run of ``budget`` evaluations."""
        from smac import HyperparameterOptimizationFacade as Facade
        from smac import Scenario

        hp = self.hp
        objectives = [f"f{i}" for i in range(self.n_objectives)]
        scenario = Scenario(
            self.space.to_configspace(self.seed),
            deterministic=True,
            objectives=objectives if self.n_objectives > 1 else "cost",
            # SMAC sizes its initial design from n_trials; its ask() goes on past it, as
            # it must here (revisits are free in dsegym's budget).
            n_trials=budget,
            seed=self.seed,
            output_directory=Path(self._scratch.name) / "smac",
        )
        extra: dict[str, Any] = {}
        if self.n_objectives > 1:
            from smac.multi_objective.parego import ParEGO

            extra["multi_objective_algorithm"] = ParEGO(scenario)
        if hp.n_initial is not None:
            extra["initial_design"] = Facade.get_initial_design(scenario, n_configs=hp.n_initial)
        extra["acquisition_maximizer"] = _reproducible_maximizer(Facade, scenario)
        from smac.runhistory.encoder import RunHistoryEncoder

        return Facade(
            scenario,
            None,
            intensifier=Facade.get_intensifier(scenario, max_config_calls=1),
            # The HPO facade's default encoder takes the log of min-max scaled costs, which
            # is -inf for the best cost seen once costs span many decades (EDP ~1e12) and
            # crashes the forest; the plain encoder scales costs without the log.
            runhistory_encoder=RunHistoryEncoder(scenario),
            overwrite=True,
            logging_level=SMAC_LOG_LEVEL,
            **extra,
        )

    def run(self, evaluator: Evaluator) -> None:
        self.facade = self.make_facade(max(1, evaluator.remaining))
        super().run(evaluator)

    def ask(self, n: int) -> list[Design]:
        if self.facade is None:
            self.facade = self.make_facade(n)
        self._pending = [self.facade.ask() for _ in range(n)]
        return [self.space.from_configspace(info.config) for info in self._pending]

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        from smac.runhistory.dataclasses import TrialValue

        told, self._pending = self._pending[: len(outcomes)], self._pending[len(outcomes) :]
        for info, outcome in zip(told, outcomes, strict=True):
            cost = self._cost(outcome)
            if cost is not None:
                value = cost if self.n_objectives > 1 else cost[0]
                self.facade.tell(info, TrialValue(cost=value))

    def _cost(self, outcome: Outcome) -> list[float] | None:
        """The cost told to SMAC: an infeasible design ties with the worst seen.

        SMAC's forest needs finite costs (an infinite crash cost turns into NaN in its
        scaled targets, with one objective or with ParEGO's several), so a design that
        misses a spec or that the model rejects is imputed, per objective, the worst cost
        told so far: a common choice for failed evaluations in Bayesian optimisation.
        Before any cost is known, a rejected design is left untold.
        """
        f = np.asarray(outcome.F, dtype=float)
        finite = bool(np.isfinite(f).all())
        if outcome.feasible:
            self._worst = f if self._worst is None else np.maximum(self._worst, f)
            return f.tolist()
        if self._worst is None:
            return f.tolist() if finite else None
        return (np.maximum(self._worst, f) if finite else self._worst).tolist()
