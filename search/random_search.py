"""Uniform random search: the baseline every other agent must beat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pydantic

from dsegym.costmodels.problem import Outcome
from dsegym.costmodels.space import Design
from dsegym.search.agent import AskTellAgent, Hyperparameters


class RandomSearchHyperparameters(Hyperparameters):
    """Random search hyperparameters."""

    batch_size: int = pydantic.Field(16, ge=1, le=100_000, description="designs per round")


class RandomSearch(AskTellAgent[RandomSearchHyperparameters]):
    """Samples every parameter independently and uniformly (log-uniform where declared)."""

    name: ClassVar[str] = "random"

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.batch_size = self.hp.batch_size

    def ask(self, n: int) -> list[Design]:
        return self.space.sample_many(self.rng, n)

    def tell(self, outcomes: Sequence[Outcome]) -> None:
        """Random search learns nothing."""
