import math

import numpy as np
import pytest

from dsegym.costmodels.lut.components import load_library
from dsegym.errors import UnknownNameError, WorkloadError


@pytest.fixture(scope="module")
def reference():
    return load_library("components_reference_45nm.yaml")


def test_fits_pass_through_the_reference_points(reference):
    # Horowitz (ISSCC 2014) 45 nm: FP16/FP32 adders and multipliers are fitted exactly.
    assert reference.fp_add_area(11) == pytest.approx(1360)
    assert reference.fp_add_area(24) == pytest.approx(4184)
    assert reference.fp_mult_energy(11) == pytest.approx(1.1)
    assert reference.fp_mult_energy(24) == pytest.approx(3.7)
    assert reference.int_mult_area(8) == pytest.approx(282)
    assert reference.int_mult_area(32) == pytest.approx(3495)
    # Least-squares integer adder stays within 10% of each point.
    for bits, area, energy in ((8, 36, 0.03), (16, 67, 0.05), (32, 137, 0.1)):
        assert reference.int_add_area(bits) == pytest.approx(area, rel=0.1)
        assert reference.int_add_energy(bits) == pytest.approx(energy, rel=0.2)
    # SRAM read energy per bit: 8 KiB and 1 MiB exact, 32 KiB within 4%.
    assert reference.sram_energy_per_bit(8192) == pytest.approx(10 / 64)
    assert reference.sram_energy_per_bit(1 << 20) == pytest.approx(100 / 64)
    assert reference.sram_energy_per_bit(32768) == pytest.approx(20 / 64, rel=0.04)


def test_node_libraries_scale_the_reference(reference):
    n16, n28 = load_library("16nm"), load_library("28nm")
    for lib, area_scale, energy_scale in ((n16, 0.19, 0.1424), (n28, 0.377, 0.507)):
        assert lib.fp_add_area(11) == pytest.approx(1360 * area_scale)
        assert lib.cell_area("mux2") == pytest.approx(1.862 * area_scale)
        assert lib.fp_add_energy(11) == pytest.approx(0.4 * energy_scale)
    assert n16.sram_area_mm2(1024) < n28.sram_area_mm2(1024) < reference.sram_area_mm2(1024)


def test_fp_cost_ordering():
    lib = load_library("16nm")
    # FP8 (E4M3) < BF16 < FP16 adders; any float adder costs more than an INT8 adder.
    assert lib.int_add_area(8) < lib.fp_add_area(4) < lib.fp_add_area(8) < lib.fp_add_area(11)
    # The multiplier law is close to quadratic in the significand width.
    assert lib._fits["fp_mult_area"][1] == pytest.approx(2.0, abs=0.05)


def test_vectorised_and_mux_model():
    lib = load_library("16nm")
    out = lib.mux_area(np.array([2, 13]), np.array([8, 10]))
    assert out == pytest.approx([8 * 1.862 * 0.19, 120 * 1.862 * 0.19])
    assert lib.mux_energy(13, 10) == pytest.approx(0.5 * lib.cell_energy("mux2", 120))


def test_user_library_with_base(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: my-node\nnode_nm: 12\nbase: components_reference_45nm.yaml\n"
        "area_scale: 0.1\nenergy_scale: 0.1\nsram: {bitcell_um2: 0.05}\n"
    )
    lib = load_library(path)
    assert lib.name == "my-node"
    assert lib.sram_bitcell_um2 == 0.05
    assert lib.sram_array_efficiency == 0.6  # inherited
    assert lib.fp_add_area(11) == pytest.approx(136.0)


def test_bad_libraries(tmp_path):
    with pytest.raises(UnknownNameError, match="16nm"):
        load_library("7nm")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncells_um2: [1, 2\n")
    with pytest.raises(WorkloadError, match=r"broken.yaml, line \d"):
        load_library(broken)
    missing = tmp_path / "missing.yaml"
    missing.write_text("name: x\nnode_nm: 3\n")
    with pytest.raises(WorkloadError, match="missing"):
        load_library(missing)
    negative = tmp_path / "negative.yaml"
    negative.write_text("base: components_reference_45nm.yaml\narea_scale: -1\n")
    with pytest.raises(WorkloadError, match="area_scale"):
        load_library(negative)
    assert math.isfinite(load_library("28nm").offchip_pj_per_bit)
