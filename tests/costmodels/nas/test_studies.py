"""The NAS studies' quick modes, and the NASAIC study's choice of a run's result."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest


def load(script: str) -> ModuleType:
    return importlib.import_module(f"dsegym.experiments.studies.{Path(script).stem}")


def candidate(nasaic: ModuleType, error: float, latency: float, energy: float, valid=True):
    metrics = {"mean_error": error, "latency_cycles": latency, "energy_pj": energy}
    return nasaic.Candidate(metrics, valid)


def test_pick_prefers_accuracy_among_designs_meeting_specs():
    nasaic = load("nasaic.py")
    specs = {"latency_cycles": 100.0, "energy_pj": 10.0}
    good, better, close, rejected = (
        candidate(nasaic, 40, 90, 9),
        candidate(nasaic, 30, 99, 10),
        candidate(nasaic, 20, 110, 10),
        candidate(nasaic, 10, 1, 1, valid=False),
    )
    assert nasaic.pick([good, better, close, rejected], specs) is better
    # None meets the specs: the closest (smallest relative excess) wins.
    far = candidate(nasaic, 5, 300, 10)
    assert nasaic.pick([far, close], specs) is close
    assert nasaic.excess(close, specs) == pytest.approx(0.1)
    assert nasaic.pick([rejected], specs) is None


@pytest.mark.slow
def test_nasaic_study_quick_mode(tmp_path):
    report = load("nasaic.py").main(["--quick", "--output", str(tmp_path)])
    runs = pd.read_csv(tmp_path / "nasaic_runs.csv")
    assert set(runs["method"]) == {"nas_first", "joint"}
    assert (runs["evaluations"] == 150).all()
    first = runs[runs["method"] == "nas_first"].iloc[0]
    # NAS first uses the benchmark's best cells: its accuracy is the best possible.
    assert first["mean_accuracy"] == pytest.approx((84.892 + 61.32 + 38.6667) / 3, abs=1e-3)
    summary = pd.read_csv(tmp_path / "nasaic_summary.csv")
    assert math.isfinite(summary.loc[0, "energy_ratio"])
    assert "17.77%" in report and "dsegym, random" in report
    # Records, plots and report.html like every study; a first run resumes nothing.
    for name in ("report.html", "runs_summary.md", "nasaic_results.png", "verdicts.json"):
        assert (tmp_path / name).is_file(), name
    assert len(list((tmp_path / "runs").glob("*.done.json"))) == 2
    assert "already complete" not in report
    assert "not the paper-level result" in report and "1 seed(s), 150 evaluations" in report
    # A second invocation resumes both runs and says so.
    again = load("nasaic.py").main(["--quick", "--output", str(tmp_path)])
    assert "2 runs were already complete" in again


@pytest.mark.slow
def test_latency_proxy_study_quick_mode(tmp_path):
    report = load("nas_latency_proxies.py").main(["--quick", "--output", str(tmp_path)])
    table = pd.read_csv(tmp_path / "latency_proxies.csv", index_col="device")
    assert len(table) == 25 and "pixel3" in table.index
    assert {"mflops", "mparams", "dsegym_eyeriss_latency"} <= set(table.columns)
    assert ((table.abs() <= 1) & table.notna()).all().all()
    # FLOPs rank latency well on server CPUs (a known HW-NAS-Bench observation).
    assert table.loc["gold_6240", "mflops"] > 0.8
    assert "1500 NAS-Bench-201 cells" in report
