from __future__ import annotations

import pytest

from dsegym.costmodels.accelerator.layers import (
    Layer,
    load_topology,
    load_workload,
    parse_topology,
    workload_names,
)
from dsegym.errors import UnknownNameError, WorkloadError

CONV = (
    "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n"
)


def test_conv_row_follows_scalesim_geometry():
    (layer,) = parse_topology(CONV + "c1, 15, 15, 3, 3, 8, 24, 2,\n")
    assert (layer.ofmap_h, layer.ofmap_w) == (7, 7)  # ceil((15 - 3 + 2) / 2)
    assert (layer.m, layer.filters, layer.k) == (49, 24, 72)


def test_gemm_form_and_depthwise_expansion():
    (gemm,) = parse_topology("Layer, M, N, K,\nqkv, 128, 768, 64,\n")
    assert (gemm.m, gemm.filters, gemm.k) == (128, 768, 64)
    (dw,) = parse_topology(CONV + "b1_DP, 10, 10, 3, 3, 32, 1, 1,\n")
    assert dw.repeat == 32 and dw.channels == 1 and dw.macs == 8 * 8 * 9 * 32


@pytest.mark.parametrize(
    "body, message",
    [
        ("c1, 15, 15, 3, x, 8, 24, 2,\n", "line 3: 'x' is not an integer"),
        ("c1, 15, 15, 3, 3, 8,\n", "line 3: expected 8 columns"),
        ("c1, 15, 15, 3, 3, 0, 24, 2,\n", "line 3"),
        ("c1, 2, 2, 3, 3, 1, 1, 1,\n", "larger than the ifmap"),
    ],
)
def test_malformed_rows_name_the_line(body, message):
    with pytest.raises(WorkloadError, match=message):
        parse_topology(CONV + "\n".join(["ok, 4, 4, 1, 1, 1, 1, 1,"]) + "\n" + body, "f.csv")


def test_file_errors(tmp_path):
    with pytest.raises(WorkloadError, match="cannot read"):
        load_topology(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("just, a, header,\n")
    with pytest.raises(WorkloadError, match="line 1: header"):
        load_topology(bad)
    with pytest.raises(UnknownNameError):
        load_workload("resnet-999")


# Published multiply-accumulate counts of the shipped networks (GMAC).
PUBLISHED_GMAC = {
    "resnet18": 1.8,  # He et al. 2016, Table 1 (1.8e9 FLOPs counted as multiply-adds)
    "resnet50": 4.1,  # He et al. 2016, Table 1 (3.8e9 for v1; 4.1e9 with the stride on 3x3)
    "vgg16": 15.5,  # Simonyan & Zisserman 2015 (15.5 GMAC commonly quoted)
    "mobilenetv2": 0.300,  # Sandler et al. 2018, Table 4: 300M multiply-adds
    "alexnet": 0.714,  # torchvision AlexNet
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_GMAC))
def test_shipped_workloads_have_published_mac_counts(name):
    gmac = sum(layer.macs for layer in load_workload(name)) / 1e9
    assert gmac == pytest.approx(PUBLISHED_GMAC[name], rel=0.03)


def test_transformer_workloads():
    bert = load_workload("bert-base-layer")
    # 4 projections of 768x768 and the FFN, plus per-head attention, at sequence 128.
    expected = 128 * (4 * 768 * 768 + 2 * 768 * 3072) + 12 * 2 * 128 * 128 * 64
    assert sum(x.macs for x in bert) == expected
    llm = load_workload("llm7b-decode-layer")
    assert all(x.m == 1 for x in llm)  # decode: every layer is a GEMV
    assert set(workload_names()) >= {"resnet18", "bert-base-layer", "llm7b-decode-layer"}


def test_layer_rejects_nonpositive_sizes():
    with pytest.raises(WorkloadError, match="filters"):
        Layer.gemm("g", 4, 0, 4)
