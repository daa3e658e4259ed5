"""The scoreboard's part of the reports: Markdown lines, PNG plots and HTML blocks.

Built from the tables :func:`dsegym.experiments.analysis.analyse` writes
(``runs.csv``, ``anytime_ecdf.csv``, ``scoreboard.json``), so ``summary.md`` and
``report.html`` show the same numbers.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from dsegym.experiments import anytime, scoreboard, significance
from dsegym.experiments.escape import csv_safe, markdown_text, plotly_text, read_csv
from dsegym.experiments.results_folder import ANYTIME_CSV, SIGNIFICANCE_CSV
from dsegym.indicators import RECALL_TOLERANCE

#: The critical-difference diagram across problems, under ``plots/``.
CD_PLOT = "critical_difference.png"

#: The per-run table: who, then the scoreboard's indicators in the summary's order.
RUN_COLUMNS = ["agent", "seed", "status"] + [
    c for c in scoreboard.LEADING if c not in ("rank", "vs_best", "vs_random")
]

EXPLANATION = (
    "Indicators (see the README, 'Scoring agents'): `ref_hv_ratio` is a run's hypervolume "
    "over the reference front's, both in the reference front's box (objectives spanning "
    "more than a decade normalised in log10, rule `auto`; reference point 1.1); "
    "`recall_exact` is the fraction of reference points found exactly (`points_found` "
    f"of them), `recall_tol` within {RECALL_TOLERANCE} of the box per objective; "
    "`igd_plus` and `epsilon_additive` are distances to the reference front (0 is "
    "perfect); `anytime` is the area under the run's ECDF of "
    f"{anytime.N_TARGETS} hypervolume targets (gaps 1 to 1e-{anytime.TARGET_DECADES:g} "
    "of the reference hypervolume) over log10(evaluations), 0 to 1. Agents are ranked "
    "by mean `ref_hv_ratio`; `vs_best` / `vs_random` mark two-sided rank-sum tests on "
    f"`ref_hv_ratio`, Holm-corrected per control, at alpha {significance.ALPHA}. The legacy "
    "columns after them (`hv_mean`, `evals_to_90pct`, ...) normalise by the runs' own "
    "fronts and can saturate."
)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "—" if math.isnan(v) else f"{v:.4g}"
    return str(v)


def _md_table(df: pd.DataFrame) -> list[str]:
    head = "| " + " | ".join(markdown_text(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    return [head, rule] + [
        "| " + " | ".join(markdown_text(_fmt(v)) for v in row) + " |"
        for row in df.itertuples(index=False)
    ]


def plot_anytime(ecdf: pd.DataFrame, problem: str, out: Path) -> Path | None:
    """The ECDF of (run, target) pairs reached against evaluations, one line per agent."""
    part = ecdf[ecdf["problem"] == problem] if len(ecdf) else ecdf
    if part.empty:
        return None
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for agent, frame in part.groupby("agent", sort=True):
        ax.step(frame["evaluations"], frame["fraction"], where="post", label=str(agent))
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("fraction of (run, target) pairs reached")
    ax.set_title(f"{problem}: anytime ECDF, {anytime.N_TARGETS} hypervolume targets", fontsize=10)
    ax.xaxis.set_minor_formatter(NullFormatter())  # labelled minor ticks cost seconds
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.9)  # tight_layout is slow
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in problem)
    path = out / f"anytime_{slug}.png"
    fig.savefig(path, dpi=110)
    return path


def markdown_problem(problem: str, tables: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Reference front, warnings and per-run indicators of one problem."""
    info = facts["problems"].get(problem, {})
    lines: list[str] = []
    if info.get("reference_front"):
        lines += [f"Reference front: {info['reference_front']}.", ""]
    lines += [f"- {note}" for note in info.get("notes", [])]
    for warning in info.get("warnings", []):
        lines += [f"> **Warning:** {markdown_text(warning)}", ""]
    runs = tables["runs"]
    part = runs[runs["problem"] == problem]
    if "ref_hv_ratio" in part and part["ref_hv_ratio"].notna().any():
        cols = [c for c in RUN_COLUMNS if c in part]
        shown = part[cols].sort_values(["agent", "seed"], kind="stable")
        lines += ["Per run:", "", *_md_table(shown), ""]
    return lines


def write_pairwise(results_dir: Path, tables: dict[str, Any]) -> Path:
    """``significance.csv``: per problem, Holm-corrected rank-sum p-values of every pair
    of agents on ``ref_hv_ratio`` (long form: problem, agent, other, p).
    """
    runs = tables["runs"]
    rows = []
    for problem in tables["scores"]:
        part = runs[(runs["problem"] == problem) & runs[scoreboard.PRIMARY].notna()]
        if part["agent"].nunique() < 2:
            continue
        table = significance.pairwise(part[["agent", scoreboard.PRIMARY]], scoreboard.PRIMARY)
        for agent in table.index:
            for other in table.columns:
                if agent != other:
                    rows.append(
                        {
                            "problem": problem,
                            "agent": agent,
                            "other": other,
                            "p_holm": float(table.loc[agent, other]),
                        }
                    )
    path = results_dir / SIGNIFICANCE_CSV
    table = pd.DataFrame(rows, columns=["problem", "agent", "other", "p_holm"])
    csv_safe(table).to_csv(path, index=False)
    return path


