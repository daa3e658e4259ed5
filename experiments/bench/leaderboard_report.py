"""The leaderboard as files: Markdown, CSV, PNG plots and a ``report.html`` section."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from dsegym.experiments import anytime, significance
from dsegym.experiments.bench.leaderboard import ALL, Leaderboard
from dsegym.experiments.bench.suite import Suite
from dsegym.experiments.escape import csv_safe, markdown_text
from dsegym.experiments.scoreboard_report import friedman_text

MD = "leaderboard.md"
CSV = "leaderboard.csv"
RANKS_CSV = "mean_ranks.csv"
ECDF_CSV = "anytime_ecdf.csv"
HTML = "report.html"
CD_PNG = "critical_difference.png"
ANYTIME_PNG = "anytime_all.png"

RULES = (
    "Each cell is the agent's mean main indicator over seeds after the instance's budget, "
    "measured in the box of the instance's stored reference front alone (never pooled "
    "with the runs, so numbers do not depend on who else is compared; against a "
    "best-known front `ref_hv_ratio` can exceed 1). The mark after it compares the agent "
    "with `random`: two-sided rank-sum tests, Holm-corrected over the agents, alpha "
    f"{significance.ALPHA}: `+` significantly better, `-` significantly worse, `=` no "
    "significant difference, `?` too few seeds to test; `*` marks the best mean. Mean "
    "ranks: agents ranked per instance by mean (1 = best; lower is better for "
    "`igd_plus`/`epsilon_additive`), averaged over instances; Friedman test and Nemenyi "
    "critical differences (scikit-posthocs). Anytime: area under the ECDF of "
    f"{anytime.N_TARGETS} `ref_hv_ratio` targets (1 - gap, gaps 1 to "
    f"1e-{anytime.TARGET_DECADES:g}) over log10(evaluations), 0 to 1, averaged over runs; "
    "the aggregated curve pools instances against the fraction of each budget."
)


def _symbol(mark: Any) -> str:
    if not isinstance(mark, str) or not mark or mark.startswith("(itself)"):
        return ""
    if mark.startswith("too few"):
        return "?"
    return {"better": "+", "worse": "-", "tied": "="}.get(mark.split(" ", 1)[0], "")


def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.{digits}g}"
    return str(value)


def wide_table(lb: Leaderboard, suite: Suite) -> pd.DataFrame:
    """Instances x agents: ``mean mark`` cells (see :data:`RULES`)."""
    t = lb.per_instance
    if t.empty:
        return pd.DataFrame()
    agents = sorted(t["agent"].unique())
    rows = []
    for inst in suite.instances:
        part = t[t["instance"] == inst.id].set_index("agent")
        if part.empty:
            continue
        row = {"instance": inst.id, "indicator": inst.column}
        for a in agents:
            if a not in part.index:
                row[a] = "—"
                continue
            r = part.loc[a]
            best = "*" if r["rank"] == 1 else ""
            row[a] = f"{_fmt(float(r['mean']))}{_symbol(r['vs_random'])}{best}"
        rows.append(row)
    return pd.DataFrame(rows)


def ranks_table(lb: Leaderboard) -> pd.DataFrame:
    """Agents by mean rank, with their anytime score."""
    ranks = lb.across.get("mean_ranks")
    if ranks is None:
        ranks = pd.Series(dtype=float)
    frame = pd.DataFrame({"agent": list(ranks.index), "mean_rank": list(ranks.values)})
    if frame.empty:
        frame = pd.DataFrame({"agent": sorted(lb.per_instance.get("agent", pd.Series()).unique())})
    return frame.merge(lb.anytime_scores, on="agent", how="left")


def _md(df: pd.DataFrame) -> list[str]:
    if df.empty:
        return ["(nothing to show)"]
    head = "| " + " | ".join(markdown_text(str(c)) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = [
        "| " + " | ".join(markdown_text(_fmt(v)) for v in row) + " |"
        for row in df.itertuples(index=False)
    ]
    return [head, rule, *body]


def friedman_sentence(lb: Leaderboard) -> str:
    """The scoreboard's Friedman sentence, over the suite's instances."""
    return friedman_text(lb.across, over="instances")


def plot_anytime(ecdf: pd.DataFrame, problem: str, path: Path, highlight: set[str]) -> Path | None:
    """The ECDF of one instance (or the aggregate) as PNG; new agents drawn thicker."""
    part = ecdf[ecdf["problem"] == problem] if len(ecdf) else ecdf
    if part.empty:
        return None
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for agent, frame in part.groupby("agent", sort=True):
        width = 2.6 if agent in highlight else 1.2
        ax.step(frame["evaluations"], frame["fraction"], where="post", label=str(agent), lw=width)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    xlabel = "fraction of the instance's budget" if problem == ALL else "evaluations"
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of (run, target) pairs reached")
    name = "all instances" if problem == ALL else problem
    ax.set_title(f"{name}: ECDF of {anytime.N_TARGETS} ref_hv_ratio targets", fontsize=10)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.9)
    fig.savefig(path, dpi=110)
    return path


def write(
    lb: Leaderboard,
    suite: Suite,
    out: Path,
    *,
    title: str,
    sources: list[str],
    highlight: set[str] | None = None,
) -> Path:
    """Writes the leaderboard's Markdown, CSVs, PNGs and HTML into ``out``; returns the .md."""
    out = Path(out)
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    highlight = highlight or set()
    csv_safe(lb.per_instance).to_csv(out / CSV, index=False)
    ranks = ranks_table(lb)
    csv_safe(ranks).to_csv(out / RANKS_CSV, index=False)
    csv_safe(lb.ecdf).to_csv(out / ECDF_CSV, index=False)
    cd = significance.cd_diagram(lb.across, plots / CD_PNG)
    agg = plot_anytime(lb.ecdf, ALL, plots / ANYTIME_PNG, highlight)
    per_inst = []
    for inst in suite.instances:
        png = plot_anytime(lb.ecdf, inst.id, plots / f"anytime_{inst.id}.png", highlight)
        if png is not None:
            per_inst.append((inst.id, png))
    lines = [f"# {markdown_text(title)}", "", *[f"- {markdown_text(s)}" for s in sources], ""]
    lines += [RULES, "", "## Per instance", "", *_md(wide_table(lb, suite)), ""]
    lines += [*(f"> {markdown_text(n)}" for n in lb.notes), ""]
    lines += ["## Across the suite", "", *_md(ranks), "", friedman_sentence(lb), ""]
    if cd is not None:
        lines += [f"![critical difference](plots/{CD_PNG})", ""]
    if agg is not None:
        lines += [f"![anytime, all instances](plots/{ANYTIME_PNG})", ""]
    lines += ["## Per instance, in detail", ""]
    detail = lb.per_instance
    for inst in suite.instances:
        part = (
            detail[detail["instance"] == inst.id].drop(columns=["instance"])
            if len(detail)
            else detail
        )
        if part.empty:
            continue
        lines += [f"### {inst.id}", "", f"{inst.problem} {inst.params}; {inst.why}", ""]
        lines += [*_md(part), ""]
        lines += [f"![anytime](plots/anytime_{inst.id}.png)", ""]
    md = out / MD
    md.write_text("\n".join(lines), encoding="utf-8")
    write_html(
        lb,
        suite,
        out,
        title,
        sources,
        ranks,
        [p for p in (cd, agg) if p] + [p for _, p in per_inst],
    )
    return md


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    alt = html.escape(path.stem)
    return f'<img alt="{alt}" src="data:image/png;base64,{data}" style="max-width:100%">'


def write_html(
    lb: Leaderboard,
    suite: Suite,
    out: Path,
    title: str,
    sources: list[str],
    ranks: pd.DataFrame,
    images: list[Path],
) -> Path:
    """``report.html``: the leaderboard section, with the PNGs embedded (self-contained)."""
    wide = wide_table(lb, suite)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>",
        "</head><body>",
        f'<section id="leaderboard"><h1>{html.escape(title)}</h1>',
        "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>",
        f"<p>{html.escape(RULES)}</p>",
        "<h2>Per instance</h2>",
        wide.to_html(index=False, escape=True) if len(wide) else "<p>(nothing)</p>",
        *(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in lb.notes),
        "<h2>Across the suite</h2>",
        ranks.to_html(index=False, escape=True, float_format=lambda v: f"{v:.4g}"),
        f"<p>{html.escape(friedman_sentence(lb))}</p>",
        *(_img(p) for p in images),
        "<h2>Per instance, in detail</h2>",
        lb.per_instance.to_html(index=False, escape=True, float_format=lambda v: f"{v:.4g}")
        if len(lb.per_instance)
        else "",
        "</section></body></html>",
    ]
    path = out / HTML
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
