"""Plotly figures for the interactive report: fronts with designs on hover, progress curves.

Every function takes tables the analysis already wrote (the tidy evaluations, the
hypervolume history) and returns a :class:`plotly.graph_objects.Figure`; none computes
hypervolume itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from dsegym.experiments.escape import plotly_text
from dsegym.experiments.tidy import DESIGN, METRIC, OBJECTIVE, columns, front_rows

KNOWN_FRONT = "known front"
KNOWN_STYLE = {"color": "rgba(0,0,0,0.35)", "size": 4}
MAX_HOVER_KNOBS = 24  # more than this makes a hover box taller than the screen


def agent_colours(agents: Sequence[str]) -> dict[str, str]:
    """One colour per agent, the same in every figure of the report."""
    palette = qualitative.Plotly + qualitative.Dark24
    return {a: palette[i % len(palette)] for i, a in enumerate(sorted(agents))}


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return "—" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def hover_text(rows: pd.DataFrame) -> list[str]:
    """One hover box per row: who found it, then its design knobs and metrics."""
    knobs = columns(rows, DESIGN)[:MAX_HOVER_KNOBS]
    metrics = columns(rows, METRIC)
    # Plain dicts rather than iterrows (a Series per row): a report draws thousands.
    shown_knobs = [(c, plotly_text(c[len(DESIGN) :])) for c in knobs]
    shown_metrics = [(c, c[len(METRIC) :]) for c in metrics]
    texts = []
    for row in rows[["agent", "seed", "eval_index", *knobs, *metrics]].to_dict("records"):
        head = (
            f"<b>{plotly_text(row['agent'])}</b> seed {row['seed']}, evaluation {row['eval_index']}"
        )
        lines = [head, "<i>design</i>"]
        lines += [
            f"  {name} = {plotly_text(_fmt(row[c]))}" for c, name in shown_knobs if pd.notna(row[c])
        ]
        lines.append("<i>metrics</i>")
        lines += [f"  {name} = {_fmt(row[c])}" for c, name in shown_metrics if pd.notna(row[c])]
        texts.append("<br>".join(lines))
    return texts


def _log_if_wide(values: np.ndarray, decades: float = 2.0) -> str:
    """Log axes where positive values span more than two decades (hardware metrics do)."""
    values = values[np.isfinite(values)]
    if len(values) and values.min() > 0 and values.max() / values.min() > 10**decades:
        return "log"
    return "linear"


def fronts_figure(
    evals: pd.DataFrame,
    objectives: Sequence[str],
    colours: dict[str, str],
    known_front: np.ndarray | None,
) -> go.Figure:
    """Each agent's front (union over seeds): one scatter, or pairwise panels for 3+."""
    pairs = list(itertools.combinations(range(len(objectives)), 2))
    n_cols = min(3, len(pairs))
    n_rows = math.ceil(len(pairs) / n_cols)
    fig = make_subplots(rows=n_rows, cols=n_cols, horizontal_spacing=0.09)
    fronts = {a: front_rows(f, objectives) for a, f in evals.groupby("agent", sort=True)}
    for k, (i, j) in enumerate(pairs):
        row, col = k // n_cols + 1, k % n_cols + 1
        xs, ys = [], []
        for agent, front in fronts.items():
            x = front[OBJECTIVE + objectives[i]].to_numpy(dtype=float)
            y = front[OBJECTIVE + objectives[j]].to_numpy(dtype=float)
            xs.append(x)
            ys.append(y)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="markers",
                    name=plotly_text(agent),
                    legendgroup=agent,
                    showlegend=k == 0,
                    marker={"color": colours[agent], "size": 7, "opacity": 0.85},
                    hovertext=hover_text(front),
                    hoverinfo="text",
                ),
                row=row,
                col=col,
            )
        if known_front is not None and len(known_front):
            order = np.argsort(known_front[:, i])
            fig.add_trace(
                go.Scatter(
                    x=known_front[order, i],
                    y=known_front[order, j],
                    mode="markers",
                    name=KNOWN_FRONT,
                    legendgroup=KNOWN_FRONT,
                    showlegend=k == 0,
                    marker=KNOWN_STYLE,
                    hoverinfo="skip",
                ),
                row=row,
                col=col,
            )
            xs.append(known_front[:, i])
            ys.append(known_front[:, j])
        all_x = np.concatenate(xs) if xs else np.empty(0)
        all_y = np.concatenate(ys) if ys else np.empty(0)
        fig.update_xaxes(title_text=objectives[i], type=_log_if_wide(all_x), row=row, col=col)
        fig.update_yaxes(title_text=objectives[j], type=_log_if_wide(all_y), row=row, col=col)
    fig.update_layout(
        height=430 * n_rows,
        title="Pareto fronts (feasible, non-dominated, union over seeds; hover for the design)",
        hoverlabel={"align": "left"},
        template="plotly_white",
    )
    return fig


