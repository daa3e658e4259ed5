"""The NAS-with-hardware problems: nasbench201-hw, nasbench201-device and nasaic."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from dsegym.cli import main
from dsegym.costmodels.accelerator.costing import cost_layers
from dsegym.costmodels.accelerator.layers import LayerArrays
from dsegym.costmodels.accelerator.model import EyerissLikeModel
from dsegym.costmodels.accelerator.vector import cost_vector_ops
from dsegym.costmodels.data import DataMissingError
from dsegym.costmodels.nas import cell_design, cell_index
from dsegym.costmodels.nas.cells import parse_cell
from dsegym.costmodels.nas.model import HARDWARE_PRESETS
from dsegym.costmodels.nas.network import accelerator_layers, vector_forms
from dsegym.costmodels.nas.tables import frame
from dsegym.costmodels.registry import make_problem
from dsegym.envs.multiagent import parallel_env
from dsegym.errors import ConfigError

CELL_1 = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+"
    "|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
)


def expanded(cell: str | tuple, dataset: str, mac_only: bool = False) -> list:
    parsed = parse_cell(cell) if isinstance(cell, str) else cell
    forms = vector_forms(dataset) if mac_only else {}
    return [
        x
        for x, n in accelerator_layers(parsed, dataset).items()
        for _ in range(int(n))
        if x not in forms
    ]


def vector_part(cell: str | tuple, dataset: str, tile, table) -> dict[str, float]:
    """The summed vector-unit costs of the network's pools and sums."""
    parsed = parse_cell(cell) if isinstance(cell, str) else cell
    forms = vector_forms(dataset)
    ops = [forms[x] for x, n in accelerator_layers(parsed, dataset).items() if x in forms]
    counts = np.array([n for x, n in accelerator_layers(parsed, dataset).items() if x in forms])
    costs = cost_vector_ops([tile], ops, table)
    return {k: float(v[0] @ counts) for k, v in costs.items()}


def test_eyeriss_preset_equals_the_eyeriss_tile_and_its_vector_unit_on_the_network():
    problem = make_problem("nasbench201-hw", {"hardware": "eyeriss"})
    assert problem.space.names == list(cell_design(CELL_1))
    got = problem.evaluate(cell_design(CELL_1)).evaluation
    model = EyerissLikeModel("eyeriss-65nm")
    preset = HARDWARE_PRESETS["eyeriss"][1]
    direct = model.evaluate(preset, expanded(CELL_1, "cifar10", mac_only=True))
    vector = vector_part(CELL_1, "cifar10", model.tile(preset), model.table)
    assert got.feasible and direct.feasible
    for metric in ("latency_cycles", "energy_pj", "dram_words"):
        want = direct.metrics[metric] + vector[metric]
        assert got.metrics[metric] == pytest.approx(want, rel=1e-9), metric
    assert got.metrics["energy_vector_pj"] == pytest.approx(vector["energy_vector_pj"])
    # The tile's area includes its 14-lane vector unit.
    lane = model.table.vector_lane_um2 + 16 * model.table.rf_um2_per_bit
    assert got.metrics["area_mm2"] == pytest.approx(direct.metrics["area_mm2"])
    bare_tile = model.evaluate({**preset, "vector_lanes": 0}, expanded(CELL_1, "cifar10"))
    assert got.metrics["area_mm2"] - bare_tile.metrics["area_mm2"] == pytest.approx(14 * lane / 1e6)
    # Without the vector unit, pools and sums are the tile model's depthwise layers.
    bare = make_problem("nasbench201-hw", {"cell": CELL_1, "accelerator": "eyeriss"})
    no_unit = bare.evaluate({**preset, "vector_lanes": 0}).evaluation
    for metric in ("latency_cycles", "energy_pj", "area_mm2", "utilisation", "dram_words"):
        assert no_unit.metrics[metric] == pytest.approx(bare_tile.metrics[metric], rel=1e-9)
    table = frame("accuracy_12epoch.csv")
    assert got.metrics["accuracy"] == table.loc[1, "cifar10_valid"]
    assert got.metrics["error"] == pytest.approx(100 - table.loc[1, "cifar10_valid"])


