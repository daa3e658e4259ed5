"""Multi-agent RL: independent PPO learners, one per parameter group (``marl``).

The learners act together in :class:`~dsegym.envs.multiagent.MultiAgentProblemEnv`
and share its global reward, as in Krishnan et al.'s MARL formulation for DRAM
controller design. The PPO here is small and written in torch because
stable-baselines3 owns its environment loop: it cannot step several learners in
lock-step through one shared parallel env, and SuperSuit's vectorisation of PettingZoo
envs only gives *one* shared policy with identical action spaces, not independent
learners over heterogeneous parameter groups.

With ``share_parameters`` the learners share their actor and critic networks (the
observation is extended with a one-hot agent id) and keep only their output layers,
which differ because each group has its own action space.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pydantic

from dsegym.costmodels.space import DesignSpace
from dsegym.errors import ConfigError
from dsegym.search.agent import Agent, Evaluator, Hyperparameters
from dsegym.search.rl_support import make_agent_reward, seed_everything


class MultiAgentPPOHyperparameters(Hyperparameters):
    """MARL hyperparameters."""

    share_parameters: bool = False
    groups: dict[str, list[str]] | None = pydantic.Field(
        None, description="{agent: [parameters]}; None: the cost model's parameter groups"
    )
    learning_rate: float = pydantic.Field(1e-3, gt=0.0, le=1.0)
    n_steps: int = pydantic.Field(32, ge=1, le=100_000, description="steps per update")
    n_epochs: int = pydantic.Field(4, ge=1, le=1000)
    minibatch_size: int = pydantic.Field(32, ge=1, le=100_000)
    clip_range: float = pydantic.Field(0.2, gt=0.0, le=1.0)
    ent_coef: float = pydantic.Field(0.01, ge=0.0, le=1.0)
    vf_coef: float = pydantic.Field(0.5, ge=0.0, le=10.0)
    max_grad_norm: float = pydantic.Field(0.5, gt=0.0, le=100.0)
    gamma: float = pydantic.Field(
        0.0, ge=0.0, le=1.0, description="discount (truncations are treated as ends)"
    )
    hidden: list[int] = pydantic.Field([64], description="hidden layer widths")
    episode_length: int = pydantic.Field(16, ge=1, le=100_000)
    reward: str | dict[str, Any] | None = pydantic.Field(
        None, description="None: minus the scalarised objectives over their observed range"
    )


class MultiAgentPPO(Agent[MultiAgentPPOHyperparameters]):
    """Independent PPO learners (optionally with shared networks) over parameter groups."""

    name: ClassVar[str] = "marl"

    def __init__(self, space: DesignSpace, **kwargs: Any):
        super().__init__(space, **kwargs)
        try:
            import pettingzoo  # noqa: F401
            import torch  # noqa: F401
        except ImportError:
            raise ConfigError("agent 'marl' needs torch and pettingzoo; install 'dsegym[rl]'")

    def run(self, evaluator: Evaluator) -> None:
        from dsegym.envs.multiagent import MultiAgentProblemEnv
        from dsegym.search.ppo_learners import Learners

        hp = self.hp
        seed_everything(self.seed)
        problem = evaluator.problem
        env = MultiAgentProblemEnv(
            problem,
            reward=make_agent_reward(problem, hp.reward),
            episode_length=hp.episode_length,
            evaluate=evaluator,
            groups=hp.groups,
        )
        agents = list(env.possible_agents)
        obs_space = env.observation_space(agents[0])
        assert isinstance(obs_space, gym.spaces.Box)
        learners = Learners(
            int(obs_space.shape[0]),
            {a: env.action_space(a) for a in agents},
            hidden=list(hp.hidden),
            share=hp.share_parameters,
            learning_rate=hp.learning_rate,
        )
        obs, _ = env.reset(seed=self.seed)
        while not evaluator.exhausted:
            batch: list[tuple[np.ndarray, dict[str, Any], float, bool]] = []
            while len(batch) < hp.n_steps and not evaluator.exhausted:
                current = obs[agents[0]]
                actions, record = learners.act(current)
                obs, rewards, terms, truncs, infos = env.step(actions)
                if any(i.get("budget_exhausted") for i in infos.values()):
                    break
                batch.append((current, record, rewards[agents[0]], not env.agents))
                if not env.agents:
                    obs, _ = env.reset()
            if batch:
                learners.update(batch, hp)
