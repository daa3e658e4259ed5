"""What a report needs of each run, read by streaming its record in chunks.

A report's memory must not grow with the evaluations recorded (issue 25), so no reader
holds a run's records. Each run's record is read in chunks of ``CHUNK`` lines
(:func:`~dsegym.experiments.storage.iter_record_chunks`) and reduced to a
:class:`RunDigest`:

- **counts**: lines, charged evaluations, feasible charged evaluations, the last
  evaluation index, and per objective the smallest and largest feasible value;
- **kept records**, in record order: the run's first record (who ran what), every
  feasible charged evaluation that no earlier feasible charged evaluation of the run
  weakly dominated when it arrived, and the ``CLOSEST`` records with the least total
  constraint violation (for the "closest designs" of a problem nobody solved).

The kept records are exact for every figure the reports show: a point weakly dominated
by an earlier one adds nothing to the front, to the hypervolume at any checkpoint, to
the anytime trajectory or to the best value so far, so every one of these computed from
the kept records equals the one computed from all records.

At the same time each chunk's tidy rows (:mod:`.tidy`) go to the run's Parquet part
(one row group per chunk), and :func:`.parquet_stream.write_evaluations` streams the
parts into ``evaluations.parquet``.

**Cache** (``cache/<run>.digest.json`` and ``cache/<run>.parquet``, claimed in the
folder's marker): a digest is reused while its record file has the same size,
modification time and SHA-256 of its first and last ``STAMP_BYTES`` bytes (records are
append-only: a resume or a new run changes the size; an edit, the time). A cache file
that does not parse, has another format number or another key is recomputed, never
trusted: it is JSON and Parquet only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.experiments.parquet_stream import PartWriter, SchemaDriftError
from dsegym.experiments.results_folder import DIGEST, PART, RECORD, ResultsFolder
from dsegym.experiments.storage import (
    EvaluationRecord,
    RecordedEvaluation,
    RunFields,
    iter_record_chunks,
    json_safe,
    read_evaluations,
)
from dsegym.experiments.tidy import arrow_table, tidy_records

#: Digest format: a cache of another format is recomputed.
FORMAT = 1
#: Records read at a time (one Parquet row group each).
CHUNK = 20_000
#: Candidate points compared at a time when finding arrivals (bounds a B x B x m array).
BLOCK = 256
#: Records kept for the closest designs of a problem without a feasible one.
CLOSEST = 3
#: Bytes of the record's head and tail hashed into the cache key.
STAMP_BYTES = 1 << 16


@dataclass
class RunDigest:
    """One run, reduced to what a report needs (see the module's docstring).

    Attributes:
        run_id: The run.
        records: Lines recorded (cached answers included).
        charged: Evaluations charged (records not answered from the run's cache).
        feasible: Feasible charged evaluations.
        evaluations: The last charged evaluation index (0 if none).
        f_min: Per objective, the smallest feasible charged value (None if none).
        f_max: Per objective, the largest feasible charged value (None if none).
        kept: The kept records, in record order.
    """

    run_id: str
    records: int = 0
    charged: int = 0
    feasible: int = 0
    evaluations: int = 0
    f_min: list[float | None] = field(default_factory=list)
    f_max: list[float | None] = field(default_factory=list)
    kept: list[RecordedEvaluation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        counts = {k: getattr(self, k) for k in ("records", "charged", "feasible", "evaluations")}
        rows = [{**r.run.to_row(), **r.record.to_row()} for r in self.kept]
        bounds = {"f_min": self.f_min, "f_max": self.f_max}
        return json_safe({"run_id": self.run_id, **counts, **bounds, "kept": rows})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunDigest:
        """Reads a cached digest (raises KeyError/TypeError/ValueError if malformed)."""
        kept = [
            RecordedEvaluation(RunFields.from_row(row), EvaluationRecord.from_row(row))
            for row in data["kept"]
        ]

        def bound(key: str) -> list[float | None]:
            return [None if v is None else float(v) for v in data[key]]

        return cls(
            str(data["run_id"]),
            records=int(data["records"]),
            charged=int(data["charged"]),
            feasible=int(data["feasible"]),
            evaluations=int(data["evaluations"]),
            f_min=bound("f_min"),
            f_max=bound("f_max"),
            kept=kept,
        )


class _Reducer:
    """Builds a :class:`RunDigest` chunk by chunk."""

    def __init__(self, run_id: str):
        self.digest = RunDigest(run_id)
        self.front: np.ndarray | None = None  # non-dominated feasible points so far
        self.kept: dict[int, RecordedEvaluation] = {}  # by position in the record
        self.closest: list[tuple[float, int, RecordedEvaluation]] = []
        self.seen = 0
        self.last = -1  # the last proposal index seen
        self.strict = True  # refuse proposals out of order (arrivals assume record order)

    def add(self, chunk: Sequence[RecordedEvaluation]) -> None:
        d, start = self.digest, self.seen
        order = [r.record.proposal_index for r in chunk]
        if self.strict and any(b <= a for a, b in zip([self.last, *order], order, strict=False)):
            raise OutOfOrderError("proposals out of order")
        self.last = order[-1]
        self.seen += len(chunk)
        d.records += len(chunk)
        if start == 0:
            self.kept[0] = chunk[0]
        m = len(chunk[0].run.objectives)
        F = np.array([r.record.F for r in chunk], dtype=float).reshape(len(chunk), m)
        cached = np.array([r.record.cached for r in chunk], dtype=bool)
        feasible = np.array([r.record.feasible for r in chunk], dtype=bool)
        finite = np.isfinite(F).all(axis=1)
        charged = ~cached
        d.charged += int(charged.sum())
        if charged.any():
            last = max(r.record.eval_index for r, c in zip(chunk, charged, strict=True) if c)
            d.evaluations = max(d.evaluations, last)
        good = charged & feasible
        d.feasible += int(good.sum())
        ok = good & finite
        if ok.any():
            lo, hi = F[ok].min(axis=0), F[ok].max(axis=0)
            if not d.f_min:
                d.f_min, d.f_max = lo.tolist(), hi.tolist()
            else:
                d.f_min = np.minimum(np.array(d.f_min, dtype=float), lo).tolist()
                d.f_max = np.maximum(np.array(d.f_max, dtype=float), hi).tolist()
        for i in self._arrivals(F, np.flatnonzero(ok)):
            self.kept[start + int(i)] = chunk[int(i)]
        self._closest(chunk, F, finite, start)

    def _arrivals(self, F: np.ndarray, idx: np.ndarray) -> list[int]:
        """Rows of ``idx`` (in order) not weakly dominated by any earlier feasible point."""
        from dsegym.pareto import nondominated

        out: list[int] = []
        for b in range(0, len(idx), BLOCK):
            rows = idx[b : b + BLOCK]
            if self.front is not None and len(self.front):
                # Most points of a long run fall behind the front: drop them first.
                behind = (self.front[:, None, :] <= F[rows][None, :, :]).all(axis=2).any(axis=0)
                rows = rows[~behind]
            if not len(rows):
                continue
            X = F[rows]
            # An earlier row of the block weakly dominating a later one (j < i).
            dominated = (X[:, None, :] <= X[None, :, :]).all(axis=2)
            new = ~np.triu(dominated, k=1).any(axis=0)
            pool = X[new] if self.front is None else np.vstack([self.front, X[new]])
            self.front = nondominated(pool)
            out += rows[new].tolist()
        return out

    def _closest(
        self, chunk: Sequence[RecordedEvaluation], F: np.ndarray, finite: np.ndarray, start: int
    ) -> None:
        """Keeps the ``CLOSEST`` accepted records of least total violation (first wins)."""
        idx = np.flatnonzero(finite)
        if not len(idx):
            return
        rows = [chunk[int(i)].record.G for i in idx]
        if len({len(g) for g in rows}) == 1:
            G = np.array(rows, dtype=float).reshape(len(rows), len(rows[0]))
            with np.errstate(invalid="ignore"):
                violation = np.nansum(np.clip(G, 0, None), axis=1)
        else:  # constraint vectors of different lengths (not written by one run)
            violation = np.array([np.nansum(np.clip(np.asarray(g, float), 0, None)) for g in rows])
        best = np.argsort(violation, kind="stable")[:CLOSEST]
        pool = self.closest + [
            (float(violation[j]), start + int(idx[j]), chunk[int(idx[j])]) for j in best
        ]
        pool.sort(key=lambda t: (t[0], t[1]))
        self.closest = pool[:CLOSEST]

    def result(self) -> RunDigest:
        kept = dict(self.kept)
        kept.update({pos: r for _, pos, r in self.closest})
        self.digest.kept = [kept[pos] for pos in sorted(kept)]
        return self.digest


def stamp(path: Path) -> dict[str, Any]:
    """The cache key of a record file: its size, modification time and hashes of its
    head and tail (an edit in place changes the time; an append, the size and tail).
    """
    info = path.stat()
    size = info.st_size
    with open(path, "rb") as f:
        head = hashlib.sha256(f.read(STAMP_BYTES)).hexdigest()
        f.seek(max(0, size - STAMP_BYTES))
        tail = hashlib.sha256(f.read(STAMP_BYTES)).hexdigest()
    return {
        "format": FORMAT,
        "size": size,
        "mtime_ns": info.st_mtime_ns,
        "head": head,
        "tail": tail,
    }


def digest_record(path: Path, run_id: str, part: Path | None = None) -> RunDigest:
    """Streams one record file into its digest (and its tidy rows into ``part``).

    Raises:
        RecordError: as :func:`~dsegym.experiments.storage.read_records`.
    """
    reducer = _Reducer(run_id)
    writer = PartWriter(part) if part is not None else None
    try:
        for chunk in iter_record_chunks(path, CHUNK):
            reducer.add(chunk)
            if writer is not None:
                writer.write(tidy_records(chunk))
    finally:
        if writer is not None:
            writer.close()
    return reducer.result()


class OutOfOrderError(ValueError):
    """A record whose proposal index does not follow the one before it."""


def load_digests(results_dir: Path, *, write_cache: bool = True) -> dict[str, RunDigest]:
    """Every run's digest, by run id (sorted), from the cache where it is current.

    A run whose cache is missing, malformed or stale is streamed again and its cache
    rewritten (claimed in the folder's marker first; the caller holds the lock).

    Raises:
        RecordError: naming the file and line of a damaged record.
    """
    folder = ResultsFolder(results_dir)
    out: dict[str, RunDigest] = {}
    records = {p.name.removesuffix(RECORD): p for p in folder.record_files()}
    stale: dict[str, dict[str, Any]] = {}
    for run_id in sorted(records):
        key = stamp(records[run_id])
        cached = _read_cache(folder.cache_file(run_id, DIGEST), key)
        if cached is not None and (folder.cache_file(run_id, PART).is_file() or not cached.records):
            out[run_id] = cached
        else:
            stale[run_id] = key
    if write_cache and stale:  # one claim for them all: the marker is rewritten once
        folder.claim([folder.cache_file(r, s) for r in stale for s in (DIGEST, PART)])
        folder.cache_dir.mkdir(exist_ok=True)
    for run_id, key in stale.items():
        part = folder.cache_file(run_id, PART)
        out[run_id] = _digest_with_fallback(records[run_id], run_id, part if write_cache else None)
        if write_cache:
            if not out[run_id].records:
                part.unlink(missing_ok=True)  # an empty record has no rows to write
            payload = {"key": key, "digest": out[run_id].to_json()}
            _write_cache(folder.cache_file(run_id, DIGEST), payload)
    return dict(sorted(out.items()))


def _digest_with_fallback(path: Path, run_id: str, part: Path | None) -> RunDigest:
    try:
        return digest_record(path, run_id, part)
    except (SchemaDriftError, OutOfOrderError):
        # Not what a run writes (types changing between chunks, proposals out of
        # order): the run is read whole and sorted, as the eager table did (rare).
        import pyarrow.parquet as pq

        records = sorted(read_evaluations(path), key=lambda r: r.record.proposal_index)
        reducer = _Reducer(run_id)
        reducer.strict = False  # sorted here
        for i in range(0, len(records), CHUNK):
            reducer.add(records[i : i + CHUNK])
        if part is not None:
            table = arrow_table(tidy_records(records))
            pq.write_table(table.replace_schema_metadata(None), part)
        return reducer.result()


def _write_cache(path: Path, payload: dict[str, Any]) -> None:
    """Writes a digest atomically; keys stay in record order (a design's knobs are
    shown in the order the record holds them).
    """
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, allow_nan=False))
    tmp.replace(path)


def _read_cache(path: Path, key: dict[str, Any]) -> RunDigest | None:
    """A cached digest whose key matches, or None (missing, foreign or damaged)."""
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return RunDigest.from_json(data["digest"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def kept_table(digests: Iterable[RunDigest]) -> pd.DataFrame:
    """The kept records of every run as one tidy table (see :mod:`.tidy`)."""
    return tidy_records([r for d in digests for r in d.kept])


COUNT_COLUMNS = ["run_id", "records", "charged", "feasible", "evaluations", "f_min", "f_max"]


def counts_table(digests: Iterable[RunDigest]) -> pd.DataFrame:
    """One row per run: the digest's counts and bounds (``COUNT_COLUMNS``)."""
    rows = [{k: getattr(d, k) for k in COUNT_COLUMNS} for d in digests]
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)
