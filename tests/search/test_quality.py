"""Search quality against known answers (floors a little below what the agents reach).

The figures behind the floors come from experiments/benchmarks/agent_quality.py.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from dsegym.costmodels.registry import make_problem
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.pareto import Normaliser, hypervolume, nondominated
from dsegym.search.registry import make_agent_for


def run(problem_name, params, agent_name, budget, seed=0, agent_params=None):
    problem = make_problem(problem_name, params)
    agent = make_agent_for(agent_name, problem, seed=seed, params=agent_params)
    evaluator = RunEvaluator(problem, budget)
    agent.run(evaluator)
    F = np.array([o.F for o in evaluator.history if o.feasible]).reshape(-1, problem.n_objectives)
    return problem, F


def hv_ratio(problem, F):
    norm = (
        Normaliser.identity(problem.reference_point)
        if problem.reference_point is not None
        else Normaliser.from_points(problem.known_front)
    )
    ref = norm.reference_point
    return hypervolume(norm(nondominated(F)), ref) / hypervolume(norm(problem.known_front), ref)


def best_ratio(problem, F):
    return float(F[:, 0].min()) / float(problem.known_front[0, 0])


def median_best(problem_name, agent_name, budget, seeds=range(5), params=None):
    ratios = []
    for seed in seeds:
        problem, F = run(problem_name, params or {}, agent_name, budget, seed=seed)
        ratios.append(best_ratio(problem, F))
    return statistics.median(ratios)


# ------------------------------------------------------------------ default run
@pytest.mark.parametrize(
    "agent, floor", [("nsga2", 0.99), ("ga", 0.98), ("aco", 0.99), ("random_walk", 0.98)]
)
def test_toy_accelerator_front_after_200_evaluations(agent, floor):
    problem, F = run("toy-accelerator", {}, agent, 200)
    assert hv_ratio(problem, F) >= floor


@pytest.mark.parametrize("agent", ["ga", "aco", "nsga2"])
def test_evolutionary_and_ant_agents_beat_random_on_separable_discrete(agent):
    random_median = median_best("separable-discrete", "random", 300)
    assert median_best("separable-discrete", agent, 300) < random_median


def test_cmaes_beats_random_on_the_numeric_separable_problem():
    params = {"categorical": False}
    random_median = median_best("separable-discrete", "random", 300, params=params)
    assert median_best("separable-discrete", "cmaes", 300, params=params) < random_median


def test_nsga2_on_zdt1_improves_on_random_at_1000():
    problem, F = run("zdt1", {"n_var": 30}, "nsga2", 1000)
    _, F_random = run("zdt1", {"n_var": 30}, "random", 1000)
    assert np.min(F[:, 1]) < np.min(F_random[:, 1])


# ------------------------------------------------------------------ slow: the targets
@pytest.mark.slow
def test_nsga2_reaches_095_on_zdt1_within_10000():
    problem, F = run("zdt1", {"n_var": 30}, "nsga2", 10_000)
    assert hv_ratio(problem, F) >= 0.95


@pytest.mark.slow
def test_nsga3_reaches_090_on_dtlz2_within_10000():
    problem, F = run("dtlz2", {"n_obj": 3}, "nsga3", 10_000)
    assert hv_ratio(problem, F) >= 0.90


@pytest.mark.slow
@pytest.mark.parametrize("agent", ["ppo", "marl"])
def test_rl_agents_beat_random_on_separable_discrete_at_1000(agent):
    # Three seeds keep this under a minute; the benchmark uses five.
    seeds = range(3)
    random_median = median_best("separable-discrete", "random", 1000, seeds=seeds)
    assert median_best("separable-discrete", agent, 1000, seeds=seeds) < random_median


@pytest.mark.slow
def test_gp_finds_a_good_toy_front_with_few_evaluations():
    problem, F = run("toy-accelerator", {}, "gp", 30)
    assert hv_ratio(problem, F) >= 0.95


@pytest.mark.slow
def test_botorch_runs_with_constraints_when_installed():
    pytest.importorskip("botorch")
    pytest.importorskip("optuna_integration")
    problem, F = run("toy-accelerator-1obj", {}, "botorch", 13)
    assert len(F) > 0 and best_ratio(problem, F) < 1.5
