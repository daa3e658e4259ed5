from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels.accelerator.costing import ENERGY_PARTS
from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.hardware import Tile
from dsegym.costmodels.accelerator.layers import Layer
from dsegym.costmodels.accelerator.model import (
    EyerissLikeModel,
    SystolicArrayModel,
    per_layer,
)
from dsegym.errors import ConfigError, UnknownNameError

SYSTOLIC = dict(
    rows=32,
    cols=32,
    dataflow="ws",
    ifmap_kib=256,
    weight_kib=256,
    ofmap_kib=256,
    dram_words_per_cycle=16,
)
EYERISS = dict(
    num_pes=168,
    mesh_x=14,
    ifmap_spad_words=12,
    weight_spad_words=224,
    psum_spad_words=24,
    spad_class="regfile",
    glb_depth=4096,
    glb_block_words=4,
    glb_banks=8,
    dram_words_per_cycle=8,
)


@pytest.fixture(scope="module")
def systolic():
    return SystolicArrayModel()


def test_energy_parts_sum_and_bounds(systolic):
    e = systolic.evaluate(SYSTOLIC, "resnet50")
    assert e.feasible
    m = e.metrics
    assert sum(m[p] for p in ENERGY_PARTS) == pytest.approx(m["energy_pj"])
    assert m["latency_cycles"] == m["compute_cycles"] + m["stall_cycles"]
    assert 0 < m["utilisation"] <= 1
    assert m["edp_pj_cycles"] == pytest.approx(m["energy_pj"] * m["latency_cycles"])
    # MAC energy: 4.09 GMAC x 0.3 pJ (horowitz-45nm, 8-bit).
    assert m["energy_mac_pj"] == pytest.approx(4.089184256e9 * 0.3)


def test_batch_equals_single(systolic):
    rng = np.random.default_rng(3)
    designs = [systolic.space.sample(rng) for _ in range(12)]
    batch = systolic.evaluate_batch(designs, "alexnet")
    for d, b in zip(designs, batch, strict=True):
        s = systolic.evaluate(d, "alexnet")
        assert s.feasible == b.feasible and s.violations == b.violations
        for k, v in s.metrics.items():
            assert b.metrics[k] == pytest.approx(v)


def test_trends(systolic):
    def metric(name, **change):
        return systolic.evaluate({**SYSTOLIC, **change}, "resnet18").metrics[name]

    assert metric("stall_cycles", dram_words_per_cycle=1) > metric(
        "stall_cycles", dram_words_per_cycle=64
    )
    assert metric("compute_cycles", rows=64, cols=64) < metric("compute_cycles")
    assert metric("area_mm2", rows=64, cols=64) > metric("area_mm2")
    assert metric("area_mm2", ifmap_kib=1024) > metric("area_mm2")
    assert metric("energy_dram_pj", weight_kib=8, ifmap_kib=8) > metric("energy_dram_pj")


def test_mapper_is_no_worse_than_a_fixed_mapping():
    mapper = SystolicArrayModel()
    fixed = SystolicArrayModel(mapping="explicit")
    design = {**SYSTOLIC, "ifmap_kib": 16, "weight_kib": 16, "ofmap_kib": 16}
    auto = per_layer(mapper, design, "resnet18")
    assert not isinstance(auto, str)
    for order in ("col_outer", "row_outer"):
        for splits in (1, 4):
            pinned = per_layer(fixed, {**design, "loop_order": order, "temporal_splits": splits})
            assert not isinstance(pinned, str)
            edp_auto = auto["energy_pj"] * auto["latency_cycles"]
            edp_pinned = pinned["energy_pj"] * pinned["latency_cycles"]
            assert np.all(edp_auto <= edp_pinned * (1 + 1e-12))


