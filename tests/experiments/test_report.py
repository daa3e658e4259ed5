import json

import numpy as np
import pandas as pd
import pytest

from dsegym.cli import main
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.report import write_report


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    cfg = parse_config(
        {
            "name": "rep",
            "budget": 200,
            "seeds": [0, 1],
            "problems": [
                {
                    "name": "toy-accelerator",
                    "params": {"objectives": ["latency_cycles", "energy_pj", "area_mm2"]},
                },
                {"name": "zdt1", "params": {"n_var": 3}},
            ],
            "agents": ["grid", {"name": "random", "params": {"batch_size": 50}}],
        }
    )
    run_experiment(cfg, results_dir=out, show_progress=False)
    write_report(out)
    return out


def test_report_files(results):
    for name in (
        "summary.md",
        "summary.csv",
        "runs.csv",
        "hypervolume_history.csv",
        "evaluations.parquet",
        "reference_points.json",
        "config.yaml",
        "report.html",
        "anytime_ecdf.csv",
        "scoreboard.json",
    ):
        assert (results / name).is_file(), name
    pngs = sorted(p.name for p in (results / "plots").glob("*.png"))
    assert pngs == [
        "anytime_all_problems.png",
        "anytime_toy-accelerator.png",
        "anytime_zdt1.png",
        "front_toy-accelerator.png",
        "front_zdt1.png",
        "hypervolume_toy-accelerator.png",
        "hypervolume_zdt1.png",
    ]
    assert len(list((results / "fronts").glob("*.csv"))) == 8
    md = (results / "summary.md").read_text()
    assert "## toy-accelerator" in md and "![fronts](plots/front_zdt1.png)" in md


def test_summary_numbers_are_consistent_with_the_records(results):
    runs = pd.read_csv(results / "runs.csv")
    summary = pd.read_csv(results / "summary.csv")
    assert set(summary["agent"]) == {"grid", "random"}
    # Grid on 3 real variables with 5 levels each has 125 designs, then it is done.
    grid_zdt = (runs["agent"] == "grid") & (runs["problem"] == "zdt1")
    assert (runs.loc[grid_zdt, "evaluations"] == 125).all()
    assert (runs.loc[~grid_zdt, "evaluations"] == 200).all()
    assert ((runs["hv_ratio"] > 0) & (runs["hv_ratio"] <= 1.0 + 1e-9)).all()
    rnd = summary[(summary["problem"] == "zdt1") & (summary["agent"] == "random")].iloc[0]
    per_run = runs[(runs["problem"] == "zdt1") & (runs["agent"] == "random")]["hypervolume"]
    assert rnd["hv_mean"] == pytest.approx(per_run.mean())
    assert rnd["hv_std"] == pytest.approx(per_run.std(ddof=0))
    refs = json.loads((results / "reference_points.json").read_text())
    assert refs["zdt1"]["rule"].startswith("declared by the problem")
    assert refs["toy-accelerator"]["reference_point_normalised"] == [1.1, 1.1, 1.1]
    table = pd.read_parquet(results / "evaluations.parquet")
    assert len(table) >= 6 * 200 + 2 * 125
    assert {"design.pe_rows", "metric.energy_pj", "objective.f1"} <= set(table.columns)


def test_hypervolume_history_is_monotone(results):
    hist = pd.read_csv(results / "hypervolume_history.csv")
    for _, frame in hist.groupby("run_id"):
        assert np.all(np.diff(frame.sort_values("evaluations")["hypervolume"]) >= -1e-12)


def test_report_command(results, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", str(results)])
    assert exc.value.code == 0
    assert "report:" in capsys.readouterr().out
