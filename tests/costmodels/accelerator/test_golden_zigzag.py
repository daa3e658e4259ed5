"""ZigZag 3.9.1 on its bundled ``tpu_like`` hardware: DRAM traffic and energy agree.

Constants regenerate with ``experiments/peers/zigzag_tpu_like.py`` (its own venv).
Each row: name, kind, dims (SCALE-Sim encoding), ZigZag total energy (pJ), latency
(cycles), MAC energy (pJ), DRAM energy (pJ), and 64-bit DRAM accesses per operand
(input reads, weight reads, output writes).
"""

from __future__ import annotations

import math

import pytest

from dsegym.costmodels.accelerator.costing import cost_layers
from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.layers import Layer, LayerArrays

ZIGZAG = [
    ("conv3x3", "conv", (16, 16, 3, 3, 64, 64, 1), 7556221.696, 9168, 289013.76, 5835200.0,
     (2048, 4608, 1568)),
    ("conv1x1_s2", "conv", (27, 27, 1, 1, 64, 128, 2), 4646210.08, 4767, 64225.28, 4166400.0,
     (1568, 1024, 3136)),
    ("gemm", "gemm", (64, 256, 512), 17905680.384, 18495, 335544.32, 15872000.0,
     (4096, 16384, 2048)),
    ("conv5x5_c48", "conv", (12, 12, 5, 5, 48, 40, 1), 5863009.44, 7328, 122880.0, 5044800.0,
     (864, 6000, 320)),
    ("gemm_k100", "gemm", (30, 70, 100), 1140416.13, 1185, 8400.0, 1072250.0,
     (375, 875, 263)),
    ("conv7x7_s2_rgb", "conv", (37, 37, 7, 7, 3, 64, 2), 3530396.928, 25637, 96337.92, 2719000.0,
     (514, 1176, 2048)),
]  # fmt: skip
IDS = [row[0] for row in ZIGZAG]

# tpu_like: a 32x32 weight-stationary array, 128-byte weight registers, 8-bit inputs and
# weights, 16-bit partial sums, 8-bit final outputs, a 2 MB SRAM for inputs and outputs
# (weights come from DRAM straight into the PE registers) and a 64-bit DRAM port. The
# mapping is the one ZigZag picks for these layers: every row fold's weights sit in the
# PE registers and partial sums finish in the PE (``pe_inner``), the stream uncut.
TPU_LIKE = Tile(
    rows=32,
    cols=32,
    dataflow="ws",
    rf_bytes=128,
    glb_kib=3 * 2048,
    input_bits=8,
    psum_bits=16,
    output_bits=8,
    dram_words_per_cycle=8,
    glb_words_per_cycle=256,
    weights_bypass_glb=True,
    loop_order="pe_inner",
    temporal_splits=1,
)


def run(row: tuple) -> dict:
    name, kind, dims, *_ = row
    layer = Layer(name, *dims) if kind == "conv" else Layer.gemm(name, *dims)
    table = load_table("zigzag-tpu-like")
    costs = cost_layers([TPU_LIKE], LayerArrays.from_layers([layer]), table)
    assert costs.problems == [[]]
    return {k: float(v[0, 0]) for k, v in costs.values.items()}


@pytest.mark.golden
@pytest.mark.parametrize("row", ZIGZAG, ids=IDS)
def test_dram_accesses_per_operand_equal_zigzag(row):
    ours = run(row)
    inputs, weights, outputs = row[-1]
    # ZigZag counts whole 64-bit accesses: eight one-byte words, rounded up.
    assert math.ceil(ours["dram_input_reads"] / 8) == inputs
    assert math.ceil(ours["dram_weight_reads"] / 8) == weights
    assert math.ceil(ours["dram_output_writes"] / 8) == outputs
    assert ours["dram_output_reads"] == 0


@pytest.mark.golden
@pytest.mark.parametrize("row", ZIGZAG, ids=IDS)
def test_mac_and_dram_energy_equal_zigzag(row):
    ours = run(row)
    assert ours["energy_mac_pj"] == pytest.approx(row[5], rel=1e-9)
    # ZigZag charges the rounded-up 64-bit accesses; dsegym the exact words.
    assert ours["energy_dram_pj"] == pytest.approx(row[6], rel=1e-3)


SAME_ARRAY_MAPPING = [row for row in ZIGZAG if row[0] != "conv7x7_s2_rgb"]


@pytest.mark.golden
@pytest.mark.parametrize("row", SAME_ARRAY_MAPPING, ids=[r[0] for r in SAME_ARRAY_MAPPING])
def test_energy_within_2_percent_of_zigzag(row):
    assert run(row)["energy_pj"] == pytest.approx(row[3], rel=0.02)


@pytest.mark.golden
@pytest.mark.xfail(
    strict=True,
    reason=(
        "known gap (-5.5%): tpu_like unrolls only input channels over its 32 rows, so a "
        "3-channel layer uses 3 rows and accumulates 49 filter taps in each PE; dsegym, like "
        "SCALE-Sim, unrolls the whole 147-entry im2col window over the rows"
    ),
)
def test_energy_of_a_three_channel_layer_within_2_percent_of_zigzag():
    row = ZIGZAG[-1]
    assert run(row)["energy_pj"] == pytest.approx(row[3], rel=0.02)


LATENCY_GAP = pytest.mark.xfail(
    strict=True,
    reason=(
        "known gap: dsegym's latency is -10% to +28% of ZigZag's (-85% for the 3-channel "
        "layer, where tpu_like leaves 29 of 32 rows idle). dsegym counts systolic fills "
        "and waits for all of a layer's DRAM traffic over the one 64-bit port (gemm_k100 "
        "moves 12,100 bytes, at least 1,513 cycles, where ZigZag reports 1,185); ZigZag "
        "counts MACs / PEs plus its own on- and off-loading estimates"
    ),
)
LATENCY_CASES = [
    pytest.param(row, id=row[0], marks=() if row[0] == "conv5x5_c48" else LATENCY_GAP)
    for row in ZIGZAG
]


@pytest.mark.golden
@pytest.mark.parametrize("row", LATENCY_CASES)
def test_latency_within_2_percent_of_zigzag(row):
    assert run(row)["latency_cycles"] == pytest.approx(row[4], rel=0.02)
