"""Single-agent RL with stable-baselines3: ``ppo``, ``a2c`` and ``dqn``.

One action is one whole design (:class:`~dsegym.envs.adapter.ProblemEnv`:
MultiDiscrete value indices for finite spaces, a Box over the unit cube otherwise;
``dqn`` flattens a finite space into one Discrete action). The env costs designs
through the runner's evaluator, and a callback stops training as soon as the
evaluator is exhausted, so the budget is never exceeded. Training continues in chunks
while budget remains, because designs the run has already seen are free.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

import gymnasium as gym
import numpy as np
import pydantic

from dsegym.costmodels.space import DesignSpace
from dsegym.envs.adapter import ProblemEnv
from dsegym.errors import ConfigError
from dsegym.search.agent import Agent, Evaluator, Hyperparameters
from dsegym.search.rl_support import make_agent_reward, seed_everything

# These agents are generic in their hyperparameters, which extend the SB3 agents' ones.
HP = TypeVar("HP", bound="_RLHyperparameters")

RL_EXTRA = "pip install 'dsegym[rl]'"


class _RLHyperparameters(Hyperparameters):
    """Hyperparameters every SB3 agent has."""

    learning_rate: float = pydantic.Field(3e-4, gt=0.0, le=1.0)
    gamma: float = pydantic.Field(
        0.0, ge=0.0, le=1.0, description="discount; a design's reward does not depend on the past"
    )
    episode_length: int = pydantic.Field(16, ge=1, le=100_000, description="steps per episode")
    net_arch: list[int] = pydantic.Field([64, 64], description="hidden layer widths")
    reward: str | dict[str, Any] | None = pydantic.Field(
        None,
        description="None: minus the scalarised objectives over their observed range; "
        "or an envs.rewards spec such as {'name': 'target_spec', 'targets': {...}}",
    )


class _StableBaselinesAgent(Agent[HP], Generic[HP]):
    """Trains an SB3 model on the problem's env until the evaluator is exhausted."""

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        try:
            import stable_baselines3  # noqa: F401
        except ImportError:
            raise ConfigError(f"agent {self.name!r} needs stable-baselines3; install {RL_EXTRA}")
        self.check_space(space)

    def check_space(self, space: DesignSpace) -> None:
        """Raises ConfigError if the algorithm cannot act on ``space``."""

    def make_env(self, evaluator: Evaluator) -> gym.Env:
        hp = self.hp
        problem = evaluator.problem
        return ProblemEnv(
            problem,
            reward=make_agent_reward(problem, hp.reward),
            episode_length=hp.episode_length,
            evaluate=evaluator,
        )

    @abstractmethod
    def make_model(self, env: gym.Env, horizon: int) -> Any:
        """Builds the SB3 model; ``horizon`` is the budget left when training starts."""

    def run(self, evaluator: Evaluator) -> None:
        from stable_baselines3.common.callbacks import BaseCallback

        seed_everything(self.seed)

        class StopWhenExhausted(BaseCallback):
            def _on_step(self) -> bool:
                return not evaluator.exhausted

        env = self.make_env(evaluator)
        env.reset(seed=self.seed)
        env.action_space.seed(self.seed)
        horizon = max(1, evaluator.remaining)
        model = self.make_model(env, horizon)
        callback = StopWhenExhausted()
        while not evaluator.exhausted:
            model.learn(
                total_timesteps=max(1, evaluator.remaining),
                callback=callback,
                reset_num_timesteps=False,
            )


class _OnPolicyHyperparameters(_RLHyperparameters):
    n_steps: int = pydantic.Field(32, ge=1, le=100_000, description="steps per policy update")
    ent_coef: float = pydantic.Field(0.01, ge=0.0, le=1.0)


class PPOHyperparameters(_OnPolicyHyperparameters):
    """PPO hyperparameters."""

    batch_size: int = pydantic.Field(32, ge=2, le=100_000)
    n_epochs: int = pydantic.Field(10, ge=1, le=1000)
    clip_range: float = pydantic.Field(0.2, gt=0.0, le=1.0)


class PPO(_StableBaselinesAgent[PPOHyperparameters]):
    """Proximal policy optimisation (stable-baselines3)."""

    name: ClassVar[str] = "ppo"

    def make_model(self, env: gym.Env, horizon: int) -> Any:
        from stable_baselines3 import PPO as SB3PPO

        hp = self.hp
        return SB3PPO(
            "MlpPolicy",
            env,
            learning_rate=hp.learning_rate,
            n_steps=hp.n_steps,
            batch_size=min(hp.batch_size, hp.n_steps),
            n_epochs=hp.n_epochs,
            gamma=hp.gamma,
            clip_range=hp.clip_range,
            ent_coef=hp.ent_coef,
            policy_kwargs={"net_arch": list(hp.net_arch)},
            seed=self.seed,
            device="cpu",
        )


