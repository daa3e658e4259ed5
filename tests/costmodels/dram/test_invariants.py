"""Invariants of the controller simulation that must hold for any design."""

import numpy as np
import pytest

from dsegym.costmodels.dram.devices import load_device
from dsegym.costmodels.dram.synthetic import generate_preset, random_access, stream
from dsegym.costmodels.dram.trace import Trace

from .helpers import DEVICES, occupancy_integral, run

DESIGNS = [
    {},
    {"PagePolicy": "Closed", "Scheduler": "Fifo", "SchedulerBuffer": "Shared"},
    {"PagePolicy": "OpenAdaptive", "Scheduler": "FrFcfsGrp", "SchedulerBuffer": "ReadWrite",
     "RequestBufferSize": 32, "RespQueue": "Reorder"},
    {"PagePolicy": "ClosedAdaptive", "Arbiter": "Fifo", "MaxActiveTransactions": 4,
     "RefreshMaxPostponed": 8, "RefreshMaxPulledin": 8, "PowerDownPolicy": "Staggered",
     "AddressMapping": "RowColumnBank"},
    {"Arbiter": "Reorder", "MaxActiveTransactions": 1, "AddressMapping": "BankRowColumn",
     "RequestBufferSize": 1},
]  # fmt: skip


def _saturating_traces():
    # Far more traffic than any device can carry: the bandwidth bound must bite.
    return [stream(3000, 0.2, seed=1), random_access(3000, 0.2, seed=2), generate_preset("cloud-2")]


@pytest.mark.parametrize("device", DEVICES)
def test_bandwidth_never_exceeds_the_device_peak(device):
    peak = load_device(device).peak_bandwidth_gbps
    for trace in _saturating_traces():
        for design in DESIGNS:
            assert run(trace, device, **design).metrics["bandwidth_gbps"] <= peak * (1 + 1e-9)


def test_sequential_reads_on_alternating_bank_groups_approach_the_peak():
    trace = Trace.from_arrays(np.zeros(4000), np.zeros(4000, bool), np.arange(4000) * 64)
    result = run(trace, "ddr4-2400", AddressMapping="RowColumnBank", RefreshPolicy="NoRefresh")
    assert result.metrics["bandwidth_gbps"] > 0.9 * load_device("ddr4-2400").peak_bandwidth_gbps


@pytest.mark.parametrize(
    ("device", "policy", "postponed", "pulledin"),
    [
        ("ddr3-1600", "AllBank", 0, 0),
        ("ddr4-2400", "AllBank", 8, 8),
        ("lpddr4-3200", "AllBank", 0, 4),
        ("lpddr4-3200", "PerBank", 2, 0),
        ("hbm2", "PerBank", 0, 0),
    ],
)
def test_an_idle_device_spends_trfc_over_trefi_refreshing(device, policy, postponed, pulledin):
    dev = load_device(device)
    # One read every 50 us for 4 ms: the device is idle almost all the time.
    trace = Trace.from_arrays(np.arange(80) * 50_000.0, np.zeros(80, bool), np.arange(80) * 4096)
    result = run(
        trace, device, RefreshPolicy=policy, RefreshMaxPostponed=postponed,
        RefreshMaxPulledin=pulledin,
    )  # fmt: skip
    if policy == "AllBank":
        expected = dev.t("RFC") / dev.t("REFI")
    else:
        expected = dev.t("RFC_PB") / (dev.banks * dev.t("REFI_PB"))
    assert result.metrics["refresh_overhead"] == pytest.approx(expected, rel=0.03)


def test_no_refresh_means_no_refresh_energy_and_overhead():
    result = run(generate_preset("random"), "ddr4-2400", RefreshPolicy="NoRefresh")
    assert result.metrics["refresh_overhead"] == 0.0
    assert result.energy.refresh == 0.0


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("design", DESIGNS)
def test_every_request_completes_exactly_once_and_littles_law_holds(device, design):
    dev = load_device(device)
    trace = generate_preset("mixed", n_requests=1500)
    result = run(trace, device, **design)
    n = len(trace)
    assert result.counts["read"] + result.counts["write"] == n
    assert result.counts["read"] == int((~trace.is_write).sum())
    assert (result.response_cycle >= 0).all()
    minimum = min(dev.timing["CL"], dev.timing["CWL"]) + dev.burst_cycles
    assert (result.latency_ns >= minimum * dev.tck_ns - dev.tck_ns).all()
    response_ns = result.response_cycle * dev.tck_ns
    area, lowest = occupancy_integral(trace.time_ns, response_ns)
    assert lowest >= 0  # no response leaves before its request arrives
    horizon = result.metrics["total_time_ns"]
    throughput = n / horizon
    occupancy = area / horizon
    assert occupancy == pytest.approx(throughput * result.metrics["latency_mean_ns"], rel=1e-6)


def test_reordered_responses_leave_in_request_order():
    trace = generate_preset("mixed", n_requests=2000)
    result = run(trace, "ddr4-2400", RespQueue="Reorder")
    assert (np.diff(result.response_cycle) >= 0).all()
    plain = run(trace, "ddr4-2400")
    assert result.metrics["latency_mean_ns"] >= plain.metrics["latency_mean_ns"]


def test_energy_is_the_sum_of_its_parts_and_power_is_energy_over_time():
    result = run(generate_preset("cloud-1"), "ddr3-1600", PowerDownPolicy="Staggered")
    e = result.energy
    assert result.metrics["energy_pj"] == pytest.approx(
        e.act_pre + e.read_write + e.refresh + e.background + e.power_down
    )
    assert result.metrics["power_mw"] == pytest.approx(
        result.metrics["energy_pj"] / result.metrics["total_time_ns"]
    )


@pytest.mark.parametrize("device", DEVICES)
def test_power_down_saves_energy_on_a_bursty_trace(device):
    trace = generate_preset("cloud-1")
    awake = run(trace, device, PowerDownPolicy="NoPowerDown")
    asleep = run(trace, device, PowerDownPolicy="Staggered")
    assert asleep.metrics["energy_pj"] < awake.metrics["energy_pj"]
    assert asleep.metrics["latency_mean_ns"] >= awake.metrics["latency_mean_ns"]


def test_simulation_is_deterministic():
    trace = generate_preset("cloud-2")
    design = DESIGNS[2]
    assert run(trace, "hbm2", **design).metrics == run(trace, "hbm2", **design).metrics
