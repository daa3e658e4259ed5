"""Generations whose already-evaluated designs are answered from the agent's memory.

Population methods on finite spaces keep producing designs they have evaluated: a
converged CMA-ES or GA samples the same few grid points again and again. Such a
repeat costs no budget, but each one is a round trip through the runner and counts
towards its proposal limit, so a run could end long before its budget is spent.
A :class:`Generation` hands out only the designs the agent has not seen and fills
in the others from memory.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design
from dsegym.search.agent import AskTellAgent


class Generation:
    """One generation of designs, some already known.

    Args:
        designs: The generation's designs, in the optimiser's order.
        memory: Outcomes of the designs seen so far, by design key (updated by ``tell``).
        key: The design space's ``key`` function.
    """

    def __init__(
        self,
        designs: Sequence[Design],
        memory: dict[tuple[Any, ...], Outcome],
        key: Callable[[Design], tuple[Any, ...]],
    ):
        self.designs = list(designs)
        self._memory, self._key = memory, key
        self.outcomes: list[Outcome | None] = [memory.get(key(d)) for d in self.designs]
        # A design that appears twice among the unknown ones is evaluated once.
        first: dict[tuple[Any, ...], int] = {}
        self._copies: dict[int, list[int]] = {}
        self._unknown = []
        for i, outcome in enumerate(self.outcomes):
            if outcome is not None:
                continue
            k = key(self.designs[i])
            if k in first:
                self._copies[first[k]].append(i)
            else:
                first[k] = i
                self._copies[i] = []
                self._unknown.append(i)
        self._asked = 0
        self._told = 0

    @property
    def complete(self) -> bool:
        """Whether every design has an outcome."""
        return self._told == len(self._unknown)

    def ask(self, n: int) -> list[Design]:
        """The next (up to) ``n`` designs that need evaluating."""
        chosen = self._unknown[self._asked : self._asked + n]
        self._asked += len(chosen)
        return [dict(self.designs[i]) for i in chosen]

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """Records the outcomes of the designs handed out, in order."""
        for outcome in outcomes:
            i = self._unknown[self._told]
            self.outcomes[i] = outcome
            for j in self._copies[i]:
                self.outcomes[j] = outcome
            self._memory[self._key(self.designs[i])] = outcome
            self._told += 1

    def all_outcomes(self) -> list[Outcome]:
        """Every outcome, in the optimiser's order (only once ``complete``)."""
        assert self.complete
        return [o for o in self.outcomes if o is not None]


class GenerationalAgent(AskTellAgent):
    """An ask/tell agent that learns one complete :class:`Generation` at a time."""

    _generation: Generation | None = None

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        if self._generation is None:
            return
        self._generation.tell(outcomes)
        if self._generation.complete:
            self._finish_generation()

    def _finish_generation(self) -> None:
        assert self._generation is not None
        outcomes = self._generation.all_outcomes()
        self._generation = None
        self.learn(outcomes)

    @abstractmethod
    def learn(self, outcomes: list[Outcome]) -> None:
        """Updates the optimiser with the outcomes of a complete generation."""
