"""The PettingZoo adapter: API and seed tests, groups, shared reward, joint designs."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces
from pettingzoo.test import parallel_api_test, parallel_seed_test

from dsegym.costmodels.registry import make_problem
from dsegym.envs.multiagent import MultiAgentProblemEnv, check_groups, parallel_env
from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator

GROUPS = {"array": ["pe_rows", "pe_cols", "dataflow"], "memory": ["buffer_kib", "bandwidth_gbps"]}
CASES = {
    "finite": ("toy-accelerator", {}),
    "real": ("zdt1", {"problem_params": {"n_var": 4}}),
    "grouped": (
        "toy-accelerator-1obj",
        {
            "groups": {
                "array": ["pe_rows", "pe_cols", "dataflow"],
                "memory": ["buffer_kib", "bandwidth_gbps"],
            }
        },
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_parallel_api_test_passes(case):
    problem, kwargs = CASES[case]
    parallel_api_test(parallel_env(problem, **kwargs), num_cycles=40)


@pytest.mark.parametrize("case", CASES)
def test_parallel_seed_test_passes(case):
    problem, kwargs = CASES[case]
    parallel_seed_test(lambda: parallel_env(problem, **kwargs), num_cycles=40)


def test_one_agent_per_parameter_by_default():
    env = parallel_env("toy-accelerator")
    assert env.possible_agents == env.problem.space.names
    assert env.action_space("dataflow") == spaces.MultiDiscrete([3])


def test_real_spaces_give_box_actions():
    env = parallel_env("zdt1", problem_params={"n_var": 3})
    assert isinstance(env.action_space("x1"), spaces.Box)


def test_joint_action_costs_the_design_the_agents_chose_and_shares_the_reward():
    groups = {
        "array": ["pe_rows", "pe_cols", "dataflow"],
        "memory": ["buffer_kib", "bandwidth_gbps"],
    }
    env = parallel_env("toy-accelerator", groups=groups, reward={"name": "weighted_sum"})
    env.reset(seed=0)
    actions = {"array": np.array([4, 4, 1]), "memory": np.array([0, 7])}
    _, rewards, _, _, infos = env.step(actions)
    expected = {
        "pe_rows": 64,
        "pe_cols": 64,
        "dataflow": "os",
        "buffer_kib": 16,
        "bandwidth_gbps": 64,
    }
    assert infos["array"]["design"] == expected
    assert rewards["array"] == rewards["memory"]
    metrics = env.problem.evaluate(expected).evaluation.metrics
    assert infos["memory"]["metrics"]["latency_cycles"] == metrics["latency_cycles"]


def test_episode_ends_when_the_budget_is_spent():
    problem = make_problem("toy-accelerator", {})
    evaluator = RunEvaluator(problem, 3)
    env = MultiAgentProblemEnv(problem, evaluate=evaluator, episode_length=100)
    env.reset(seed=0)
    steps = 0
    while env.agents:
        env.step({a: env.action_space(a).sample() for a in env.agents})
        steps += 1
    assert evaluator.charged <= 3 and steps <= evaluator.proposals + 1


@pytest.mark.parametrize(
    "groups, message",
    [
        ({"a": ["x", "y"]}, "missing: \\['z'\\]"),
        ({"a": ["x", "y", "z", "x"]}, "repeated: \\['x'\\]"),
        ({"a": ["x", "y", "z", "w"]}, "unknown: \\['w'\\]"),
        ({"a": ["x", "y", "z"], "b": []}, "empty groups: \\['b'\\]"),
    ],
)
def test_bad_groups_are_config_errors(groups, message):
    with pytest.raises(ConfigError, match=message):
        check_groups(groups, ["x", "y", "z"])
