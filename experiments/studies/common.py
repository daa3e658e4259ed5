"""What every study shares: its command-line options, running a config, and writing a
Markdown summary in which each figure states the published figure it reproduces and
whether the two agree.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.errors import ConfigError
from dsegym.experiments.analysis import load_evaluations
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.report import write_report
from dsegym.experiments.tidy import OBJECTIVE

VERDICTS = ("AGREES", "PARTLY", "DIFFERS")
"""The three verdicts every study uses, each judged by a rule stated beside it."""


@dataclass(frozen=True)
class StudyOptions:
    """The options every study takes: ``[--quick] [--output DIR] [--workers N]``.

    Attributes:
        output: The results folder.
        quick: Run the reduced version.
        workers: Parallel runs under Ray.
        runs_before: Runs already complete in ``output`` when the study started (they
            are resumed, not re-run).
    """

    output: Path
    quick: bool = False
    workers: int | None = None
    runs_before: int = 0


def completed_runs(folder: Path) -> int:
    """How many runs under ``folder`` (sub-folders included) have finished."""
    return sum(1 for _ in folder.rglob("runs/*.done.json")) if folder.is_dir() else 0


def judge(measured: float, published: float, tolerance: float, neutral: float = 0.0) -> str:
    """The verdict on one figure, judged on its effect (its distance from ``neutral``,
    the value of no effect: 1.0 for a ratio, 0 for a reduction): AGREES when
    ``measured`` is within ``tolerance`` x the published effect of ``published``; PARTLY
    when it is not but lies on the same side of ``neutral`` (the direction holds);
    DIFFERS when the direction differs (or the figure is missing).
    """
    if not np.isfinite(measured):
        return "DIFFERS"
    if abs(measured - published) <= tolerance * abs(published - neutral):
        return "AGREES"
    same_side = (measured - neutral) * (published - neutral) > 0
    return "PARTLY" if same_side else "DIFFERS"


def judge_rule(tolerance: float, direction: str, neutral: float = 0.0) -> str:
    """The stated rule of :func:`judge`, for the summary."""
    return (
        f"AGREES when the effect (the figure minus {neutral:g}) is within {tolerance:.0%} of "
        f"the published effect; PARTLY when outside it but {direction}; DIFFERS otherwise"
    )


def parse_study_args(argv: Sequence[str] | None, name: str, description: str) -> StudyOptions:
    """Parses a study's command line; the default output is ``results/study-NAME[-quick]``."""
    parser = argparse.ArgumentParser(prog=f"dsegym study run {name}", description=description)
    parser.add_argument("--quick", action="store_true", help="reduced version (< 2 minutes)")
    parser.add_argument("--output", type=Path, default=None, help="results folder")
    parser.add_argument("--workers", type=int, default=None, help="parallel runs under Ray")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers: must be at least 1 (got {args.workers})")
    default = Path("results") / (f"study-{name}" + ("-quick" if args.quick else ""))
    output = args.output or default
    return StudyOptions(output, args.quick, args.workers, completed_runs(output))


@dataclass
class FigureNote:
    """A figure (or table) of a study and its published counterpart.

    Attributes:
        path: The file, relative to the study's output folder.
        title: What it shows.
        reproduces: The published figure or claim it reproduces.
        verdict: One of :data:`VERDICTS`.
        rule: How the verdict is judged: what makes it AGREES, PARTLY and DIFFERS.
        detail: The measured numbers behind the verdict.
    """

    path: str
    title: str
    reproduces: str
    verdict: str
    rule: str
    detail: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} of {self.title!r}: use one of {VERDICTS}")
        if not self.rule.strip():
            raise ValueError(f"verdict of {self.title!r} needs its rule")

    def markdown(self) -> list[str]:
        image = f"![{self.title}]({self.path})" if self.path.endswith(".png") else ""
        lines = [f"### {self.title}", ""]
        if image:
            lines += [image, ""]
        lines += [
            f"- Reproduces: {self.reproduces}",
            f"- Verdict: **{self.verdict}**" + (f": {self.detail}" if self.detail else ""),
            f"- Rule: {self.rule}",
            "",
        ]
        return lines


