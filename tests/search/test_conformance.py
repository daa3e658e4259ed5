"""Every registered agent, on every kind of space: budget, determinism, membership,
infeasible designs, seeds, revisits. New agents in ``AGENTS`` are picked up
automatically; agent-specific options are checked at the end of this file."""

import functools

import pytest

from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search import AGENTS
from dsegym.search.agent import Hyperparameters
from dsegym.search.registry import get_agent_class, make_agent_for
from dsegym.testing import agent_check_problems, check_agent, mixed_problem

BUDGET = 24

# Model-based samplers cost about a second per proposal on CPU (the GP sampler, BoTorch,
# SMAC's forest and acquisition search): their cases run in the slow pass.
SLOW_AGENTS = {"gp", "botorch", "smac"}
AGENT_PARAMS = [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW_AGENTS else name
    for name in sorted(AGENTS)
]


def _run(agent_name, problem, seed=0, budget=BUDGET, params=None):
    try:
        agent = make_agent_for(agent_name, problem, seed=seed, params=params)
    except ConfigError as exc:  # the agent declares this kind of space unsupported
        pytest.skip(f"{agent_name} does not support this space: {exc}")
    evaluator = RunEvaluator(problem, budget)
    agent.run(evaluator)
    return evaluator


KINDS = list(agent_check_problems())
_problems = functools.cache(agent_check_problems)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("agent_name", AGENT_PARAMS)
def test_agent_conformance(agent_name, kind):
    # The rules of dsegym.testing.check_agent: exact budget, designs in the space, same
    # seed same proposals, no draw from the global random state, rejections survived.
    problem = _problems()[kind]
    skipped = check_agent(get_agent_class(agent_name), problems={kind: problem}, budget=BUDGET)
    if skipped:
        pytest.skip(f"{agent_name} does not support this space: {skipped[kind]}")


@pytest.mark.parametrize("agent_name", sorted(AGENTS))
def test_hyperparameters_derive_from_the_base_and_forbid_unknown_keys(agent_name):
    cls = get_agent_class(agent_name)
    assert issubclass(cls.Hyperparameters, Hyperparameters)
    with pytest.raises(ConfigError, match="not_a_hyperparameter"):
        make_agent_for(agent_name, mixed_problem(), params={"not_a_hyperparameter": 1})


# Agents whose proposals depend on the seed within 16 evaluations (grid search's
# lexicographic order and the model-based samplers' start-up designs aside).
@pytest.mark.parametrize("agent_name", ["ga", "aco", "ppo", "marl", "random_walk", "cmaes"])
def test_different_seeds_give_different_proposals(agent_name):
    problem = mixed_problem(categorical=False)
    a = _run(agent_name, problem, seed=1, budget=16)
    b = _run(agent_name, problem, seed=2, budget=16)
    assert [o.design for o in a.history] != [o.design for o in b.history]


@pytest.mark.parametrize("agent_name", ["ga", "cmaes", "tpe", "nsga2", "de", "discrete_1p1"])
def test_population_agents_spend_the_budget_when_they_revisit_designs(agent_name):
    # 8 x 4 values: a budget of 24 forces the optimiser to revisit known designs. The
    # runner answers them from its cache; the agents keep no outcomes of their own.
    problem = mixed_problem(categorical=False, real=False)
    ev = _run(agent_name, problem)
    assert ev.charged == BUDGET, ev.stop_reason


# ------------------------------------------------------------- agent-specific options
def _run_or_raise(agent_name, problem, budget, params=None):
    agent = make_agent_for(agent_name, problem, params=params)
    evaluator = RunEvaluator(problem, budget)
    agent.run(evaluator)
    return evaluator


def test_cmaes_names_the_categorical_parameter():
    with pytest.raises(ConfigError, match="categorical: c"):
        _run_or_raise("cmaes", mixed_problem(), 8)


def test_dqn_refuses_a_space_too_large_to_flatten():
    with pytest.raises(ConfigError, match="max_actions"):
        _run_or_raise("dqn", mixed_problem(real=False), 8, params={"max_actions": 10})


def test_botorch_without_its_extra_names_the_extra():
    try:
        import botorch  # noqa: F401
        import optuna_integration  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"dsegym\[botorch\]"):
            _run_or_raise("botorch", mixed_problem(), 8)
    else:
        pytest.skip("the BoTorch extra is installed; tested in test_quality")


def test_marl_with_shared_parameters_and_custom_groups_runs():
    groups = {"array": ["i", "o"], "rest": ["c", "x"]}
    params = {"share_parameters": True, "groups": groups}
    assert _run_or_raise("marl", mixed_problem(), 40, params=params).charged == 40


def test_marl_rejects_groups_that_miss_a_parameter():
    with pytest.raises(ConfigError, match="missing: \\['x'\\]"):
        _run_or_raise("marl", mixed_problem(), 8, params={"groups": {"a": ["i", "o", "c"]}})


@pytest.mark.parametrize("agent_name", ["ga", "aco"])
def test_depth_and_generations_limit_the_iterations(agent_name):
    params = {"ga": {"population_size": 8, "generations": 2}, "aco": {"ant_count": 8, "depth": 2}}
    problem = mixed_problem(categorical=False)
    assert _run_or_raise(agent_name, problem, 100, params=params[agent_name]).proposals == 16


@pytest.mark.parametrize("agent_name", ["ppo", "marl"])
def test_rl_agents_take_an_envs_reward_spec(agent_name):
    reward = {"name": "target_spec", "targets": {"f1": 0.5}}
    assert _run_or_raise(agent_name, mixed_problem(), 20, params={"reward": reward}).charged == 20


def test_rl_agents_reject_an_unknown_reward():
    with pytest.raises(ConfigError, match="unknown reward"):
        _run_or_raise("ppo", mixed_problem(), 20, params={"reward": "speed"})
