"""The results folder: every path, the ownership marker, the lock and each run's status.

One owner for the on-disk layout of a ``dsegym run`` folder (see the README's table):

- **paths**: the folder's fixed files (``config.yaml``, ``fingerprint.json``, ...) and
  each run's files under ``runs/`` (record, completion marker, error file, cost-model
  tracebacks), ``fronts/`` and ``plots/``;
- **ownership**: the marker ``.dsegym-results.json`` lists every file dsegym wrote (or
  was about to write) here. Only those may be replaced or removed (``--overwrite``
  removes exactly them); a file at a path dsegym would write that the marker does not
  list is the user's, and the folder is refused with one message naming it. A folder
  without a marker that holds dsegym's ``fingerprint.json``, ``runs.json`` or run records
  was written by a dsegym before the marker existed: the files in it that carry dsegym's names are
  adopted once, anything else in it stays the user's;
- **the lock** (one writer at a time, released by the OS if its holder dies);
- **run status**: how each run ended, read from its completion marker or error file,
  as :class:`RunStatus` (the stop reasons a run records are :class:`StopReason`);
- **table freshness**: the marker notes which record files the tables were computed
  from, so a record that changed or was deleted since makes them stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import filelock

from dsegym.errors import ConfigError

MARKER_NAME = ".dsegym-results.json"
LOCK_NAME = ".dsegym.lock"
MARKER_FORMAT = 1

# The folder's fixed files, each written by one step.
CONFIG = "config.yaml"
FINGERPRINT = "fingerprint.json"
PLAN = "runs.json"
SUMMARIES = "summary.json"
EVALUATIONS = "evaluations.parquet"
REFERENCES = "reference_points.json"
RUNS_CSV = "runs.csv"
HISTORY_CSV = "hypervolume_history.csv"
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"
REPORT_HTML = "report.html"
JOURNAL = "optuna-journal.log"
#: The scoreboard's tables (experiments/scoreboard.py, scoreboard_report.py).
ANYTIME_CSV = "anytime_ecdf.csv"
SCOREBOARD = "scoreboard.json"
SIGNIFICANCE_CSV = "significance.csv"
FIXED_FILES = (
    CONFIG, FINGERPRINT, PLAN, SUMMARIES, EVALUATIONS, REFERENCES, RUNS_CSV, HISTORY_CSV,
    SUMMARY_CSV, SUMMARY_MD, REPORT_HTML, JOURNAL, ANYTIME_CSV, SCOREBOARD, SIGNIFICANCE_CSV,
)  # fmt: skip
RUNS, FRONTS, PLOTS = "runs", "fronts", "plots"
#: The report's per-run cache (experiments/run_digest.py): JSON and Parquet, never code.
CACHE = "cache"
DIGEST, PART = ".digest.json", ".parquet"
#: A run's files under ``runs/``, by role.
RECORD, DONE, ERROR, MODEL_ERRORS = ".jsonl", ".done.json", ".error.txt", ".model_errors.txt"
RUN_SUFFIXES = (RECORD, DONE, ERROR, MODEL_ERRORS)
#: Names dsegym gives files in a folder written before the marker existed.
_LEGACY_NAMES = re.compile(
    r"(runs/[^/]+(\.jsonl|\.done\.json|\.error\.txt|\.model_errors\.txt)"
    r"|fronts/[^/]+\.csv|plots/(front|hypervolume|anytime)_[^/]+\.png"
    r"|plots/critical_difference\.png|cache/[^/]+(\.digest\.json|\.parquet))"
)

# One lock object per folder and process: filelock's locks are re-entrant per object, so
# `dsegym run` can hold the folder across the run and its report.
_LOCKS: dict[Path, filelock.FileLock] = {}


class StopReason(StrEnum):
    """Why a run stopped, as its completion marker records it."""

    BUDGET = "budget"
    SPACE_EXHAUSTED = "space exhausted"
    PROPOSAL_LIMIT = "proposal limit (agent kept proposing known designs)"
    AGENT_FINISHED = "agent finished"
    ERROR = "error"


class RunStatus(StrEnum):
    """How a run ended, as the run table and the reports show it."""

    FINISHED = "finished"
    SPACE_EXHAUSTED = "space exhausted"
    PROPOSAL_LIMIT = "proposal limit"
    AGENT_FINISHED = "agent finished"
    ERROR = "error"
    INTERRUPTED = "interrupted"

    @classmethod
    def of(cls, reason: StopReason) -> RunStatus:
        """The status of a run that stopped for ``reason``."""
        return _STATUS_OF[reason]

    @property
    def complete(self) -> bool:
        """Whether the run's numbers are whole (not cut short by an error or a kill)."""
        return self not in (RunStatus.ERROR, RunStatus.INTERRUPTED)


