"""Exhaustive grid search over finite spaces (real parameters are discretised)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design, DesignSpace, Real
from dsegym.errors import ConfigError
from dsegym.search.agent import AskTellAgent

_MAX_SHUFFLED = 50_000_000


class GridSearch(AskTellAgent):
    """Walks the grid in lexicographic or seeded-shuffled order, each design once."""

    name: ClassVar[str] = "grid"

    class Hyperparameters(pydantic.BaseModel):
        """Grid search hyperparameters."""

        model_config = pydantic.ConfigDict(extra="forbid")
        order: Literal["lexicographic", "shuffled"] = "lexicographic"
        real_levels: int = pydantic.Field(
            5, ge=2, le=1000, description="evenly spaced values per real parameter"
        )
        batch_size: int = pydantic.Field(16, ge=1, le=100_000)

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        hp = self.hp
        self.batch_size = hp.batch_size  # type: ignore[attr-defined]
        self._levels = [self._values(p, hp.real_levels) for p in space]  # type: ignore[attr-defined]
        self._iter = self._designs(hp.order)  # type: ignore[attr-defined]

    @staticmethod
    def _values(p: Any, real_levels: int) -> list[Any]:
        if isinstance(p, Real):
            if p.log:
                return list(np.geomspace(p.low, p.high, real_levels))
            return list(np.linspace(p.low, p.high, real_levels))
        return [DesignSpace._value_at(p, i) for i in range(p.n_values)]

    def _designs(self, order: str) -> Iterator[Design]:
        names = self.space.names
        if order == "lexicographic":
            for combo in itertools.product(*self._levels):
                yield {
                    n: float(v) if isinstance(v, np.floating) else v
                    for n, v in zip(names, combo, strict=True)
                }
            return
        radices = [len(v) for v in self._levels]
        size = int(np.prod(radices, dtype=object))
        if size > _MAX_SHUFFLED:
            raise ConfigError(
                f"agent 'grid': order='shuffled' needs a grid of at most {_MAX_SHUFFLED:,} "
                f"designs, this one has {size:,}; use order='lexicographic'"
            )
        for flat in self.rng.permutation(size):
            design, rest = {}, int(flat)
            for name, levels in zip(reversed(names), reversed(self._levels), strict=True):
                rest, index = divmod(rest, len(levels))
                value = levels[index]
                design[name] = float(value) if isinstance(value, np.floating) else value
            yield {n: design[n] for n in names}

    def ask(self, n: int) -> list[Design]:
        return list(itertools.islice(self._iter, n))

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """The grid's order does not depend on outcomes."""
