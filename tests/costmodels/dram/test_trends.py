"""Known controller trends, on the shipped synthetic workloads."""

import pytest

from dsegym.costmodels.dram.synthetic import generate_preset, mixed

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
