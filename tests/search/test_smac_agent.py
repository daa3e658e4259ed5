"""SMAC on costs that span decades, and its independence from Python's hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("smac")

SCRIPT = """
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.runner import RunEvaluator
from dsegym.search.registry import make_agent_for
problem = make_problem("toy-accelerator-1obj")
evaluator = RunEvaluator(problem, 25)
make_agent_for("smac", problem, seed=1, params={}).run(evaluator)
print([tuple(o.design.values()) for o in evaluator.history])
"""


def _proposals(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_smac_on_edp_costs_runs_and_ignores_the_hash_seed() -> None:
    # EDP spans ~1e11-1e13: SMAC's default log-scaled encoder crashed here (-inf target).
    assert _proposals("1") == _proposals("2")
