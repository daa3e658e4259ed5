"""``report.html``: one self-contained, interactive page of a results folder.

It is built only from what the analysis wrote (each run's digest in ``cache/``, see
:mod:`.run_digest`, whose kept records give every front and best value exactly;
``summary.csv``, ``hypervolume_history.csv``, ``reference_points.json``), so it shows
whatever the analysis measured, tolerates columns it does not know, and never holds
every evaluation. plotly's
JavaScript is embedded once, so the page opens offline and can be mailed as one file.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from dsegym.errors import ConfigError, DsegymError
from dsegym.experiments import anytime, scoreboard_report
from dsegym.experiments import html_figures as figs
from dsegym.experiments.escape import read_csv
from dsegym.experiments.report_problems import report_problem
from dsegym.experiments.results_folder import (
    EVALUATIONS,
    HISTORY_CSV,
    REFERENCES,
    REPORT_HTML,
    SUMMARY_CSV,
    ResultsFolder,
)
from dsegym.experiments.run_digest import counts_table, kept_table, load_digests
from dsegym.experiments.tidy import CONSTRAINT, columns

PLOT_CONFIG = {"displaylogo": False, "responsive": True}

CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1400px;
       padding: 1rem 2rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; padding-top: 1rem; }
nav a { margin-right: 1rem; }
table.summary { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
table.summary th, table.summary td { border: 1px solid #ddd; padding: 0.25rem 0.6rem;
       text-align: right; }
table.summary th { background: #f4f4f4; }
table.summary td:first-child, table.summary th:first-child { text-align: left; }
.rule { background: #f8f8f8; border-left: 3px solid #888; padding: 0.4rem 0.8rem; }
.note { color: #555; font-size: 0.9rem; }
.wide { overflow-x: auto; }
.warn { background: #fff4e0; border-left: 3px solid #e08a00; padding: 0.4rem 0.8rem; }
"""


def _read_csv(path: Path) -> pd.DataFrame:
    """A table the analysis wrote, or an empty one if it is missing or empty."""
    try:
        return read_csv(path)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def _known(problem_name: str, params: dict[str, Any]) -> np.ndarray | None:
    """The problem's exact front, if it declares one (and can still be built)."""
    try:
        front = report_problem(problem_name, params).known_front
    except DsegymError:
        return None
    return None if front is None else np.asarray(front, dtype=float)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4g}"
    return html.escape(str(value))


def summary_table(summary: pd.DataFrame, problem: str) -> str:
    """The summary rows of one problem as an HTML table (all-empty columns dropped)."""
    if summary.empty or "problem" not in summary:
        return '<p class="note">No summary row for this problem.</p>'
    part = summary[summary["problem"] == problem].drop(columns=["problem"])
    part = part.dropna(axis=1, how="all")
    if part.empty:
        return '<p class="note">No summary row for this problem.</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in part.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in part.itertuples(index=False)
    )
    return (
        f'<div class="wide"><table class="summary"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def reference_block(ref: dict[str, Any] | None) -> str:
    """How the problem's runs were measured, from ``reference_points.json``."""
    if not ref:
        return '<p class="note">No hypervolume reference recorded for this problem.</p>'
    items = []
    for key, value in ref.items():
        shown = json.dumps(value) if not isinstance(value, str) else value
        items.append(f"<b>{html.escape(str(key))}</b>: {html.escape(shown, quote=False)}")
    return '<div class="rule">' + "<br>".join(items) + "</div>"


def _anchor(problem: str) -> str:
    return "p-" + "".join(c if c.isalnum() else "-" for c in problem)


def _figure_html(fig: Any, div_id: str) -> str:
    return str(
        pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG)
    )


def problem_section(
    problem: str,
    evals: pd.DataFrame,
    summary: pd.DataFrame,
    history: pd.DataFrame,
    ref: dict[str, Any] | None,
    colours: dict[str, str],
    scoreboard: dict[str, Any] | None = None,
    ecdf: pd.DataFrame | None = None,
    runs: pd.DataFrame | None = None,
    counts: pd.DataFrame | None = None,
) -> tuple[str, int]:
    """One problem's part of the page; returns the HTML and its number of figures.

    ``evals`` holds the problem's records, or (with ``counts``, see
    :mod:`.run_digest`) only each run's kept records: the figures are the same.
    """
    scoreboard, ecdf = scoreboard or {}, ecdf if ecdf is not None else pd.DataFrame()
    runs = runs if runs is not None else pd.DataFrame()
    first = evals.iloc[0]
    objectives = list(first["objectives"])
    params = json.loads(first["problem_params"]) if "problem_params" in evals else {}
    known = _known(str(first.get("problem_name", problem)), params)
    constraints = [c[len(CONSTRAINT) :] for c in columns(evals, CONSTRAINT)]
    anchor = _anchor(problem)
    facts = [f"cost model {first.get('cost_model', '?')}"]
    if first.get("workload"):
        facts.append(f"workload {first['workload']}")
    facts.append(f"minimised objectives: {', '.join(objectives)}")
    if constraints:
        facts.append(
            f"constrained metrics (feasible iff constraint.<metric> <= 0): {', '.join(constraints)}"
        )
    if counts is not None:
        mine = counts[counts["run_id"].isin(evals["run_id"].unique())]
        charged = int(mine["charged"].sum())
        last = dict(zip(mine["run_id"], mine["evaluations"], strict=True))
    else:
        charged, last = int((~evals["cached"].astype(bool)).sum()), None
    facts.append(f"{charged} evaluations in {evals['run_id'].nunique()} runs")
    parts = [
        f'<h2 id="{anchor}">{html.escape(problem)}</h2>',
        f'<p class="note">{html.escape("; ".join(facts))}</p>',
        scoreboard_report.html_notes(scoreboard, problem),
        summary_table(summary, problem),
        scoreboard_report.html_runs(runs, problem),
        reference_block(ref),
    ]
    figures = []
    if len(objectives) == 1:
        optimum = float(known.min()) if known is not None and known.size else None
        span = None
        if counts is not None:
            bounds = [v[0] for c in ("f_min", "f_max") for v in mine[c] if v and v[0] is not None]
            span = np.array(bounds, dtype=float)
        figures.append(figs.best_designs_figure(evals, objectives[0], colours, optimum, span))
        figures.append(figs.best_value_figure(evals, objectives[0], colours, optimum, last))
    else:
        figures.append(figs.fronts_figure(evals, objectives, colours, known))
        if len(objectives) >= 3:
            figures.append(figs.fronts_3d_figure(evals, objectives, colours, known))
        rows = history[history["problem"] == problem] if "problem" in history else history[:0]
        if "hypervolume" in rows and rows["hypervolume"].notna().any():
            figures.append(figs.hypervolume_figure(rows, colours))
        else:
            parts.append('<p class="note">No hypervolume history for this problem.</p>')
        ecdf_fig = scoreboard_report.anytime_figure(ecdf, problem, colours)
        if ecdf_fig is not None:
            figures.append(ecdf_fig)
    parts += [_figure_html(f, f"{anchor}-fig{k}") for k, f in enumerate(figures)]
    return "\n".join(parts), len(figures)


