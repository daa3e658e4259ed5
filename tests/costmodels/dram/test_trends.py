"""Known controller trends, on the shipped synthetic workloads."""

import pytest

from dsegym.costmodels.dram.devices import load_device
from dsegym.costmodels.dram.synthetic import generate_preset, mixed, random_access
from dsegym.costmodels.dram.trace import Trace

from .helpers import DEVICES, run


@pytest.mark.parametrize("device", DEVICES)
def test_open_page_beats_closed_page_on_streaming(device):
    trace = generate_preset("stream")
    open_ = run(trace, device, PagePolicy="Open").metrics["latency_mean_ns"]
    closed = run(trace, device, PagePolicy="Closed").metrics["latency_mean_ns"]
    assert open_ < closed


@pytest.mark.parametrize("device", DEVICES)
def test_closed_page_beats_open_page_on_random_traffic(device):
    trace = generate_preset("random")
    open_ = run(trace, device, PagePolicy="Open").metrics["latency_mean_ns"]
    closed = run(trace, device, PagePolicy="Closed").metrics["latency_mean_ns"]
    assert closed < open_


@pytest.mark.parametrize("device", ["ddr3-1600", "ddr4-2400", "hbm2"])
@pytest.mark.parametrize("buffer", ["Bankwise", "Shared"])
def test_frfcfs_beats_fifo_on_latency_for_mixed_traffic(device, buffer):
    trace = generate_preset("mixed")
    fifo = run(trace, device, Scheduler="Fifo", SchedulerBuffer=buffer)
    frfcfs = run(trace, device, Scheduler="FrFcfs", SchedulerBuffer=buffer)
    assert frfcfs.metrics["latency_mean_ns"] < fifo.metrics["latency_mean_ns"]
    assert frfcfs.metrics["row_hit_rate"] > fifo.metrics["row_hit_rate"]


@pytest.mark.parametrize("device", ["ddr3-1600", "ddr4-2400"])
def test_bigger_request_buffers_raise_the_row_hit_rate_under_frfcfs(device):
    trace = mixed(4000, 6.0, read_fraction=0.5, locality=0.9, streams=4, seed=11)
    rates = [
        run(
            trace, device, Scheduler="FrFcfs", SchedulerBuffer="Shared", RequestBufferSize=size
        ).metrics["row_hit_rate"]
        for size in (1, 4, 16)
    ]
    assert rates[0] < rates[1] < rates[2]


def test_open_page_keeps_a_higher_row_hit_rate_than_closed_on_streaming():
    trace = generate_preset("stream")
    assert run(trace, "ddr4-2400", PagePolicy="Open").metrics["row_hit_rate"] > 0.9
    assert run(trace, "ddr4-2400", PagePolicy="Closed").metrics["row_hit_rate"] < 0.1


def test_a_max_active_transactions_of_one_serialises_requests():
    trace = generate_preset("random")
    serial = run(trace, "ddr4-2400", Arbiter="Fifo", MaxActiveTransactions=1)
    parallel = run(trace, "ddr4-2400", Arbiter="Fifo", MaxActiveTransactions=128)
    assert serial.metrics["bandwidth_gbps"] < parallel.metrics["bandwidth_gbps"]
    assert serial.metrics["latency_mean_ns"] > parallel.metrics["latency_mean_ns"]


def _busy_burst(device, start_ns, intervals):
    """Random reads, more than the device can serve, for ``intervals`` refresh intervals."""
    dev = load_device(device)
    span = intervals * dev.t("REFI") * dev.tck_ns
    n = int(span / 4.0)
    trace = random_access(n, 4.0, read_fraction=1.0, seed=3)
    return Trace.from_arrays(trace.time_ns + start_ns, trace.is_write, trace.address)


def test_postponing_refresh_moves_it_out_of_a_busy_burst():
    trace = _busy_burst("ddr4-2400", 0.0, 5)
    strict = run(trace, "ddr4-2400", RefreshMaxPostponed=0)
    relaxed = run(trace, "ddr4-2400", RefreshMaxPostponed=8)
    assert strict.counts["refresh_all_bank"] >= 4
    assert relaxed.counts["refresh_all_bank"] == 0
    assert relaxed.metrics["latency_mean_ns"] < strict.metrics["latency_mean_ns"]


def test_pulling_refresh_in_while_idle_spares_the_following_burst():
    dev = load_device("ddr4-2400")
    idle_ns = 1.5 * dev.t("REFI") * dev.tck_ns  # one due refresh falls in the idle time
    trace = _busy_burst("ddr4-2400", idle_ns, 5)
    plain = run(trace, "ddr4-2400", RefreshMaxPulledin=0)
    pulled = run(trace, "ddr4-2400", RefreshMaxPulledin=8)
    assert pulled.counts["refresh_all_bank"] > plain.counts["refresh_all_bank"]
    assert pulled.metrics["latency_mean_ns"] < plain.metrics["latency_mean_ns"]
