import math

import numpy as np
import pytest

from dsegym.costmodels import Constraint, Objective, Problem, make_problem
from dsegym.errors import ConfigError, UnknownNameError


def test_feasible_outcome_has_F_and_G(picky_problem):
    o = picky_problem.evaluate({"width": 3, "kind": "a", "knob": 0.5})
    assert o.feasible
    np.testing.assert_allclose(o.F, [0.5, 3.5])
    np.testing.assert_allclose(o.G, [3.5 - 6.0])
    assert o.violation == 0.0


def test_spec_violation_is_infeasible_with_reason(picky_problem):
    o = picky_problem.evaluate({"width": 6, "kind": "a", "knob": 0.0})
    assert not o.feasible and o.evaluation.feasible
    assert o.violation == pytest.approx(1.0)
    assert "spec not met: size <= 6.0 (got 7)" in o.reasons[0]


def test_model_rejection_is_an_infeasible_outcome_not_an_exception(picky_problem):
    o = picky_problem.evaluate({"width": 8, "kind": "b", "knob": 0.1})
    assert not o.feasible and math.isinf(o.violation)
    assert np.isinf(o.F).all()
    assert "does not fit" in o.reasons[0]


def test_design_outside_space_is_infeasible(picky_problem):
    o = picky_problem.evaluate({"width": 99, "kind": "z"})
    assert not o.feasible
    assert any("missing parameter(s): knob" in r for r in o.reasons)


def test_batch_matches_single(picky_problem, rng):
    designs = picky_problem.space.sample_many(rng, 40)
    batch = picky_problem.evaluate_batch(designs)
    for d, o in zip(designs, batch, strict=True):
        single = picky_problem.evaluate(d)
        np.testing.assert_array_equal(single.F, o.F)
        assert single.feasible == o.feasible


def test_max_objective_is_negated(picky_problem):
    p = Problem("m", picky_problem.cost_model, [Objective("size", "max")])
    o = p.evaluate({"width": 3, "kind": "a", "knob": 0.0})
    assert o.F[0] == -4.0


def test_unknown_metric_is_a_config_error(picky_problem):
    with pytest.raises(ConfigError, match="unknown metric 'speed'; allowed: cost, size"):
        Problem("m", picky_problem.cost_model, [Objective("speed")])
    with pytest.raises(ConfigError):
        Constraint("cost")


def test_registry_errors_name_field_and_allowed_values():
    with pytest.raises(UnknownNameError, match="allowed: .*zdt1"):
        make_problem("zdt9")
    with pytest.raises(ConfigError, match=r"n_var: Input should be greater than or equal to 2"):
        make_problem("zdt1", {"n_var": 1})
    with pytest.raises(ConfigError, match="nvar: unknown key"):
        make_problem("zdt1", {"nvar": 3})
    with pytest.raises(ConfigError, match="objectives"):
        make_problem("toy-accelerator", {"objectives": ["speed"]})
