"""Closed-form latencies of isolated requests, for every device preset."""

import pytest

from dsegym.costmodels.dram.addressing import encode
from dsegym.costmodels.dram.devices import load_device
from dsegym.costmodels.dram.trace import Trace

from .helpers import DEVICES, run

QUIET = {"RefreshPolicy": "NoRefresh", "PagePolicy": "Open"}
LATER_NS = 1000.0  # long enough that every bank timing of the first request has passed


def _cycles(result, device):
    return result.latency_ns / load_device(device).tck_ns


@pytest.mark.parametrize("device", DEVICES)
def test_read_to_precharged_bank_costs_rcd_cl_burst(device):
    t = load_device(device).timing
    result = run(Trace.from_arrays([0.0], [False], [0]), device, **QUIET)
    assert _cycles(result, device)[0] == pytest.approx(
        t["RCD_RD"] + t["CL"] + load_device(device).burst_cycles
    )


@pytest.mark.parametrize("device", DEVICES)
def test_write_to_precharged_bank_costs_rcd_cwl_burst(device):
    dev = load_device(device)
    result = run(Trace.from_arrays([0.0], [True], [0]), device, **QUIET)
    t = dev.timing
    assert _cycles(result, device)[0] == pytest.approx(t["RCD_WR"] + t["CWL"] + dev.burst_cycles)


@pytest.mark.parametrize("device", DEVICES)
def test_row_hit_costs_cl_burst(device):
    dev = load_device(device)
    same_row = encode(0, 0, 1, dev, "RowBankColumn")
    trace = Trace.from_arrays([0.0, LATER_NS], [False, False], [0, same_row])
    result = run(trace, device, **QUIET)
    assert _cycles(result, device)[1] == pytest.approx(dev.timing["CL"] + dev.burst_cycles)
    assert result.metrics["row_hit_rate"] == pytest.approx(0.5)


@pytest.mark.parametrize("device", DEVICES)
def test_row_conflict_costs_rp_rcd_cl_burst(device):
    dev = load_device(device)
    t = dev.timing
    other_row = encode(0, 1, 0, dev, "RowBankColumn")
    trace = Trace.from_arrays([0.0, LATER_NS], [False, False], [0, other_row])
    result = run(trace, device, **QUIET)
    expected = t["RP"] + t["RCD_RD"] + t["CL"] + dev.burst_cycles
    assert _cycles(result, device)[1] == pytest.approx(expected)
    assert result.counts == {
        "act": 2,
        "pre": 1,
        "read": 2,
        "write": 0,
        "refresh_all_bank": 0,
        "refresh_per_bank": 0,
    }


@pytest.mark.parametrize("device", DEVICES)
def test_closed_page_turns_a_later_same_row_read_into_a_miss(device):
    dev = load_device(device)
    t = dev.timing
    same_row = encode(0, 0, 1, dev, "RowBankColumn")
    trace = Trace.from_arrays([0.0, LATER_NS], [False, False], [0, same_row])
    result = run(trace, device, RefreshPolicy="NoRefresh", PagePolicy="Closed")
    assert _cycles(result, device)[1] == pytest.approx(t["RCD_RD"] + t["CL"] + dev.burst_cycles)


def test_back_to_back_hits_in_one_bank_group_are_spaced_by_tccd_l():
    dev = load_device("ddr4-2400")
    addresses = [encode(0, 0, c, dev, "RowBankColumn") for c in range(3)]
    result = run(Trace.from_arrays([0.0] * 3, [False] * 3, addresses), "ddr4-2400", **QUIET)
    gaps = (result.response_cycle[1:] - result.response_cycle[:-1]).tolist()
    assert gaps == [dev.timing["CCD_L"]] * 2


def test_hits_alternating_bank_groups_are_spaced_by_the_burst():
    dev = load_device("ddr4-2400")
    # Banks 0..3 lie in groups 0..3; open each, then read them in turn.
    addresses = [encode(b, 0, c, dev, "RowBankColumn") for c in range(2) for b in range(4)]
    trace = Trace.from_arrays([0.0] * 4 + [LATER_NS] * 4, [False] * 8, addresses)
    result = run(trace, "ddr4-2400", **QUIET)
    gaps = (result.response_cycle[5:] - result.response_cycle[4:-1]).tolist()
    assert gaps == [max(dev.timing["CCD_S"], dev.burst_cycles)] * 3


def test_staggered_power_down_adds_the_exit_latency_after_idle():
    dev = load_device("ddr3-1600")
    t = dev.timing
    trace = Trace.from_arrays(
        [0.0, LATER_NS], [False, False], [0, encode(1, 5, 0, dev, "RowBankColumn")]
    )
    result = run(trace, "ddr3-1600", RefreshPolicy="NoRefresh", PowerDownPolicy="Staggered")
    expected = t["XP"] + t["RCD_RD"] + t["CL"] + dev.burst_cycles
    assert _cycles(result, "ddr3-1600")[1] == pytest.approx(expected)
    assert sum(result.power_down_cycles) > 0
