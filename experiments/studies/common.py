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
from dsegym.experiments.tidy import OBJECTIVE


@dataclass(frozen=True)
class StudyOptions:
    """The options every study takes: ``[--quick] [--output DIR] [--workers N]``."""

    output: Path
    quick: bool = False
    workers: int | None = None


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
    return StudyOptions(output=args.output or default, quick=args.quick, workers=args.workers)


@dataclass
class FigureNote:
    """A figure (or table) of a study and its published counterpart.

    Attributes:
        path: The file, relative to the study's output folder.
        title: What it shows.
        reproduces: The published figure or claim it reproduces.
        verdict: ``AGREES``, ``DIFFERS`` or ``PARTLY`` (and why, in ``detail``).
        detail: The measured numbers behind the verdict.
    """

    path: str
    title: str
    reproduces: str
    verdict: str
    detail: str = ""

    def markdown(self) -> list[str]:
        image = f"![{self.title}]({self.path})" if self.path.endswith(".png") else ""
        lines = [f"### {self.title}", ""]
        if image:
            lines += [image, ""]
        lines += [
            f"- Reproduces: {self.reproduces}",
            f"- Verdict: **{self.verdict}**" + (f": {self.detail}" if self.detail else ""),
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

    def write(self, out: Path, started: float, quick: bool) -> Path:
        mode = "quick (reduced) version" if quick else "full version"
        header = [
            f"# {self.title}",
            "",
            f"{mode}; this invocation took {time.perf_counter() - started:.0f} s on this "
            "machine (runs already complete in the output folder are not re-run).",
            "",
        ]
        path = out / "summary.md"
        path.write_text("\n".join(header + self.lines).rstrip() + "\n")
        verdicts = [
            {"figure": f.path, "reproduces": f.reproduces, "verdict": f.verdict}
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


def run_config(data: dict[str, Any], out: Path, workers: int | None) -> pd.DataFrame:
    """Runs (or resumes) an experiment config given as a mapping; returns its records."""
    config = parse_config(data, source=f"study config {data.get('name', '?')!r}")
    run_experiment(config, results_dir=out, workers=workers, resume=True, show_progress=False)
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
