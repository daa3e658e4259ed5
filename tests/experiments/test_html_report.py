"""report.html: self-contained, one section per problem, fronts with designs on hover."""

import base64
import json
import re
import shutil
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from dsegym.errors import ConfigError
from dsegym.experiments import html_figures as figs
from dsegym.experiments.html_report import write_html_report
from dsegym.pareto import nondominated_mask

PROBLEMS = ("toy-accelerator", "toy-accelerator-1obj", "separable-discrete", "zdt1")


@pytest.fixture(scope="module")
def page(finished):
    return (finished.path / "report.html").read_text()


def figure_specs(page):
    """The (div id, traces, layout) of every plotly figure embedded in the page."""
    specs = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', page):
        traces, end = decoder.raw_decode(page, match.end())
        layout, _ = decoder.raw_decode(page, page.index("{", end))
        specs.append((match.group(1), traces, layout))
    return specs


class Tags(HTMLParser):
    """Collects the attributes of every tag that could load something."""

    def __init__(self):
        super().__init__()
        self.loads = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe"):
            self.loads += [v for k, v in attrs if k in ("src", "href")]


def values(data):
    """A trace's data array: a list, or plotly's base64 typed array."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data, dtype=float)


def test_page_is_self_contained(page):
    assert len(page) > 3_000_000  # plotly.js itself is embedded
    tags = Tags()
    tags.feed(page)
    assert tags.loads == []


def test_one_section_per_problem_with_tables_and_rule(finished, page):
    refs = json.loads((finished.path / "reference_points.json").read_text())
    summary = pd.read_csv(finished.path / "summary.csv")
    for problem in PROBLEMS:
        assert f'<h2 id="p-{problem}">{problem}</h2>' in page
        assert refs[problem]["rule"] in page
    ranks = json.loads((finished.path / "scoreboard.json").read_text())["mean_ranks"]
    assert page.count('<table class="summary">') == len(PROBLEMS) + 1  # and the mean ranks
    # rows plus one head each, and the mean-rank table (one row per agent, one head)
    assert page.count("<tr>") == len(summary) + len(PROBLEMS) + len(ranks) + 1


def test_figures_per_problem(page):
    specs = figure_specs(page)
    ids = [s[0] for s in specs]
    # 3 objectives: pairwise fronts, 3-D view, hypervolume; 2: fronts, hypervolume;
    # 1: best design of each run, best value against evaluations; then the anytime
    # ECDF of each multi-objective problem and of all of them pooled
    assert ids == [  # problems in alphabetical order
        "p-separable-discrete-fig0",
        "p-separable-discrete-fig1",
        "p-toy-accelerator-fig0",
        "p-toy-accelerator-fig1",
        "p-toy-accelerator-fig2",
        "p-toy-accelerator-fig3",
        "p-toy-accelerator-1obj-fig0",
        "p-toy-accelerator-1obj-fig1",
        "p-zdt1-fig0",
        "p-zdt1-fig1",
        "p-zdt1-fig2",
        "across-fig0",
    ]
    assert f'data-figures="{len(specs)}"' in page
    kinds = {i: {t["type"] for t in traces} for i, traces, _ in specs}
    assert kinds["p-toy-accelerator-fig1"] == {"scatter3d"}
    # pairwise panels for three objectives, with the known front in each
    traces = dict((i, t) for i, t, _ in specs)["p-toy-accelerator-fig0"]
    assert sum(t["name"] == figs.KNOWN_FRONT for t in traces) == 3
    assert sum(t["name"] == "random" for t in traces) == 3


def test_front_points_are_the_non_dominated_designs_with_their_knobs(finished, page):
    traces = dict((i, t) for i, t, _ in figure_specs(page))["p-zdt1-fig0"]
    ev = finished.evaluations
    for agent in ("random", "nsga2"):
        (trace,) = [t for t in traces if t["name"] == agent]
        rows = ev[(ev["problem"] == "zdt1") & (ev["agent"] == agent) & ~ev["cached"]]
        F = rows[["objective.f1", "objective.f2"]].to_numpy()
        want = np.unique(F[nondominated_mask(F)], axis=0)
        got = np.unique(np.column_stack([values(trace["x"]), values(trace["y"])]), axis=0)
        assert np.allclose(got, want)
        assert all("x1 = " in h and "f2 = " in h for h in trace["hovertext"])


def test_best_value_curves_never_rise(finished):
    ev = finished.evaluations
    curves = figs.best_so_far(ev[ev["problem"] == "toy-accelerator-1obj"], "edp_pj_cycles")
    for _, run in curves.groupby("run_id"):
        best = run["best"].dropna().to_numpy()
        assert len(best) and np.all(np.diff(best) <= 0)
    feasible = ev[(ev["problem"] == "toy-accelerator-1obj") & ev["feasible"]]
    final = curves.groupby("run_id")["best"].last()
    assert np.allclose(final, feasible.groupby("run_id")["objective.edp_pj_cycles"].min())


def test_tolerates_missing_and_extra_columns(finished, tmp_path):
    copy = tmp_path / "res"
    shutil.copytree(finished.path, copy)
    (copy / "summary.csv").unlink()
    history = pd.read_csv(copy / "hypervolume_history.csv")
    history["something_new"] = 1
    history[history["problem"] != "zdt1"].to_csv(copy / "hypervolume_history.csv", index=False)
    (copy / "runs" / "zdt1__tpe__s0__0.error.txt").write_text("ValueError: <boom>\n")
    page = write_html_report(copy).read_text()
    assert "1 runs failed" in page and "ValueError: &lt;boom&gt;" in page
    assert "No summary row for this problem." in page
    assert "No hypervolume history for this problem." in page  # zdt1's rows are gone


def test_needs_the_evaluations_table(tmp_path):
    with pytest.raises(ConfigError, match="evaluations.parquet"):
        write_html_report(tmp_path)
