"""Behaviour of every search agent added by the agents issue, on a mixed test problem."""

from __future__ import annotations

import pytest

from dsegym.errors import ConfigError
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import AGENTS, make_agent_for
from tests.search.agent_test_problems import mixed_problem

# gp and botorch fit a Gaussian process per proposal: they are tested in test_quality (slow).
FAST_AGENTS = [
    "random_walk",
    "tpe",
    "nsga2",
    "nsga3",
    "ga",
    "cmaes",
    "aco",
    "ppo",
    "a2c",
    "dqn",
    "marl",
]
VARIANTS = {
    "mixed-2obj": dict(),
    "numeric-2obj": dict(categorical=False),
    "finite-2obj": dict(real=False),
    "finite-1obj": dict(real=False, n_objectives=1),
}
UNSUPPORTED = {("cmaes", "mixed-2obj"), ("cmaes", "finite-2obj"), ("cmaes", "finite-1obj")}
UNSUPPORTED |= {("dqn", "mixed-2obj"), ("dqn", "numeric-2obj")}


def run_agent(name, problem, budget, seed=0, params=None):
    agent = make_agent_for(name, problem, seed=seed, params=params)
    evaluator = RunEvaluator(problem, budget)
    agent.run(evaluator)
    return evaluator


def test_every_agent_is_registered():
    assert set(FAST_AGENTS) | {"gp", "botorch", "random", "grid"} <= set(AGENTS)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", FAST_AGENTS)
def test_agent_spends_budget_deterministically_inside_the_space(name, variant):
    problem = mixed_problem(**VARIANTS[variant])
    if (name, variant) in UNSUPPORTED:
        with pytest.raises(ConfigError):
            run_agent(name, problem, 24)
        return
    first = run_agent(name, problem, 24, seed=5)
    again = run_agent(name, problem, 24, seed=5)
    assert first.charged == 24
    assert all(problem.space.contains(o.design) for o in first.history)
    assert [o.design for o in first.history] == [o.design for o in again.history]
    # Rejected designs come back as infeasible outcomes. TPE, with the ordinal's order,
    # learns to avoid the small infeasible corner of the finite single-objective space.
    exempt = variant == "numeric-2obj" or (name, variant) == ("tpe", "finite-1obj")
    assert not all(o.feasible for o in first.history) or exempt


@pytest.mark.parametrize("name", ["ga", "aco", "ppo", "marl", "random_walk", "cmaes"])
def test_different_seeds_give_different_proposals(name):
    problem = mixed_problem(categorical=False)
    a = run_agent(name, problem, 16, seed=1)
    b = run_agent(name, problem, 16, seed=2)
    assert [o.design for o in a.history] != [o.design for o in b.history]


def test_cmaes_names_the_categorical_parameter():
    with pytest.raises(ConfigError, match="categorical: c"):
        run_agent("cmaes", mixed_problem(), 8)


def test_dqn_refuses_a_space_too_large_to_flatten():
    with pytest.raises(ConfigError, match="max_actions"):
        run_agent("dqn", mixed_problem(real=False), 8, params={"max_actions": 10})


def test_botorch_without_its_extra_names_the_extra():
    try:
        import botorch  # noqa: F401
        import optuna_integration  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"dsegym\[botorch\]"):
            run_agent("botorch", mixed_problem(), 8)
    else:
        pytest.skip("the BoTorch extra is installed; tested in test_quality")


def test_marl_with_shared_parameters_and_custom_groups_runs():
    problem = mixed_problem()
    groups = {"array": ["i", "o"], "rest": ["c", "x"]}
    ev = run_agent("marl", problem, 40, params={"share_parameters": True, "groups": groups})
    assert ev.charged == 40


def test_marl_rejects_groups_that_miss_a_parameter():
    with pytest.raises(ConfigError, match="missing: \\['x'\\]"):
        run_agent("marl", mixed_problem(), 8, params={"groups": {"a": ["i", "o", "c"]}})


@pytest.mark.parametrize("name", ["ga", "aco"])
def test_depth_and_generations_limit_the_iterations(name):
    params = {"ga": {"population_size": 8, "generations": 2}, "aco": {"ant_count": 8, "depth": 2}}
    ev = run_agent(name, mixed_problem(categorical=False), 100, params=params[name])
    assert ev.proposals == 16


@pytest.mark.parametrize("name", ["ga", "cmaes", "tpe", "nsga2", "de", "discrete_1p1"])
def test_population_agents_spend_the_budget_when_they_revisit_designs(name):
    # 8 x 4 values: a budget of 24 forces the optimiser to revisit known designs. The
    # runner answers them from its cache; the agents keep no outcomes of their own.
    problem = mixed_problem(categorical=False, real=False)
    ev = run_agent(name, problem, 24)
    assert ev.charged == 24, ev.stop_reason


@pytest.mark.parametrize("name", ["ppo", "marl"])
def test_rl_agents_take_an_envs_reward_spec(name):
    problem = mixed_problem()
    reward = {"name": "target_spec", "targets": {"f1": 0.5}}
    ev = run_agent(name, problem, 20, params={"reward": reward})
    assert ev.charged == 20


def test_rl_agents_reject_an_unknown_reward():
    with pytest.raises(ConfigError, match="unknown reward"):
        run_agent("ppo", mixed_problem(), 20, params={"reward": "speed"})