_STATUS_OF = {
    StopReason.BUDGET: RunStatus.FINISHED,
    StopReason.SPACE_EXHAUSTED: RunStatus.SPACE_EXHAUSTED,
    StopReason.PROPOSAL_LIMIT: RunStatus.PROPOSAL_LIMIT,
    StopReason.AGENT_FINISHED: RunStatus.AGENT_FINISHED,
    StopReason.ERROR: RunStatus.ERROR,
}


@dataclass(frozen=True)
class RunState:
    """One run's state on disk.

    Attributes:
        run_id: The run.
        status: How it ended (``INTERRUPTED``: neither completion marker nor error file).
        stop_reason: Why it stopped (finished runs only).
        evaluations: Distinct evaluations its completion marker counts (finished runs).
        error: The first line of its error file (failed runs).
    """

    run_id: str
    status: RunStatus
    stop_reason: StopReason | None = None
    evaluations: int | None = None
    error: str | None = None


class ResultsFolder:
    """A ``dsegym run`` results folder.

    Args:
        path: The folder (need not exist yet).
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"ResultsFolder({str(self.path)!r})"

    # ----------------------------------------------------------------- paths
    def file(self, name: str) -> Path:
        """One of the folder's fixed files (``CONFIG``, ``EVALUATIONS``, ...)."""
        return self.path / name

    @property
    def runs_dir(self) -> Path:
        return self.path / RUNS

    @property
    def fronts_dir(self) -> Path:
        return self.path / FRONTS

    @property
    def plots_dir(self) -> Path:
        return self.path / PLOTS

    def run_file(self, run_id: str, suffix: str) -> Path:
        """A run's file under ``runs/``: ``suffix`` is ``RECORD``, ``DONE``, ``ERROR`` or
        ``MODEL_ERRORS``.
        """
        return self.runs_dir / f"{run_id}{suffix}"

    def record(self, run_id: str) -> Path:
        """The run's record: a run header line, then one JSON line per evaluation."""
        return self.run_file(run_id, RECORD)

    def done(self, run_id: str) -> Path:
        """The run's completion marker (why it stopped, how many evaluations)."""
        return self.run_file(run_id, DONE)

    def error(self, run_id: str) -> Path:
        """The run's error file: message, evaluations recorded, traceback."""
        return self.run_file(run_id, ERROR)

    def model_errors(self, run_id: str) -> Path:
        """Tracebacks of designs on which the cost model raised."""
        return self.run_file(run_id, MODEL_ERRORS)

    def front(self, run_id: str) -> Path:
        """The run's Pareto front table."""
        return self.fronts_dir / f"{run_id}.csv"

    def plot(self, name: str) -> Path:
        return self.plots_dir / name

    @property
    def cache_dir(self) -> Path:
        return self.path / CACHE

    def cache_file(self, run_id: str, suffix: str) -> Path:
        """A run's cached digest (``DIGEST``) or tidy table (``PART``) under ``cache/``."""
        return self.cache_dir / f"{run_id}{suffix}"

    def run_paths(self, run_id: str) -> list[Path]:
        """Every file a run may have under ``runs/``."""
        return [self.run_file(run_id, suffix) for suffix in RUN_SUFFIXES]

    def record_files(self) -> list[Path]:
        """The record files present, sorted by run id."""
        return sorted(self.runs_dir.glob(f"*{RECORD}")) if self.runs_dir.is_dir() else []

    def run_ids_on_disk(self) -> set[str]:
        """Runs that left any file under ``runs/``."""
        if not self.runs_dir.is_dir():
            return set()
        found = set()
        for suffix in (RECORD, DONE, ERROR):
            found |= {p.name[: -len(suffix)] for p in self.runs_dir.glob(f"*{suffix}")}
        return found

    # ------------------------------------------------------------------ lock
    @contextlib.contextmanager
    def lock(self, field: str = "results folder") -> Iterator[ResultsFolder]:
        """Holds the folder's lock (creating the folder); a second process is refused.

        The lock is an OS file lock (``filelock``), so the OS releases it when the holder
        dies, even by SIGKILL.

        Raises:
            ConfigError: if another process holds the folder, or it cannot be created.
        """
        from dsegym.experiments.config import check_output_dir

        check_output_dir(self.path, field)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"results folder {str(self.path)!r} cannot be created: {exc.strerror or exc}"
            ) from None
        key = self.path.resolve()
        lock = _LOCKS.setdefault(key, filelock.FileLock(str(key / LOCK_NAME), timeout=0))
        try:
            lock.acquire()
        except filelock.Timeout:
            raise ConfigError(
                f"results folder {str(self.path)!r} is in use by another dsegym process "
                f"(lock {LOCK_NAME}); wait for it to finish, or use --output to write elsewhere"
            ) from None
        try:
            yield self
        finally:
            lock.release()

    # ------------------------------------------------------------- ownership
    @property
    def marker(self) -> Path:
        return self.path / MARKER_NAME

    def _read_marker(self) -> dict[str, Any]:
        try:
            data = json.loads(self.marker.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("written"), list):
                raise ValueError("no list of written files")
        except FileNotFoundError:
            return {"format": MARKER_FORMAT, "written": []}
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{str(self.marker)!r} is not readable ({exc}); it lists the files dsegym "
                "wrote here, so nothing in the folder can be replaced safely: use --output "
                "to write elsewhere"
            ) from None
        return data

    def _write_marker(self, data: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.marker.with_name(self.marker.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.marker)

    def owned(self) -> set[str]:
        """The files dsegym wrote here, relative to the folder."""
        return set(map(str, self._read_marker()["written"]))

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.path).as_posix()
        except ValueError:
            raise ValueError(f"{path} is not inside {self.path}") from None

    def _legacy(self) -> bool:
        """An unmarked folder an older dsegym wrote: its run plan, fingerprint or records."""
        if self.marker.exists():
            return False
        if self.file(FINGERPRINT).is_file() or self.file(PLAN).is_file():
            return True
        return any(self.runs_dir.glob(f"*{RECORD}")) or any(self.runs_dir.glob(f"*{DONE}"))

    def _collisions(self) -> list[str]:
        """Entries of an unmarked folder where dsegym would write."""
        names = [*FIXED_FILES, RUNS, FRONTS, PLOTS]
        return [n for n in names if (self.path / n).exists() or (self.path / n).is_symlink()]

    def take_over(self) -> None:
        """Makes sure the folder is dsegym's before anything is written (lock held).

        A new or marked folder is accepted; an unmarked one written by an older dsegym
        has its dsegym-named files adopted into a fresh marker; an unmarked folder that
        holds anything where dsegym writes is refused.

        Raises:
            ConfigError: naming the folder, what is in the way and what to do.
        """
        self.check_ours()
        if self.marker.exists():
            return
        if self._legacy():
            adopted = [n for n in FIXED_FILES if self.file(n).is_file()]
            for sub in (RUNS, FRONTS, PLOTS, CACHE):
                if (self.path / sub).is_dir():
                    adopted += [
                        rel
                        for p in (self.path / sub).iterdir()
                        if p.is_file()
                        and not p.is_symlink()
                        and _LEGACY_NAMES.fullmatch(rel := self._relative(p))
                    ]
            self._write_marker({"format": MARKER_FORMAT, "written": sorted(adopted)})
            return
        self._write_marker({"format": MARKER_FORMAT, "written": []})

    def check_ours(self) -> None:
        """Refuses a folder dsegym may not write to; writes nothing (``validate`` too).

        Raises:
            ConfigError: for an unreadable marker, or an unmarked folder (not written by
                an older dsegym either) that holds anything where dsegym writes.
        """
        if self.marker.exists():
            self._read_marker()
            return
        if not self.path.is_dir() or self._legacy():
            return
        in_the_way = self._collisions()
        if in_the_way:
            raise ConfigError(
                f"{str(self.path)!r} is not a dsegym results folder (it has no "
                f"{MARKER_NAME}) but holds {', '.join(in_the_way)} where dsegym writes; "
                "dsegym replaces nothing it did not write: use --output to write to a new "
                "or empty folder"
            )

    def claim(self, paths: Iterable[Path]) -> None:
        """Records ``paths`` as dsegym's before they are written (lock held).

        Raises:
            ConfigError: if one of them exists and dsegym did not write it.
        """
        self.take_over()
        data = self._read_marker()
        owned = set(map(str, data["written"]))
        new = []
        for path in paths:
            rel = self._relative(path)
            if rel in owned:
                continue
            if path.exists() or path.is_symlink():
                raise ConfigError(
                    f"{str(path)!r} was not written by dsegym (it is not listed in "
                    f"{MARKER_NAME}), and dsegym would write there; move it away, or use "
                    "--output to write elsewhere"
                )
            new.append(rel)
        if new:
            data["written"] = sorted(owned | set(new))
            self._write_marker(data)

    def remove_owned(self) -> None:
        """Removes every file dsegym wrote here (``--overwrite``), and nothing else.

        Folders dsegym made (``runs/``, ``fronts/``, ``plots/``) go when they are left
        empty; a file the user put there keeps them.
        """
        self.take_over()
        data = self._read_marker()
        for rel in data["written"]:
            path = self.path / rel
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():  # never written as a folder: left to the user
                continue
        for sub in (RUNS, FRONTS, PLOTS, CACHE):
            with contextlib.suppress(OSError):  # not empty: holds the user's files
                (self.path / sub).rmdir()
        data["written"] = []
        data.pop("tables_from", None)
        self._write_marker(data)

    def has_runs(self) -> bool:
        """Whether any run left a file that dsegym wrote here."""
        if not self.runs_dir.is_dir():
            return False
        owned = self.owned() if self.marker.exists() else None
        for path in self.runs_dir.iterdir():
            if owned is None or self._relative(path) in owned:
                return True
        return False

    # ------------------------------------------------------------------ runs
    def plan(self) -> list[dict[str, Any]]:
        """The runs the experiment planned (``runs.json``), in the config's order."""
        path = self.file(PLAN)
        if not path.is_file():
            return []
        try:
            plan = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(plan, list) or not all(
                isinstance(p, dict) and isinstance(p.get("run_id"), str) for p in plan
            ):
                raise ValueError("not a list of runs")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{str(path)!r} is not a readable run plan: {exc}") from None
        return plan

    def done_summary(self, run_id: str) -> dict[str, Any] | None:
        """A finished run's completion marker, or ``None`` if it has none.

        Raises:
            ConfigError: if the marker exists but cannot be read.
        """
        path = self.done(run_id)
        if not path.is_file():
            return None
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(summary, dict):
                raise ValueError("not a JSON object")
            summary["stop_reason"] = StopReason(summary["stop_reason"])
            summary["evaluations"] = int(summary["evaluations"])
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{str(path)!r} is not a readable completion marker ({exc}); delete it to "
                "run that run again with --resume"
            ) from None
        return summary

    def run_state(self, run_id: str) -> RunState:
        """How the run ended, from its completion marker or its error file."""
        summary = self.done_summary(run_id)
        if summary is not None:
            reason = summary["stop_reason"]
            return RunState(run_id, RunStatus.of(reason), reason, summary["evaluations"])
        error = self.error(run_id)
        if error.is_file():
            first = error.read_text(errors="replace").split("\n", 1)[0]
            return RunState(run_id, RunStatus.ERROR, error=first)
        return RunState(run_id, RunStatus.INTERRUPTED)

    # ---------------------------------------------------------------- tables
    def _records_stamp(self) -> dict[str, list[int]]:
        return {p.name: [(s := p.stat()).st_size, s.st_mtime_ns] for p in self.record_files()}

    def note_tables(self) -> None:
        """Notes that the tables were just computed from the records as they are now."""
        data = self._read_marker()
        data["tables_from"] = self._records_stamp()
        self._write_marker(data)

    def tables_current(self) -> bool:
        """Whether the tables were computed from the record files as they are now.

        A record added, changed or deleted since (or tables never computed, or an old
        folder that noted nothing) makes them stale.
        """
        if not all(self.file(n).is_file() for n in (EVALUATIONS, SUMMARY_CSV)):
            return False
        if not self.marker.exists():
            return False
        return self._read_marker().get("tables_from") == self._records_stamp()

    def clear(self, paths: Iterable[Path]) -> None:
        """Removes files dsegym wrote (each one claimed first, so never a user's)."""
        paths = list(paths)
        self.claim(paths)
        for path in paths:
            path.unlink(missing_ok=True)