@dataclass
class Summary:
    """A study's Markdown summary, built section by section."""

    title: str
    lines: list[str] = field(default_factory=list)
    figures: list[FigureNote] = field(default_factory=list)

    def text(self, *paragraphs: str) -> None:
        for p in paragraphs:
            self.lines += [p, ""]

    def table(self, df: pd.DataFrame, floatfmt: str = ".4g") -> None:
        self.lines += [markdown_table(df, floatfmt), ""]

    def figure(self, note: FigureNote) -> None:
        self.figures.append(note)
        self.lines += note.markdown()

    def write(
        self,
        out: Path,
        started: float,
        options: StudyOptions,
        scale: str,
        quick_is_full: bool = False,
    ) -> Path:
        """Writes ``summary.md`` and ``verdicts.json``.

        Args:
            out: The study's folder.
            started: ``time.perf_counter()`` when the study started.
            options: The study's options (quick or full, runs found on start).
            scale: The seeds and evaluations (or samples) the figures rest on.
            quick_is_full: The study has no reduced version (``--quick`` runs it whole).
        """
        elapsed = time.perf_counter() - started
        if options.quick and quick_is_full:
            mode = f"Quick version, the same as the full version: {scale}"
        elif options.quick:
            mode = (
                f"**Quick (reduced) version: {scale}.** Its verdicts are not the "
                "paper-level result: they rest on fewer seeds and evaluations than the full "
                "version (run without `--quick`)"
            )
        else:
            mode = f"Full version: {scale}"
        reused = (
            f" ({options.runs_before} runs were already complete in the output folder "
            "and were not re-run)"
            if options.runs_before
            else ""
        )
        header = [
            f"# {self.title}",
            "",
            f"{mode}. This invocation took {elapsed:.0f} s on this machine{reused}.",
            "",
            "Verdicts: AGREES, PARTLY or DIFFERS, each judged by the rule stated beside it.",
            "",
        ]
        if (out / "report.html").is_file():
            header += [
                f"Run records: `runs/`; per-run tables and plots: `{RUNS_SUMMARY}`, `report.html`.",
                "",
            ]
        path = out / "summary.md"
        path.write_text("\n".join(header + self.lines).rstrip() + "\n")
        verdicts = [
            {
                "figure": f.path,
                "reproduces": f.reproduces,
                "verdict": f.verdict,
                "rule": f.rule,
                "detail": f.detail,
            }
            for f in self.figures
        ]
        (out / "verdicts.json").write_text(json.dumps(verdicts, indent=2))
        return path


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A pipe table (pandas' ``to_markdown`` needs tabulate, which dsegym does not ship)."""

    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return format(float(v), floatfmt)
        return str(v)

    rows = ["| " + " | ".join(str(c) for c in df.columns) + " |", "|" + "---|" * len(df.columns)]
    rows += ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join(rows)


RUNS_SUMMARY = "runs_summary.md"
"""The per-run report of a study's records (``summary.md`` is the study's own)."""


def run_config(data: dict[str, Any], out: Path, workers: int | None) -> pd.DataFrame:
    """Runs (or resumes) an experiment config given as a mapping, with a progress bar,
    and writes the records' report as ``dsegym run`` does (tables, plots,
    ``report.html``; its Markdown as :data:`RUNS_SUMMARY`); returns the records.
    """
    config = parse_config(data, source=f"study config {data.get('name', '?')!r}")
    run_experiment(config, results_dir=out, workers=workers, resume=True, show_progress=True)
    write_report(out).replace(out / RUNS_SUMMARY)
    return load_evaluations(out)


def objective_values(df: pd.DataFrame, objective: int = 0) -> np.ndarray:
    """Each row's value of its problem's objective number ``objective`` (tidy columns)."""
    labels = [list(o)[objective] for o in df["objectives"]]
    values = [df.at[i, OBJECTIVE + label] for i, label in zip(df.index, labels, strict=True)]
    return np.asarray(values, dtype=float)


def best_so_far(df: pd.DataFrame, objective: int = 0) -> pd.DataFrame:
    """Per run, the best objective ``objective`` reached after each charged evaluation.

    Returns:
        Columns ``run_id``, ``problem``, ``agent`` (its label), ``agent_name``,
        ``setting``, ``seed``, ``evaluations``, ``best``.
    """
    charged = df[~df["cached"]].copy()
    charged["value"] = np.where(charged["feasible"], objective_values(charged, objective), np.inf)
    charged["best"] = charged.groupby("run_id")["value"].cummin()
    charged["evaluations"] = charged.groupby("run_id").cumcount() + 1
    charged["setting"] = charged["hyperparameters"]  # JSON text with sorted keys
    return charged[
        ["run_id", "problem", "agent", "agent_name", "setting", "seed", "evaluations", "best"]
    ]