def test_joint_space_batch_equals_single_and_hardware_matters():
    problem = make_problem("nasbench201-hw", {"dataset": "imagenet16-120"})
    assert len(problem.space.names) == 6 + 10 + 1  # cell, Eyeriss knobs, vector_lanes
    rng = np.random.default_rng(4)
    designs = [problem.space.sample(rng) for _ in range(25)]
    batch = problem.evaluate_batch(designs)
    single = [problem.evaluate(d) for d in designs]
    for b, s in zip(batch, single, strict=True):
        assert b.evaluation == s.evaluation
    feasible = [o for o in batch if o.feasible]
    assert len({round(o.evaluation.metrics["area_mm2"], 9) for o in feasible}) > 5
    # A design's hardware metrics equal the tile model on the network's layers.
    design = feasible[0].design
    tile = problem.cost_model.tile(design)
    cell = tuple(design[k] for k in list(cell_design(CELL_1)))
    table = problem.cost_model.tile_model.table
    with_unit = tile.vector_lanes > 0
    layers = expanded(cell, "imagenet16-120", mac_only=with_unit)
    costs = cost_layers([tile], LayerArrays.from_layers(layers), table)
    vector = vector_part(cell, "imagenet16-120", tile, table) if with_unit else {"energy_pj": 0}
    assert feasible[0].evaluation.metrics["energy_pj"] == pytest.approx(
        costs.values["energy_pj"][0].sum() + vector["energy_pj"]
    )


def test_systolic_preset_and_budgets():
    problem = make_problem(
        "nasbench201-hw", {"hardware": "systolic", "area_budget_mm2": 1e-3, "dataset": "cifar100"}
    )
    outcome = problem.evaluate(cell_design(CELL_1))
    assert outcome.evaluation.metrics["area_mm2"] > 1e-3 and not outcome.feasible
    assert "spec not met: area_mm2 <= 0.001" in outcome.reasons[0]


def test_200epoch_fidelity_covers_the_subset_only():
    problem = make_problem("nasbench201-hw", {"hardware": "eyeriss", "fidelity": "200epoch"})
    subset = frame("accuracy_200epoch_subset.csv")
    row = subset.iloc[0]
    inside = problem.evaluate(cell_design(row["arch"]))
    assert inside.feasible and inside.evaluation.metrics["accuracy"] == row["cifar10_valid_200ep"]
    missing = next(i for i in range(15625) if i not in set(subset["index"]))
    outside = problem.evaluate(cell_design(missing))
    assert not outside.feasible
    assert "725-cell subset" in outside.reasons[0] and "12epoch" in outside.reasons[0]
    assert outside.evaluation.metrics["latency_cycles"] > 0  # hardware still costed


def test_device_problem_reads_measured_latency():
    problem = make_problem("nasbench201-device", {"device": "raspi4", "latency_budget_ms": 20})
    latency = frame("latency_ms.csv").set_index("index")["raspi4"]
    for index in (0, 1, 1234):
        outcome = problem.evaluate(cell_design(index))
        assert outcome.evaluation.metrics["latency_ms"] == latency[index]
        assert outcome.feasible == (latency[index] <= 20)
    assert problem.objective_labels == ["error", "latency_ms"]


def test_device_problem_rejects_the_16x16_dataset():
    with pytest.raises(ConfigError, match="dataset"):
        make_problem("nasbench201-device", {"dataset": "imagenet16-120"})


def _nasaic_design(problem, mapping, cells=(CELL_1, CELL_1, CELL_1)):
    design = {}
    for task, cell, j in zip(("cifar10", "cifar100", "imagenet16"), cells, mapping, strict=True):
        design.update(cell_design(cell, prefix=f"{task}_"))
        design[f"{task}_subacc"] = j
    for j in range(3):
        design.update(
            {
                f"sa{j}_dataflow": ("ws", "os", "rs")[j],
                f"sa{j}_pe_rows": 16,
                f"sa{j}_pe_cols": 16,
                f"sa{j}_glb_kib": 256,
                f"sa{j}_dram_words_per_cycle": 8,
            }
        )
    return design


