"""Crash-safe records: one JSON line per evaluation, appended and flushed at once.

A line reaches the operating system before the evaluation is handed to the agent, so
a run killed with SIGKILL loses nothing it had recorded; at worst the last line is
torn, and :func:`read_records` drops it (and :func:`repair` cuts it off the file).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO


def _clean(value: Any) -> Any:
    """JSON has no infinity or NaN: they are written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class RowWriter(Protocol):
    """Where a run's rows go: a file here, or the driver's record sink under Ray."""

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Records rows durably before returning (the agent sees them only after)."""

    def write_model_errors(self, text: str) -> None:
        """Appends cost-model tracebacks to the run's ``model_errors.txt``."""

    def close(self) -> None:
        """Flushes and releases the destination."""


class RowFormatter:
    """Turns evaluation rows into JSON lines.

    The fields that are the same for every row of a run (run id, problem, agent, seed...)
    are serialised once and spliced into each line, which keeps the per-row cost low.
    Formatting is separate from writing so that a Ray worker can format its rows and
    send the lines to the driver, the only process that writes the results folder.

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


class RecordWriter:
    """Appends evaluation rows to a JSON-lines file.

    Args:
        path: The run's record file; created if missing, appended to otherwise.
        static_fields: Fields repeated on every row.
        model_error_path: Where cost-model tracebacks go (default: beside ``path``,
            ``<run>.model_errors.txt``); created only if there is one.
    """

    def __init__(
        self,
        path: Path,
        static_fields: Mapping[str, Any],
        model_error_path: Path | None = None,
    ):
        self.path = path
        self.model_error_path = model_error_path or path.with_name(
            path.name.removesuffix(".jsonl") + ".model_errors.txt"
        )
        self._format = RowFormatter(static_fields)
        self._file = LineAppender(path)

    def write(self, row: Mapping[str, Any]) -> None:
        """Appends one row and hands it to the OS (survives SIGKILL of this process)."""
        self._file.append(self._format.line(row))

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Appends rows and hands them to the OS at once (one flush for the batch)."""
        if rows:
            self._file.append("".join(map(self._format.line, rows)))

    def write_model_errors(self, text: str) -> None:
        append_text(self.model_error_path, text)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def read_records(path: Path) -> list[dict[str, Any]]:
    """Reads every complete row of a record file (a torn last line is ignored)."""
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # torn by a kill mid-write
            rows.append(json.loads(line))
    return rows


def repair(path: Path) -> int:
    """Cuts a torn last line off a record file; returns the number of complete rows."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end != len(data):
        with open(path, "r+b") as f:
            f.truncate(end)
    return data[:end].count(b"\n")


def write_json(path: Path, payload: Any) -> None:
    """Writes JSON atomically (temporary file, then rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_clean(payload), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
