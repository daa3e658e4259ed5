"""Gymnasium (and PettingZoo) adapters over problems; importing registers the envs."""

from dsegym.envs.adapter import ProblemEnv
from dsegym.envs.registration import ENV_IDS, env_id, register_all
from dsegym.envs.rewards import Reward, TargetSpecReward, WeightedSumReward, make_reward

__all__ = [
    "ENV_IDS",
    "ProblemEnv",
    "Reward",
    "TargetSpecReward",
    "WeightedSumReward",
    "env_id",
    "make_reward",
    "register_all",
]
