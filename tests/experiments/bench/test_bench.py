"""``dsegym bench``: suite validation, histories, compare, export (on a tiny suite)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.experiments.bench import baselines, histories, ioh
from dsegym.experiments.bench.compare import compare
from dsegym.experiments.bench.running import read_histories, run_suite
from dsegym.experiments.bench.suite import load_suite
from dsegym.indicators import ReferenceBox

from ..helpers import cli_fails

TINY = Path(__file__).with_name("tiny-suite.yaml")


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """Two bench runs of the tiny suite and stored baselines of three agents."""
    root = tmp_path_factory.mktemp("bench")
    suite = load_suite(TINY)
    folders = {}
    for agent in ("random", "random_walk", "nsga2", "ga"):
        folders[agent] = root / agent
        run_suite(suite, agent, {}, folders[agent], suite_ref=str(TINY), show_progress=False)
    store = root / "baselines"
    for agent in ("random", "nsga2", "ga"):
        info = {"name": agent, "params": {}}
        baselines.store(suite, read_histories(folders[agent], suite), {agent: info}, "test", store)
    return suite, folders, store


def _suite_text(**changes: str) -> str:
    text = TINY.read_text()
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "budget: 40",
            "budget: 0",
            "instances.0.budget: Input should be greater than or equal to 1",
        ),
        ("indicator: hv_ratio", "indicator: hv", "instances.0.indicator: Input should be"),
        ("id: zdt1-3", "id: toy", "duplicates toy"),
        ("problem: zdt1", "problem: zdt9", "instances[1] (zdt1-3).problem: unknown problem 'zdt9'"),
        (
            "cost_model_version: 1\n    why: a continuous",
            "cost_model_version: 2\n    why: a continuous",
            "instances[1] (zdt1-3).cost_model_version: the suite names version 2, but zdt1 "
            "uses cost model zdt version 1",
        ),
        ("seeds: [0, 1, 2]", "seeds: []", "seeds: List should have at least 1 item"),
        ("budget: 30", "budgett: 30", "instances.1.budgett: unknown key"),
    ],
)
def test_a_bad_suite_field_is_named_with_exit_code_2(tmp_path, capsys, old, new, message):
    path = tmp_path / "bad.yaml"
    path.write_text(_suite_text(**{old: new}))
    err = cli_fails(
        ["bench", "run", str(path), "--agent", "random", "--out", str(tmp_path / "o")], capsys
    )
    assert message in err
    assert not (tmp_path / "o").exists()


def test_an_unknown_suite_or_agent_is_one_message(tmp_path, capsys):
    assert "unknown suite 'nope'; allowed:" in cli_fails(
        ["bench", "run", "nope", "--agent", "x"], capsys
    )
    err = cli_fails(
        ["bench", "run", str(TINY), "--agent", "ranodm", "--out", str(tmp_path)], capsys
    )
    assert "unknown agent 'ranodm'" in err


def test_the_hash_covers_numbers_not_prose(tmp_path):
    base = load_suite(TINY).content_hash()
    prose = tmp_path / "prose.yaml"
    prose.write_text(_suite_text(**{"an enumerable toy": "a toy", "Two cheap": "2 cheap"}))
    assert load_suite(prose).content_hash() == base
    numbers = tmp_path / "numbers.yaml"
    numbers.write_text(_suite_text(**{"budget: 40": "budget: 41"}))
    assert load_suite(numbers).content_hash() != base


def test_the_tiny_suite_hash_is_pinned():
    # A suite, once released, never changes: this pins the tests' own suite the way
    # test_shipped.py pins the shipped ones.
    assert load_suite(TINY).content_hash() == "d48ce1b81ce35a5e"


def test_trajectory_known_answer():
    # Reference front (0,1), (1,0): box [0,1]^2, reference point 1.1, HV 0.21.
    box = ReferenceBox.from_front(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert box.hypervolume == pytest.approx(0.21)
    F = np.array([[2.0, 2.0], [0.5, 0.5], [0.6, 0.6], [0.0, 1.0]])
    evals, values = histories.trajectory(F, np.array([1, 2, 3, 4]), box, "ref_hv_ratio")
    assert evals.tolist() == [2, 4]  # outside the box and dominated points change nothing
    assert values == pytest.approx([0.36 / 0.21, 0.41 / 0.21])
    rows = histories.run_history(F, np.array([1, 2, 3, 4]), 5, box, ["recall_exact"])
    assert rows == [("recall_exact", 4.0, 0.5), ("recall_exact", 5.0, 0.5)]


def test_value_at_and_truncate():
    h = pd.DataFrame(
        {
            "instance": "a",
            "agent": "x",
            "seed": 0,
            "indicator": "ref_hv_ratio",
            "evaluations": [3, 7, 20],
            "value": [0.1, 0.5, 0.5],
        }
    )
    assert histories.value_at(h, 2)["value"].tolist() == [0.0]  # empty front before the first
    assert histories.value_at(h, 7)["value"].tolist() == [0.5]
    cut = histories.truncate(h, {"a": 10})
    assert cut[["evaluations", "value"]].values.tolist() == [[3, 0.1], [7, 0.5], [10, 0.5]]


def test_bench_run_writes_ordinary_folders_and_histories(bench):
    suite, folders, _ = bench
    info = json.loads((folders["random"] / "bench.json").read_text())
    assert info["suite"] == "tiny-v1" and info["suite_hash"] == suite.content_hash()
    assert info["instances"]["toy"]["cost_model_version"] == 1
    for inst in suite.instances:
        assert (folders["random"] / inst.id / "config.yaml").is_file()
    table = read_histories(folders["random"], suite)
    finals = table.groupby(["instance", "seed", "indicator"])["evaluations"].max()
    assert set(finals.xs("toy").values) == {40}
    assert set(table["indicator"]) == {"ref_hv_ratio", "igd_plus"}


def test_compare_two_folders_among_baselines(bench, tmp_path, capsys):
    _, folders, store = bench
    out = tmp_path / "board"
    main_args = ["bench", "compare", str(folders["random_walk"]), str(folders["random"])]
    with pytest.raises(SystemExit) as exc:
        main([*main_args, "--baselines-dir", str(store), "--out", str(out)])
    assert exc.value.code in (0, None)
    printed = capsys.readouterr().out
    assert "random_walk (new)" in printed and "nsga2" in printed
    md = (out / "leaderboard.md").read_text()
    assert "| instance | indicator | ga | nsga2 | random | random_walk |" in md
    assert (out / "plots" / "critical_difference.png").stat().st_size > 1000
    assert (out / "plots" / "anytime_all.png").is_file()
    assert 'id="leaderboard"' in (out / "report.html").read_text()
    table = pd.read_csv(out / "leaderboard.csv")
    assert set(table["agent"]) == {"ga", "nsga2", "random", "random_walk"}


def test_compare_refuses_mixed_suite_or_model_versions(bench, tmp_path, capsys):
    _, folders, _ = bench
    other = tmp_path / "other"
    shutil.copytree(folders["random_walk"], other)
    info = json.loads((other / "bench.json").read_text())
    info["instances"]["toy"]["cost_model_version"] = 2
    (other / "bench.json").write_text(json.dumps(info))
    err = cli_fails(["bench", "compare", str(folders["random"]), str(other)], capsys)
    assert "cost-model versions or reference fronts differ (toy: ('toy-accelerator', 2, " in err
    info["instances"]["toy"]["cost_model_version"] = 1
    info["suite_hash"] = "0" * 16
    (other / "bench.json").write_text(json.dumps(info))
    err = cli_fails(["bench", "compare", str(folders["random"]), str(other)], capsys)
    assert "suite tiny-v1 (0000000000000000) vs tiny-v1 (d48ce1b81ce35a5e)" in err
    assert "never mixed" in err


def test_quick_runs_are_placed_among_baselines_cut_at_the_quick_budget(bench, tmp_path):
    suite, _, store = bench
    quick = tmp_path / "q"
    run_suite(suite, "random", {}, quick, quick=True, suite_ref=str(TINY), show_progress=False)
    cmp = compare([quick], baselines_folder=store)
    finals = cmp.board.finals
    assert set(finals["seed"]) == {0, 1}
    # random's quick runs are the first 20 evaluations of its full runs (same seeds):
    full = histories.value_at(read_histories(bench[1]["random"], suite), 20)
    full = full[(full["instance"] == "toy") & (full["indicator"] == "ref_hv_ratio")]
    mine = finals[(finals["instance"] == "toy") & (finals["agent"] == "random")]
    assert mine["value"].tolist() == full[full["seed"] < 2]["value"].tolist()


def test_ioh_export(bench, tmp_path):
    suite, folders, _ = bench
    files = ioh.export(read_histories(folders["nsga2"], suite), suite, tmp_path)
    info = (tmp_path / "nsga2" / "IOHprofiler_f1_toy.info").read_text().splitlines()
    assert files and info[0].startswith("suite = 'tiny-v1', funcId = 1, funcName = 'toy', DIM = ")
    assert info[1] == "%"
    assert info[2].count("1:40|") == 3
    dat = next((tmp_path / "nsga2" / "data_f1_toy").glob("*.dat")).read_text().splitlines()
    assert dat[0] == '"function evaluation" "best-so-far f(x)"'
    gaps = [float(line.split()[1]) for line in dat[1:] if not line.startswith('"')]
    assert all(g <= 1.0 for g in gaps)


def test_baselines_refuse_another_suite_hash(bench, tmp_path):
    suite, _, store = bench
    changed = tmp_path / "c.yaml"
    changed.write_text(_suite_text(**{"budget: 40": "budget: 41"}))
    with pytest.raises(Exception, match="a released suite must not change"):
        baselines.load(load_suite(changed), store)


def test_stored_baselines_are_byte_stable(bench, tmp_path):
    suite, folders, store = bench
    table = read_histories(folders["random"], suite)
    baselines.store(suite, table, {"random": {"name": "random"}}, "test", tmp_path)
    first = (tmp_path / "tiny-v1.csv.gz").read_bytes()
    baselines.store(suite, table, {"random": {"name": "random"}}, "test", tmp_path)
    assert (tmp_path / "tiny-v1.csv.gz").read_bytes() == first


def test_a_stored_baseline_cell_reproduces_exactly(bench, tmp_path):
    suite, _, store = bench
    stored, fresh = baselines.reproduce(suite, "nsga2", "toy", [1], tmp_path / "r", store)
    assert len(stored) > 2
    pd.testing.assert_frame_equal(stored, fresh, check_dtype=False, check_exact=True)


def test_discrimination_table_from_stored_baselines(bench):
    from dsegym.experiments.bench.discrimination import discrimination, markdown

    suite, _, store = bench
    table = discrimination(suite, store)
    assert table["instance"].tolist() == ["toy", "zdt1-3"]
    assert table["agents"].tolist() == [3, 3]
    # Three seeds per agent cannot make a Holm-corrected rank-sum test reject: said so.
    assert all(m.startswith(("too few seeds", "(itself)")) for m in table["best vs random"])
    assert "0 of 2 instances discriminate" in markdown(table, suite)[-1]


def test_export_cli(bench, tmp_path, capsys):
    _, folders, _ = bench
    with pytest.raises(SystemExit) as exc:
        main(["bench", "export", str(folders["ga"]), "--out", str(tmp_path)])
    assert exc.value.code in (0, None)
    assert "2 .info files" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "ga").glob("*.info")) == [
        "IOHprofiler_f1_toy.info",
        "IOHprofiler_f2_zdt1-3.info",
    ]


def test_a_second_run_into_the_same_folder_needs_resume(bench, capsys):
    _, folders, _ = bench
    argv = ["bench", "run", str(TINY), "--agent", "ga", "--out", str(folders["ga"]), "--quiet"]
    assert "pass --resume to finish it" in cli_fails(argv, capsys)
    before = (folders["ga"] / "histories.csv").read_text()
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--resume"])
    assert exc.value.code in (0, None)
    assert (folders["ga"] / "histories.csv").read_text() == before  # nothing re-run
    other = ["bench", "run", str(TINY), "--agent", "nsga2", "--out", str(folders["ga"])]
    assert "holds a bench run of another suite, agent or mode" in cli_fails(other, capsys)