def fronts_3d_figure(
    evals: pd.DataFrame,
    objectives: Sequence[str],
    colours: dict[str, str],
    known_front: np.ndarray | None,
) -> go.Figure:
    """The first three objectives in one rotatable 3-D view."""
    first = list(objectives[:3])
    fig = go.Figure()
    for agent, frame in evals.groupby("agent", sort=True):
        front = front_rows(frame, objectives)
        fig.add_trace(
            go.Scatter3d(
                x=front[OBJECTIVE + first[0]],
                y=front[OBJECTIVE + first[1]],
                z=front[OBJECTIVE + first[2]],
                mode="markers",
                name=plotly_text(agent),
                marker={"color": colours[str(agent)], "size": 4},
                hovertext=hover_text(front),
                hoverinfo="text",
            )
        )
    if known_front is not None and len(known_front):
        fig.add_trace(
            go.Scatter3d(
                x=known_front[:, 0],
                y=known_front[:, 1],
                z=known_front[:, 2],
                mode="markers",
                name=KNOWN_FRONT,
                marker={**KNOWN_STYLE, "size": 2},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        height=620,
        title=f"3-D view: {', '.join(first)}",
        scene={"xaxis_title": first[0], "yaxis_title": first[1], "zaxis_title": first[2]},
        hoverlabel={"align": "left"},
        template="plotly_white",
    )
    return fig


def best_designs_figure(
    evals: pd.DataFrame,
    objective: str,
    colours: dict[str, str],
    optimum: float | None,
    span: np.ndarray | None = None,
) -> go.Figure:
    """Single objective: the best feasible design of every run, per agent.

    ``span``: values whose extremes are those of every feasible value (when ``evals``
    holds only the kept records); the axis is logarithmic when they span two decades.
    """
    col = OBJECTIVE + objective
    done = evals[~evals["cached"].astype(bool) & evals["feasible"].astype(bool)]
    fig = go.Figure()
    for agent, frame in done.groupby("agent", sort=True):
        best = frame.loc[frame.groupby("run_id")[col].idxmin()]
        fig.add_trace(
            go.Scatter(
                x=[str(agent)] * len(best),
                y=best[col],
                mode="markers",
                name=plotly_text(agent),
                marker={"color": colours[str(agent)], "size": 10, "opacity": 0.85},
                hovertext=hover_text(best),
                hoverinfo="text",
            )
        )
    if optimum is not None:
        fig.add_hline(y=optimum, line_dash="dot", annotation_text="known optimum")
    fig.update_layout(
        height=420,
        title="Best feasible design of each run (hover for the design)",
        yaxis_title=objective,
        yaxis_type=_log_if_wide(done[col].to_numpy(dtype=float) if span is None else span),
        hoverlabel={"align": "left"},
        template="plotly_white",
    )
    return fig


def _band(fig: go.Figure, stats: pd.DataFrame, agent: str, colour: str, y_title: str) -> None:
    """Median line and a min-max band over seeds (the band drawn first, under the line)."""
    x = stats.index.to_numpy()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([stats["max"].to_numpy(), stats["min"].to_numpy()[::-1]]),
            fill="toself",
            fillcolor=colour,
            opacity=0.18,
            line={"width": 0},
            legendgroup=agent,
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=stats["median"],
            mode="lines",
            name=plotly_text(agent),
            legendgroup=agent,
            line={"color": colour, "width": 2},
            customdata=np.stack([stats["min"], stats["max"], stats["count"]], axis=1),
            hovertemplate=(
                f"<b>{plotly_text(agent)}</b><br>evaluations %{{x}}<br>median {y_title} %{{y:.4g}}"
                "<br>min %{customdata[0]:.4g}, max %{customdata[1]:.4g} "
                "over %{customdata[2]} seeds<extra></extra>"
            ),
        )
    )


