from __future__ import annotations

import time

import numpy as np
import pytest

from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError, WorkloadError

NAMES = ["accelerator-systolic", "accelerator-systolic-mapping", "accelerator-eyeriss"]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_build_fast_and_evaluate(name):
    start = time.perf_counter()
    problem = make_problem(name)
    assert time.perf_counter() - start < 0.5
    rng = np.random.default_rng(0)
    outcomes = problem.evaluate_batch([problem.space.sample(rng) for _ in range(64)])
    assert any(o.feasible for o in outcomes)
    for o in outcomes:
        if o.feasible:
            assert o.F.shape == (3,) and np.all(np.isfinite(o.F)) and np.all(o.F > 0)
        else:
            assert o.reasons


def test_area_budget_and_objectives():
    problem = make_problem(
        "accelerator-systolic", {"area_budget_mm2": 0.5, "objectives": ["edp_pj_cycles"]}
    )
    rng = np.random.default_rng(1)
    outcomes = [problem.evaluate(problem.space.sample(rng)) for _ in range(40)]
    over = [o for o in outcomes if o.evaluation.feasible and o.G[0] > 0]
    assert over and all(not o.feasible for o in over)


def test_workload_file(tmp_path):
    topo = tmp_path / "net.csv"
    topo.write_text("Layer, M, N, K,\nfc1, 64, 128, 256,\nfc2, 64, 10, 128,\n")
    problem = make_problem("accelerator-eyeriss", {"workload_file": str(topo)})
    assert problem.workload_name == str(topo)
    assert len(problem.workload) == 2
    topo.write_text("Layer, M, N, K,\nfc1, 64, -1, 256,\n")
    with pytest.raises(WorkloadError, match="line 2"):
        make_problem("accelerator-eyeriss", {"workload_file": str(topo)})


def test_bad_parameters():
    with pytest.raises(ConfigError, match="workload"):
        make_problem("accelerator-systolic", {"workload": "resnet1000"})
    with pytest.raises(ConfigError, match="energy table"):
        make_problem("accelerator-systolic", {"energy_table": "3nm"})


@pytest.mark.parametrize("name", NAMES)
def test_random_designs_give_sane_metrics(name):
    problem = make_problem(name, {"workload": "bert-base-layer"})
    rng = np.random.default_rng(11)
    for outcome in problem.evaluate_batch([problem.space.sample(rng) for _ in range(200)]):
        metrics = outcome.evaluation.metrics
        if not outcome.evaluation.feasible:
            continue
        assert all(np.isfinite(v) and v >= 0 for v in metrics.values())
        assert 0 < metrics["utilisation"] <= 1
        assert metrics["latency_cycles"] >= metrics["compute_cycles"]
