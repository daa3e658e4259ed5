"""Conformance suite over every registered problem and its cost model: the rules of
``dsegym.testing.check_problem`` (boundary designs never raise, infeasible designs carry
reasons, declared metrics are finite, batch equals one at a time, determinism, ...).
"""

from __future__ import annotations

import pytest

from dsegym.costmodels.registry import make_problem, problem_names
from dsegym.testing import check_problem


@pytest.mark.parametrize("name", problem_names())
def test_problem_conforms(name: str) -> None:
    check_problem(make_problem(name))


@pytest.mark.parametrize("name", problem_names())
def test_every_knob_has_a_line_of_meaning(name: str) -> None:
    missing = [p.name for p in make_problem(name).space if not p.description.strip()]
    assert not missing, f"{name}: knobs without a description: {missing}"
