"""Exhaustive grid search over finite spaces (real parameters are discretised)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import AskTellAgent, Hyperparameters

_MAX_SHUFFLED = 50_000_000


class GridSearchHyperparameters(Hyperparameters):
    """Grid search hyperparameters."""

    order: Literal["lexicographic", "shuffled"] = "lexicographic"
    real_levels: int = pydantic.Field(
        5, ge=2, le=1000, description="evenly spaced values per real parameter"
    )
    batch_size: int = pydantic.Field(16, ge=1, le=100_000)


class GridSearch(AskTellAgent[GridSearchHyperparameters]):
    """Walks the grid in lexicographic or seeded-shuffled order, each design once."""

    name: ClassVar[str] = "grid"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        hp = self.hp
        self.batch_size = hp.batch_size
        self._real_levels = hp.real_levels
        self._iter = self._designs(hp.order)

    def _designs(self, order: str) -> Iterator[Design]:
        if order == "lexicographic":
            yield from self.space.grid(self._real_levels)
            return
        names = self.space.names
        levels_per_name = self.space.grid_values(self._real_levels)
        radices = [len(v) for v in levels_per_name]
        size = int(np.prod(radices, dtype=object))
        if size > _MAX_SHUFFLED:
            raise ConfigError(
                f"agent 'grid': order='shuffled' needs a grid of at most {_MAX_SHUFFLED:,} "
                f"designs, this one has {size:,}; use order='lexicographic'"
            )
        for flat in self.rng.permutation(size):
            design, rest = {}, int(flat)
            for name, levels in zip(reversed(names), reversed(levels_per_name), strict=True):
                rest, index = divmod(rest, len(levels))
                design[name] = levels[index]
            yield {n: design[n] for n in names}

    def ask(self, n: int) -> list[Design]:
        return list(itertools.islice(self._iter, n))

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """The grid's order does not depend on outcomes."""
