"""Library-backed agents reproduce their library used directly (small budgets).

Where the library is deterministic for a seed and the run revisits no design, the agent
run through the runner must evaluate exactly the designs the raw library loop does, in
the same order. The full comparison, with hypervolume and wall time at the issue's
budgets, is ``experiments/benchmarks/parity.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from dsegym.experiments.benchmarks.parity import (
    CASES,
    Case,
    compare,
    quality,
    raw_nevergrad,
    raw_optuna,
    raw_pymoo,
    raw_smac,
    run_agent,
)

EXACT = [
    ("nsga2-zdt1", 500),
    ("nsga2-toy", 300),
    ("nsga3-dtlz2", 368),
    ("smsemoa-zdt1", 300),
    ("moead-zdt1", 300),
    ("ga-separable", 200),
    ("tpe-toy1", 30),
]
NEVERGRAD = [
    pytest.param("ngopt-separable", 40, marks=pytest.mark.slow),  # NGOpt's selection: ~5 s
    ("de-separable", 40),
    ("pso-separable", 40),
    ("discrete_1p1-separable", 40),
]
RAW = {"pymoo": raw_pymoo, "optuna": raw_optuna, "nevergrad": raw_nevergrad, "smac": raw_smac}


def assert_same_evaluations(case, seed, budget):
    """The raw loop's evaluations are a prefix of the agent's (as feasible F rows).

    The raw loop spends an evaluation on each design it revisits; the runner answers a
    revisit free, so within one budget the agent may go further than the raw loop.
    """
    F_agent, _, _ = run_agent(case, seed, budget)
    F_raw, _ = RAW[case.library](case, seed, budget)
    assert len(F_raw) > 0
    np.testing.assert_array_equal(F_agent[: len(F_raw)], F_raw)


@pytest.mark.parametrize("name, budget", EXACT)
@pytest.mark.parametrize("seed", [0, 1])
def test_agent_evaluates_what_the_raw_library_evaluates(name, budget, seed):
    assert_same_evaluations(CASES[name], seed, budget)


@pytest.mark.parametrize("name, budget", NEVERGRAD)
def test_nevergrad_agents_evaluate_what_nevergrad_evaluates(name, budget):
    pytest.importorskip("nevergrad")
    assert_same_evaluations(CASES[name], 0, budget)


@pytest.mark.slow  # SMAC's forest and acquisition search: about a second per proposal
def test_smac_matches_smac_within_noise():
    # Not design for design: the agent orders SMAC's local-search starting points (plain
    # SMAC orders them by Python's per-process string hashing; see smac_agent.py).
    pytest.importorskip("smac")
    c = compare(CASES["smac-zdt1"], range(3), 40)
    assert c.within_noise or np.mean(c.agent_quality) > np.mean(c.raw_quality)


@pytest.mark.slow  # two fresh interpreters
def test_smac_proposals_do_not_depend_on_the_hash_seed():
    pytest.importorskip("smac")
    script = (
        "from dsegym.experiments.benchmarks.parity import CASES, run_agent\n"
        "F, _, _ = run_agent(CASES['smac-zdt1'], 0, 14)\n"
        "print(F.round(12).tolist())\n"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout.strip().splitlines()[-1])
    assert len(outputs) == 1


def test_optuna_nsga2_matches_optuna_on_a_small_zdt1():
    assert_same_evaluations(Case("optuna_nsga2", "optuna", "zdt1", 150, {"n_var": 5}), 3, 150)


@pytest.mark.parametrize("name", ["nsga2-toy", "moead-zdt1"])
def test_comparison_reports_quality_and_wall_time(name):
    c = compare(CASES[name], range(2), 200)
    assert c.within_noise
    assert c.proposal_factor >= 1.0
    assert c.wall_target > 0 and all(w > 0 for w in c.agent_wall + c.raw_wall)


def test_quality_reads_higher_is_better_for_both_kinds():
    problem = CASES["tpe-toy1"].make_problem()
    optimum = problem.known_front[:1]
    assert quality(problem, optimum) == pytest.approx(1.0)
    assert quality(problem, optimum * 2) == pytest.approx(0.5)
