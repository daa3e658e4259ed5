"""Agents backed by pymoo's algorithms through its ask-and-tell interface.

pymoo breeds a generation, the runner's evaluator costs it (answering designs it has
seen from its cache), and the outcomes go back to pymoo as ``F`` and ``G``. The search
is pymoo's own: its sampling, mating, duplicate elimination and survival.

Encodings come from :class:`~dsegym.costmodels.space.DesignSpace`: an all-real space, or
one whose parameters are all integer indices (integer or ordinal), is one plain vector
bred by simulated binary crossover and polynomial mutation (with pymoo's rounding repair
for indices, as pymoo's documentation does for integer problems); any other space (a
categorical parameter, or reals mixed with integers) uses pymoo's mixed-variable
sampling, mating and duplicate elimination.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import INFEASIBLE_PENALTY, Hyperparameters, finite_objectives
from dsegym.search.generations import Generation, GenerationalAgent

# This module's agents are generic in their hyperparameters (at least the common ones).
HP = TypeVar("HP", bound=Hyperparameters)


def _finite(values: Any) -> list[float]:
    return [float(v) if np.isfinite(v) else INFEASIBLE_PENALTY for v in values]


class PymooAgent(GenerationalAgent[HP], Generic[HP]):
    """Runs a pymoo algorithm by ask and tell, one pymoo infill (a generation) at a time.

    Subclasses build the algorithm in :meth:`make_algorithm` from the operators
    :meth:`operators` gives for the space's encoding.
    """

    #: Whether the algorithm can search spaces that need mixed-variable operators.
    supports_mixed: ClassVar[bool] = True

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        from pymoo.core.evaluator import Evaluator
        from pymoo.core.problem import Problem as PymooProblem
        from pymoo.core.termination import NoTermination

        self.vector = space.pymoo_vector_ok
        if not self.vector and not self.supports_mixed:
            raise ConfigError(
                f"agent {self.name!r} needs a space pymoo can search as one vector (all real, "
                "or all integer/ordinal); use 'nsga2', 'nsga3' or 'smsemoa' for mixed or "
                "categorical spaces"
            )
        n_obj, n_constr = self.pymoo_shape()
        if self.vector:
            xl, xu = space.pymoo_bounds()
            self.problem = PymooProblem(
                n_var=len(space), n_obj=n_obj, n_ieq_constr=n_constr, xl=xl, xu=xu
            )
        else:
            self.problem = PymooProblem(
                vars=space.to_pymoo_variables(), n_obj=n_obj, n_ieq_constr=n_constr
            )
        self.algorithm = self.make_algorithm()
        self.algorithm.setup(self.problem, termination=NoTermination(), seed=self.seed)
        self._pymoo_evaluator = Evaluator()
        self._infills: Any = None  # the pymoo population (or individual) being costed
        self.generations_done = 0

    def pymoo_shape(self) -> tuple[int, int]:
        """Objectives and constraints of the pymoo problem."""
        return self.n_objectives, self.n_constraints

    @abstractmethod
    def make_algorithm(self) -> Any:
        """The pymoo algorithm, built from ``self.hp`` and :meth:`operators`."""

    def operators(
        self,
        *,
        sbx_eta: float,
        crossover_prob: float,
        mutation_eta: float,
        mutation_prob: float | None,
        crossover: str = "sbx",
    ) -> dict[str, Any]:
        """Sampling, crossover, mutation and duplicate elimination for this space."""
        from pymoo.core.mixed import (
            MixedVariableDuplicateElimination,
            MixedVariableMating,
            MixedVariableSampling,
        )
        from pymoo.core.variable import Choice, Integer, Real
        from pymoo.operators.crossover.sbx import SBX
        from pymoo.operators.crossover.ux import UX
        from pymoo.operators.mutation.pm import PM
        from pymoo.operators.mutation.rm import ChoiceRandomMutation
        from pymoo.operators.repair.rounding import RoundingRepair
        from pymoo.operators.sampling.rnd import FloatRandomSampling, IntegerRandomSampling

        pm = {"prob_var": mutation_prob, "eta": mutation_eta}

        def cross(**extra: Any) -> Any:
            if crossover == "uniform":
                return UX(prob=crossover_prob)
            return SBX(prob=crossover_prob, eta=sbx_eta, **extra)

        if self.vector and self.space.is_continuous:
            return {
                "sampling": FloatRandomSampling(),
                "crossover": cross(),
                "mutation": PM(**pm),
                "eliminate_duplicates": True,
            }
        rounded = {"vtype": float, "repair": RoundingRepair()}
        if self.vector:
            return {
                "sampling": IntegerRandomSampling(),
                "crossover": cross(**rounded),
                "mutation": PM(**pm, **rounded),
                "eliminate_duplicates": True,
            }
        duplicates = MixedVariableDuplicateElimination()
        mating = MixedVariableMating(
            crossover={Real: cross(), Integer: cross(**rounded), Choice: UX()},
            mutation={Real: PM(**pm), Integer: PM(**pm, **rounded), Choice: ChoiceRandomMutation()},
            eliminate_duplicates=duplicates,
        )
        return {
            "sampling": MixedVariableSampling(),
            "mating": mating,
            "eliminate_duplicates": duplicates,
        }

    # ------------------------------------------------------------------ ask/tell
    def new_generation(self) -> Generation | None:
        from pymoo.core.individual import Individual

        infills = self.algorithm.ask()
        if infills is None:
            return None
        rows = [infills.X] if isinstance(infills, Individual) else infills.get("X")
        if len(rows) == 0:
            return None
        self._infills = infills
        return Generation([self.space.from_pymoo(x) for x in rows])

    def learn(self, outcomes: list[Outcome]) -> None:
        from pymoo.problems.static import StaticProblem

        F, G = self.pymoo_values(outcomes)
        values = {"F": F} if G is None else {"F": F, "G": G}
        self._pymoo_evaluator.eval(StaticProblem(self.problem, **values), self._infills)
        self.algorithm.tell(infills=self._infills)
        self._infills = None
        self.generations_done += 1

    def pymoo_values(self, outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray | None]:
        """``F`` (and ``G`` on constrained problems) as pymoo sees them: finite numbers.

        A design the cost model rejects gets ``INFEASIBLE_PENALTY`` objectives and, on a
        constrained problem, constraint values, so it ranks behind every other design.
        """
        F = np.array([finite_objectives(o) for o in outcomes], dtype=float)
        if not self.n_constraints:
            return F, None
        return F, np.array([_finite(o.G) for o in outcomes], dtype=float)


# ---------------------------------------------------------------------- hyperparameters
class _EvolutionHyperparameters(Hyperparameters):
    """Operators shared by pymoo's evolutionary algorithms (pymoo's defaults)."""

    population_size: int = pydantic.Field(100, ge=4, le=100_000)
    crossover: Literal["sbx", "uniform"] = pydantic.Field(
        "sbx", description="simulated binary (numeric parameters) or uniform crossover"
    )
    crossover_prob: float = pydantic.Field(0.9, ge=0.0, le=1.0)
    sbx_eta: float = pydantic.Field(15.0, ge=1.0, le=1000.0, description="SBX distribution index")
    mutation_eta: float = pydantic.Field(20.0, ge=1.0, le=1000.0)
    mutation_prob: float | None = pydantic.Field(
        None, ge=0.0, le=1.0, description="per variable; None: 1 / number of parameters"
    )


def _operator_settings(hp: Any) -> dict[str, Any]:
    return {
        "sbx_eta": hp.sbx_eta,
        "crossover_prob": hp.crossover_prob,
        "mutation_eta": hp.mutation_eta,
        "mutation_prob": hp.mutation_prob,
        "crossover": getattr(hp, "crossover", "sbx"),
    }


def _reference_directions(n_objectives: int, partitions: int) -> np.ndarray:
    """Das-Dennis reference directions (a single direction for one objective)."""
    from pymoo.util.ref_dirs import get_reference_directions

    if n_objectives == 1:
        return np.ones((1, 1))
    return get_reference_directions("das-dennis", n_objectives, n_partitions=partitions)


# ---------------------------------------------------------------------- agents
class NSGA2Hyperparameters(_EvolutionHyperparameters):
    """NSGA-II hyperparameters (pymoo's defaults)."""


class NSGA2(PymooAgent[NSGA2Hyperparameters]):
    """NSGA-II (pymoo): non-dominated sorting and crowding distance, SBX and PM."""

    name: ClassVar[str] = "nsga2"

    def make_algorithm(self) -> Any:
        from pymoo.algorithms.moo import nsga2

        hp = self.hp
        self.batch_size = hp.population_size
        return nsga2.NSGA2(pop_size=hp.population_size, **self.operators(**_operator_settings(hp)))


class NSGA3Hyperparameters(_EvolutionHyperparameters):
    """NSGA-III hyperparameters."""

    population_size: int = pydantic.Field(92, ge=4, le=100_000)
    partitions: int = pydantic.Field(
        12, ge=1, le=100, description="Das-Dennis partitions per objective"
    )
    sbx_eta: float = pydantic.Field(30.0, ge=1.0, le=1000.0)
    crossover_prob: float = pydantic.Field(1.0, ge=0.0, le=1.0)


class NSGA3(PymooAgent[NSGA3Hyperparameters]):
    """NSGA-III (pymoo): niching on Das-Dennis reference directions.

    The defaults are Deb and Jain's (2014) three-objective setting: 12 partitions give
    91 reference directions and a population of 92; SBX with eta 30 as in pymoo.
    """

    name: ClassVar[str] = "nsga3"

    def make_algorithm(self) -> Any:
        from pymoo.algorithms.moo import nsga3

        hp = self.hp
        self.batch_size = hp.population_size
        return nsga3.NSGA3(
            ref_dirs=_reference_directions(self.n_objectives, hp.partitions),
            pop_size=hp.population_size,
            **self.operators(**_operator_settings(hp)),
        )


class SMSEMOAHyperparameters(_EvolutionHyperparameters):
    """SMS-EMOA hyperparameters (pymoo's defaults)."""

    n_offsprings: int | None = pydantic.Field(
        None, ge=1, le=100_000, description="offspring per generation; None: population"
    )


class SMSEMOA(PymooAgent[SMSEMOAHyperparameters]):
    """SMS-EMOA (pymoo): steady-state survival by least hypervolume contribution.

    Exact hypervolume contributions grow costly with many objectives; pymoo's survival
    is the reference implementation.
    """

    name: ClassVar[str] = "smsemoa"

    def make_algorithm(self) -> Any:
        from pymoo.algorithms.moo import sms

        hp = self.hp
        self.batch_size = hp.n_offsprings or hp.population_size
        return sms.SMSEMOA(
            pop_size=hp.population_size,
            n_offsprings=hp.n_offsprings,
            **self.operators(**_operator_settings(hp)),
        )


class MOEADHyperparameters(Hyperparameters):
    """MOEA/D hyperparameters (pymoo's defaults)."""

    partitions: int = pydantic.Field(
        99, ge=1, le=10_000, description="Das-Dennis partitions (directions = population)"
    )
    n_neighbors: int = pydantic.Field(20, ge=2, le=10_000)
    prob_neighbor_mating: float = pydantic.Field(0.9, ge=0.0, le=1.0)
    sbx_eta: float = pydantic.Field(20.0, ge=1.0, le=1000.0)
    crossover_prob: float = pydantic.Field(1.0, ge=0.0, le=1.0)
    mutation_eta: float = pydantic.Field(20.0, ge=1.0, le=1000.0)
    mutation_prob: float | None = pydantic.Field(None, ge=0.0, le=1.0)


class MOEAD(PymooAgent[MOEADHyperparameters]):
    """MOEA/D (pymoo): decomposition into scalar subproblems on reference directions.

    pymoo's MOEA/D breeds one offspring at a time (each replaces its neighbours at
    once), so its rounds are single designs; it needs a space that pymoo can search as
    one vector (its mating reads one crossover's parent count). Constraints are not
    part of the original algorithm: designs that miss a spec are ranked by their
    objectives, and rejected designs by ``INFEASIBLE_PENALTY``.
    """

    name: ClassVar[str] = "moead"
    supports_mixed: ClassVar[bool] = False

    def pymoo_shape(self) -> tuple[int, int]:
        return self.n_objectives, 0

    def pymoo_values(self, outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray | None]:
        return np.array([finite_objectives(o) for o in outcomes], dtype=float), None

    def make_algorithm(self) -> Any:
        from pymoo.algorithms.moo import moead

        hp = self.hp
        ref_dirs = _reference_directions(self.n_objectives, hp.partitions)
        ops = self.operators(**_operator_settings(hp))
        ops.pop("eliminate_duplicates")
        self.batch_size = len(ref_dirs)  # the first population; then one design per round
        return moead.MOEAD(
            ref_dirs=ref_dirs,
            n_neighbors=min(hp.n_neighbors, len(ref_dirs)),
            prob_neighbor_mating=hp.prob_neighbor_mating,
            **ops,
        )
