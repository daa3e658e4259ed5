"""Every registered env id: gymnasium's check_env, a same-seed determinism check, and the
id's version (from the problem's spec) being its cost model's."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from dsegym.costmodels.registry import COST_MODELS, PROBLEMS, get_cost_model_class
from dsegym.envs import ENV_IDS
from dsegym.envs.registration import ANY_PROBLEM_ID
from dsegym.envs.registration import env_id as env_id_of


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_check_env(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)


def _rollout(env_id, seed, steps=6):
    env = gym.make(env_id)
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    trace = [obs]
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        trace += [obs, np.array([reward]), np.array(info["F"])]
    return trace


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_same_seed_same_trajectory(env_id):
    a, b = _rollout(env_id, 7), _rollout(env_id, 7)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_step_info_carries_metrics_and_feasibility():
    env = gym.make("dsegym/ToyAccelerator1obj-v1")
    env.reset(seed=0)
    _, reward, _, _, info = env.step(np.array([4, 4, 0, 4, 7]))  # largest everything
    assert set(info) >= {"metrics", "F", "feasible", "violations", "design"}
    assert info["design"]["pe_rows"] == 64
    assert not info["feasible"] and "area_mm2" in info["violations"][0]
    assert reward == env.unwrapped.reward_fn.infeasible_value


def test_episode_truncates_at_episode_length():
    env = gym.make("dsegym/Zdt1-v1", episode_length=3)
    env.reset(seed=0)
    flags = [env.step(env.action_space.sample())[3] for _ in range(3)]
    assert flags == [False, False, True]


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_spec_names_a_registered_cost_model_and_its_class_version(name):
    spec = PROBLEMS[name]
    assert spec.cost_model in COST_MODELS
    assert str(spec.version) == get_cost_model_class(spec.cost_model).version


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_env_id_carries_its_cost_models_version(env_id):
    env = gym.make(env_id)
    assert env_id.endswith(f"-v{int(env.unwrapped.problem.cost_model.version)}")


def test_env_id_rule():
    assert env_id_of("toy-accelerator") == "dsegym/ToyAccelerator-v1"
    assert env_id_of("dram-target-archgym") == "dsegym/DramTargetArchgym-v1"


def test_make_passes_keyword_arguments_as_problem_parameters():
    env = gym.make("dsegym/Zdt1-v1", n_var=4, episode_length=2)
    assert len(env.unwrapped.problem.space) == 4
    assert env.unwrapped.problem.params == {"n_var": 4}
    env = gym.make(ANY_PROBLEM_ID, problem="dtlz2", n_obj=4)
    assert env.unwrapped.problem.n_objectives == 4
