"""Soft actor-critic (stable-baselines3) on a continuous relaxation of the space (``sac``).

SAC acts in a box: each action is a point of ``[-1, 1]^d`` whose coordinates are mapped
to the unit cube and binned into the space's values (``DesignSpace.from_unit``), the way
ArchGym maps its continuous RL actions onto the DRAM knobs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pydantic

from dsegym.envs.adapter import ProblemEnv
from dsegym.search.agent import Evaluator
from dsegym.search.rl import _RLHyperparameters, _StableBaselinesAgent


class ContinuousRelaxation(gym.ActionWrapper):
    """Turns a ProblemEnv's action space into ``Box(-1, 1, (d,))``."""

    def __init__(self, env: ProblemEnv):
        super().__init__(env)
        self.problem_env = env
        d = len(env.space)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(d,), dtype=np.float32)

    def action(self, action: Any) -> Any:
        unit = (np.clip(np.asarray(action, dtype=float), -1.0, 1.0) + 1.0) / 2.0
        space = self.problem_env.space
        return space.to_action(space.from_unit(unit))


class SACHyperparameters(_RLHyperparameters):
    """SAC hyperparameters."""

    learning_rate: float = pydantic.Field(3e-4, gt=0.0, le=1.0)
    buffer_size: int = pydantic.Field(100_000, ge=1, le=10_000_000)
    learning_starts: int = pydantic.Field(32, ge=1, le=1_000_000)
    batch_size: int = pydantic.Field(64, ge=1, le=100_000)
    tau: float = pydantic.Field(0.005, gt=0.0, le=1.0)
    train_freq: int = pydantic.Field(1, ge=1, le=100_000)
    gradient_steps: int = pydantic.Field(1, ge=1, le=1000)
    ent_coef: str | float = pydantic.Field("auto", description="'auto' or a fixed value")


class SAC(_StableBaselinesAgent[SACHyperparameters]):
    """Soft actor-critic (stable-baselines3) over the relaxed, continuous action box."""

    name: ClassVar[str] = "sac"

    def make_env(self, evaluator: Evaluator) -> gym.Env:
        env = super().make_env(evaluator)
        assert isinstance(env, ProblemEnv)
        return ContinuousRelaxation(env)

    def make_model(self, env: gym.Env, horizon: int) -> Any:
        from stable_baselines3 import SAC as SB3SAC

        hp = self.hp
        return SB3SAC(
            "MlpPolicy",
            env,
            learning_rate=hp.learning_rate,
            buffer_size=hp.buffer_size,
            learning_starts=hp.learning_starts,
            batch_size=hp.batch_size,
            tau=hp.tau,
            gamma=hp.gamma,
            train_freq=hp.train_freq,
            gradient_steps=hp.gradient_steps,
            ent_coef=hp.ent_coef,
            policy_kwargs={"net_arch": list(hp.net_arch)},
            seed=self.seed,
            device="cpu",
        )
