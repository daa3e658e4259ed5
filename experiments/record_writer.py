"""Writing records: evaluation rows become JSON lines, appended and flushed at once.

A line reaches the operating system before the evaluation is handed to the agent, so a
run killed with SIGKILL loses nothing it had recorded; at worst the last line is torn,
and the reading rule (:mod:`.storage`) drops it. Formatting (:class:`LineFormatter`) is
separate from writing (:class:`RowWriter`) so that a Ray worker formats its rows and the
driver's sink (:mod:`.sink`), the only process that writes the results folder, appends
the lines. New files are written in format 2 (a run header, then compact lines:
:mod:`.record_format`); a resumed format-1 file goes on in format 1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from dsegym.experiments.record_format import CompactFormatter, is_header
from dsegym.experiments.record_format import clean as _clean


class RowWriter(Protocol):
    """Where a run's rows go: a file here, or the driver's record sink under Ray."""

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Records rows durably before returning (the agent sees them only after)."""

    def write_model_errors(self, text: str) -> None:
        """Appends cost-model tracebacks to the run's ``model_errors.txt``."""

    def close(self) -> None:
        """Flushes and releases the destination."""


class LineFormatter(Protocol):
    """Turns a run's evaluation rows into the text of its record file's lines.

    Formatting is separate from writing so that a Ray worker can format its rows and
    send the lines to the driver, the only process that writes the results folder.
    """

    def lines(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The rows' lines, newlines included (and whatever must precede them)."""


def line_formatter(
    run_fields: Mapping[str, Any],
    design_keys: Sequence[str] = (),
    metric_keys: Sequence[str] = (),
    first_line: Mapping[str, Any] | None = None,
) -> LineFormatter:
    """The formatter of a run's record: format 2, or the format of the file it extends.

    Args:
        run_fields: The run's fields (``RunFields.to_row()``).
        design_keys: The problem's parameter names, in the space's order.
        metric_keys: The cost model's metric names.
        first_line: The first line of the record a resumed run extends (see
            :func:`first_line`); ``None`` for a new file. A format-1 file goes on in
            format 1, so no file mixes the two.
    """
    if first_line is None:
        return CompactFormatter(run_fields, design_keys, metric_keys)
    if is_header(first_line):
        return CompactFormatter(run_fields, header=first_line)
    return RowFormatter(run_fields)


def first_line(path: Path) -> dict[str, Any] | None:
    """The first line of a record file that :func:`.storage.read_records` reads, parsed.

    ``None`` if it has no complete line that is not blank.
    """
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.endswith(b"\n") and line.strip():
                    value = json.loads(line)
                    return value if isinstance(value, dict) else None
    except FileNotFoundError:
        pass
    return None


class RowFormatter:
    """Turns evaluation rows into format-1 JSON lines: every field on every line.

    What dsegym wrote before the run header; kept to extend such a file when its run
    is resumed. The fields that are the same for every row of a run are serialised
    once and spliced into each line, which keeps the per-row cost low.

    Args:
        static_fields: Fields repeated on every row.
    """

    def __init__(self, static_fields: Mapping[str, Any]):
        static = json.dumps(_clean(dict(static_fields)), allow_nan=False)
        self._prefix = static[:-1] + ", " if static_fields else "{"

    def line(self, row: Mapping[str, Any]) -> str:
        """One row as a JSON line, newline included."""
        try:
            body = json.dumps(row, allow_nan=False)
        except ValueError:
            body = json.dumps(_clean(dict(row)), allow_nan=False)
        return self._prefix + body[1:] + "\n"

    def lines(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The rows' lines, newlines included."""
        return "".join(map(self.line, rows))


class RecordWriter:
    """Appends evaluation rows to a JSON-lines file.

    Args:
        path: The run's record file; created if missing, appended to otherwise.
        formatter: How rows become lines (see :func:`line_formatter`); a mapping is
            taken as fields repeated on every row (format 1).
        model_error_path: Where cost-model tracebacks go (default: beside ``path``,
            ``<run>.model_errors.txt``); created only if there is one.
    """

    def __init__(
        self,
        path: Path,
        formatter: LineFormatter | Mapping[str, Any],
        model_error_path: Path | None = None,
    ):
        self.path = path
        self.model_error_path = model_error_path or path.with_name(
            path.name.removesuffix(".jsonl") + ".model_errors.txt"
        )
        self._format = as_formatter(formatter)
        self._file = LineAppender(path)

    def write(self, row: Mapping[str, Any]) -> None:
        """Appends one row and hands it to the OS (survives SIGKILL of this process)."""
        self.write_many([row])

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Appends rows and hands them to the OS at once (one flush for the batch)."""
        if rows:
            self._file.append(self._format.lines(rows))

    def write_model_errors(self, text: str) -> None:
        append_text(self.model_error_path, text)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_formatter(formatter: LineFormatter | Mapping[str, Any]) -> LineFormatter:
    """``formatter``, or a format-1 formatter repeating a mapping's fields on each line."""
    if isinstance(formatter, Mapping):
        return RowFormatter(formatter)
    return formatter


class LineAppender:
    """An append-only text file whose every append reaches the OS before returning."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def append(self, text: str) -> None:
        self._file.write(text)
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


def append_text(path: Path, text: str) -> None:
    """Appends ``text`` to ``path`` (created with its folder if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
