"""A generation of designs handed out in rounds and learnt from once complete.

Population methods (pymoo's algorithms, CMA-ES) breed a whole generation, but the
runner may cost it in several rounds (a batch size, the end of the budget). Designs the
run has already seen are answered by the runner's evaluator from its cache: the agent
keeps no outcomes of its own.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Generic, TypeVar

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design
from dsegym.search.agent import AskTellAgent, Hyperparameters

# This module's agents are generic in their hyperparameters (at least the common ones).
HP = TypeVar("HP", bound=Hyperparameters)


class Generation:
    """One generation of designs, in the optimiser's order.

    Args:
        designs: The generation's designs.
    """

    def __init__(self, designs: Sequence[Design]):
        self.designs = list(designs)
        self.outcomes: list[Outcome] = []
        self._asked = 0

    @property
    def complete(self) -> bool:
        """Whether every design has an outcome."""
        return len(self.outcomes) == len(self.designs)

    def ask(self, n: int) -> list[Design]:
        """The next (up to) ``n`` designs to evaluate."""
        chosen = self.designs[self._asked : self._asked + n]
        self._asked += len(chosen)
        return [dict(d) for d in chosen]

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """Records the outcomes of the designs handed out, in order."""
        self.outcomes.extend(outcomes)


class GenerationalAgent(AskTellAgent[HP], Generic[HP]):
    """An ask/tell agent that learns one complete :class:`Generation` at a time."""

    _generation: Generation | None = None

    @abstractmethod
    def new_generation(self) -> Generation | None:
        """Breeds the next generation (``None``: the agent has nothing to propose)."""

    @abstractmethod
    def learn(self, outcomes: list[Outcome]) -> None:
        """Updates the optimiser with the outcomes of a complete generation."""

    def ask(self, n: int) -> list[Design]:
        if self._generation is None:
            self._generation = self.new_generation()
            if self._generation is None:
                return []
        return self._generation.ask(n)

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        if self._generation is None:
            return
        self._generation.tell(outcomes)
        if self._generation.complete:
            outcomes = self._generation.outcomes
            self._generation = None
            self.learn(list(outcomes))
