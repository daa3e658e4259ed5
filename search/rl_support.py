"""What the RL agents (single- and multi-agent) share: their default reward and seeding."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np

from dsegym.costmodels.problem import Problem
from dsegym.envs.rewards import Reward, make_reward


def make_agent_reward(problem: Problem, spec: str | Mapping[str, Any] | None) -> Reward:
    """The RL agents' reward: ``None`` gives ``observed_range``."""
    return make_reward(problem, "observed_range" if spec is None else spec)


def seed_everything(seed: int) -> None:
    """Seeds Python, NumPy and torch, and pins torch to one thread for determinism."""
    import torch

    torch.set_num_threads(1)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