def test_nasaic_system_metrics_are_makespan_and_sums():
    problem = make_problem("nasaic")
    model = problem.cost_model
    shared = problem.evaluate(_nasaic_design(problem, (0, 0, 0))).evaluation
    split = problem.evaluate(_nasaic_design(problem, (0, 1, 2))).evaluation
    tasks = ("cifar10", "cifar100", "imagenet16")
    assert shared.metrics["subaccs"] == 1 and split.metrics["subaccs"] == 3
    per_task = [shared.metrics[f"{t}_latency_cycles"] for t in tasks]
    assert shared.metrics["latency_cycles"] == pytest.approx(sum(per_task))
    assert split.metrics["latency_cycles"] == pytest.approx(
        max(split.metrics[f"{t}_latency_cycles"] for t in tasks)
    )
    for m in (shared, split):
        assert m.metrics["energy_pj"] == pytest.approx(
            sum(m.metrics[f"{t}_energy_pj"] for t in tasks)
        )
    # Area: one built tile vs three; an unbuilt slot's knobs change nothing.
    tile0 = model.tile(_nasaic_design(problem, (0, 0, 0)), 0)
    area0 = model.coster.tile_costs([tile0])[0].area_mm2
    assert shared.metrics["area_mm2"] == pytest.approx(area0)
    other = {**_nasaic_design(problem, (0, 0, 0)), "sa2_pe_rows": 64, "sa2_dataflow": "os"}
    assert problem.evaluate(other).evaluation == shared
    # Per-task latency equals the tile model on that task's network.
    layers = expanded(CELL_1, "imagenet16-120")
    direct = cost_layers(
        [model.tile(_nasaic_design(problem, (0, 1, 2)), 2)],
        LayerArrays.from_layers(layers),
        model.coster.table,
    )
    assert split.metrics["imagenet16_latency_cycles"] == pytest.approx(
        direct.values["latency_cycles"][0].sum()
    )


def test_nasaic_budgets_and_specs():
    problem = make_problem(
        "nasaic",
        {
            "pe_budget": 512,
            "bandwidth_budget": 16,
            "objectives": ["mean_error"],
            "latency_spec_cycles": 10,
        },
    )
    outcome = problem.evaluate(_nasaic_design(problem, (0, 1, 2)))
    assert not outcome.feasible
    text = " ".join(outcome.reasons)
    assert "768 PEs, over the budget of 512" in text
    assert "24 DRAM words/cycle, over the budget of 16" in text
    ok = problem.evaluate(_nasaic_design(problem, (0, 0, 1)))
    assert not ok.feasible and "spec not met: latency_cycles <= 10" in ok.reasons[0]


def test_nasaic_fixed_cells_and_task_subset():
    problem = make_problem("nasaic", {"tasks": ["cifar100", "cifar10"], "cells": {"cifar10": 1}})
    names = problem.space.names
    assert not any(n.startswith("cifar10_edge") for n in names)
    assert any(n.startswith("cifar100_edge") for n in names)
    assert not any(n.startswith("imagenet16") for n in names)
    groups = problem.cost_model.parameter_groups
    assert sorted(sum(groups.values(), [])) == sorted(names)
    assert set(groups) == {
        "network_cifar100",
        "hardware_sa0",
        "hardware_sa1",
        "hardware_sa2",
        "mapping",
    }
    design = problem.space.sample(np.random.default_rng(0))
    metrics = problem.evaluate(design).evaluation.metrics
    assert metrics["cifar10_error"] == pytest.approx(
        100 - frame("accuracy_12epoch.csv").loc[1, "cifar10_valid"]
    )


def test_nasaic_multiagent_env_uses_network_and_hardware_agents():
    env = parallel_env(
        "nasaic", problem_params={"tasks": ["cifar10", "imagenet16"], "max_subaccs": 2}
    )
    assert set(env.possible_agents) == {
        "network_cifar10",
        "network_imagenet16",
        "hardware_sa0",
        "hardware_sa1",
        "mapping",
    }
    parallel_api_test(env, num_cycles=10)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["-p", "dataset=mnist"], "dataset"),
        (["-p", "hardware=tpu"], "hardware"),
        (["-p", "fidelity=1epoch"], "fidelity"),
        (["-p", "cell=|nor_conv_5x5~0|"], "cell: cell string"),
        (["-p", "cell=15625"], "from 0 to 15624"),
        (["-p", "cell=3", "-p", "hardware=eyeriss"], "not both"),
    ],
)
def test_cli_bad_input_exits_2_with_the_field(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "nasbench201-hw", *argv, "--random-seed", "1"])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert words in text and "Traceback" not in text


