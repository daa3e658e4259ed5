import numpy as np
import pytest

from dsegym.costmodels.lut import combinatorics as cb
from dsegym.costmodels.lut.model import LUTAccelerator
from dsegym.costmodels.lut.workloads import load_workload

BASE = {
    "mu": 3,
    "tables": 32,
    "fetchers": 64,
    "act_dtype": "FP16",
    "acc_bits": 32,
    "build_tree": "optimised",
    "weight_buffer_kib": 256,
    "act_buffer_kib": 256,
    "bandwidth_gbps": 64,
    "clock_mhz": 1000,
    "cores": 1,
}


@pytest.fixture(scope="module")
def model():
    return LUTAccelerator()


@pytest.fixture(scope="module")
def decode():
    return load_workload("bitnet-b1.58-0.7b", "decode")


def run(model, workload, **changes):
    return model.evaluate({**BASE, **changes}, workload)


def test_area_breakdown_adds_up(model, decode):
    m = run(model, decode).metrics
    parts = [
        "area_lut_build_mm2",
        "area_table_registers_mm2",
        "area_fetch_mm2",
        "area_reduce_accumulate_mm2",
    ]
    assert sum(m[p] for p in parts) == pytest.approx(m["compute_area_mm2"])
    assert m["compute_area_mm2"] + m["area_buffers_mm2"] == pytest.approx(m["area_mm2"])
    assert m["tops_per_mm2"] == pytest.approx(m["tops"] / m["area_mm2"])


def test_decode_is_memory_bound_and_streams_packed_keys(model, decode):
    m = run(model, decode).metrics
    assert m["memory_bound"] == 1.0
    # Off-chip bytes: every weight once as a key_bits/mu-bit code, plus the activations.
    weight_bits = sum(
        np.ceil(layer.in_features / 3) * layer.out_features * cb.key_bits(3) * layer.count
        for layer in decode.layers
    )
    act_bits = sum(16 * (la.in_features + la.out_features) * la.count for la in decode.layers)
    lib = model.library
    expected_uj = (weight_bits + act_bits) * lib.offchip_pj_per_bit * 1e-6
    assert m["offchip_energy_per_token_uj"] == pytest.approx(expected_uj)
    # Memory-bound latency is the traffic over the bandwidth.
    assert m["latency_per_token_ms"] == pytest.approx(
        (weight_bits + act_bits) / 8 / 64e9 * 1e3, rel=1e-6
    )


def test_more_bandwidth_never_slows_down(model, decode):
    latencies = [
        run(model, decode, bandwidth_gbps=b).metrics["latency_per_token_ms"] for b in (16, 64, 256)
    ]
    assert latencies[0] > latencies[1] > latencies[2]


def test_prefill_reuses_weights_and_becomes_compute_bound(model):
    prefill = load_workload("bitnet-b1.58-0.7b", "prefill", 128)
    decode = load_workload("bitnet-b1.58-0.7b", "decode")
    p = run(model, prefill, act_buffer_kib=1024).metrics
    d = run(model, decode, act_buffer_kib=1024).metrics
    assert p["memory_bound"] == 0.0
    assert p["energy_per_token_uj"] < d["energy_per_token_uj"] / 5
    assert p["tokens_per_s"] > 10 * d["tokens_per_s"]
    assert 0.5 < p["utilisation"] <= 1.0


def test_optimised_tree_is_smaller_than_naive(model, decode):
    opt = run(model, decode, mu=5).metrics
    naive = run(model, decode, mu=5, build_tree="naive").metrics
    ratio = naive["area_lut_build_mm2"] / opt["area_lut_build_mm2"]
    assert ratio == pytest.approx(cb.naive_adders(5) / cb.optimised_adders(5))
    assert naive["energy_per_token_uj"] > opt["energy_per_token_uj"]


def test_area_grows_with_parallelism(model, decode):
    small = run(model, decode, tables=8, fetchers=16).metrics["compute_area_mm2"]
    big = run(model, decode, tables=32, fetchers=64).metrics["compute_area_mm2"]
    assert big > 4 * small


def test_infeasible_designs_have_reasons(model, decode):
    e = run(model, decode, act_dtype="INT8", acc_bits=16)
    assert not e.feasible
    assert any("accumulator too narrow" in v for v in e.violations)
    e = run(model, load_workload("llama3-8b-1.58"), act_buffer_kib=8)
    assert not e.feasible
    assert any("activation buffer too small" in v for v in e.violations)
    e = run(model, decode, tables=256, fetchers=256, weight_buffer_kib=16)
    assert any("weight buffer too small" in v for v in e.violations)
    # FP16 needs a 24-bit float accumulator (11-bit significand) at least.
    assert not run(model, decode, acc_bits=16).feasible
    assert run(model, decode, act_dtype="BF16", acc_bits=16).feasible


def test_batch_equals_single(model, decode):
    rng = np.random.default_rng(3)
    designs = model.space.sample_many(rng, 64)
    batch = model.evaluate_batch(designs, decode)
    for d, b in zip(designs[:8], batch[:8], strict=True):
        single = model.evaluate(d, decode)
        assert single.feasible == b.feasible
        assert single.metrics == pytest.approx(dict(b.metrics))
    assert model.evaluate_batch([], decode) == []


def test_fixed_activation_type_removes_knob():
    model = LUTAccelerator(act_dtype="int8", library="28nm")
    assert "act_dtype" not in model.space.names
    assert set(sum(model.parameter_groups.values(), [])) == set(model.space.names)
    design = {k: v for k, v in BASE.items() if k != "act_dtype"}
    assert model.evaluate(design).feasible


def test_28nm_is_larger_than_16nm(decode):
    a16 = LUTAccelerator(library="16nm").evaluate(BASE, decode).metrics["area_mm2"]
    a28 = LUTAccelerator(library="28nm").evaluate(BASE, decode).metrics["area_mm2"]
    assert 1.5 < a28 / a16 < 2.5


def test_regression_values(model, decode):
    # Pins this model version's numbers (not a peer): bump LUTAccelerator.version on change.
    m = run(model, decode).metrics
    assert m["compute_area_mm2"] == pytest.approx(0.80217, rel=1e-3)
    assert m["latency_per_token_ms"] == pytest.approx(2.2340, rel=1e-3)
    assert m["area_saving_vs_mac"] == pytest.approx(2.064, rel=1e-3)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"mu": 8}, "mu=8"),
        ({"tables": 0}, "tables=0"),
        ({"act_buffer_kib": -4}, "act_buffer_kib=-4"),
        ({"act_dtype": "FP4"}, "act_dtype='FP4'"),
        ({"build_tree": "clever"}, "build_tree='clever'"),
        ({"clock_mhz": "fast"}, "clock_mhz='fast'"),
    ],
)
def test_values_outside_the_space_are_infeasible_not_errors(model, decode, changes, match):
    e = run(model, decode, **changes)
    assert not e.feasible
    assert any(match in v for v in e.violations)
    # Other designs of the same batch are unaffected.
    good, bad = model.evaluate_batch([BASE, {**BASE, **changes}], decode)
    assert good.feasible and not bad.feasible


def test_missing_knob_is_infeasible(model, decode):
    design = {k: v for k, v in BASE.items() if k != "cores"}
    e = model.evaluate(design, decode)
    assert not e.feasible
    assert any("cores=None" in v for v in e.violations)
