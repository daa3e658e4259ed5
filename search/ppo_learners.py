"""Small PPO learners in torch for the ``marl`` agent (see :mod:`dsegym.search.marl`).

Each learner has an actor (categorical heads for a MultiDiscrete action, a Gaussian
on the unit cube for a Box) and a critic, trained with PPO's clipped objective
(Schulman et al., 2017) and generalised advantage estimation. The losses of all
learners are summed and minimised by one Adam optimiser; Adam scales every parameter
on its own, so without shared networks this is exactly independent learners.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Normal

GAE_LAMBDA = 0.95


def _mlp(n_in: int, hidden: list[int]) -> tuple[nn.Module, int]:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(n_in, width), nn.Tanh()]
        n_in = width
    return nn.Sequential(*layers), n_in


class _Learner(nn.Module):
    """One agent's policy and value heads on top of (possibly shared) torsos."""

    def __init__(self, actor: nn.Module, critic: nn.Module, features: int, action_space: gym.Space):
        super().__init__()
        self.actor, self.critic = actor, critic
        self.discrete = isinstance(action_space, gym.spaces.MultiDiscrete)
        if isinstance(action_space, gym.spaces.MultiDiscrete):
            self.nvec = [int(n) for n in np.asarray(action_space.nvec).reshape(-1)]
            self.policy_head = nn.Linear(features, sum(self.nvec))
        else:
            self.dim = int(np.prod(action_space.shape or (1,)))
            self.policy_head = nn.Linear(features, self.dim)
            self.log_std = nn.Parameter(torch.full((self.dim,), -1.0))
        self.value_head = nn.Linear(features, 1)
        nn.init.orthogonal_(self.policy_head.weight, gain=0.01)
        nn.init.zeros_(self.policy_head.bias)

    def distribution(self, x: torch.Tensor) -> list[Any]:
        out = self.policy_head(self.actor(x))
        if self.discrete:
            return [Categorical(logits=chunk) for chunk in torch.split(out, self.nvec, dim=-1)]
        return [Normal(torch.sigmoid(out), self.log_std.exp())]

    def value(self, x: torch.Tensor) -> torch.Tensor:
        return self.value_head(self.critic(x)).squeeze(-1)

    def log_prob_entropy(
        self, x: torch.Tensor, action: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        dists = self.distribution(x)
        if self.discrete:
            logp = sum(d.log_prob(action[:, i]) for i, d in enumerate(dists))
            entropy = sum(d.entropy() for d in dists)
        else:
            logp = dists[0].log_prob(action).sum(-1)
            entropy = dists[0].entropy().sum(-1)
        return torch.as_tensor(logp), torch.as_tensor(entropy)


class Learners:
    """A set of PPO learners acting together on one shared observation.

    Args:
        obs_dim: Size of the (global) observation.
        action_spaces: ``{agent: action space}``.
        hidden: Widths of the actor and critic torsos.
        share: Whether all learners share their torsos (agent id appended to input).
        learning_rate: Adam step size.
    """

    def __init__(
        self,
        obs_dim: int,
        action_spaces: dict[str, gym.Space],
        hidden: list[int],
        share: bool,
        learning_rate: float,
    ):
        self.agents = list(action_spaces)
        self.share = share
        n_in = obs_dim + (len(self.agents) if share else 0)
        shared = (_mlp(n_in, hidden), _mlp(n_in, hidden)) if share else None
        self.learners: dict[str, _Learner] = {}
        for agent, space in action_spaces.items():
            (actor, features), (critic, _) = shared or (_mlp(n_in, hidden), _mlp(n_in, hidden))
            self.learners[agent] = _Learner(actor, critic, features, space)
        params = {id(p): p for m in self.learners.values() for p in m.parameters()}
        self.optimizer = torch.optim.Adam(list(params.values()), lr=learning_rate)
        self._eye = torch.eye(len(self.agents))

    def _inputs(self, agent: str, obs: torch.Tensor) -> torch.Tensor:
        if not self.share:
            return obs
        one_hot = self._eye[self.agents.index(agent)].expand(obs.shape[0], -1)
        return torch.cat([obs, one_hot], dim=-1)

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Samples every agent's action; returns the env actions and what PPO keeps."""
        x = torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0)
        actions, record = {}, {}
        for agent, learner in self.learners.items():
            xi = self._inputs(agent, x)
            dists = learner.distribution(xi)
            if learner.discrete:
                raw = torch.stack([d.sample() for d in dists], dim=-1)
                env_action = raw[0].numpy().astype(np.int64)
            else:
                raw = dists[0].sample()
                env_action = raw[0].clamp(0.0, 1.0).numpy().astype(np.float32)
            logp, _ = learner.log_prob_entropy(xi, raw)
            record[agent] = (raw[0], float(logp[0]), float(learner.value(xi)[0]))
            actions[agent] = env_action
        return actions, record

    def update(self, batch: list[tuple[np.ndarray, dict[str, Any], float, bool]], hp: Any) -> None:
        """Runs PPO epochs on one batch of joint steps."""
        obs = torch.as_tensor(np.stack([b[0] for b in batch]), dtype=torch.float32)
        rewards = np.array([b[2] for b in batch], dtype=np.float64)
        dones = np.array([b[3] for b in batch], dtype=bool)
        data = {}
        for agent in self.agents:
            actions = torch.stack([b[1][agent][0] for b in batch])
            old_logp = torch.tensor([b[1][agent][1] for b in batch], dtype=torch.float32)
            values = np.array([b[1][agent][2] for b in batch], dtype=np.float64)
            advantages = _gae(rewards, values, dones, hp.gamma)
            returns = torch.as_tensor(advantages + values, dtype=torch.float32)
            data[agent] = (
                actions,
                old_logp,
                torch.as_tensor(advantages, dtype=torch.float32),
                returns,
            )
        n = len(batch)
        for _ in range(hp.n_epochs):
            for idx in torch.randperm(n).split(hp.minibatch_size):
                loss = torch.zeros(())
                for agent, learner in self.learners.items():
                    actions, old_logp, adv, ret = (t[idx] for t in data[agent])
                    x = self._inputs(agent, obs[idx])
                    logp, entropy = learner.log_prob_entropy(x, actions)
                    if len(idx) > 1:
                        adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                    ratio = torch.exp(logp - old_logp)
                    clipped = torch.clamp(ratio, 1 - hp.clip_range, 1 + hp.clip_range)
                    policy_loss = -torch.min(ratio * adv, clipped * adv).mean()
                    value_loss = (learner.value(x) - ret).pow(2).mean()
                    loss = loss + policy_loss - hp.ent_coef * entropy.mean()
                    loss = loss + hp.vf_coef * value_loss
                self.optimizer.zero_grad()
                loss.backward()
                for learner in self.learners.values():
                    nn.utils.clip_grad_norm_(list(learner.parameters()), hp.max_grad_norm)
                self.optimizer.step()


def _gae(rewards: np.ndarray, values: np.ndarray, dones: np.ndarray, gamma: float) -> np.ndarray:
    """Generalised advantage estimates; an episode end (or the batch end) is terminal."""
    advantages = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        last = dones[t] or t == len(rewards) - 1
        next_value = 0.0 if last else values[t + 1]
        delta = rewards[t] + gamma * next_value - values[t]
        running = delta + (0.0 if last else gamma * GAE_LAMBDA * running)
        advantages[t] = running
    return advantages