def test_cli_unknown_device_and_cells(capsys):
    for argv, words in (
        (["nasbench201-device", "-p", "device=iphone"], "device"),
        (["nasaic", "-p", 'cells={"cifar10": "|conv~0|"}'], "cells.cifar10"),
        (["nasaic", "-p", 'cells={"cifar10": 20000}'], "from 0 to 15624"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", *argv, "--random-seed", "1"])
        captured = capsys.readouterr()
        assert exc.value.code == 2 and words in captured.out + captured.err


@pytest.mark.parametrize("name", ["nasbench201-hw", "nasbench201-device", "nasaic"])
def test_missing_data_names_the_install_command(name, no_data, capsys):
    with pytest.raises(DataMissingError, match="dsegym data install nasbench201"):
        make_problem(name)
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", name, "--random-seed", "1"])
    captured = capsys.readouterr()
    assert exc.value.code == 2
    assert "dsegym data install nasbench201" in captured.out + captured.err


def test_corrupt_data_file_is_named(tmp_path, monkeypatch, capsys):
    from dsegym.costmodels.nas import tables

    source = frame("latency_ms.csv")
    folder = tmp_path / "nasbench201"
    folder.mkdir()
    import shutil

    from dsegym.costmodels.data import data_file

    for f in ("accuracy_12epoch.csv", "accuracy_200epoch_subset.csv"):
        shutil.copy(data_file("nasbench201", f), folder / f)
    source.head(100).to_csv(folder / "latency_ms.csv", index=False)
    monkeypatch.setenv("DSEGYM_DATA_DIR", str(tmp_path))
    tables.clear_caches()
    try:
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", "nasbench201-device", "--random-seed", "1"])
        captured = capsys.readouterr()
        assert exc.value.code == 2
        assert "latency_ms.csv" in captured.out + captured.err
    finally:
        tables.clear_caches()


def test_cell_index_of_problem_designs():
    problem = make_problem("nasbench201-hw", {"hardware": "eyeriss"})
    design = problem.space.sample(np.random.default_rng(1))
    index = cell_index(design)
    assert cell_design(index) == design


def test_fixed_cell_searches_the_tile_only():
    problem = make_problem("nasbench201-hw", {"cell": CELL_1, "accelerator": "systolic"})
    assert not any(n.startswith("edge_") for n in problem.space.names)
    assert set(problem.cost_model.parameter_groups) == {"hardware"}
    design = problem.space.sample(np.random.default_rng(0))
    by_index = make_problem("nasbench201-hw", {"cell": 1, "accelerator": "systolic"})
    assert problem.evaluate(design).evaluation == by_index.evaluate(design).evaluation


def test_nasaic_task_objective_needs_its_task():
    with pytest.raises(ConfigError, match="needs task 'imagenet16' in tasks"):
        make_problem("nasaic", {"tasks": ["cifar10"], "objectives": ["imagenet16_error"]})


def test_edges_all_runs_dead_edges_that_live_prunes():
    dead = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"
    live = make_problem("nasbench201-hw", {"hardware": "systolic"})
    every = make_problem("nasbench201-hw", {"hardware": "systolic", "edges": "all"})
    pruned, full = (p.evaluate(cell_design(dead)).evaluation for p in (live, every))
    assert full.metrics["latency_cycles"] > pruned.metrics["latency_cycles"]
    assert full.metrics["mflops"] == pruned.metrics["mflops"]  # counting is unchanged
    same = [p.evaluate(cell_design(CELL_1)).evaluation.metrics for p in (live, every)]
    assert same[0]["latency_cycles"] == same[1]["latency_cycles"]
    with pytest.raises(ConfigError, match="edges"):
        make_problem("nasbench201-hw", {"edges": "some"})
