"""Shared fixtures: small problems, including one whose model rejects designs."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels import Problem
from dsegym.testing import problems


@pytest.fixture
def picky_problem() -> Problem:
    """Two objectives, one spec (size <= 6), and designs the model rejects."""
    return problems.picky_problem()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
