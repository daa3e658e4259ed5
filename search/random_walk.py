"""A random walk through the design space.

ArchGym's random walker draws every parameter afresh at each step, which is what the
``random`` agent here does. This agent walks: each step changes a few parameters of
the current design to nearby values, so consecutive proposals are neighbours. With
``n_changes`` equal to the number of parameters and ``restart_prob=1`` it degenerates
into ArchGym's walker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace, DiscreteParameter, Real
from dsegym.search.agent import AskTellAgent, Hyperparameters


class RandomWalkHyperparameters(Hyperparameters):
    """Random walk hyperparameters."""

    n_changes: int = pydantic.Field(1, ge=1, le=10_000, description="parameters per step")
    real_step: float = pydantic.Field(
        0.1, gt=0.0, le=1.0, description="std of a real step, as a fraction of its range"
    )
    restart_prob: float = pydantic.Field(
        0.0, ge=0.0, le=1.0, description="chance per step of jumping to a random design"
    )
    batch_size: int = pydantic.Field(1, ge=1, le=100_000, description="steps per round")


class RandomWalk(AskTellAgent[RandomWalkHyperparameters]):
    """Moves to a random neighbour of the current design at every step.

    A categorical parameter jumps to another choice; an ordinal or integer parameter
    moves one value up or down; a real parameter takes a Gaussian step of
    ``real_step`` (as a fraction of its range, on its log scale where declared).
    The walk does not look at outcomes: it is a baseline, not an optimiser.
    """

    name: ClassVar[str] = "random_walk"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        hp = self.hp
        self.batch_size = hp.batch_size
        self._current: Design | None = None

    def ask(self, n: int) -> list[Design]:
        designs = []
        for _ in range(n):
            hp = self.hp
            if self._current is None or self.rng.random() < hp.restart_prob:
                self._current = self.space.sample(self.rng)
            else:
                self._current = self._step(self._current)
            designs.append(dict(self._current))
        return designs

    def _step(self, design: Design) -> Design:
        hp = self.hp
        new = dict(design)
        k = min(hp.n_changes, len(self.space))
        for i in self.rng.choice(len(self.space), size=k, replace=False):
            p = self.space.parameters[int(i)]
            if not isinstance(p, DiscreteParameter):
                assert isinstance(p, Real)
                new[p.name] = self._real_step(p, float(design[p.name]), hp.real_step)
                continue
            if p.n_values == 1:
                continue
            index = p.index_of(design[p.name])
            if not p.ordered:
                j = int(self.rng.integers(p.n_values - 1))
                index = j if j < index else j + 1
            else:
                index += 1 if self.rng.random() < 0.5 else -1
                if not 0 <= index < p.n_values:  # reflect at the ends
                    index = 1 if index < 0 else p.n_values - 2
            new[p.name] = p.value_at(index)
        return new

    def _real_step(self, p: Real, value: float, step: float) -> float:
        lo, hi, x = (
            (math.log(p.low), math.log(p.high), math.log(value))
            if p.log
            else (p.low, p.high, value)
        )
        x = x + self.rng.normal(0.0, step * (hi - lo))
        if x < lo or x > hi:  # reflect, then clip what still overshoots
            x = 2 * lo - x if x < lo else 2 * hi - x
            x = min(max(x, lo), hi)
        out = math.exp(x) if p.log else x
        return float(min(max(out, p.low), p.high))

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """A random walk ignores outcomes."""
