"""The soc-farsi model and problem on FARSI's databases: goldens, infeasibility, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.costmodels.data import DataCorruptError, DataMissingError
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.soc.library import load_library, parse_library
from dsegym.costmodels.soc.model import unroll_levels
from dsegym.costmodels.soc.workload import load_task_graph, parse_task_graph
from dsegym.envs.multiagent import parallel_env
from dsegym.errors import ConfigError

from .conftest import needs_farsi

# Reference hardware (one A53, one 4-byte SRAM and bus, queue 16): latency ms, power mW
# (FARSI's: the peak over 10 ms windows; an A53 busy throughout draws 2 x 1 GHz /
# 47.02e9 instructions per joule = 42.535 mW; all three equal FARSI's).
REFERENCE = {
    "audio_decoder": (10.817377, 27.11709678),
    "edge_detection": (3296.4608, 42.53544621),
    "hpvm_cava": (84882.331754, 42.53544621),
}


@needs_farsi
@pytest.mark.parametrize("workload", sorted(REFERENCE))
def test_reference_design_golden(workload):
    p = make_problem("soc-farsi", {"workload": workload})
    o = p.evaluate(p.cost_model.reference_design())
    latency, power = REFERENCE[workload]
    assert o.evaluation.metrics["latency_ms"] == pytest.approx(latency, rel=1e-9)
    assert o.evaluation.metrics["power_mw"] == pytest.approx(power, rel=1e-6)
    assert o.evaluation.metrics["area_mm2"] == pytest.approx(0.65)  # one A53
    assert not o.feasible  # the all-A53 SoC misses FARSI's power budget
    assert any("power_mw <= 8.737" in r for r in o.reasons)


@needs_farsi
def test_audio_decoder_graph_and_budgets_are_farsis():
    g = load_task_graph("audio_decoder")
    assert g.n_tasks == 18 and len(g.real_tasks) == 15
    assert g.iterations[g.index("FIR_left_fxp_cloned")] == 16400
    p = make_problem("soc-farsi")
    assert [c.upper for c in p.constraints] == [21.0, 8.737, 17.475]
    assert make_problem("soc-farsi", {"workload": "hpvm_cava"}).constraints[0].upper == 34.0


@needs_farsi
def test_ips_speed_up_and_exist_only_for_their_task():
    p = make_problem("soc-farsi")
    model = p.cost_model
    # The reference is memory-bound; with 128-byte memory and bus it is compute-bound.
    base = dict(model.reference_design(), mem0_width=128, bus0_width=128)
    wide = p.evaluate(base).evaluation.metrics["latency_ms"]
    assert wide < REFERENCE["audio_decoder"][0]
    fir = dict(base, pe_FIR_left_fxp_cloned="ip", ip_FIR_left_fxp_cloned=16)
    faster = p.evaluate(fir)
    assert faster.evaluation.metrics["latency_ms"] < wide
    assert faster.evaluation.metrics["ip_count"] == 1
    # An IP exists only while its task runs on it (version 3): back on a core, the
    # unrolling knob is ignored and the design is the core-only one again.
    back = p.evaluate(dict(fir, pe_FIR_left_fxp_cloned="core"))
    assert back.evaluation.metrics == p.evaluate(base).evaluation.metrics
    assert back.evaluation.metrics["ip_count"] == 0


def test_unroll_levels_are_farsis_ladder():
    # FARSI's geometric ladder (ratio 2, at most 17 levels, the full loop added).
    assert unroll_levels(1) == (1,)
    assert unroll_levels(151) == (1, 2, 4, 8, 16, 32, 64, 128, 151)
    assert unroll_levels(1024) == tuple(2**k for k in range(11))
    assert unroll_levels(1_638_400) == tuple(2**k for k in range(16)) + (1_638_400,)


@needs_farsi
def test_cava_budget_is_met_in_its_corner_only():
    """CAVA meets its 34 ms only with every task on its IP, the gamut-map IP fully
    unrolled (151) and IPs clocked x8: one step down on either misses it."""
    p = make_problem("soc-farsi", {"workload": "hpvm_cava"})
    model = p.cost_model
    corner = dict(
        model.reference_design(),
        ip_freq=8,
        mem_freq=8,
        bus_freq=8,
        mem0_width=128,
        bus0_width=128,
    )
    for name in model.parameter_groups["ips"]:
        task = name[len("ip_") :]
        corner[f"pe_{task}"], corner[name] = "ip", 151
    o = p.evaluate(corner)
    assert o.feasible
    assert o.evaluation.metrics["latency_ms"] == pytest.approx(29.73092, rel=1e-9)
    assert o.evaluation.metrics["area_mm2"] == pytest.approx(1.7769374678, rel=1e-9)
    # The core a task on its IP would use is not part of the SoC.
    elsewhere = dict(corner, **{f"core_{t}": 3 for t in model.graph.real_tasks})
    assert p.evaluate(elsewhere).evaluation.metrics == o.evaluation.metrics
    for knob, value, latency in (
        ("ip_gamut_map_fxp_cloned", 128, 34.76947609375),
        ("ip_freq", 6, 39.64122666666666),
    ):
        step = p.evaluate(dict(corner, **{knob: value}))
        assert step.evaluation.metrics["latency_ms"] == pytest.approx(latency, rel=1e-9)
        assert step.reasons == [f"spec not met: latency_ms <= 34.0 (got {latency:.6g})"]


@needs_farsi
def test_distance_form_is_zero_within_budget():
    loose = make_problem(
        "soc-farsi",
        {"form": "distance", "power_budget_mw": 100.0, "latency_budget_ms": 100.0},
    )
    o = loose.evaluate(loose.cost_model.reference_design())
    assert o.F.tolist() == [0.0]
    tight = make_problem("soc-farsi", {"form": "distance"})
    o = tight.evaluate(tight.cost_model.reference_design())
    assert o.F[0] == pytest.approx(27.11709678 / 8.737 - 1, rel=1e-6)


@needs_farsi
def test_random_designs_are_deterministic_and_utilisation_bounded():
    p = make_problem("soc-farsi")
    rng = np.random.default_rng(3)
    designs = p.space.sample_many(rng, 50)
    a = [p.evaluate(d) for d in designs]
    b = p.evaluate_batch(designs)
    for x, y in zip(a, b, strict=True):
        assert dict(x.evaluation.metrics) == dict(y.evaluation.metrics)
    feasible = [o for o in a if o.evaluation.feasible]
    assert feasible and all(
        0 < o.evaluation.metrics["utilisation_max"] <= 1 + 1e-9 for o in feasible
    )


@needs_farsi
def test_parameter_groups_cover_the_space_once_and_drive_the_multiagent_env():
    from pettingzoo.test import parallel_api_test

    p = make_problem("soc-farsi")
    groups = p.cost_model.parameter_groups
    names = [n for g in groups.values() for n in g]
    assert sorted(names) == sorted(p.space.names)
    assert set(groups) == {"mapping", "ips", "memory", "interconnect", "clocks"}
    parallel_api_test(parallel_env("soc-farsi", groups=groups), num_cycles=10)


@needs_farsi
def test_unknown_workload_is_one_clear_error(capsys):
    with pytest.raises(ConfigError, match="audio_decoder"):
        make_problem("soc-farsi", {"workload": "vr_game"})
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "soc-farsi", "-p", "workload=vr_game", "--random-seed", "0"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "workload" in err and "Traceback" not in err


def test_missing_data_names_the_install_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSEGYM_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    load_task_graph.cache_clear()
    load_library.cache_clear()
    try:
        with pytest.raises(DataMissingError, match="dsegym data install farsi"):
            make_problem("soc-farsi")
        with pytest.raises(SystemExit) as info:
            main(["evaluate", "soc-farsi", "--random-seed", "0"])
        assert info.value.code == 2
        assert "dsegym data install farsi" in capsys.readouterr().err
    finally:
        load_task_graph.cache_clear()
        load_library.cache_clear()


@needs_farsi
@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("audio_decoder/task_pe_performance.csv", 3, "A53", "12o4"),
        ("misc/block_characteristics.csv", 4, "Freq", "fast"),
    ],
)
def test_malformed_installed_file_names_file_row_and_column(
    tmp_path, monkeypatch, capsys, file, row, column, value
):
    # Rows are counted as in a spreadsheet: the header is row 1.
    import shutil

    from dsegym.costmodels.data import locate

    copy = tmp_path / "data" / "farsi"
    shutil.copytree(locate("farsi"), copy)
    frame = pd.read_csv(copy / file, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(copy / file, index=False)
    monkeypatch.setenv("DSEGYM_DATA_DIR", str(tmp_path / "data"))
    load_task_graph.cache_clear()
    load_library.cache_clear()
    try:
        with pytest.raises(
            DataCorruptError, match=rf"{file}.*sha256.*row {row}, column '{column}'.*'{value}'"
        ):
            make_problem("soc-farsi")
        with pytest.raises(SystemExit) as info:
            main(["evaluate", "soc-farsi", "--random-seed", "0"])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert column in err and "Traceback" not in err
    finally:
        load_task_graph.cache_clear()
        load_library.cache_clear()


def _tables():
    movement = pd.DataFrame(
        {
            "Task Name": ["souurce", "A", "siink"],
            "souurce": ["", "", ""],
            "A": ["64", "", ""],
            "siink": ["", "128", ""],
        }
    )
    itr = pd.DataFrame({"Task Name": ["A"], "number of iterations": ["4"]})
    perf = pd.DataFrame(
        {"Task Name": ["souurce", "A", "siink"], "A53": ["0", "1000", "0"], "IP0": ["", "100", ""]}
    )
    energy = pd.DataFrame({"Task Name": ["A"], "A53": [""], "IP0": ["3"]})
    area = pd.DataFrame({"Task Name": ["A"], "A53": [""], "IP0": ["7"]})
    return movement, itr, perf, energy, area


def test_parsed_tables_give_the_graph():
    g = parse_task_graph("w", *_tables())
    assert g.tasks == ("souurce", "A", "siink")
    assert g.edges == ((0, 1, 64.0), (1, 2, 128.0))
    assert g.real_tasks == ["A"] and g.iterations[1] == 4
    assert g.ip_energy_j[1] == pytest.approx(3e-15) and g.ip_area_mm2[1] == pytest.approx(7e-6)


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "message"),
    [
        (0, "A", 0, "lots", r"task_data_movement.csv: row 2, column 'A': .*'lots'"),
        (2, "A53", 1, "-5", r"task_pe_performance.csv: row 3, column 'A53'"),
        (1, "number of iterations", 0, "x", r"task_itr_count.csv: row 2, column 'number of"),
        (4, "IP0", 0, "", r"task_pe_area.csv: task 'A' has IP cycles"),
    ],
)
def test_malformed_cells_name_file_row_and_column(table, column, row, value, message):
    tables = list(_tables())
    tables[table] = tables[table].copy()
    tables[table].loc[row, column] = value
    with pytest.raises(DataCorruptError, match=message):
        parse_task_graph("w", *tables)


def test_malformed_library_names_row_and_column():
    frame = pd.DataFrame(
        {
            "Name": ["A53"],
            "dhrystone_IPC": ["two"],
            "Freq": ["1e9"],
            "Ref": ["yes"],
            "Type": ["pe"],
            "Subtype": ["gpp"],
            "Inst_per_joul": ["1"],
            "Gpp_area": ["1"],
            "BitWidth": ["NA"],
            "Byte_per_joul": ["NA"],
            "Byte_per_m": ["NA"],
            "hop_latency": ["1"],
            "pipe_line_depth": ["1"],
        }
    )
    with pytest.raises(DataCorruptError, match=r"row 2, column 'dhrystone_IPC'.*'two'"):
        parse_library(frame)
