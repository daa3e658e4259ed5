"""``dsegym report``: a Markdown summary, CSV tables and PNG plots of a results folder."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# A bare Figure renders to files through Agg without pyplot, so importing this module
# neither selects a backend nor opens a window.
from matplotlib.figure import Figure

from dsegym.errors import ConfigError
from dsegym.experiments import anytime, scoreboard_report
from dsegym.experiments.analysis import analyse
from dsegym.experiments.escape import markdown_text
from dsegym.experiments.html_report import write_html_report
from dsegym.experiments.results_folder import (
    REPORT_HTML,
    SIGNIFICANCE_CSV,
    SUMMARY_MD,
    ResultsFolder,
)
from dsegym.pareto import SCALES, Scale, nondominated

#: The plots of each problem: ``plots/<kind>_<problem>.png``.
PLOT_KINDS = ("front", "hypervolume", "anytime")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def _log_if_wide(ax: Any) -> None:
    """Log axes where positive values span more than two decades (hardware metrics do)."""
    for axis in ("x", "y"):
        if not ax.collections:
            return
        data = np.concatenate([c.get_offsets()[:, 0 if axis == "x" else 1] for c in ax.collections])
        data = data[np.isfinite(data)]
        if len(data) and data.min() > 0 and data.max() / data.min() > 100:
            (ax.set_xscale if axis == "x" else ax.set_yscale)("log")


def plot_fronts(problem: str, tables: dict[str, Any], out: Path) -> Path | None:
    """Each agent's front (union over seeds) and the known front, if any."""
    runs = tables["runs"]
    runs = runs[runs["problem"] == problem]
    ref = tables["references"].get(problem)
    evaluations = tables["kept"]
    rows = evaluations[evaluations["problem"] == problem] if len(evaluations) else evaluations
    if rows.empty:
        return None  # no run of this problem recorded anything
    labels = list(rows["objectives"].iloc[0])
    m = len(labels)
    pairs = list(itertools.combinations(range(m), 2)) if m >= 2 else [(0, 0)]
    cols = min(3, len(pairs))
    rows_n = math.ceil(len(pairs) / cols)
    fig = Figure(figsize=(4.6 * cols, 4.0 * rows_n))
    axes = fig.subplots(rows_n, cols, squeeze=False)
    for agent, frame in runs.groupby("agent", sort=True):
        fronts = [tables["fronts"][r] for r in frame["run_id"] if len(tables["fronts"][r])]
        if not fronts:
            continue
        union = nondominated(np.vstack(fronts))
        for ax, (i, j) in zip(axes.flat, pairs, strict=False):
            if m == 1:
                ax.scatter(np.arange(len(union)), union[:, 0], s=14, label=agent)
            else:
                ax.scatter(union[:, i], union[:, j], s=14, label=agent, alpha=0.8)
    if ref is not None and ref.known_front is not None and m >= 2:
        for ax, (i, j) in zip(axes.flat, pairs, strict=False):
            kf = ref.known_front
            order = np.argsort(kf[:, i])
            style = {"s": 3, "c": "k", "alpha": 0.25, "label": "known front"}
            ax.scatter(kf[order, i], kf[order, j], **style)
    for ax, (i, j) in zip(axes.flat, pairs, strict=False):
        _log_if_wide(ax)
        ax.set_xlabel(labels[i] if m > 1 else "rank")
        ax.set_ylabel(labels[j] if m > 1 else labels[0])
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(pairs) :]:
        ax.axis("off")
    if axes.flat[0].get_legend_handles_labels()[0]:
        axes.flat[0].legend(fontsize=8)
    else:
        axes.flat[0].set_title("no feasible design found", fontsize=9)
    fig.suptitle(f"{problem}: Pareto fronts (union over seeds)")
    fig.tight_layout()
    path = out / f"front_{_slug(problem)}.png"
    fig.savefig(path, dpi=110)
    return path


def plot_hypervolume(problem: str, histories: pd.DataFrame, out: Path) -> Path | None:
    """Hypervolume against evaluations: median over seeds with a min-max band."""
    frame = histories[histories["problem"] == problem] if len(histories) else histories
    if frame.empty:
        return None
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for agent, by_agent in frame.groupby("agent", sort=True):
        stats = by_agent.groupby("evaluations")["hypervolume"].agg(["median", "min", "max"])
        ax.plot(stats.index, stats["median"], label=agent)
        ax.fill_between(stats.index, stats["min"], stats["max"], alpha=0.15)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("hypervolume (normalised objectives)")
    ax.set_title(f"{problem}: hypervolume vs evaluations")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / f"hypervolume_{_slug(problem)}.png"
    fig.savefig(path, dpi=110)
    return path


