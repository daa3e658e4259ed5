"""Env actions outside the action space (issue 9): a clear ValueError, the same way for
every env; unknown agents in a multi-agent action are an error."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from dsegym.envs.adapter import ProblemEnv
from dsegym.envs.multiagent import MultiAgentProblemEnv

FINITE, REAL = "toy-accelerator", "zdt1"


def _env(name):
    env = ProblemEnv(name, {"n_var": 3} if name == REAL else None)
    env.reset(seed=0)
    return env


@pytest.mark.parametrize("name", [FINITE, REAL])
def test_valid_actions_step(name):
    env = _env(name)
    for _ in range(5):
        env.step(env.action_space.sample())


@pytest.mark.parametrize(
    ("name", "action", "message"),
    [
        (FINITE, [0, 0, 0, 0], "has 4 values"),
        (FINITE, [0, 0, 0, 0, 0, 0], "has 6 values"),
        (FINITE, [0, 0, 9, 0, 0], r"action\[2\] = 9 is not an integer in \[0, 2\]"),
        (FINITE, [0, -1, 0, 0, 0], r"action\[1\] = -1"),
        (FINITE, [0.5, 0, 0, 0, 0], r"action\[0\] = 0.5 is not an integer"),
        (FINITE, [np.nan, 0, 0, 0, 0], "NaN or infinite"),
        (FINITE, "abc", "expected numbers"),
        (REAL, [0.5, 0.5], "has 2 values"),
        (REAL, [0.5, 1.5, 0.5], r"action\[1\] = 1.5 is outside \[0, 1\]"),
        (REAL, [0.5, -0.1, 0.5], r"action\[1\] = -0.1 is outside"),
        (REAL, [0.5, np.inf, 0.5], "NaN or infinite"),
        (REAL, None, "expected numbers|has 1 values"),
    ],
)
def test_bad_actions_raise_value_error(name, action, message):
    env = _env(name)
    with pytest.raises(ValueError, match=message):
        env.step(action)


def test_float32_rounding_at_a_box_bound_is_accepted():
    env = _env(REAL)
    env.step(np.array([1.0 + 1e-7, 0.0 - 1e-7, 0.5]))


def test_multiagent_rejects_unknown_missing_and_bad_actions():
    env = MultiAgentProblemEnv(FINITE)
    env.reset(seed=0)
    good = {a: env.action_space(a).sample() for a in env.agents}
    with pytest.raises(ValueError, match=r"unknown agent\(s\) \['intruder'\]"):
        env.step({**good, "intruder": np.array([0])})
    missing = dict(good)
    missing.pop(env.agents[0])
    with pytest.raises(ValueError, match="missing"):
        env.step(missing)
    bad = {**good, env.agents[0]: np.full(env.action_space(env.agents[0]).shape, 99)}
    with pytest.raises(ValueError, match=f"action of '{env.agents[0]}'"):
        env.step(bad)
    env.step(good)


def test_multiagent_real_space_rejects_out_of_box_actions():
    env = MultiAgentProblemEnv(REAL, problem_params={"n_var": 3})
    env.reset(seed=0)
    actions = {a: env.action_space(a).sample() for a in env.agents}
    actions[env.agents[-1]] = np.full(env.action_space(env.agents[-1]).shape, np.nan)
    with pytest.raises(ValueError, match="NaN or infinite"):
        env.step(actions)


def test_registered_envs_reject_the_same_way():
    env = gym.make("dsegym/ToyAccelerator-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="has 2 values"):
        env.step([0, 0])
