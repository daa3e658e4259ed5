"""The vector (pooling / element-wise) unit, against hand-computed figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.vector import VectorOp, cost_vector_ops, vector_area_mm2
from dsegym.errors import ConfigError

# The systolic preset of nasbench201-hw: 32 x 32, 256 KiB per operand, 16 DRAM words
# per cycle, 192 buffer words per cycle (3 x (32 + 32)), 32 vector lanes.
TILE = Tile(
    rows=32,
    cols=32,
    ifmap_kib=256,
    weight_kib=256,
    ofmap_kib=256,
    glb_banks=1,
    glb_words_per_cycle=192,
    dram_words_per_cycle=16,
    vector_lanes=32,
)
TABLE = load_table("horowitz-45nm")


def test_three_input_sum_is_dram_bound():
    op = VectorOp("add3", "add", channels=16, in_side=32, out_side=32, window=3)
    assert (op.in_words, op.out_words, op.ops) == (49152, 16384, 32768)
    got = {k: float(v[0, 0]) for k, v in cost_vector_ops([TILE], [op], TABLE).items()}
    # Lanes: 49152 / 32 = 1536 cycles; DRAM: 65536 / 16 = 4096; buffer: 131072 / 192 = 683.
    assert got["compute_cycles"] == 1536
    assert got["latency_cycles"] == 4096
    assert got["stall_cycles"] == 4096 - 1536
    # 32,768 adds of 32 bits at 0.1 pJ (Horowitz's 32-bit add).
    assert got["energy_vector_pj"] == pytest.approx(3276.8)
    # 8-bit words: DRAM 65,536 x 8 bits x 3.97 pJ; the buffer's 256 KiB bank costs
    # sqrt(256 / 8) x the 8 KiB figure per access, a write and a read per word.
    assert got["energy_dram_pj"] == pytest.approx(65536 * 8 * 3.97)
    assert got["energy_glb_pj"] == pytest.approx(65536 * 8 * 2 * 0.15625 * 32**0.5)
    assert got["energy_pj"] == pytest.approx(
        got["energy_vector_pj"] + got["energy_dram_pj"] + got["energy_glb_pj"]
    )
    assert got["dram_words"] == 65536


def test_average_pool_reads_each_input_once_and_counts_the_window():
    op = VectorOp("pool", "pool", channels=16, in_side=34, out_side=32, window=3)
    assert (op.in_words, op.out_words, op.ops) == (16 * 34 * 34, 16384, 9 * 16384)
    narrow = Tile(**{**TILE.__dict__, "vector_lanes": 1})
    got = cost_vector_ops([TILE, narrow], [op], TABLE)
    assert got["compute_cycles"][:, 0].tolist() == [18496 / 32, 18496]
    # One lane is lane-bound; 32 lanes wait for DRAM: ceil(34880 / 16) = 2180.
    assert got["latency_cycles"][:, 0].tolist() == [2180, 18496]


def test_area_and_no_unit():
    assert vector_area_mm2(TILE, TABLE) == pytest.approx(32 * (419 + 32 * 0.494) / 1e6)
    bare = Tile(**{**TILE.__dict__, "vector_lanes": 0})
    assert vector_area_mm2(bare, TABLE) == 0
    with pytest.raises(ConfigError, match="vector_lanes"):
        Tile(vector_lanes=-1)


@given(
    kind=st.sampled_from(["pool", "add"]),
    channels=st.integers(1, 256),
    side=st.integers(1, 64),
    window=st.integers(2, 4),
    lanes=st.integers(1, 128),
)
def test_more_lanes_are_never_slower_and_cost_only_area(kind, channels, side, window, lanes):
    in_side = side + window - 1 if kind == "pool" else side
    op = VectorOp("op", kind, channels, in_side, side, window)
    tiles = [Tile(**{**TILE.__dict__, "vector_lanes": n}) for n in (lanes, 2 * lanes)]
    got = cost_vector_ops(tiles, [op], TABLE)
    assert got["latency_cycles"][1, 0] <= got["latency_cycles"][0, 0]
    assert got["latency_cycles"][0, 0] >= got["compute_cycles"][0, 0] > 0
    assert got["energy_pj"][1, 0] == got["energy_pj"][0, 0] > 0
    assert vector_area_mm2(tiles[1], TABLE) == pytest.approx(2 * vector_area_mm2(tiles[0], TABLE))
