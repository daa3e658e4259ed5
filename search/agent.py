"""The search-agent interface: ask/tell agents and agents that drive their own loop.

Every evaluation goes through the runner's :class:`Evaluator`, so budget, caching,
recording and parallel dispatch are written once, whatever the agent.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast, get_args

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.space import Design, DesignSpace

#: Objective value agents see for a design the cost model rejects, when they need a
#: finite number (samplers, RL rewards). Large but safe to square and sum.
INFEASIBLE_PENALTY = 1e12


class Evaluator(Protocol):
    """What an agent calls to cost designs; the runner provides it.

    Calling it with ``n`` designs returns at most ``n`` outcomes, in order: fewer when
    the budget runs out part-way. Once ``exhausted`` is true it returns ``[]``.
    """

    problem: Problem

    @property
    def remaining(self) -> int:
        """Evaluations left in the budget."""

    @property
    def exhausted(self) -> bool:
        """Whether the agent should stop."""

    def __call__(self, designs: Sequence[Design]) -> list[Outcome]:
        """Costs ``designs`` (cached repeats are free; see the runner)."""


class Hyperparameters(pydantic.BaseModel):
    """Base of every agent's hyperparameters: a pydantic model that forbids unknown keys.

    Fields declare types, defaults and ranges: configs are validated against them and
    sweeps enumerate them.
    """

    model_config = pydantic.ConfigDict(extra="forbid")


class NoHyperparameters(Hyperparameters):
    """For agents without hyperparameters."""


HP = TypeVar("HP", bound=pydantic.BaseModel)


class Agent(ABC, Generic[HP]):
    """Base of every search agent, generic over its hyperparameter model.

    Subclasses declare ``name`` and their hyperparameters as the type argument, as in
    ``class GA(AskTellAgent[GAHyperparameters])``: ``self.hp`` is then typed, and the
    class attribute ``Hyperparameters`` (what configs, sweeps and ``dsegym list agents``
    read) is set from it. Setting ``Hyperparameters`` in the class body also works.

    Args:
        space: The design space to search.
        n_objectives: Number of minimised objectives.
        n_constraints: Number of constraints (``g <= 0`` when met).
        seed: Seed for every random choice the agent makes.
        hyperparameters: A ``Hyperparameters`` instance or a dict of its fields.
    """

    name: ClassVar[str]
    Hyperparameters: ClassVar[type[pydantic.BaseModel]] = NoHyperparameters
    hp: HP

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Hyperparameters" in cls.__dict__:
            return
        for base in cls.__dict__.get("__orig_bases__", ()):
            for arg in get_args(base):
                if isinstance(arg, type) and issubclass(arg, pydantic.BaseModel):
                    cls.Hyperparameters = arg

    def __init__(
        self,
        space: DesignSpace,
        *,
        n_objectives: int,
        n_constraints: int = 0,
        seed: int = 0,
        hyperparameters: pydantic.BaseModel | dict[str, Any] | None = None,
    ):
        self.space = space
        self.n_objectives = n_objectives
        self.n_constraints = n_constraints
        self.seed = seed
        if isinstance(hyperparameters, pydantic.BaseModel):
            self.hp = cast(HP, hyperparameters)
        else:
            self.hp = cast(HP, self.Hyperparameters(**(hyperparameters or {})))
        self.rng = np.random.default_rng(seed)

    @abstractmethod
    def run(self, evaluator: Evaluator) -> None:
        """Searches until ``evaluator.exhausted`` (or the agent has nothing to propose)."""


class AskTellAgent(Agent[HP]):
    """An agent driven by the runner's loop: ``ask`` designs, ``tell`` their outcomes."""

    #: Designs asked for per round when the agent has no natural batch size.
    batch_size: int = 1

    @abstractmethod
    def ask(self, n: int) -> list[Design]:
        """Proposes up to ``n`` designs; an empty list means the agent is done."""

    @abstractmethod
    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """Learns from the outcomes of (a prefix of) the last proposals."""

    def run(self, evaluator: Evaluator) -> None:
        stale = 0
        while not evaluator.exhausted:
            remaining = evaluator.remaining
            designs = self.ask(max(1, min(self.batch_size, remaining)))
            if not designs:
                return
            outcomes = evaluator(designs)
            if not outcomes:
                return
            self.tell(outcomes)
            # The evaluator is the one owner of designs already seen: a round it answered
            # entirely from its cache cost nothing, and tells the agent it is going round
            # in circles.
            stale = stale + 1 if evaluator.remaining == remaining else 0
            if stale:
                self.on_stale(stale)

    def on_stale(self, rounds: int) -> None:
        """Called after ``rounds`` rounds in a row that found no new design.

        The default does nothing (the runner's proposal limit ends a run that stays
        stuck); population methods restart here.
        """


def finite_objectives(outcome: Outcome, penalty: float = INFEASIBLE_PENALTY) -> list[float]:
    """``F`` with infinities (model-rejected designs) replaced by ``penalty``."""
    return [float(f) if math.isfinite(f) else penalty for f in outcome.F]


def finite_violation(outcome: Outcome, penalty: float = INFEASIBLE_PENALTY) -> float:
    """Total constraint violation, finite (``penalty`` when the model rejected it)."""
    v = outcome.violation
    return v if math.isfinite(v) else penalty