def failed_runs_block(results_dir: Path) -> str:
    """The runs that crashed (``runs/<run>.error.txt``), which have no points to plot."""
    folder = ResultsFolder(results_dir)
    failed = sorted(folder.run_ids_on_disk())
    errors = [(r, p) for r in failed if (p := folder.error(r)).is_file()]
    if not errors:
        return ""
    items = "".join(
        f"<li><code>{html.escape(run_id)}</code>: {html.escape(p.read_text().strip())}</li>"
        for run_id, p in errors
    )
    return f'<div class="rule"><b>{len(errors)} runs failed</b><ul>{items}</ul></div>'


def write_html_report(results_dir: Path, tables: dict[str, Any] | None = None) -> Path:
    """Writes ``report.html`` into ``results_dir`` and returns its path.

    The records come from each run's digest (:mod:`.run_digest`): ``tables["kept"]``
    and ``tables["counts"]`` of the analysis when given, else the folder's cache.

    Raises:
        ConfigError: if the folder has no ``evaluations.parquet`` (run ``dsegym report``).
    """
    results_dir = Path(results_dir)
    folder = ResultsFolder(results_dir)
    table = folder.file(EVALUATIONS)
    if not table.is_file():
        raise ConfigError(f"{str(table)!r} does not exist; `dsegym report {results_dir}` writes it")
    if tables is None:
        digests = load_digests(results_dir)
        evals, counts = kept_table(digests.values()), counts_table(digests.values())
    else:
        evals, counts = tables["kept"], tables["counts"]
    summary = _read_csv(folder.file(SUMMARY_CSV))
    history = _read_csv(folder.file(HISTORY_CSV))
    ref_path = folder.file(REFERENCES)
    refs = json.loads(ref_path.read_text()) if ref_path.is_file() else {}
    colours = figs.agent_colours([str(a) for a in evals["agent"].unique()])
    scoreboard_facts = scoreboard_report.read_facts(results_dir)
    ecdf = scoreboard_report.read_ecdf(results_dir)
    runs = _read_csv(results_dir / "runs.csv")
    problems = sorted(str(p) for p in evals["problem"].unique())
    sections, n_figures = [], 0
    for problem in problems:
        text, n = problem_section(
            problem,
            evals[evals["problem"] == problem],
            summary,
            history,
            refs.get(problem),
            colours,
            scoreboard_facts,
            ecdf,
            runs,
            counts,
        )
        sections.append(text)
        n_figures += n
    sections.append(scoreboard_report.html_overall(scoreboard_facts))
    overall = scoreboard_report.anytime_figure(ecdf, anytime.AGGREGATE, colours)
    if overall is not None:
        sections.append(_figure_html(overall, "across-fig0"))
        n_figures += 1
    nav = " ".join(f'<a href="#{_anchor(p)}">{html.escape(p)}</a>' for p in problems)
    title = f"dsegym results: {html.escape(results_dir.name)}"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body data-figures="{n_figures}">
<h1>{title}</h1>
<p class="note">{evals["run_id"].nunique()} runs, {len(problems)} problems. Every point
is a real evaluation: hover over it for its design and metrics; click a legend entry to
hide an agent, double-click to show it alone. The data behind the page:
<code>evaluations.parquet</code> (one column per design knob, metric, objective and
constraint), <code>summary.csv</code>, <code>hypervolume_history.csv</code>,
<code>fronts/</code>, <code>reference_points.json</code>.</p>
<nav>{nav}</nav>
{failed_runs_block(results_dir)}
{"".join(sections)}
</body></html>
"""
    path = folder.file(REPORT_HTML)
    folder.claim([path])
    path.write_text(page, encoding="utf-8")
    return path
