"""Deb's rules and the Chebyshev scalarisation used by single-objective agents."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels.base import Evaluation
from dsegym.costmodels.scalarise import REJECTED_FITNESS, VIOLATED_OFFSET, Scalariser
from dsegym.testing.problems import mixed_problem


def outcome(problem, **design):
    base = {"i": 0, "o": 1, "c": "a", "x": 0.5}
    return problem.evaluate({**base, **design})


def test_feasible_beats_violating_beats_rejected():
    p = mixed_problem()
    s = Scalariser(2, np.random.default_rng(0))
    feasible = outcome(p, i=3)
    violating = outcome(p, i=7, o=8)  # load 15 > 12
    worse_violating = outcome(p, i=7, o=8, x=0.1)  # same load: same violation
    rejected = outcome(p, i=7, c="c")
    assert not violating.feasible and violating.evaluation.feasible
    assert not rejected.evaluation.feasible
    s.observe([feasible, violating, rejected])
    f = s.fitness(feasible)
    assert f < VIOLATED_OFFSET <= s.fitness(violating) < REJECTED_FITNESS
    assert s.fitness(violating) == pytest.approx(VIOLATED_OFFSET + 3.0)
    assert s.fitness(worse_violating) == s.fitness(violating)
    assert s.fitness(rejected) == REJECTED_FITNESS


def test_chebyshev_on_normalised_objectives():
    p = mixed_problem()
    s = Scalariser(2, np.random.default_rng(0))
    a, b = outcome(p, i=0, x=0.0), outcome(p, i=7, x=1.0)
    s.observe([a, b])
    s.weights = np.array([1.0, 0.0])
    assert s.fitness(a) == pytest.approx(0.0)  # a has the smallest f1
    assert s.fitness(b) == pytest.approx(1.0 + 0.05)
    s.weights = np.array([0.0, 1.0])
    assert s.fitness(b) < s.fitness(a)


def test_new_weights_lie_on_the_simplex_and_one_objective_keeps_one():
    s = Scalariser(3, np.random.default_rng(1))
    w = s.new_weights()
    assert w.shape == (3,) and w.sum() == pytest.approx(1.0) and (w >= 0).all()
    assert Scalariser(1, np.random.default_rng(1)).new_weights().tolist() == [1.0]


def test_rejected_outcome_with_reasons_is_worst():
    p = mixed_problem()
    rejected = p.outcome({"i": 0, "o": 1, "c": "a", "x": 0.5}, Evaluation.infeasible("no"))
    assert Scalariser(2, np.random.default_rng(0)).fitness(rejected) == REJECTED_FITNESS
