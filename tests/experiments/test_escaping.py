"""User strings reach summary.md, the CSV tables and Plotly as text, never as markup."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
import yaml

from dsegym.api import load
from dsegym.cli import main
from dsegym.experiments.escape import csv_plain, csv_text, markdown_text, plotly_text
from dsegym.experiments.html_figures import hover_text

HTML_LABEL = "<img src=x onerror=alert(1)>|*p*"
FORMULA_LABEL = '=HYPERLINK("http://evil")'


@pytest.mark.parametrize("text", ["=1+1", "'=1", "''-x", "'a", "plain", "-", "@x", "\tx"])
def test_csv_quoting_reads_back_exactly(text):
    written = csv_text(text)
    assert not written.startswith(("=", "+", "-", "@", "\t"))
    assert csv_plain(written) == text


def test_markdown_and_plotly_text_are_inert():
    assert markdown_text("a\n# b|<i>c</i>") == "a # b\\|&lt;i&gt;c&lt;/i&gt;"
    assert markdown_text("random_walk[n=2]") == "random_walk\\[n=2\\]"
    assert plotly_text('<a href="x">y</a>') == "&lt;a href=&quot;x&quot;&gt;y&lt;/a&gt;"
    rows = pd.DataFrame(
        {"agent": ["<a href='x'>y</a>"], "seed": [0], "eval_index": [1], "design.m": ["<b>"]}
    )
    (text,) = hover_text(rows)
    assert "<a href" not in text and "&lt;a href" in text and "&lt;b&gt;" in text


def test_labels_are_escaped_in_every_output(tmp_path):
    config = {
        "name": "esc",
        "budget": 4,
        "seeds": [0],
        "problems": [{"name": "zdt1", "label": HTML_LABEL}],
        "agents": [{"name": "random", "label": FORMULA_LABEL}],
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--output", str(out), "--quiet"])
        raise SystemExit(0)
    assert exc.value.code == 0
    summary = (out / "summary.md").read_text()
    assert "<img" not in summary and "&lt;img" in summary
    with (out / "runs.csv").open(newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells if c and not c[1:2].isdigit())
    assert "'" + FORMULA_LABEL in cells
    runs = load(out).runs
    assert set(runs["agent"]) == {FORMULA_LABEL} and set(runs["problem"]) == {HTML_LABEL}
