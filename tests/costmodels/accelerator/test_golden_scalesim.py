"""SCALE-Sim 3.0.0 agreement: compute cycles exactly, stalls where SCALE-Sim has none.

Constants regenerate with ``experiments/peers/scalesim_cycles.py`` (peer venv). Each
row: label, kind, dims, rows, cols, dataflow, DRAM words/cycle (None = SCALE-Sim's CALC
mode), SRAM KiB (each of three), SCALE-Sim total cycles, SCALE-Sim stall cycles.
"""

from __future__ import annotations

import pytest

from dsegym.costmodels.accelerator.costing import cost_layers
from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.layers import Layer, LayerArrays

SCALESIM = [
    ("conv_s1_ws_8x8", "conv", (14, 14, 3, 3, 16, 32, 1), 8, 8, "ws", None, 64, 11951, 0),
    ("conv_s1_os_8x8", "conv", (14, 14, 3, 3, 16, 32, 1), 8, 8, "os", None, 64, 11375, 0),
    ("conv_s1_is_8x8", "conv", (14, 14, 3, 3, 16, 32, 1), 8, 8, "is", None, 64, 17495, 0),
    ("conv_s2_ws_16x8", "conv", (15, 15, 3, 3, 8, 24, 2), 16, 8, "ws", None, 64, 1304, 0),
    ("conv_s2_os_16x8", "conv", (15, 15, 3, 3, 8, 24, 2), 16, 8, "os", None, 64, 1127, 0),
    ("conv_s2_is_16x8", "conv", (15, 15, 3, 3, 8, 24, 2), 16, 8, "is", None, 64, 2169, 0),
    ("conv_1x1_ws_32x32", "conv", (7, 7, 1, 1, 64, 40, 1), 32, 32, "ws", None, 64, 571, 0),
    ("conv_1x1_os_32x32", "conv", (7, 7, 1, 1, 64, 40, 1), 32, 32, "os", None, 64, 503, 0),
    ("conv_1x1_is_32x32", "conv", (7, 7, 1, 1, 64, 40, 1), 32, 32, "is", None, 64, 535, 0),
    ("gemm_ws_4x16", "gemm", (50, 30, 70), 4, 16, "ws", None, 64, 2591, 0),
    ("gemm_os_4x16", "gemm", (50, 30, 70), 4, 16, "os", None, 64, 2287, 0),
    ("gemm_is_4x16", "gemm", (50, 30, 70), 4, 16, "is", None, 64, 3743, 0),
    ("gemm_ws_16x16", "gemm", (64, 48, 40), 16, 16, "ws", None, 64, 989, 0),
    ("gemm_os_16x16", "gemm", (64, 48, 40), 16, 16, "os", None, 64, 839, 0),
    ("gemm_is_16x16", "gemm", (64, 48, 40), 16, 16, "is", None, 64, 1127, 0),
    ("gemm_ws_8x8_bw1", "gemm", (64, 48, 40), 8, 8, "ws", 1, 64, 2579, 0),
    ("gemm_ws_8x8_bw2", "gemm", (64, 48, 40), 8, 8, "ws", 2, 64, 2579, 0),
    ("gemm_os_8x8_bw1", "gemm", (64, 48, 40), 8, 8, "os", 1, 64, 2591, 0),
    ("gemm_is_8x8_bw1", "gemm", (64, 48, 40), 8, 8, "is", 1, 64, 2799, 0),
    ("conv_ws_8x8_bw1", "conv", (14, 14, 3, 3, 16, 32, 1), 8, 8, "ws", 1, 64, 11951, 0),
    ("conv_os_8x8_bw2", "conv", (14, 14, 3, 3, 16, 32, 1), 8, 8, "os", 2, 64, 11375, 0),
    ("conv_is_16x16_bw4", "conv", (14, 14, 3, 3, 16, 32, 1), 16, 16, "is", 4, 64, 6317, 0),
    ("gemm_ws_8x8_bw1_s2k", "gemm", (256, 64, 128), 8, 8, "ws", 1, 2, 327374, 291791),
    ("gemm_ws_8x8_bw2_s2k", "gemm", (256, 64, 128), 8, 8, "ws", 2, 2, 164046, 128463),
    ("gemm_ws_8x8_bw4_s2k", "gemm", (256, 64, 128), 8, 8, "ws", 4, 2, 81909, 46326),
    ("gemm_os_8x8_bw1_s2k", "gemm", (256, 64, 128), 8, 8, "os", 1, 2, 2036784, 2000433),
    ("gemm_os_8x8_bw2_s2k", "gemm", (256, 64, 128), 8, 8, "os", 2, 2, 1019440, 983089),
    ("gemm_is_8x8_bw1_s2k", "gemm", (256, 64, 128), 8, 8, "is", 1, 2, 6401029, 6356998),
    ("gemm_is_8x8_bw2_s2k", "gemm", (256, 64, 128), 8, 8, "is", 2, 2, 3203589, 3159558),
    ("gemm_ws_16x16_bw2_s4k", "gemm", (512, 128, 96), 16, 16, "ws", 2, 4, 272525, 245742),
    ("gemm_ws_16x16_bw8_s4k", "gemm", (512, 128, 96), 16, 16, "ws", 8, 4, 68980, 42197),
    ("gemm_os_16x16_bw4_s4k", "gemm", (512, 128, 96), 16, 16, "os", 4, 4, 582242, 549987),
    ("gemm_is_16x16_bw4_s4k", "gemm", (512, 128, 96), 16, 16, "is", 4, 4, 590985, 557578),
    ("conv_ws_8x8_bw1_s4k", "conv", (28, 28, 3, 3, 16, 32, 1), 8, 8, "ws", 1, 4, 390745, 340490),
    ("conv_os_8x8_bw2_s4k", "conv", (28, 28, 3, 3, 16, 32, 1), 8, 8, "os", 2, 4, 730725, 677006),
]
IDS = [case[0] for case in SCALESIM]


