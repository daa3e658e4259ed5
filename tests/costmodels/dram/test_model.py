"""The DRAM cost model and its registered problems."""

import numpy as np
import pytest

from dsegym.costmodels.dram.model import DramController, DramTargetController
from dsegym.costmodels.registry import make_problem
from dsegym.errors import ConfigError, WorkloadError


def test_parameter_groups_partition_the_space():
    model = DramController("ddr4-2400")
    groups = model.parameter_groups
    assert set(groups) == {"scheduling", "buffering", "refresh", "page_management", "power"}
    names = [n for members in groups.values() for n in members]
    assert sorted(names) == sorted(model.space.names)


def test_evaluate_accepts_traces_presets_and_prepared_traces():
    model = DramController("ddr3-1600")
    design = model.space.sample(np.random.default_rng(0))
    by_name = model.evaluate(design, "cloud-2")
    prepared = model.prepare("cloud-2")
    assert model.evaluate(design, prepared).metrics == by_name.metrics
    assert set(by_name.metrics) == set(model.metric_names)


def test_bad_inputs_are_clear_errors(tmp_path):
    model = DramController("ddr4-2400")
    with pytest.raises(ConfigError, match="RequestBufferSize"):
        model.evaluate({"RequestBufferSize": 0}, "random")
    with pytest.raises(ConfigError, match="needs a workload"):
        model.evaluate({})
    with pytest.raises(ConfigError, match="target"):
        DramTargetController("ddr4-2400", targets={"area_mm2": 1.0})
    big = tmp_path / "big.stl"
    big.write_text("0: read 0x0\n10: read 0xffffffffff\n")
    with pytest.raises(WorkloadError, match="beyond"):
        model.evaluate({}, str(big))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("dram-target", {}),
        ("dram-target", {"form": "constraints", "target": "power", "device": "hbm2"}),
        ("dram-target", {"target": "latency", "workload": "stream", "n_requests": 500}),
        ("dram-target", {"latency_metric": "total_time_ns", "target_latency_ns": 1e5}),
        ("dram-mo", {}),
        ("dram-mo", {"device": "lpddr4-3200", "objectives": ["energy_pj", "latency_p99_ns"]}),
    ],
)
def test_registered_problems_build_and_evaluate(name, params):
    problem = make_problem(name, params)
    rng = np.random.default_rng(1)
    outcomes = problem.evaluate_batch(problem.space.sample_many(rng, 5))
    for outcome in outcomes:
        assert np.isfinite(outcome.F).all()
        assert outcome.evaluation.feasible


def test_target_distance_is_the_inverse_of_archgyms_reward():
    problem = make_problem("dram-target", {"target": "latency", "target_latency_ns": 50.0})
    design = problem.space.sample(np.random.default_rng(2))
    outcome = problem.evaluate(design)
    latency = outcome.evaluation.metrics["latency_mean_ns"]
    assert outcome.F[0] == pytest.approx(abs(latency - 50.0) / 50.0)


def test_stl_workloads_feed_the_problems(tmp_path):
    path = tmp_path / "tiny.stl"
    path.write_text("".join(f"{i * 4}: read 0x{i * 64:x}\n" for i in range(200)))
    problem = make_problem("dram-mo", {"workload": str(path)})
    assert len(problem.workload.trace) == 200
    with pytest.raises(ConfigError, match="device"):
        make_problem("dram-mo", {"device": "ddr5"})


def test_a_trace_prepared_for_another_device_is_prepared_again():
    ddr4 = DramController("ddr4-2400")
    foreign = DramController("hbm2").prepare("random")
    design = dict(ddr4.space.sample(np.random.default_rng(3)))
    assert ddr4.evaluate(design, foreign).metrics == ddr4.evaluate(design, "random").metrics