class A2CHyperparameters(_OnPolicyHyperparameters):
    """A2C hyperparameters."""

    n_steps: int = pydantic.Field(8, ge=1, le=100_000, description="steps per update")
    learning_rate: float = pydantic.Field(7e-4, gt=0.0, le=1.0)


class A2C(_StableBaselinesAgent[A2CHyperparameters]):
    """Advantage actor-critic (stable-baselines3)."""

    name: ClassVar[str] = "a2c"

    def make_model(self, env: gym.Env, horizon: int) -> Any:
        from stable_baselines3 import A2C as SB3A2C

        hp = self.hp
        return SB3A2C(
            "MlpPolicy",
            env,
            learning_rate=hp.learning_rate,
            n_steps=hp.n_steps,
            gamma=hp.gamma,
            ent_coef=hp.ent_coef,
            policy_kwargs={"net_arch": list(hp.net_arch)},
            seed=self.seed,
            device="cpu",
        )


class FlatDiscreteActions(gym.ActionWrapper):
    """Turns a MultiDiscrete action space into one Discrete action (mixed radix)."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        assert isinstance(env.action_space, gym.spaces.MultiDiscrete)
        self.nvec = np.asarray(env.action_space.nvec, dtype=np.int64)
        self.action_space = gym.spaces.Discrete(int(np.prod(self.nvec)))

    def action(self, action: Any) -> np.ndarray:
        return np.array(np.unravel_index(int(action), tuple(self.nvec)), dtype=np.int64)


class DQNHyperparameters(_RLHyperparameters):
    """DQN hyperparameters."""

    learning_rate: float = pydantic.Field(1e-3, gt=0.0, le=1.0)
    max_actions: int = pydantic.Field(
        10_000, ge=2, le=1_000_000, description="largest space DQN accepts"
    )
    learning_starts: int = pydantic.Field(32, ge=1, le=1_000_000)
    batch_size: int = pydantic.Field(32, ge=1, le=100_000)
    train_freq: int = pydantic.Field(1, ge=1, le=100_000)
    target_update_interval: int = pydantic.Field(100, ge=1, le=1_000_000)
    exploration_fraction: float = pydantic.Field(
        0.5, gt=0.0, le=1.0, description="share of the budget over which epsilon decays"
    )
    exploration_final_eps: float = pydantic.Field(0.05, ge=0.0, le=1.0)


class DQN(_StableBaselinesAgent[DQNHyperparameters]):
    """Deep Q-network (stable-baselines3) over the whole space as one Discrete action.

    Raises:
        ConfigError: if the space has a real parameter or more than ``max_actions``
            designs (one Q-value per design must fit in the network's output layer).
    """

    name: ClassVar[str] = "dqn"

    def check_space(self, space: DesignSpace) -> None:
        hp = self.hp
        if not space.is_finite:
            raise ConfigError(
                "agent 'dqn' needs a finite space (one Discrete action per design); this "
                "one has real parameters; use 'ppo' or 'a2c'"
            )
        if space.size > hp.max_actions:
            raise ConfigError(
                f"agent 'dqn': the space has {space.size:,.0f} designs, more than "
                f"max_actions={hp.max_actions:,}; raise max_actions or use 'ppo' or 'a2c'"
            )

    def make_env(self, evaluator: Evaluator) -> gym.Env:
        return FlatDiscreteActions(super().make_env(evaluator))

    def make_model(self, env: gym.Env, horizon: int) -> Any:
        from stable_baselines3 import DQN as SB3DQN

        hp = self.hp
        model = SB3DQN(
            "MlpPolicy",
            env,
            learning_rate=hp.learning_rate,
            buffer_size=max(horizon * 2, 1000),
            learning_starts=hp.learning_starts,
            batch_size=hp.batch_size,
            gamma=hp.gamma,
            train_freq=hp.train_freq,
            target_update_interval=hp.target_update_interval,
            exploration_fraction=hp.exploration_fraction,
            exploration_final_eps=hp.exploration_final_eps,
            policy_kwargs={"net_arch": list(hp.net_arch)},
            seed=self.seed,
            device="cpu",
        )
        return model
