import numpy as np
import pytest

from dsegym.costmodels.lut.analysis import shape_grid
from dsegym.costmodels.lut.baseline import baseline
from dsegym.costmodels.lut.components import load_library
from dsegym.errors import UnknownNameError


@pytest.fixture(scope="module")
def lib():
    return load_library("16nm")


@pytest.mark.parametrize("act", ["INT4", "INT8", "FP8", "BF16", "FP16"])
def test_ternary_array_is_cheaper_than_ordinary_mac(lib, act):
    grid = shape_grid(act, mus=(3,), tables=(8,), fetchers=(16,))
    ternary = baseline(lib, grid, "ternary-mac")
    ordinary = baseline(lib, grid, "mac")
    assert (ternary.compute_area < ordinary.compute_area).all()
    assert (ternary.energy_per_mac < ordinary.energy_per_mac).all()


def test_baseline_scales_with_throughput(lib):
    grid = shape_grid("FP16", mus=(3,), tables=(8,), fetchers=(16, 32))
    area = baseline(lib, grid, "ternary-mac").compute_area
    assert area[1] == pytest.approx(2 * area[0])
    # Per MAC, a ternary PE is one adder of the column tree plus gating (float adder dominates).
    per_mac_um2 = area[0] * 1e6 / grid.macs_per_cycle[0]
    assert per_mac_um2 == pytest.approx(lib.fp_add_area(11), rel=0.15)


def test_unknown_kind(lib):
    grid = shape_grid("FP16", mus=(3,), tables=(1,), fetchers=(1,))
    with pytest.raises(UnknownNameError):
        baseline(lib, grid, "systolic")
    assert np.isfinite(baseline(lib, grid).compute_area).all()
