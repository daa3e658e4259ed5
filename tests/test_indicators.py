"""Indicators against values computed by hand on small fronts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsegym.indicators import ReferenceBox, front_recall, log_flags, score

# Normalised (linear: spans of 3 < one decade): (0, 1), (1/3, 1/3), (1, 0); ref 1.1.
REFERENCE = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0]])
HV_REFERENCE = (1 / 3) * 0.1 + (2 / 3) * (1.1 - 1 / 3) + 0.1 * 1.1


def test_box_and_hypervolume_ratio_by_hand():
    box = ReferenceBox.from_front(REFERENCE)
    assert not box.normaliser.log.any()
    assert box.hypervolume == pytest.approx(HV_REFERENCE)
    s = score(np.array([[2.0, 2.0]]), box)
    assert s["ref_hv_ratio"] == pytest.approx((1.1 - 1 / 3) ** 2 / HV_REFERENCE)
    assert s["igd_plus"] == pytest.approx(2 / 9)  # (1/3 + 0 + 1/3) / 3
    assert s["epsilon_additive"] == pytest.approx(1 / 3)
    assert s["recall_exact"] == pytest.approx(1 / 3)
    assert score(REFERENCE, box)["ref_hv_ratio"] == pytest.approx(1.0)
    assert score(REFERENCE, box)["igd_plus"] == 0.0


def test_recall_within_a_tolerance():
    box = ReferenceBox.from_front(REFERENCE)
    run = box.normaliser(np.array([[2.0, 2.0]]))
    assert front_recall(run, box.normalised, 0.4) == 1.0  # 1/3 worse on one axis
    assert front_recall(run, box.normalised, 0.3) == pytest.approx(1 / 3)
    assert front_recall(np.array([[0.2, 0.2]]), box.normalised, 0.0) == 1 / 3  # better counts


def test_log_rule_auto_per_objective():
    front = np.array([[1.0, 1.0, -2.0], [1000.0, 5.0, -1.0]])
    assert log_flags(front, "auto").tolist() == [True, False, False]
    assert log_flags(front, "log").tolist() == [True, True, False]
    assert log_flags(front, "linear").tolist() == [False, False, False]
    box = ReferenceBox.from_front(np.array([[1.0, 1000.0], [100.0, 1.0]]))
    # log10: 10 is halfway between 1 and 100 in the first objective.
    assert box.normaliser(np.array([[10.0, 1.0]]))[0, 0] == pytest.approx(0.5)
    assert box.scales(["a", "b"]) == {"a": "log10", "b": "log10"}


def test_a_run_without_a_feasible_design():
    s = score(np.empty((0, 2)), ReferenceBox.from_front(REFERENCE))
    assert s["ref_hv_ratio"] == 0.0 and s["recall_exact"] == 0.0
    assert math.isinf(s["igd_plus"]) and math.isinf(s["epsilon_additive"])


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(
        st.tuples(*[st.floats(0.5, 1e4, allow_nan=False) for _ in range(3)]),
        min_size=2,
        max_size=25,
    ),
    picks=st.lists(st.integers(0, 24), max_size=10),
)
def test_a_subset_of_the_reference_scores_what_it_holds(points, picks):
    box = ReferenceBox.from_front(np.array(points))
    ref = box.front
    whole = score(ref, box)
    assert whole["ref_hv_ratio"] == pytest.approx(1.0)
    assert whole["recall_exact"] == 1.0 and whole["igd_plus"] == pytest.approx(0.0, abs=1e-12)
    subset = np.unique(ref[[i % len(ref) for i in picks]], axis=0) if picks else ref[:0]
    part = score(subset, box)
    assert part["recall_exact"] == pytest.approx(len(subset) / len(ref))
    assert 0.0 <= part["ref_hv_ratio"] <= 1.0 + 1e-12
    assert part["recall_tol"] >= part["recall_exact"]
