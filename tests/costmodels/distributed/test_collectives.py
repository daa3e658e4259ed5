"""Collectives: closed forms per dimension, hierarchical all-reduce, chunking, Themis,
network cost, and the vectorised path against the scalar one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsegym.costmodels.distributed.collectives import schedule_ns, schedule_one
from dsegym.costmodels.distributed.model import CollectiveModel, network_design
from dsegym.costmodels.distributed.network import network_cost, phase_coefficients

S = 64 * 2**20  # bytes
B, A = 100.0, 500.0  # GB/s (= bytes/ns), ns


def design(dims, chunks=1, active=1, scheduling="baseline"):
    return network_design(dims, scheduling, chunks, active)


def time_ns(dims, collective="all_reduce", size=S, **kw):
    model = CollectiveModel(len(dims))
    e = model.evaluate(design(dims, **kw), (collective, size))
    assert e.feasible, e.violations
    return e.metrics["time_us"] * 1e3


@pytest.mark.parametrize("p", [2, 4, 8, 16, 64])
def test_one_dimensional_ring_closed_forms(p):
    ring = [("ring", p, B, A, "ring")]
    assert time_ns(ring) == pytest.approx(2 * (p - 1) * (A + S / (p * B)), rel=1e-12)
    for c in ("reduce_scatter", "all_gather"):
        assert time_ns(ring, c) == pytest.approx((p - 1) * (A + S / (p * B)), rel=1e-12)
    # p(p-1)/2 steps of S/p: ASTRA-sim Ring's all-to-all stream count.
    assert time_ns(ring, "all_to_all") == pytest.approx(p * (p - 1) / 2 * (A + S / (p * B)))


@pytest.mark.parametrize("p", [2, 8, 32])
def test_fully_connected_and_switch_closed_forms(p):
    fc, sw = ("fully_connected", p, B, A), ("switch", p, B, A)
    L = math.log2(p)
    assert time_ns([(*fc, "direct")]) == pytest.approx(2 * (A + S / (p * B)))
    assert time_ns([(*fc, "ring")]) == pytest.approx(2 * (p - 1) * (A + S / (p * B)))
    assert time_ns([(*fc, "halving_doubling")]) == pytest.approx(
        2 * (L * A + (p - 1) * S / (p * B))
    )
    assert time_ns([(*fc, "double_binary_tree")]) == pytest.approx(2 * L * A + L * S / B)
    # Through a switch: two hops per message, one port per NPU.
    assert time_ns([(*sw, "ring")]) == pytest.approx(2 * (p - 1) * (2 * A + S / (p * B)))
    assert time_ns([(*sw, "direct")]) == pytest.approx(2 * (2 * A + (p - 1) * S / (p * B)))
    assert time_ns([(*sw, "direct")], "all_to_all") == pytest.approx(2 * A + (p - 1) * S / (p * B))


def test_ring_direct_and_halving_doubling_load_the_busiest_link():
    # 4 NPUs on a ring, direct: S/4 to each neighbour + half of the antipodal S/4 per
    # direction = S/2 on every link, 2 hops of latency.
    assert time_ns([("ring", 4, B, A, "direct")], "reduce_scatter") == pytest.approx(
        2 * A + S / (2 * B)
    )
    # Halving-doubling on a ring of 4: steps at distance 2 (S/2) and 1 (S/4).
    assert time_ns([("ring", 4, B, A, "halving_doubling")], "reduce_scatter") == pytest.approx(
        3 * A + (2 * S / 2 + S / 4) / B
    )


@pytest.mark.parametrize("shape", [(4, 8), (8, 2), (2, 4, 8)])
def test_hierarchical_all_reduce_is_the_sum_of_its_phases(shape):
    bws, lats = (400.0, 100.0, 25.0), (100.0, 500.0, 5000.0)
    dims = [("ring", p, bws[i], lats[i], "ring") for i, p in enumerate(shape)]
    expected, entering = 0.0, float(S)
    for p, bw, lat in zip(shape, bws, lats, strict=False):
        expected += 2 * (p - 1) * (lat + entering / (p * bw))
        entering /= p
    assert time_ns(dims) == pytest.approx(expected, rel=1e-12)
    # all-to-all does not shrink: every dimension moves the whole buffer
    a2a = sum(
        p * (p - 1) / 2 * (lat + S / (p * bw)) for p, bw, lat in zip(shape, bws, lats, strict=False)
    )
    assert time_ns(dims, "all_to_all") == pytest.approx(a2a, rel=1e-12)


def test_chunking_pipelines_over_the_busiest_dimension():
    one = [("ring", 8, B, A, "ring")]
    # 1-D, one active chunk: C chunks cost C latencies and the same bytes.
    assert time_ns(one, chunks=16) == pytest.approx(16 * 2 * 7 * A + 2 * 7 * S / (8 * B))
    # More active chunks overlap latencies but never bytes.
    assert time_ns(one, chunks=16, active=4) < time_ns(one, chunks=16)
    assert time_ns(one, chunks=16, active=4) >= 2 * 7 * S / (8 * B)
    # 2-D: chunks let the two dimensions work at once, so time drops below one chunk.
    two = [("ring", 8, 100.0, 50.0, "ring"), ("ring", 8, 100.0, 50.0, "ring")]
    assert time_ns(two, chunks=8) < time_ns(two, chunks=1)


def test_themis_beats_the_baseline_on_an_asymmetric_network_only():
    fast_then_slow = [
        ("fully_connected", 4, 400.0, 50.0, "direct"),
        ("switch", 8, 50.0, 50.0, "ring"),
        ("switch", 8, 25.0, 100.0, "ring"),
    ]
    base = time_ns(fast_then_slow, size=2**30, chunks=16, scheduling="baseline")
    themis = time_ns(fast_then_slow, size=2**30, chunks=16, scheduling="themis")
    assert themis < 0.9 * base  # 1.18x here; the ideal split of this network gives 1.33x
    # Same bandwidth everywhere and one dimension: nothing to balance.
    flat = [("ring", 16, 100.0, 50.0, "ring")]
    assert time_ns(flat, chunks=16, scheduling="themis") == pytest.approx(time_ns(flat, chunks=16))
    # One chunk: Themis puts it first on the least-loaded (all idle: dimension 1) -> same.
    assert time_ns(fast_then_slow, scheduling="themis") == time_ns(fast_then_slow)


def test_unsupported_algorithms_carry_reasons():
    model = CollectiveModel(1)
    e = model.evaluate(design([("ring", 8, B, A, "double_binary_tree")]), ("all_reduce", S))
    assert not e.feasible and "double_binary_tree needs" in e.violations[0]
    e = model.evaluate(design([("switch", 8, B, A, "double_binary_tree")]), ("all_gather", S))
    assert not e.feasible and "all_reduce only" in e.violations[0]
    assert "power-of-two" in phase_coefficients("all_reduce", "halving_doubling", "switch", 6, B, A)


def test_network_cost_follows_astra_sims_table():
    n = 8 * 4
    cost = network_cost(["ring", "switch"], [8, 4], [100.0, 25.0], ["node", "pod"])
    assert cost == pytest.approx(n * 100 * 4.0 + n * 25 * (7.4 + 23.7 + 47.8))
    fc = network_cost(["fully_connected"], [8], [50.0], ["package"])
    assert fc == pytest.approx(8 * 7 / 2 * 50 * 4.0)
    assert "cannot have a switch" in network_cost(["switch"], [8], [50.0], ["tile"])


def test_huge_sizes_do_not_overflow():
    t = time_ns([("ring", 256, 25.0, 5000.0, "ring")], size=2**63 - 1, chunks=64)
    assert math.isfinite(t) and t > (2**63 - 1) / 25.0


requests = st.tuples(
    st.lists(st.floats(0, 1e6), min_size=4, max_size=4),
    st.lists(st.floats(0, 10), min_size=4, max_size=4),
    st.lists(st.sampled_from([1, 2, 4, 8, 64, 256]), min_size=4, max_size=4),
    st.floats(1, 2**63),
    st.sampled_from([1, 2, 8, 64]),
    st.sampled_from([1, 2, 4]),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(requests, min_size=1, max_size=12))
def test_vectorised_schedule_gives_the_scalar_bits(batch):
    columns = [np.array(c) for c in zip(*batch, strict=True)]
    vector = schedule_ns(*columns)
    scalar = [schedule_one(*r) for r in batch]
    assert vector.tolist() == scalar
