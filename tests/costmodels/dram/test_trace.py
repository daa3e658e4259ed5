"""The DRAMSys .stl reader and writer, and capacity checks."""

import numpy as np
import pytest

from dsegym.costmodels.dram.devices import load_device
from dsegym.costmodels.dram.simulator import prepare
from dsegym.costmodels.dram.synthetic import generate_preset
from dsegym.costmodels.dram.trace import Trace, read_stl, write_stl
from dsegym.errors import WorkloadError


def test_reads_the_dramsys_syntax(tmp_path):
    path = tmp_path / "t.stl"
    path.write_text(
        "# Comment lines begin with #\n"
        "31:\tread\t0x400140\n"
        "33: read 0x400160   # trailing comment\n"
        "\n"
        "56: write 0x7fff8000 0x123456789abcdef\n"
        "81: (128) read 0x400180\n"
    )
    trace = read_stl(path, clock_mhz=200.0)
    assert trace.time_ns.tolist() == [155.0, 165.0, 280.0, 405.0]
    assert trace.is_write.tolist() == [False, False, True, False]
    assert trace.address.tolist() == [0x400140, 0x400160, 0x7FFF8000, 0x400180]
    assert trace.length.tolist() == [0, 0, 0, 128]
    bursts = trace.split_into_bursts(64)
    assert len(bursts) == 5
    assert bursts.address[-2:].tolist() == [0x400180, 0x4001C0]


def test_round_trip_through_a_file(tmp_path):
    trace = generate_preset("cloud-1", n_requests=500)
    path = tmp_path / "cloud.stl"
    write_stl(trace, path, clock_mhz=1000.0)
    back = read_stl(path, clock_mhz=1000.0)
    np.testing.assert_array_equal(back.address, trace.address)
    np.testing.assert_array_equal(back.is_write, trace.is_write)
    np.testing.assert_allclose(back.time_ns, np.rint(trace.time_ns), atol=1e-9)


@pytest.mark.parametrize(
    "bad_line",
    ["31 read 0x10", "31: fetch 0x10", "31: read", "x: read 0x10", "31: read 0xZZ"],
)
def test_a_malformed_line_names_its_file_and_number(tmp_path, bad_line):
    path = tmp_path / "bad.stl"
    path.write_text(f"# header\n0: read 0x0\n{bad_line}\n")
    with pytest.raises(WorkloadError, match=r"bad\.stl, line 3"):
        read_stl(path, clock_mhz=100.0)


def test_decreasing_cycles_are_rejected(tmp_path):
    path = tmp_path / "back.stl"
    path.write_text("10: read 0x0\n5: read 0x40\n")
    with pytest.raises(WorkloadError, match="line 2"):
        read_stl(path, clock_mhz=100.0)


def test_missing_and_empty_files_are_workload_errors(tmp_path):
    with pytest.raises(WorkloadError, match="cannot read"):
        read_stl(tmp_path / "nope.stl", 100.0)
    (tmp_path / "empty.stl").write_text("# nothing\n")
    with pytest.raises(WorkloadError, match="no requests"):
        read_stl(tmp_path / "empty.stl", 100.0)


def test_addresses_beyond_the_device_capacity_are_rejected():
    dev = load_device("hbm2")
    trace = Trace.from_arrays([0.0, 1.0], [False, False], [0, dev.capacity_bytes])
    with pytest.raises(WorkloadError, match="beyond"):
        prepare(trace, dev)
    prepare(Trace.from_arrays([0.0], [False], [dev.capacity_bytes - 64]), dev)


def test_capacities_match_the_parts():
    assert load_device("ddr3-1600").capacity_bytes == 2**30  # 8 x 1 Gb
    assert load_device("ddr4-2400").capacity_bytes == 4 * 2**30  # 8 x 4 Gb
    assert load_device("lpddr4-3200").capacity_bytes == 6 * 2**30 // 8  # 6 Gb
    assert load_device("hbm2").capacity_bytes == 2**29
