"""The NAS-Bench-201 network generator: golden FLOPs/parameters and the costed layers."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels.accelerator.energy import load_table
from dsegym.costmodels.accelerator.model import EyerissLikeModel
from dsegym.costmodels.nas.cells import OPS, parse_cell
from dsegym.costmodels.nas.hwcost import NetworkCoster
from dsegym.costmodels.nas.network import (
    DATASETS,
    accelerator_layers,
    build_network,
    count_flops,
    count_params,
    layer_vocabulary,
    live_edges,
    network_counts,
)
from dsegym.costmodels.nas.tables import COLUMN_PREFIX, frame
from dsegym.errors import UnknownNameError


def random_cells(n: int, seed: int = 0) -> list[tuple[str, ...]]:
    rng = np.random.default_rng(seed)
    return [tuple(OPS[i] for i in row) for row in rng.integers(0, len(OPS), size=(n, 6))]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_flops_and_params_equal_the_benchmark_for_every_subset_cell(dataset):
    table = frame("accuracy_200epoch_subset.csv")
    prefix = COLUMN_PREFIX[dataset]
    table = table.dropna(subset=[f"{prefix}_mflops"])
    assert len(table) >= 724
    for arch, mflops, mparams in zip(
        table["arch"], table[f"{prefix}_mflops"], table[f"{prefix}_mparams"], strict=True
    ):
        layers = build_network(parse_cell(arch), dataset)
        assert f"{count_flops(layers) / 1e6:.6f}" == f"{mflops:.6f}", arch
        assert f"{count_params(layers) / 1e6:.6f}" == f"{mparams:.6f}", arch


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_cached_counts_equal_the_module_list(dataset):
    for cell in random_cells(100):
        layers = build_network(cell, dataset)  # type: ignore[arg-type]
        assert network_counts(cell, dataset) == (count_flops(layers), count_params(layers))  # type: ignore[arg-type]


def test_known_network_sizes():
    # All-3x3 cell on CIFAR-10: 15 convs of each stage width plus the fixed parts.
    conv = parse_cell(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+" * 1
        + "|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    )
    none = parse_cell("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    f_conv, p_conv = network_counts(conv, "cifar10")
    f_none, p_none = network_counts(none, "cifar10")
    per_stage = [(16, 32), (32, 16), (64, 8)]
    # Each 3x3 ReLU-conv-BN: C*H*W (ReLU) + 9 C^2 H W (MACs) + 2 C H W (BN).
    extra = sum(30 * (c * h * h + 9 * c * c * h * h + 2 * c * h * h) for c, h in per_stage)
    assert f_conv - f_none == extra
    assert p_conv - p_none == sum(30 * (9 * c * c + 2 * c) for c, _ in per_stage)


def test_live_edges_drop_what_carries_no_information():
    # node 1 gets nothing (edge 0->1 none): its outgoing edges are dead; node 3 reads 0.
    cell = parse_cell(
        "|none~0|+|skip_connect~0|nor_conv_3x3~1|+|nor_conv_1x1~0|avg_pool_3x3~1|none~2|"
    )
    assert live_edges(cell) == [False, False, False, True, False, False]
    # A node whose result never reaches the output: edges into node 2 are dead.
    cell = parse_cell(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|"
    )
    assert live_edges(cell) == [True, False, False, True, True, False]
    # Everything none: nothing is live and the cells cost nothing.
    empty = ("none",) * 6
    assert live_edges(empty) == [False] * 6  # type: ignore[arg-type]


def test_pruned_network_costs_only_live_ops():
    dead = parse_cell(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|"
    )
    plain = parse_cell("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
    assert accelerator_layers(dead, "cifar10") == accelerator_layers(plain, "cifar10")
    # The counting view still counts the dead convs, as the benchmark does.
    assert network_counts(dead, "cifar10")[0] > network_counts(plain, "cifar10")[0]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_network_layer_is_in_the_vocabulary(dataset):
    vocabulary = set(layer_vocabulary(dataset))
    for cell in random_cells(500, seed=1):
        assert set(accelerator_layers(cell, dataset)) <= vocabulary  # type: ignore[arg-type]


def test_accelerator_macs_match_the_counted_convs():
    cell = parse_cell(
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    )
    layers = accelerator_layers(cell, "cifar10")
    conv_macs = sum(x.macs * n for x, n in layers.items() if x.name.startswith("conv"))
    modules = build_network(cell, "cifar10", prune=True)
    assert conv_macs == sum(
        m.size_out**2 * m.kernel**2 * m.c_in * m.c_out for m in modules if m.kind == "conv"
    )
    # Every layer runs on the Eyeriss tile (the tile model accepts the shapes).
    model = EyerissLikeModel("eyeriss-65nm")
    design = {p.name: p.values[len(p.values) // 2] for p in model.space.parameters}
    design.update(num_pes=168, mesh_x=14)
    assert np.isfinite(model.evaluate(design, list(layers)).metrics["latency_cycles"])


def test_unknown_dataset_is_named():
    with pytest.raises(UnknownNameError, match="imagenet16-120"):
        build_network(("none",) * 6, "mnist")  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_coster_counts_equal_the_pruned_module_list(dataset):
    coster = NetworkCoster(list(DATASETS), load_table("horowitz-45nm"))
    for cell in random_cells(300, seed=2):
        expected = np.zeros(len(coster.vocabulary))
        for layer, n in accelerator_layers(cell, dataset).items():  # type: ignore[arg-type]
            expected[coster.vocabulary.index(layer)] += n
        np.testing.assert_array_equal(coster.counts(dataset, cell), expected)  # type: ignore[arg-type]
