import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.pareto import Normaliser, hypervolume, igd, nondominated, nondominated_mask

# Area dominated by the ZDT1 front f2 = 1 - sqrt(f1) inside the box [0, 1.1]^2:
# int_0^1 (0.1 + sqrt(x)) dx + 0.1 * 1.1 = 0.1 + 2/3 + 0.11.
ZDT1_EXACT_HV = 0.1 + 2.0 / 3.0 + 0.11


def test_zdt1_hypervolume_matches_the_analytic_value():
    p = make_problem("zdt1")
    hv = hypervolume(p.known_front, p.reference_point)
    # 1,000 front points under-approximate the smooth front by O(1/n).
    assert hv == pytest.approx(ZDT1_EXACT_HV, abs=1e-3)
    assert hv < ZDT1_EXACT_HV


def test_zdt1_igd_against_analytic_front():
    front = make_problem("zdt1").known_front
    assert igd(front, front) == pytest.approx(0.0, abs=1e-12)
    shifted = front + np.array([0.0, 0.05])
    # Every shifted point lies within 0.05 of the true front, so IGD <= 0.05.
    assert 0.0 < igd(shifted, front) <= 0.05 + 1e-12
    # A single extreme point leaves most of the front far away.
    assert igd(front[:1], front) > 0.4


def test_nondominated_and_mask():
    F = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [np.inf, 0], [2, 2]])
    np.testing.assert_array_equal(nondominated(F), [[1, 5], [2, 2], [5, 1]])
    np.testing.assert_array_equal(nondominated_mask(F), [1, 1, 0, 1, 0, 1])


def test_hypervolume_edge_cases():
    ref = np.array([1.0, 1.0])
    assert hypervolume(np.empty((0, 2)), ref) == 0.0
    assert hypervolume(np.array([[2.0, 0.0]]), ref) == 0.0  # outside the box
    assert hypervolume(np.array([[0.5, 0.5]]), ref) == pytest.approx(0.25)
    assert hypervolume(np.array([[0.25]]), np.array([1.0])) == pytest.approx(0.75)


def test_normaliser_maps_front_to_unit_box():
    F = np.array([[10.0, 300.0], [20.0, 100.0], [40.0, 200.0]])
    n = Normaliser.from_points(F)
    # Ideal and nadir come from the non-dominated points; (40, 200) is dominated.
    got = n(np.array([[10.0, 100.0], [20.0, 300.0], [15.0, 200.0]]))
    np.testing.assert_allclose(got, [[0, 0], [1, 1], [0.5, 0.5]])
    np.testing.assert_allclose(n.reference_point, [1.1, 1.1])
