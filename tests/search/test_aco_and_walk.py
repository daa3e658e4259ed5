"""Ant colony update rules and random-walk moves."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.experiments.runner import RunEvaluator
from dsegym.search.aco import DEPOSIT, AntColony
from dsegym.search.random_walk import RandomWalk
from dsegym.testing.problems import mixed_problem


def colony(**hp):
    p = mixed_problem(n_objectives=1)
    return p, AntColony(p.space, n_objectives=1, n_constraints=1, seed=0, hyperparameters=hp)


def test_one_pheromone_entry_per_value_and_bins_for_reals():
    _, aco = colony(real_bins=5)
    assert [len(t) for t in aco.pheromone] == [8, 4, 3, 5]


def test_local_update_pulls_chosen_values_back_to_the_start_level():
    _, aco = colony(ant_count=1, decay=0.5, pheromone_start=0.1)
    for tau in aco.pheromone:
        tau[:] = 1.0
    aco.ask(1)
    chosen = aco._ants[0]
    for tau, i in zip(aco.pheromone, chosen, strict=True):
        assert tau[i] == pytest.approx(0.55)
        assert np.sum(tau == 1.0) == len(tau) - 1


def test_global_update_deposits_on_the_best_design():
    p, aco = colony(ant_count=4, evaporation=0.5, decay=0.0)
    designs = aco.ask(4)
    outcomes = [p.evaluate(d) for d in designs]
    aco.tell(outcomes)
    fitness = [aco.scalariser.fitness(o) for o in outcomes]
    best = aco._archive[0][0] if aco._archive else None
    assert best is not None
    assert p.evaluate(designs[int(np.argmin(fitness))]).F[0] == pytest.approx(
        aco._archive[0][1].F[0]
    )
    for tau, i in zip(aco.pheromone, best, strict=True):
        assert tau[i] == pytest.approx(0.5 * 0.1 + 0.5 * DEPOSIT)


def test_full_greediness_follows_the_strongest_trail():
    _, aco = colony(greediness=1.0, decay=0.0)
    for tau in aco.pheromone:
        tau[-1] = 5.0
    design = aco.ask(1)[0]
    assert (design["i"], design["o"], design["c"]) == (7, 8, "c")
    assert design["x"] >= 1 - 1 / 16


def test_aco_concentrates_on_good_designs():
    p = mixed_problem(n_objectives=1, real=False)
    aco = AntColony(p.space, n_objectives=1, n_constraints=1, seed=0)
    ev = RunEvaluator(p, 90)
    aco.run(ev)
    # f1 = i / 7 + offset(c): the best design has i = 0 and c = "a".
    assert max(aco.pheromone[0]) == aco.pheromone[0][0]
    assert max(aco.pheromone[2]) == aco.pheromone[2][0]


@pytest.mark.parametrize("n_changes", [1, 2])
def test_random_walk_changes_n_parameters_per_step(n_changes):
    p = mixed_problem()
    walk = RandomWalk(p.space, n_objectives=2, seed=3, hyperparameters={"n_changes": n_changes})
    designs = walk.ask(200)
    for a, b in zip(designs, designs[1:], strict=False):
        changed = [k for k in a if a[k] != b[k]]
        assert 1 <= len(changed) <= n_changes
        assert p.space.contains(b)
    for a, b in zip(designs, designs[1:], strict=False):
        if a["i"] != b["i"]:
            assert abs(a["i"] - b["i"]) == 1  # integers move to a neighbouring value


def test_random_walk_restart_prob_one_is_independent_sampling():
    p = mixed_problem()
    walk = RandomWalk(p.space, n_objectives=2, seed=3, hyperparameters={"restart_prob": 1.0})
    designs = walk.ask(50)
    assert sum(a["x"] != b["x"] for a, b in zip(designs, designs[1:], strict=False)) == 49
