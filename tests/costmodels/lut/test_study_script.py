import runpy
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "experiments" / "studies" / "lut_conclusions.py"


@pytest.mark.golden
def test_study_writes_plot_and_tables(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), str(tmp_path / "out"), "--node", "28nm"])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert {
        "lut_conclusions.png",
        "lut_conclusions.md",
        "area_efficiency.csv",
        "core_scaling.csv",
        "group_size_vs_adder_cost.csv",
    } <= names
    report = (out / "lut_conclusions.md").read_text()
    assert "DISAGREES" not in report  # the three words: AGREES, PARTLY, DIFFERS
    assert report.count("| AGREES |") >= 4
    assert "(3-5), integers | {'INT4': 2, 'INT8': 2} | PARTLY |" in report
    assert "the factor cancels" in capsys.readouterr().out