def hypervolume_figure(history: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Hypervolume against evaluations: median over seeds and the min-max band."""
    fig = go.Figure()
    for agent, frame in history.groupby("agent", sort=True):
        stats = frame.groupby("evaluations")["hypervolume"].agg(["median", "min", "max", "count"])
        _band(fig, stats, str(agent), colours[str(agent)], "hypervolume")
    fig.update_layout(
        height=420,
        title="Hypervolume against evaluations (median over seeds, band: min to max)",
        xaxis_title="evaluations",
        yaxis_title="hypervolume",
        template="plotly_white",
    )
    return fig


#: Beyond this many evaluations a best-so-far curve is drawn at ``CURVE_POINTS``
#: evenly spaced evaluations (the page would otherwise carry a point per evaluation).
FULL_CURVE = 5000
CURVE_POINTS = 2000


def _curve_grid(last: int) -> np.ndarray:
    if last <= FULL_CURVE:
        return np.arange(1, last + 1)
    return np.unique(np.linspace(1, last, CURVE_POINTS).round().astype(int))


def best_so_far(
    evals: pd.DataFrame, objective: str, last: dict[str, int] | None = None
) -> pd.DataFrame:
    """Per run, the best feasible objective value after each charged evaluation.

    Args:
        evals: The records (or, with ``last``, each run's kept records: the best value
            changes only at a kept one).
        objective: The objective's label.
        last: Each run's last evaluation index: the curve is then evaluated on
            1..last (evenly spaced beyond ``FULL_CURVE``), NaN before the first
            feasible design.
    """
    col = OBJECTIVE + objective
    charged = evals[~evals["cached"].astype(bool)]
    parts = []
    for run_id, frame in charged.groupby("run_id", sort=True):
        frame = frame.sort_values("eval_index")
        # cummin leaves NaN (infeasible) rows as NaN: carry the best so far over them
        value = frame[col].where(frame["feasible"].astype(bool)).cummin().ffill()
        x = frame["eval_index"]
        if last is not None:
            grid = _curve_grid(int(last.get(str(run_id), 0)))
            known = value.notna().to_numpy()
            steps = value.to_numpy(dtype=float)[known]
            at = np.searchsorted(x.to_numpy()[known], grid, side="right") - 1
            best = np.full(len(grid), np.nan)
            best[at >= 0] = steps[at[at >= 0]]
            agent = frame["agent"].iloc[0]
            parts.append(
                pd.DataFrame({"run_id": run_id, "agent": agent, "evaluations": grid, "best": best})
            )
            continue
        parts.append(
            pd.DataFrame(
                {
                    "run_id": run_id,
                    "agent": frame["agent"],
                    "evaluations": x,
                    "best": value,
                }
            )
        )
    return pd.concat(parts) if parts else pd.DataFrame(columns=["agent", "evaluations", "best"])


def best_value_figure(
    evals: pd.DataFrame,
    objective: str,
    colours: dict[str, str],
    optimum: float | None,
    last: dict[str, int] | None = None,
) -> go.Figure:
    """Single objective: best feasible value against evaluations, spread over seeds
    (``last``: as :func:`best_so_far`).
    """
    fig = go.Figure()
    curves = best_so_far(evals, objective, last).dropna(subset=["best"])
    for agent, frame in curves.groupby("agent", sort=True):
        stats = frame.groupby("evaluations")["best"].agg(["median", "min", "max", "count"])
        # Runs find their first feasible design at different times; a median over a
        # changing set of runs would jump up, so the curve starts once all have one.
        full = stats.index[stats["count"] == stats["count"].max()]
        stats = stats.loc[full.min() :] if len(full) else stats
        _band(fig, stats, str(agent), colours[str(agent)], objective)
    if optimum is not None:
        fig.add_hline(y=optimum, line_dash="dot", annotation_text="known optimum")
    fig.update_layout(
        height=420,
        title=f"Best feasible {objective} against evaluations (median over seeds, band: "
        "min to max)",
        xaxis_title="evaluations",
        yaxis_title=f"best {objective}",
        # The first random designs are often orders of magnitude off: one decade is
        # enough to hide the approach to the optimum on a linear axis.
        yaxis_type=_log_if_wide(curves["best"].to_numpy(dtype=float), decades=1.0),
        template="plotly_white",
    )
    return fig