def run(case: tuple) -> dict:
    label, kind, dims, rows, cols, df, bw, kib, *_ = case
    layer = Layer(label, *dims) if kind == "conv" else Layer.gemm(label, *dims)
    # SCALE-Sim's setting: 1-byte words everywhere, its fold order, no stream splitting,
    # SRAM ports that never limit, cycles counted from the end of the first fill.
    tile = Tile(
        rows=rows,
        cols=cols,
        dataflow=df,
        ifmap_kib=kib,
        weight_kib=kib,
        ofmap_kib=kib,
        psum_bits=8,
        dram_words_per_cycle=bw or 1e12,
        glb_words_per_cycle=10**12,
        loop_order="col_outer",
        temporal_splits=1,
        charge_prefill=False,
    )
    costs = cost_layers([tile], LayerArrays.from_layers([layer]), load_table("horowitz-45nm"))
    assert costs.problems == [[]]
    return {k: float(v[0, 0]) for k, v in costs.values.items()}


@pytest.mark.golden
@pytest.mark.parametrize("case", SCALESIM, ids=IDS)
def test_compute_cycles_equal_scalesim(case):
    total, stalls = case[-2], case[-1]
    assert run(case)["compute_cycles"] == total - stalls


@pytest.mark.golden
@pytest.mark.parametrize("case", [c for c in SCALESIM if c[-1] == 0], ids=lambda c: c[0])
def test_no_stalls_where_scalesim_has_none(case):
    assert run(case)["stall_cycles"] == 0


@pytest.mark.golden
def test_stalls_fall_with_bandwidth_as_in_scalesim():
    ws = [
        run(c)["stall_cycles"] for c in SCALESIM if c[0].startswith("gemm_ws_8x8_bw") and c[7] == 2
    ]
    assert ws[0] > ws[1] > ws[2]


@pytest.mark.golden
@pytest.mark.xfail(
    strict=True,
    reason=(
        "known gap: SCALE-Sim's read buffer is a ring of prefetched lines whose active "
        "window only moves forward; a demand that falls just behind the window (its "
        "skewed ifmap rows, its row-flipped filter tiles) makes it prefetch all the way "
        "round the operand again. Its DRAM fetches, and so its stalls, grow with those "
        "wraps (filter fetched 10x in gemm_ws_8x8_*_s2k, 248x in gemm_os_8x8_*). dsegym "
        "counts the traffic of a reuse analysis and also the partial-sum spills SCALE-Sim "
        "never reads back: ws stalls are 1.4-2.1x SCALE-Sim's, os/is stalls 0-0.12x"
    ),
)
@pytest.mark.parametrize("case", [c for c in SCALESIM if c[-1] > 0], ids=lambda c: c[0])
def test_stalls_within_10_percent_of_scalesim(case):
    assert run(case)["stall_cycles"] == pytest.approx(case[-1], rel=0.10)
