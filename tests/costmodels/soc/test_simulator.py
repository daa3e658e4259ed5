"""Hand-computed exact cases of the phase-driven simulation (no FARSI data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels.soc.hardware import PE, Bus, Memory, SocDesign, check, costs
from dsegym.costmodels.soc.model import block_utilisation
from dsegym.costmodels.soc.simulator import Precedence, simulate

from .conftest import graph, library, soc


def run(g, design, lib=None, memory_costs="excluded"):
    lib = lib or library()
    assert check(design, g, lib) == []
    c = costs(design, g, lib, memory_costs)
    precedence = Precedence.from_edges(g.n_tasks, [(p, q) for p, q, _ in g.edges])
    schedule = simulate(c.demand, c.private, precedence, c.task_energy_j, c.task_pe, c.by_bytes)
    return schedule, c


def test_chain_runs_tasks_back_to_back():
    # src -> A (1e6 cycles) -> B (2e6 cycles) -> sink at 1 GHz; 4 kB moved takes 10 us
    # of the 400 MB/s memory, far below compute, so latency is 1 ms + 2 ms exactly.
    g = graph(
        ["src", "A", "B", "sink"],
        [("src", "A", 8), ("A", "B", 4000), ("B", "sink", 8)],
        {"A": 1e6, "B": 2e6},
    )
    schedule, c = run(g, soc({"A": "gpp0", "B": "gpp0"}))
    assert schedule.latency_s == pytest.approx(3e-3, rel=1e-12)
    assert schedule.finish_s[1] == pytest.approx(1e-3, rel=1e-12)
    # 2 instructions per cycle at 1e9 instructions/J: 6e6 instructions = 6 mJ.
    assert c.energy_j.sum() == pytest.approx(6e-3)
    assert schedule.utilisation()[0] == pytest.approx(1.0)


def test_fork_join_runs_one_task_at_a_time_on_a_core():
    # A (1e6) and B (3e6) both become ready at 0 on gpp0: A (first in order) runs to
    # 1 ms, then B to 4 ms; C (1e6) -> 5 ms. Energy is spent as each task progresses.
    edges = [("src", "A", 4), ("src", "B", 4), ("A", "C", 4), ("B", "C", 4), ("C", "sink", 4)]
    g = graph(["src", "A", "B", "C", "sink"], edges, {"A": 1e6, "B": 3e6, "C": 1e6})
    shared, c = run(g, soc({"A": "gpp0", "B": "gpp0", "C": "gpp0"}))
    assert shared.finish_s[1] == pytest.approx(1e-3, rel=1e-9)
    assert shared.finish_s[2] == pytest.approx(4e-3, rel=1e-9)
    assert shared.latency_s == pytest.approx(5e-3, rel=1e-9)
    assert shared.phase_s.tolist() == pytest.approx([1e-3, 3e-3, 1e-3], rel=1e-9)
    assert shared.phase_j.tolist() == pytest.approx(c.task_energy_j[1:4].tolist(), rel=1e-9)
    # On two cores the branches overlap: max(1, 3) + 1 = 4 ms.
    apart, _ = run(g, soc({"A": "gpp0", "B": "gpp1", "C": "gpp0"}, gpps=2))
    assert apart.latency_s == pytest.approx(4e-3, rel=1e-9)


def test_a_free_core_takes_the_task_that_became_ready_last():
    # A and B are ready at 0 on gpp0; A runs first. When A ends (1 ms), its child D
    # becomes ready and takes the core before B, which waited longer (FARSI's order).
    edges = [("src", "A", 4), ("src", "B", 4), ("A", "D", 4)]
    g = graph(["src", "A", "B", "D"], edges, {"A": 1e6, "B": 1e6, "D": 1e6})
    schedule, _ = run(g, soc({"A": "gpp0", "B": "gpp0", "D": "gpp0"}))
    assert schedule.finish_s.tolist() == pytest.approx([0, 1e-3, 3e-3, 2e-3], rel=1e-9)


def test_peak_power_takes_farsi_windows():
    # 10 ms windows; FARSI places the bounds counting non-empty phases only (4, 4, 4,
    # 20 ms: a window closes on the third 4 ms phase and on the 20 ms one) but slices
    # its list with two leading empty phases: [0, 0, 4], [4], [4, 20] ms.
    from dsegym.costmodels.soc.simulator import peak_power

    phase_s = np.array([4e-3, 4e-3, 4e-3, 20e-3])
    phase_j = np.array([4.0, 4.0, 40.0, 20.0])
    assert peak_power(phase_s, phase_j) == pytest.approx(60.0 / 24e-3)
    assert peak_power(np.array([1e-3]), np.array([1e-3])) == pytest.approx(1.0)


def test_bandwidth_bound_transfer_runs_at_the_memory_rate():
    # A computes for 1 us but writes 4 MB; the 400 MB/s memory and bus take 10 ms (its
    # 4-byte read goes through the read channels meanwhile). B reads the same 4 MB:
    # another 10 ms. Write channels then read channels are busy the whole time.
    g = graph(["src", "A", "B"], [("src", "A", 4), ("A", "B", 4e6)], {"A": 1000, "B": 1000})
    schedule, c = run(g, soc({"A": "gpp0", "B": "gpp0"}))
    assert schedule.latency_s == pytest.approx(20e-3, rel=1e-12)
    util = block_utilisation(schedule.utilisation(), 1)
    assert util[1] == pytest.approx(0.5, rel=1e-6) and util[2] == pytest.approx(0.5, rel=1e-6)
    assert util[0] == pytest.approx(2000 / 1e9 / 20e-3)
    assert c.traffic_bytes[1] == pytest.approx(8e6 + 4)


def test_two_writers_split_the_memory_bandwidth():
    # A and B (on their own cores) each write 2 MB at once: 400 MB/s split in two,
    # both finish at 10 ms rather than 5 ms.
    edges = [("src", "A", 4), ("src", "B", 4), ("A", "sink", 2e6), ("B", "sink", 2e6)]
    g = graph(["src", "A", "B", "sink"], edges, {"A": 1000, "B": 1000})
    schedule, _ = run(g, soc({"A": "gpp0", "B": "gpp1"}, gpps=2))
    assert schedule.finish_s[1] == pytest.approx(10e-3, rel=1e-12)
    assert schedule.finish_s[2] == pytest.approx(schedule.finish_s[1], rel=1e-12)


def test_a_memory_write_channel_is_shared_by_bytes_a_bus_equally():
    # A writes 1 MB and B 3 MB at once (own cores). FARSI's memory write channel gives
    # A 1/4 and B 3/4 of 400 MB/s; the bus gives each half. A: max(1 MB / 100 MB/s,
    # 1 MB / 200 MB/s) = 10 ms. B: max(3 MB / 300 MB/s, 3 MB / 200 MB/s) = 15 ms pace,
    # so by 10 ms it has written 2 MB; the last 1 MB alone at 400 MB/s: 12.5 ms.
    edges = [("src", "A", 4), ("src", "B", 4), ("A", "sink", 1e6), ("B", "sink", 3e6)]
    g = graph(["src", "A", "B", "sink"], edges, {"A": 1000, "B": 1000})
    schedule, _ = run(g, soc({"A": "gpp0", "B": "gpp1"}, gpps=2))
    assert schedule.finish_s[1] == pytest.approx(10e-3, rel=1e-9)
    assert schedule.finish_s[2] == pytest.approx(12.5e-3, rel=1e-9)


def test_unrolled_ip_runs_faster_and_costs_unroll_times_the_energy_and_area():
    g = graph(["src", "A"], [("src", "A", 4)], {"A": 1e6}, ip_cycles={"A": 8e5})
    one, c1 = run(g, soc({"A": "ip_A"}, gpps=0, ips=(("A", 1),)))
    eight, c8 = run(g, soc({"A": "ip_A"}, gpps=0, ips=(("A", 8),)))
    assert one.latency_s == pytest.approx(8e-3)  # 8e5 cycles at 100 MHz
    assert eight.latency_s == pytest.approx(1e-3)
    assert c8.energy_j.sum() == pytest.approx(8 * c1.energy_j.sum())
    # 0.5 mm^2 per unrolled copy, times FARSI's technology-node factor for IPs.
    assert c8.area_mm2.sum() == pytest.approx(8 * 0.5 * 0.0374)


def test_small_queue_bounds_the_transfer_by_littles_law():
    # Pipeline depth 100 at 100 MHz: 1 us through the memory and 1 us through the bus.
    # One 256-byte request in flight per 2 us round trip: 128 MB/s < 400 MB/s.
    lib = library(pipeline_depth=100.0)
    g = graph(["src", "A", "sink"], [("src", "A", 4), ("A", "sink", 4e6)], {"A": 1000})
    schedule, _ = run(g, soc({"A": "gpp0"}, queue_size=1), lib)
    assert schedule.latency_s == pytest.approx((4e6 + 4) * 2e-6 / 256, rel=1e-9)
    deep, _ = run(g, soc({"A": "gpp0"}, queue_size=64), lib)
    assert deep.latency_s == pytest.approx(4e6 / 4e8, rel=1e-12)


def test_reads_and_writes_use_separate_channels():
    # A writes 2 MB while B reads 2 MB of source data: the write and read channels each
    # run at 400 MB/s, so both take 5 ms (one shared channel would take 10 ms). Neither
    # does anything else: a block's rate is split equally among the tasks using it, so
    # even a 4-byte transfer on the same channel would halve the other's share.
    edges = [("src", "B", 2e6), ("A", "sink", 2e6)]
    g = graph(["src", "A", "B", "sink"], edges, {"A": 1, "B": 1})
    schedule, _ = run(g, soc({"A": "gpp0", "B": "gpp1"}, gpps=2))
    assert schedule.finish_s[1] == pytest.approx(5e-3, rel=1e-9)
    assert schedule.latency_s == pytest.approx(5e-3, rel=1e-9)


def test_library_memory_costs_are_per_byte():
    g = graph(["src", "A", "B"], [("src", "A", 4), ("A", "B", 1000)], {"A": 10, "B": 10})
    _, c = run(g, soc({"A": "gpp0", "B": "gpp0"}), memory_costs="library")
    # 2,004 bytes through the memory and the bus at 1e6 bytes/J; 1,004 bytes stored;
    # times FARSI's technology-node factors (energy 0.064, memory area 0.07).
    assert c.energy_j[1] == pytest.approx(2004 / 1e6 * 0.064)
    assert c.energy_j[2] == pytest.approx(2004 / 1e6 * 0.064)
    assert c.area_mm2[1] == pytest.approx(1004 / 1e6 * 1e6 * 0.07)
    # Each task carries the traffic it moves: A writes 1,000 bytes (and reads 4), B
    # reads 1,000, each through the memory and the bus.
    per_byte = 2 / 1e6 * 0.064
    assert c.task_energy_j[1] == pytest.approx(1004 * per_byte + 10 * 2 / 1e9)
    assert c.task_energy_j[2] == pytest.approx(1000 * per_byte + 10 * 2 / 1e9)
    _, excluded = run(g, soc({"A": "gpp0", "B": "gpp0"}))
    assert excluded.energy_j[1:].sum() == 0 and excluded.area_mm2[1:].sum() == 0


def test_impossible_designs_list_every_reason():
    g = graph(
        ["src", "A", "B"], [("src", "A", 4), ("A", "B", 4)], {"A": 10, "B": 10}, ip_cycles={"A": 5}
    )
    lib = library()
    absent = soc({"A": "ip_A", "B": "gpp3"})
    reasons = check(absent, g, lib)
    assert "task 'A' is mapped to absent PE 'ip_A'" in reasons
    assert "task 'B' is mapped to absent PE 'gpp3'" in reasons
    wrong_ip = soc({"A": "gpp0", "B": "ip_A"}, ips=(("A", 1),))
    assert any("the IP of task 'A'" in r for r in check(wrong_ip, g, lib))
    disconnected = SocDesign(
        (PE("gpp0", "gpp", "bus0"),),
        (Memory("mem0", "sram", 4, "bus7"),),
        (Bus("bus0", 4),),
        {"A": "gpp0", "B": "gpp0"},
    )
    assert check(disconnected, g, lib) == ["block 'mem0' is disconnected: bus 'bus7' is absent"]
    islands = SocDesign(
        (PE("gpp0", "gpp", "bus0"),),
        (Memory("mem0", "sram", 4, "bus1"),),
        (Bus("bus0", 4), Bus("bus1", 4)),
        {"A": "gpp0", "B": "gpp0"},
    )
    assert any("no bus path from PE 'gpp0'" in r for r in check(islands, g, lib))
    ip_only = graph(["src", "A"], [("src", "A", 4)], {"A": float("inf")}, ip_cycles={"A": 5})
    assert any(
        "no cycles for it on a general-purpose core" in r
        for r in check(soc({"A": "gpp0"}), ip_only, lib)
    )
    wide = soc({"A": "gpp0", "B": "gpp0"})
    wide = SocDesign(wide.pes, (Memory("mem0", "dram", 64, "bus0"),), wide.buses, wide.task_pe)
    assert check(wide, g, lib) == ["memory 'mem0': no library dram of width 64 bytes"]