def friedman_text(facts: dict[str, Any], over: str = "problems") -> str:
    """One sentence: the Friedman test's p-value over ``over``, or why there is none."""
    p = facts.get("friedman_p")
    if p is None:
        return f"{facts.get('note') or 'No Friedman test'}."
    verdict = "rejects" if p <= significance.ALPHA else "does not reject"
    return (
        f"Friedman test over {over}: p = {p:.3g} ({verdict} equal ranks at alpha "
        f"{significance.ALPHA}; the critical-difference diagram is meaningful only if it "
        "rejects)."
    )


def markdown_overall(tables: dict[str, Any], facts: dict[str, Any], plots: Path) -> list[str]:
    """Anytime ECDF over all problems, mean ranks, Friedman and the CD diagram."""
    lines = ["## Across problems", ""]
    ranks = facts["mean_ranks"]
    if ranks:
        frame = pd.DataFrame(
            {"agent": list(ranks), "mean rank (ref_hv_ratio)": list(ranks.values())}
        )
        lines += _md_table(frame) + [""]
    lines += [friedman_text(facts), ""]
    across = scoreboard.across_problems(tables["runs"], tables["scores"])
    cd = significance.cd_diagram(across, plots / CD_PLOT)
    if cd is not None:
        lines += [f"![critical difference]({cd.relative_to(plots.parent)})", ""]
    png = plot_anytime(tables["anytime"], anytime.AGGREGATE, plots)
    if png is not None:
        lines += [f"![anytime, all problems]({png.relative_to(plots.parent)})", ""]
    return lines if len(lines) > 2 else []


# ---------------------------------------------------------------- report.html


def anytime_figure(ecdf: pd.DataFrame, problem: str, colours: dict[str, str]) -> go.Figure | None:
    """The interactive ECDF of one problem (or of all problems pooled)."""
    part = ecdf[ecdf["problem"] == problem] if len(ecdf) else ecdf
    if part.empty:
        return None
    fig = go.Figure()
    for agent, frame in part.groupby("agent", sort=True):
        fig.add_trace(
            go.Scatter(
                x=frame["evaluations"],
                y=frame["fraction"],
                mode="lines",
                line_shape="hv",
                name=plotly_text(agent),
                line={"color": colours.get(str(agent))},
                hovertemplate=f"{plotly_text(agent)}<br>%{{x}} evaluations: "
                "%{y:.1%} of (run, target) pairs<extra></extra>",
            )
        )
    fig.update_layout(
        height=380,
        title=f"Anytime ECDF: fraction of {anytime.N_TARGETS} hypervolume targets reached",
        xaxis={"type": "log", "title": "evaluations"},
        yaxis={"range": [0, 1], "title": "fraction of (run, target) pairs"},
        template="plotly_white",
    )
    return fig


def html_notes(facts: dict[str, Any], problem: str) -> str:
    """The reference front and warnings of one problem as HTML."""
    info = facts.get("problems", {}).get(problem, {})
    parts = []
    if info.get("reference_front"):
        parts.append(f"<p><b>Reference front</b>: {html.escape(info['reference_front'])}</p>")
    for warning in info.get("warnings", []):
        parts.append(f'<p class="warn"><b>Warning:</b> {html.escape(warning)}</p>')
    return "\n".join(parts)


def html_runs(runs: pd.DataFrame, problem: str) -> str:
    """Each run's indicators (recall of the reference front included), folded away."""
    if runs.empty or "problem" not in runs or scoreboard.PRIMARY not in runs:
        return ""
    part = runs[(runs["problem"] == problem) & runs[scoreboard.PRIMARY].notna()]
    if part.empty:
        return ""
    cols = [c for c in RUN_COLUMNS if c in part]
    part = part.sort_values(["agent", "seed"], kind="stable")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        '<tr class="run">' + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in part[cols].itertuples(index=False)
    )
    return (
        f"<details><summary>Per run ({len(part)} runs)</summary>"
        f'<div class="wide"><table class="summary runs"><thead><tr class="run">{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div></details>"
    )


def html_overall(facts: dict[str, Any]) -> str:
    """Mean ranks and the Friedman test as HTML."""
    ranks = facts.get("mean_ranks") or {}
    if not ranks:
        return ""
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>{r:.3g}</td></tr>" for a, r in ranks.items())
    text = html.escape(friedman_text(facts))
    return (
        '<h2 id="across">Across problems</h2><table class="summary"><thead><tr><th>agent</th>'
        f"<th>mean rank (ref_hv_ratio)</th></tr></thead><tbody>{rows}</tbody></table>"
        f'<p class="note">{text}</p>'
    )


def read_facts(results_dir: Path) -> dict[str, Any]:
    path = results_dir / scoreboard.FACTS_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def read_ecdf(results_dir: Path) -> pd.DataFrame:
    try:
        return read_csv(results_dir / ANYTIME_CSV)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()
