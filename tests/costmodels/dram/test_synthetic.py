"""Synthetic workloads: deterministic by seed, inside the footprint, with their shape."""

import numpy as np
import pytest

from dsegym.costmodels.dram import synthetic
from dsegym.costmodels.dram.synthetic import generate_preset, load_workload, preset_names
from dsegym.errors import UnknownNameError, WorkloadError


def test_the_archgym_stand_ins_are_shipped():
    assert {"stream", "random", "cloud-1", "cloud-2", "strided", "mixed"} <= set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_presets_are_deterministic_by_seed(name):
    a, b = generate_preset(name), generate_preset(name)
    np.testing.assert_array_equal(a.address, b.address)
    np.testing.assert_array_equal(a.time_ns, b.time_ns)
    c = generate_preset(name, seed=12345)
    assert not (np.array_equal(a.time_ns, c.time_ns) and np.array_equal(a.address, c.address))
    assert len(a) == 4000 and a.name == name
    assert (a.address >= 0).all() and (a.address < synthetic.DEFAULT_FOOTPRINT).all()
    assert (a.address % 64 == 0).all()


def test_stream_is_two_reads_and_a_write_per_element():
    trace = synthetic.stream(300, 5.0)
    assert trace.is_write.sum() == 100
    reads_b = trace.address[0::3]
    assert (np.diff(reads_b) == 64).all()


def test_read_fractions_and_locality_show_in_the_traces():
    random = generate_preset("random")
    assert abs((~random.is_write).mean() - 2 / 3) < 0.03
    cloud1, cloud2 = generate_preset("cloud-1"), generate_preset("cloud-2")
    assert (~cloud1.is_write).mean() > (~cloud2.is_write).mean()


def test_cloud_traffic_is_bursty():
    gaps = np.diff(generate_preset("cloud-1").time_ns)
    assert gaps.max() > 20 * np.median(gaps)


def test_workload_resolution(tmp_path):
    with pytest.raises(UnknownNameError, match="cloud-1"):
        load_workload("cloud-3", 800.0)
    with pytest.raises(WorkloadError, match="does not exist"):
        load_workload(str(tmp_path / "x.stl"), 800.0)
    (tmp_path / "x.stl").write_text("0: read 0x0\n1: write 0x40\n2: read 0x80\n")
    assert len(load_workload(str(tmp_path / "x.stl"), 800.0, n_requests=2)) == 2
