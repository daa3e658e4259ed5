import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.envs.rewards import (
    HypervolumeGainReward,
    TargetSpecReward,
    WeightedSumReward,
    make_reward,
)
from dsegym.errors import ConfigError


def test_weighted_sum_front_normalisation_is_zero_at_the_ideal_corner():
    p = make_problem("zdt1", {"n_var": 4})
    r = WeightedSumReward(p)
    at_start = p.evaluate({"x1": 0.0, "x2": 0.0, "x3": 0.0, "x4": 0.0})  # F = (0, 1)
    # (0 - 0)/1 * 0.5 + (1 - 0)/1 * 0.5
    assert r(at_start) == pytest.approx(-0.5)
    worse = p.evaluate({"x1": 0.0, "x2": 1.0, "x3": 1.0, "x4": 1.0})
    assert r(worse) < r(at_start)


def test_weighted_sum_log_normalisation_for_problems_without_front(picky_problem):
    r = make_reward(picky_problem, {"name": "weighted_sum", "weights": [1.0, 0.0]})
    o = picky_problem.evaluate({"width": 3, "kind": "a", "knob": 1.0})
    assert r(o) == pytest.approx(-np.log1p(1.0))
    rejected = picky_problem.evaluate({"width": 8, "kind": "a", "knob": 1.0})
    assert r(rejected) == r.infeasible_value == -100.0


def test_target_spec_reward_is_zero_when_targets_met(picky_problem):
    r = TargetSpecReward(picky_problem, {"cost": 1.0, "size": {"target": 4.0, "sense": "min"}})
    met = picky_problem.evaluate({"width": 3, "kind": "a", "knob": 0.5})  # cost .5, size 3.5
    assert r(met) == 0.0
    missed = picky_problem.evaluate({"width": 5, "kind": "a", "knob": 0.0})  # cost 4, size 6
    assert r(missed) == pytest.approx(-((4 - 1) / 1 + (6 - 4) / 4) / 2)
    assert r.range == (-np.inf, 0.0)


def test_reward_errors(picky_problem):
    with pytest.raises(ConfigError, match="unknown reward 'hv'; allowed"):
        make_reward(picky_problem, "hv")
    with pytest.raises(ConfigError, match="unknown metric 'speed'"):
        TargetSpecReward(picky_problem, {"speed": 1.0})
    with pytest.raises(ConfigError, match="no known front"):
        WeightedSumReward(picky_problem, normalisation="front")


def test_hypervolume_gain_rewards_only_new_ground():
    p = make_problem("zdt1", {"n_var": 2})
    r = HypervolumeGainReward(p)
    first = p.evaluate({"x1": 0.25, "x2": 0.0})  # on the front: F = (0.25, 0.5)
    gain = r(first)
    # Normalised by the front's ideal (0, 0) and nadir (1, 1): box to (1.1, 1.1).
    assert gain == pytest.approx((1.1 - 0.25) * (1.1 - 0.5))
    assert r(first) == 0.0  # the same point again adds nothing
    dominated = p.evaluate({"x1": 0.25, "x2": 1.0})
    assert r(dominated) == 0.0
    assert r.range == (0.0, pytest.approx(1.21))
    with pytest.raises(ConfigError, match="give 'ideal' and 'nadir'"):
        make_reward(make_problem("synthetic"), "hypervolume_gain")


def test_front_normalisation_of_a_single_optimum_is_relative():
    p = make_problem("toy-accelerator-1obj")
    r = WeightedSumReward(p)
    best = p.known_front[0, 0]
    designs = list(p.space.enumerate())
    outcomes = [p.evaluate(d) for d in designs[:200]]
    for o in outcomes:
        if o.feasible:
            assert r(o) == pytest.approx(-(o.F[0] - best) / best)
            assert r(o) > r.infeasible_value  # never worse than an infeasible design


def test_observed_range_is_a_regular_reward(picky_problem):
    from dsegym.envs.rewards import REWARDS, ObservedRangeReward
    from dsegym.search.rl_support import make_agent_reward

    assert REWARDS["observed_range"] is ObservedRangeReward
    by_name = make_reward(picky_problem, {"name": "observed_range", "infeasible_value": -3.0})
    assert isinstance(by_name, ObservedRangeReward) and by_name.infeasible_value == -3.0
    # The RL agents' default, and any other name they are given, go through REWARDS.
    assert isinstance(make_agent_reward(picky_problem, None), ObservedRangeReward)
    assert isinstance(make_agent_reward(picky_problem, "weighted_sum"), WeightedSumReward)