def test_explicit_mapping_that_cannot_hold_is_infeasible():
    model = SystolicArrayModel(mapping="explicit")
    design = {**SYSTOLIC, "dataflow": "os", "loop_order": "pe_inner", "temporal_splits": 1}
    e = model.evaluate(design, "alexnet")
    assert not e.feasible and "no legal mapping" in e.violations[-1]
    # Two row folds of 8-bit weights and a 32-bit partial sum fit a 16-byte register file.
    small = [Layer.gemm("g", 64, 64, 256)]
    assert model.evaluate({**design, "dataflow": "ws", "rows": 128}, small).feasible
    # AlexNet's fc6 (K = 9216) needs 72 row folds per PE: no legal pe_inner mapping.
    assert not model.evaluate({**design, "dataflow": "ws", "rows": 128}, "alexnet").feasible


def test_infeasible_designs_say_why(systolic):
    e = systolic.evaluate(
        {**SYSTOLIC, "dataflow": "os", "rows": 128, "cols": 128, "ofmap_kib": 8}, "resnet18"
    )
    assert not e.feasible
    assert "output buffer" in e.violations[0] and "smallest tile" in e.violations[0]
    eyeriss = EyerissLikeModel()
    bad = eyeriss.evaluate({**EYERISS, "num_pes": 168, "mesh_x": 16})
    assert not bad.feasible and "not a multiple" in bad.violations[0]


def test_eyeriss_row_stationary_reuse():
    model = EyerissLikeModel()
    base = model.evaluate(EYERISS, "alexnet")
    assert base.feasible
    small_spads = model.evaluate({**EYERISS, "weight_spad_words": 4, "psum_spad_words": 4})
    # Bigger scratchpads let each input row serve more filters: less buffer energy.
    assert base.metrics["energy_glb_pj"] < small_spads.metrics["energy_glb_pj"]
    assert base.metrics["area_mm2"] > small_spads.metrics["area_mm2"]


def test_per_layer_metrics(systolic):
    layers = per_layer(
        systolic, SYSTOLIC, [Layer.gemm("a", 64, 64, 64), Layer.gemm("b", 1, 64, 64)]
    )
    assert not isinstance(layers, str)
    assert layers["latency_cycles"].shape == (2,)
    assert layers["utilisation"][1] < layers["utilisation"][0]  # a GEMV starves the array


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(dataflow="xs"), UnknownNameError),
        (dict(rows=0), ConfigError),
        (dict(dram_words_per_cycle=-1.0), ConfigError),
        (dict(glb_kib=0), ConfigError),
        (dict(ifmap_kib=8), ConfigError),
    ],
)
def test_tile_rejects_bad_values(kwargs, error):
    with pytest.raises(error):
        Tile(**kwargs)


def test_energy_tables(tmp_path):
    for name in ("horowitz-45nm", "eyeriss-65nm", "zigzag-tpu-like"):
        assert load_table(name).mac_pj > 0
    with pytest.raises(UnknownNameError):
        load_table("7nm-magic")
    user = tmp_path / "t.yaml"
    source = load_table("horowitz-45nm")
    import yaml

    data = {k: getattr(source, k) for k in source.__dataclass_fields__ if k != "name"}
    area = {
        k: data.pop(k)
        for k in ("mac_um2", "sram_um2_per_bit", "rf_um2_per_bit", "bank_overhead_fraction")
    }
    user.write_text(yaml.safe_dump({**data, "mac_pj": 1.0, "area": area}))
    table = load_table(str(user))
    assert table.mac_pj == 1.0
    model = SystolicArrayModel(str(user))
    e = model.evaluate(SYSTOLIC, "alexnet")
    assert e.metrics["energy_mac_pj"] == pytest.approx(sum(x.macs for x in _alexnet()) * 1.0)
    del area["mac_um2"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({**data, "area": area}))
    with pytest.raises(ConfigError, match="mac_um2"):
        load_table(str(broken))


def _alexnet():
    from dsegym.costmodels.accelerator.layers import load_workload

    return load_workload("alexnet")
