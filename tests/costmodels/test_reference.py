import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.costmodels.registry import PROBLEMS
from dsegym.pareto import nondominated


@pytest.mark.parametrize("name", ["zdt1", "zdt2", "zdt3", "zdt4", "zdt6"])
def test_zdt_front_is_nondominated_and_on_the_reference_box(name):
    p = make_problem(name)
    front = p.known_front
    assert front.shape[1] == 2 and len(front) >= 90
    assert len(nondominated(front)) == len(np.unique(front, axis=0))
    assert (front <= p.reference_point).all()


def test_zdt1_optimal_designs_lie_on_the_analytic_front():
    p = make_problem("zdt1", {"n_var": 30})
    for x1 in np.linspace(0, 1, 11):
        design = {"x1": float(x1), **{f"x{i}": 0.0 for i in range(2, 31)}}
        f1, f2 = p.evaluate(design).F
        assert f1 == pytest.approx(x1)
        assert f2 == pytest.approx(1 - np.sqrt(x1))


@pytest.mark.parametrize("name", ["dtlz1", "dtlz2", "dtlz3", "dtlz4"])
def test_dtlz_front_geometry(name):
    p = make_problem(name, {"n_obj": 3})
    front = p.known_front
    if name == "dtlz1":
        np.testing.assert_allclose(front.sum(axis=1), 0.5, atol=1e-9)
    else:
        np.testing.assert_allclose(np.linalg.norm(front, axis=1), 1.0, atol=1e-9)


def test_toy_accelerator_exact_front_by_enumeration():
    p = make_problem("toy-accelerator")
    assert p.space.size == 3000
    F = np.array([p.evaluate(d).F for d in p.space.enumerate()])
    front = nondominated(F)
    np.testing.assert_allclose(front, p.known_front)
    # Golden: the front is pinned (19 points from 7,136 to 1.09e6 cycles).
    assert len(front) == 19
    assert front[:, 0].min() == pytest.approx(7136.0)
    assert front[:, 1].min() == pytest.approx(0.1632)


def test_single_objective_toy_optimum_is_the_feasible_minimum():
    p = make_problem("toy-accelerator-1obj", {"area_budget_mm2": 1.5})
    outcomes = [p.evaluate(d) for d in p.space.enumerate()]
    best = min(o.F[0] for o in outcomes if o.feasible)
    assert best == pytest.approx(p.known_front[0, 0])
    assert any(not o.feasible for o in outcomes)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_every_registered_problem_builds_and_evaluates(name, rng):
    p = make_problem(name)
    for o in p.evaluate_batch(p.space.sample_many(rng, 5)):
        assert o.F.shape == (p.n_objectives,)
        assert o.feasible or o.reasons
