"""A user's latency measurements of NAS-Bench-201 cells on their own device, read from CSV.

The file has two columns, ``cell`` and ``latency_ms``: the cell as its NAS-Bench-201
index (0..15624) or its cell string, and the measured latency in milliseconds. A first
row whose second field is not a number is a header; blank lines and lines starting with
``#`` are skipped. A cell measured more than once counts once, at the mean of its
measurements (repeated timing is good practice, not an error).
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from dsegym.costmodels.nas.cells import as_cell
from dsegym.costmodels.nas.fewshot import MIN_SAMPLES
from dsegym.errors import ConfigError

MAX_FILE_BYTES = 4 * 2**20
"""Refused above this size (every cell measured five times fits in well under 4 MiB)."""


@dataclass(frozen=True)
class LatencySamples:
    """Measured latencies of some cells on one device.

    Attributes:
        path: The file they were read from.
        sha256: Hex digest of the file (the provenance recorded with a search).
        latency_ms: NAS-Bench-201 index -> mean measured latency (ms).
    """

    path: str
    sha256: str
    latency_ms: dict[int, float]

    @property
    def k(self) -> int:
        """Number of distinct cells measured."""
        return len(self.latency_ms)


def _latency(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{where}: latency {text!r} is not a number of ms") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{where}: latency must be a positive finite number of ms, got {text!r}")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_samples(path: str | Path) -> LatencySamples:
    """Reads and checks a samples CSV.

    Raises:
        ConfigError: naming the file (and row, counted from 1 with the header) on a
            missing or unreadable file, a row without exactly two fields, an unknown
            cell, a latency that is not a positive finite number, or fewer than two
            distinct cells.
        DataMissingError: if a row names a cell by index and the ``nasbench201`` data
            set (which holds the index order) is not installed.
    """
    from dsegym.costmodels.nas.tables import index_lookup

    name = str(path)
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"samples file {name!r}: no such file")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(f"samples file {name!r}: larger than {MAX_FILE_BYTES:,} bytes")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"samples file {name!r}: not UTF-8 text ({exc.reason})") from None
    lookup = index_lookup()
    measured: dict[int, list[float]] = {}
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise ConfigError(f"samples file {name!r}: malformed CSV: {exc}") from None
    for number, row in enumerate(rows, start=1):
        where = f"samples file {name!r} row {number}"
        fields = [f.strip() for f in row]
        if not any(fields) or fields[0].startswith("#"):
            continue
        if len(fields) != 2:
            raise ConfigError(
                f"{where}: expected 2 fields (cell, latency_ms), got {len(fields)}: {row!r}"
            )
        if number == 1 and not _is_number(fields[1]):
            continue  # header
        try:
            cell = as_cell(fields[0])
        except ConfigError as exc:
            raise ConfigError(f"{where}: unknown cell: {exc}") from None
        latency = _latency(fields[1], where)
        measured.setdefault(lookup[cell], []).append(latency)
    if len(measured) < MIN_SAMPLES:
        raise ConfigError(
            f"samples file {name!r}: needs at least {MIN_SAMPLES} distinct measured cells, "
            f"found {len(measured)}"
        )
    return LatencySamples(
        path=name,
        sha256=hashlib.sha256(raw).hexdigest(),
        latency_ms={i: sum(v) / len(v) for i, v in measured.items()},
    )
