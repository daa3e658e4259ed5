"""Cell strings, designs and the NAS-Bench-201 index order."""

from __future__ import annotations

import pytest

from dsegym.costmodels.data import DataMissingError
from dsegym.costmodels.nas import EDGE_KNOBS, cell_design, cell_index, cell_string, parse_cell
from dsegym.costmodels.nas.tables import frame
from dsegym.errors import ConfigError

CELL_1 = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+"
    "|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
)


def test_parse_and_format_round_trip():
    cell = parse_cell(CELL_1)
    assert cell == (
        "nor_conv_3x3",
        "nor_conv_3x3",
        "avg_pool_3x3",
        "skip_connect",
        "nor_conv_3x3",
        "skip_connect",
    )
    assert cell_string(cell) == CELL_1


def test_index_order_matches_the_arch_column():
    table = frame("accuracy_12epoch.csv")
    for index in (0, 1, 2, 777, 15624):
        arch = table.loc[table["index"] == index, "arch"].item()
        design = cell_design(index)
        assert cell_string(tuple(design[k] for k in EDGE_KNOBS)) == arch  # type: ignore[arg-type]
        assert cell_index(design) == index
        assert cell_design(arch) == design
    assert cell_index(cell_design(CELL_1)) == 1


def test_every_index_round_trips():
    for index in range(0, 15625, 7):
        assert cell_index(cell_design(index)) == index


def test_prefixed_designs_for_multi_task_problems():
    design = cell_design(1, prefix="cifar100_")
    assert set(design) == {f"cifar100_{k}" for k in EDGE_KNOBS}
    assert cell_index(design, prefix="cifar100_") == 1


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "bad edge 'conv~0'"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "bad edge 'none~1'"),
        ("|none~0|+|none~0|none~1|", "2 nodes, not 3"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 needs 2 edges"),
    ],
)
def test_bad_cell_strings_say_what_is_wrong(given, words):
    with pytest.raises(ConfigError, match="expected the form") as exc:
        cell_design(given)
    assert words in str(exc.value)


@pytest.mark.parametrize("index", [-1, 15625, 10**9])
def test_index_out_of_range(index):
    with pytest.raises(ConfigError, match="from 0 to 15624"):
        cell_design(index)


def test_design_with_unknown_op_is_named():
    design = {**cell_design(CELL_1), "edge_1_3": "conv5x5"}
    with pytest.raises(ConfigError, match="edge_1_3: unknown op 'conv5x5'"):
        cell_index(design)


def test_cell_string_needs_no_data_but_an_index_does(no_data):
    assert cell_design(CELL_1)["edge_0_1"] == "nor_conv_3x3"
    with pytest.raises(DataMissingError, match="dsegym data install nasbench201"):
        cell_design(5)
