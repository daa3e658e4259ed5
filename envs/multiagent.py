"""A PettingZoo ParallelEnv over any problem: one agent per parameter group.

As in "Multi-Agent Reinforcement Learning for Microprocessor Design Space Exploration"
(Krishnan et al., 2022), each agent sets only its own parameters (a cost model's
``parameter_groups``, by default one group per parameter), all agents act at once, and
they share the global reward of the joint design. Underneath, the joint action goes
through the single-agent :class:`~dsegym.envs.adapter.ProblemEnv`, so encodings,
rewards, observations and budget handling are the same as for single-agent RL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from pettingzoo import ParallelEnv

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Design
from dsegym.envs.adapter import ProblemEnv, check_action
from dsegym.envs.rewards import Reward
from dsegym.errors import ConfigError


class MultiAgentProblemEnv(ParallelEnv):
    """Turns a problem into a cooperative multi-agent env.

    Agent ``g`` acts on the parameters of group ``g``: a ``MultiDiscrete`` of value
    indices when the whole space is finite, otherwise a ``Box`` over the unit cube of
    its parameters (as :class:`ProblemEnv` does for the whole design). Every agent
    observes the global observation of :class:`ProblemEnv` and receives the same reward.
    Episodes end by truncation after ``episode_length`` steps, or when the evaluator's
    budget is spent.

    Args:
        problem: A Problem, or a registered problem name.
        problem_params: Parameters for a named problem.
        reward: A Reward, a reward name, or ``{"name": ..., **kwargs}``.
        episode_length: Steps per episode.
        evaluate: How designs are costed (the runner's evaluator for agents).
        groups: ``{agent name: [parameter names]}``; default the cost model's
            ``parameter_groups``. Every parameter must be in exactly one group.
    """

    metadata = {"name": "dsegym_multiagent_v0", "render_modes": [], "is_parallelizable": True}

    def __init__(
        self,
        problem: Problem | str,
        problem_params: Mapping[str, Any] | None = None,
        reward: Reward | str | Mapping[str, Any] | None = None,
        episode_length: int = 16,
        evaluate: Callable[[Sequence[Design]], list[Outcome]] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
    ):
        self.problem = (
            make_problem(problem, problem_params) if isinstance(problem, str) else problem
        )
        self._env = ProblemEnv(
            self.problem, reward=reward, episode_length=episode_length, evaluate=evaluate
        )
        space = self.problem.space
        groups = dict(groups if groups is not None else self.problem.cost_model.parameter_groups)
        self.groups = check_groups(groups, space.names)
        position = {name: i for i, name in enumerate(space.names)}
        self._columns = {g: np.array([position[n] for n in ps]) for g, ps in self.groups.items()}
        self.possible_agents = list(self.groups)
        self.agents: list[str] = []
        joint = self._env.action_space
        self._action_spaces: dict[str, gym.Space] = {}
        for g, cols in self._columns.items():
            if isinstance(joint, gym.spaces.MultiDiscrete):
                self._action_spaces[g] = gym.spaces.MultiDiscrete(joint.nvec[cols])
            else:
                self._action_spaces[g] = gym.spaces.Box(0.0, 1.0, (len(cols),), np.float32)
        self._observation_space = self._env.observation_space

    def observation_space(self, agent: str) -> gym.Space:
        return self._observation_space

    def action_space(self, agent: str) -> gym.Space:
        return self._action_spaces[agent]

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        obs, _ = self._env.reset(seed=seed, options=options)
        self.agents = list(self.possible_agents)
        return {a: obs.copy() for a in self.agents}, {a: {} for a in self.agents}

    def joint_action(self, actions: Mapping[str, Any]) -> np.ndarray:
        """Assembles the agents' actions into one action of the underlying env.

        Raises:
            ValueError: for an unknown agent, a missing one, or an action outside its
                agent's action space.
        """
        unknown = [a for a in actions if a not in self._columns]
        if unknown:
            raise ValueError(
                f"actions for unknown agent(s) {unknown}; agents: {self.possible_agents}"
            )
        missing = [g for g in self._columns if g not in actions]
        if missing:
            raise ValueError(f"step needs an action for every agent; missing: {missing}")
        joint_space = self._env.action_space
        assert joint_space.shape is not None  # a MultiDiscrete or Box space
        joint: np.ndarray = np.zeros(joint_space.shape, dtype=joint_space.dtype or np.float64)
        for g, cols in self._columns.items():
            joint[cols] = check_action(self._action_spaces[g], actions[g], f"action of {g!r}")
        return joint

    def step(
        self, actions: Mapping[str, Any]
    ) -> tuple[
        dict[str, np.ndarray],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        obs, reward, terminated, truncated, info = self._env.step(self.joint_action(actions))
        agents = self.agents
        observations = {a: obs.copy() for a in agents}
        rewards = {a: float(reward) for a in agents}
        terminations = {a: bool(terminated) for a in agents}
        truncations = {a: bool(truncated) for a in agents}
        infos = {a: dict(info) for a in agents}
        if terminated or truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        """The global observation (every agent sees the same)."""
        return self._env._obs.copy()

    def close(self) -> None:
        self._env.close()


def check_groups(groups: Mapping[str, Sequence[str]], names: Sequence[str]) -> dict[str, list[str]]:
    """Checks that ``groups`` partition the parameters ``names``.

    Raises:
        ConfigError: naming the parameters left out, repeated or unknown.
    """
    seen: list[str] = [n for ps in groups.values() for n in ps]
    unknown = sorted(set(seen) - set(names))
    repeated = sorted({n for n in seen if seen.count(n) > 1})
    missing = [n for n in names if n not in seen]
    empty = [g for g, ps in groups.items() if not ps]
    if unknown or repeated or missing or empty or not groups:
        raise ConfigError(
            "parameter groups must split the parameters into non-empty groups, each "
            f"parameter in exactly one; unknown: {unknown}, repeated: {repeated}, "
            f"missing: {missing}, empty groups: {empty}; parameters: {', '.join(names)}"
        )
    return {str(g): list(ps) for g, ps in groups.items()}


def parallel_env(problem: Problem | str, **kwargs: Any) -> MultiAgentProblemEnv:
    """PettingZoo-style constructor: ``parallel_env("toy-accelerator")``."""
    return MultiAgentProblemEnv(problem, **kwargs)
