"""What the RL agents (single- and multi-agent) share: their default reward and seeding."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.envs.rewards import Reward, make_reward
from dsegym.search.scalarise import Scalariser


class ObservedRangeReward(Reward):
    """Minus the scalarised objectives, normalised by the range seen so far.

    Each objective is scaled by the ideal and nadir of the feasible designs seen in the
    run so far, then combined by the augmented Chebyshev function of
    :mod:`dsegym.search.scalarise` with equal weights. Needing no known front and no
    units, it keeps rewards in about ``[-1, 0]`` on any problem, which suits policy
    gradients; the log-scaled weighted sum spreads a 1e11 pJ*cycles objective over only
    a few units while an infeasible design costs 100.

    Args:
        problem: The problem whose outcomes are rewarded.
        infeasible_value: Reward of a design that misses a spec or is rejected.
    """

    range = (-1.1, 0.0)

    def __init__(self, problem: Problem, infeasible_value: float = -2.0):
        self.scalariser = Scalariser(problem.n_objectives, np.random.default_rng(0))
        self.infeasible_value = infeasible_value

    def value(self, outcome: Outcome) -> float:
        self.scalariser.observe([outcome])
        return -min(self.scalariser.fitness(outcome), 1.1)


def make_agent_reward(problem: Problem, spec: str | Mapping[str, Any] | None) -> Reward:
    """The RL agents' reward: ``None`` gives :class:`ObservedRangeReward`."""
    if spec is None or spec == "observed_range":
        return ObservedRangeReward(problem)
    return make_reward(problem, spec)


def seed_everything(seed: int) -> None:
    """Seeds Python, NumPy and torch, and pins torch to one thread for determinism."""
    import torch

    torch.set_num_threads(1)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
