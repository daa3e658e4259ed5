import time

import numpy as np
import pytest

from dsegym.costmodels.registry import (
    COST_MODELS,
    PROBLEMS,
    get_cost_model_class,
    make_problem,
    workload_names,
)
from dsegym.errors import ConfigError


def test_registered():
    assert "lut-accelerator" in COST_MODELS
    assert {"lut-accelerator", "lut-accelerator-latency"} <= set(PROBLEMS)
    assert workload_names()["lut-accelerator"] == [
        "bitnet-b1.58-0.7b",
        "bitnet-b1.58-3b",
        "llama3-8b-1.58",
    ]
    assert get_cost_model_class("lut-accelerator").name == "lut-accelerator"


@pytest.mark.parametrize("name", ["lut-accelerator", "lut-accelerator-latency"])
def test_default_problems_are_cheap_and_work(name):
    start = time.perf_counter()
    problem = make_problem(name)
    assert time.perf_counter() - start < 0.5
    rng = np.random.default_rng(0)
    outcomes = problem.evaluate_batch(problem.space.sample_many(rng, 200))
    assert any(o.feasible for o in outcomes)
    assert all(o.F.shape == (problem.n_objectives,) for o in outcomes)
    assert problem.space.is_finite
    assert problem.space.to_gymnasium().shape == (len(problem.space),)


def test_parameters_and_budgets():
    problem = make_problem(
        "lut-accelerator",
        {
            "workload": "llama3-8b-1.58",
            "phase": "prefill",
            "act_dtype": "INT8",
            "node": "28nm",
            "seq_len": 256,
            "area_budget_mm2": 10,
            "power_budget_w": 5,
            "objectives": ["area_mm2", "power_w"],
        },
    )
    assert problem.workload.tokens == 256
    assert [c.metric for c in problem.constraints] == ["area_mm2", "power_w"]
    assert "act_dtype" not in problem.space.names


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"workload": "gpt-2"}, "workload"),
        ({"act_dtype": "FP4"}, "act_dtype"),
        ({"phase": "train"}, "phase"),
        ({"seq_len": 0}, "seq_len"),
        ({"area_budget_mm2": -1}, "area_budget_mm2"),
        ({"node": "7nm"}, "node"),
        ({"objectives": ["speed"]}, "objectives"),
    ],
)
def test_bad_parameters_give_one_config_error(params, match):
    with pytest.raises(ConfigError, match=match):
        make_problem("lut-accelerator", params)


def test_missing_component_library_file():
    with pytest.raises(ConfigError, match="component library"):
        make_problem("lut-accelerator", {"component_library": "/nonexistent/lib.yaml"})


def test_design_outside_space_is_infeasible():
    problem = make_problem("lut-accelerator")
    design = problem.space.sample(np.random.default_rng(1))
    design["mu"] = 9
    outcome = problem.evaluate(design)
    assert not outcome.feasible
    assert any("mu=9" in r for r in outcome.reasons)