def _markdown_table(df: pd.DataFrame) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return "—" if math.isnan(v) else f"{v:.4g}"
        return markdown_text(v)

    head = "| " + " | ".join(map(markdown_text, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _run_notes(runs: pd.DataFrame) -> list[str]:
    """Markdown lines for every run that did not simply finish with a feasible design."""
    if runs.empty:
        return []
    odd = runs[(runs["status"] != "finished") | (runs["feasible_evaluations"] == 0)]
    lines = []
    for _, r in odd.iterrows():
        what = [str(r["status"])]
        if r["feasible_evaluations"] == 0:
            what.append("no feasible design")
        if isinstance(r.get("error"), str):
            where = markdown_text(f"runs/{r['run_id']}.error.txt")
            what.append(f"{markdown_text(r['error'])} (traceback in {where})")
        lines.append(
            f"- {markdown_text(r['agent'])}, seed {r['seed']}: {'; '.join(what)}, "
            f"{int(r['evaluations'])} evaluations recorded"
        )
    return ["Runs to note:", "", *lines, ""] if lines else []


def write_report(results_dir: Path, *, scale: Scale | str | None = None) -> Path:
    """Writes ``summary.md``, ``report.html``, the tables and plots; returns the .md path.

    Args:
        results_dir: A results folder of ``dsegym run``.
        scale: Hypervolume normalisation, ``linear`` or ``log`` (default: the config's).

    Raises:
        ConfigError: for an unknown ``scale``.
    """
    results_dir = Path(results_dir)
    if scale is not None and scale not in SCALES:
        raise ConfigError(f"--scale: unknown scale {scale!r}; allowed: {', '.join(SCALES)}")
    tables = analyse(results_dir, scale=scale)  # type: ignore[arg-type]
    folder = ResultsFolder(results_dir)
    summary = tables["summary"]
    plots = folder.plots_dir
    problems = [*map(str, summary["problem"]), anytime.AGGREGATE]
    names = [f"{kind}_{_slug(p)}.png" for p in problems for kind in PLOT_KINDS]
    names.append(scoreboard_report.CD_PLOT)
    folder.claim(
        [folder.file(SUMMARY_MD), folder.file(REPORT_HTML), folder.file(SIGNIFICANCE_CSV)]
        + list(map(folder.plot, names))
    )
    plots.mkdir(exist_ok=True)
    lines = [f"# Results: {markdown_text(results_dir.name)}", ""]
    lines += [
        "Hypervolume is measured per problem in one box for every run: objectives are "
        "normalised by the ideal and nadir of the union of the runs' own Pareto fronts "
        "(unless the problem declares a reference point), so every run with a feasible "
        "design scores above 0 (see `reference_points.json` for the rule and the values "
        "used). A problem with one objective is summarised by its best value and the "
        "evaluations to reach it. `evals_to_90pct` and "
        "`evals_to_99pct` are the evaluations a run needed to reach 90% / 99% of the best "
        "hypervolume any run of that problem reached (mean over the runs that got there; "
        "`reached_*` counts them).",
        "",
        scoreboard_report.EXPLANATION,
        "",
    ]
    for problem in sorted(summary["problem"].unique()):
        ref = tables["references"].get(problem)
        lines += [f"## {markdown_text(problem)}", ""]
        if ref is not None:
            lines += [f"Reference point rule: {ref.rule}.", ""]
        part = summary[summary["problem"] == problem].drop(columns=["problem"])
        lines += [_markdown_table(part.dropna(axis=1, how="all")), ""]
        lines += scoreboard_report.markdown_problem(problem, tables, tables["facts"])
        runs = tables["runs"]
        lines += _run_notes(runs[runs["problem"] == problem])
        front_png = plot_fronts(problem, tables, plots)
        if front_png is not None:
            lines += [f"![fronts]({front_png.relative_to(results_dir)})", ""]
        hv_png = plot_hypervolume(problem, tables["histories"], plots)
        if hv_png is not None:
            lines += [f"![hypervolume]({hv_png.relative_to(results_dir)})", ""]
        any_png = scoreboard_report.plot_anytime(tables["anytime"], problem, plots)
        if any_png is not None:
            lines += [f"![anytime]({any_png.relative_to(results_dir)})", ""]
    lines += scoreboard_report.markdown_overall(tables, tables["facts"], plots)
    scoreboard_report.write_pairwise(results_dir, tables)
    path = folder.file(SUMMARY_MD)
    path.write_text("\n".join(lines))
    write_html_report(results_dir, tables)
    return path
