"""Streaming reports: each run's digest keeps exactly what the tables and figures need."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsegym.experiments import run_digest
from dsegym.experiments.parquet_stream import write_evaluations
from dsegym.experiments.record_writer import RecordWriter
from dsegym.experiments.results_folder import DIGEST, PART, ResultsFolder
from dsegym.experiments.run_digest import digest_record, load_digests
from dsegym.experiments.storage import EvaluationRecord, RunFields, read_evaluations
from dsegym.experiments.tidy import read_parquet, tidy_records
from dsegym.pareto import hypervolume, nondominated


def run_fields(run_id: str = "r0", problem: str = "p") -> RunFields:
    return RunFields(
        "e", run_id, problem, problem, {}, "m", "1", "", ["f1", "f2"], "a", "a", {}, 0, ["c"]
    )


def write_run(path, points, *, run_id="r0", problem="p", knob=None, infeasible=()):
    """A record of 2-objective points; ``None`` is a cached answer, ``infeasible`` the
    positions of infeasible ones (constraint value = position)."""
    rows, charged = [], 0
    for i, F in enumerate(points, start=1):
        cached = F is None
        charged += not cached
        F = [1.0, 1.0] if cached else list(F)
        feasible = i - 1 not in infeasible
        design = {"k": knob if knob is not None else i}
        rows.append(
            EvaluationRecord(
                design, {"y": float(i)}, F, [0.0 if feasible else float(i)], feasible,
                [] if feasible else ["c"], i, charged, cached,
            ).to_row()
        )  # fmt: skip
    with RecordWriter(path, run_fields(run_id, problem).to_row()) as w:
        w.write_many(rows)


def kept_positions(digest):
    return [r.record.proposal_index for r in digest.kept]


def test_kept_records_are_the_first_the_arrivals_and_the_closest(tmp_path, monkeypatch):
    monkeypatch.setattr(run_digest, "CLOSEST", 1)
    points = [(3, 3), (2, 4), (3, 3), (4, 4), None, (1, 5), (2, 2), (0.5, 0.5)]
    path = tmp_path / "r0.jsonl"
    # 1: first; 2: not dominated; 3: equal to 1 (weakly dominated); 4: dominated;
    # 5: cached; 6, 7: not dominated; 8: infeasible (not an arrival, the closest)
    write_run(path, points, infeasible={7})
    d = digest_record(path, "r0")
    assert kept_positions(d) == [1, 2, 6, 7]  # the closest (least violation) is row 1
    assert (d.records, d.charged, d.feasible, d.evaluations) == (8, 7, 6, 7)
    assert d.f_min == [1.0, 2.0] and d.f_max == [4.0, 5.0]


def test_closest_records_keep_the_first_of_equal_violations(tmp_path):
    path = tmp_path / "r0.jsonl"
    write_run(path, [(1, 1)] * 6, infeasible={0, 1, 2, 3, 4, 5})
    d = digest_record(path, "r0")
    assert kept_positions(d) == [1, 2, 3]  # violations 1, 2, 3: the three smallest
    assert d.feasible == 0 and d.f_min == []


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=60),
    st.integers(1, 7),
)
def test_kept_points_give_the_same_front_and_hypervolume_history(points, chunk):
    """Any chunk size: the front and the hypervolume at every checkpoint are the same
    from the kept records as from all records (a property over random runs)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r0.jsonl"
        write_run(path, points)
        old_chunk, old_block = run_digest.CHUNK, run_digest.BLOCK
        run_digest.CHUNK, run_digest.BLOCK = chunk, max(1, chunk // 2)
        try:
            d = digest_record(path, "r0")
        finally:
            run_digest.CHUNK, run_digest.BLOCK = old_chunk, old_block
    F = np.array(points, dtype=float)
    kept = [r.record for r in d.kept if r.record.feasible and not r.record.cached]
    K = np.array([r.F for r in kept], dtype=float).reshape(len(kept), 2)
    k_idx = np.array([r.eval_index for r in kept])
    assert np.array_equal(nondominated(F), nondominated(K))
    ref = np.array([7.0, 7.0])
    for k in range(1, len(points) + 1):
        assert hypervolume(F[:k], ref) == pytest.approx(hypervolume(K[k_idx <= k], ref), abs=0)


def folder_with_runs(tmp_path, runs):
    folder = ResultsFolder(tmp_path)
    folder.runs_dir.mkdir(parents=True)
    for run_id, points, kwargs in runs:
        write_run(folder.record(run_id), points, run_id=run_id, **kwargs)
    return folder


def test_the_cache_is_reused_and_a_changed_or_damaged_one_recomputed(tmp_path, monkeypatch):
    folder = folder_with_runs(tmp_path, [("a", [(1, 2), (2, 1)], {}), ("b", [(3, 3)], {})])
    first = load_digests(tmp_path)
    assert {"cache/a.digest.json", "cache/a.parquet"} <= folder.owned()
    calls = []
    real = run_digest.digest_record
    monkeypatch.setattr(run_digest, "digest_record", lambda *a: calls.append(a[1]) or real(*a))
    again = load_digests(tmp_path)
    assert calls == [] and [kept_positions(d) for d in again.values()] == [
        kept_positions(d) for d in first.values()
    ]
    write_run(folder.record("b"), [(3, 3), (0, 0)], run_id="b")  # the run was resumed
    folder.cache_file("a", DIGEST).write_text('{"key": 1, "digest": [')  # damaged
    load_digests(tmp_path)
    assert sorted(calls) == ["a", "b"]
    folder.cache_file("a", DIGEST).write_text(json.dumps({"key": "x", "digest": {}}))
    calls.clear()
    assert kept_positions(load_digests(tmp_path)["a"]) == [1, 2]
    assert calls == ["a"]  # a foreign key: recomputed, never trusted
    record = folder.record("a")  # edited in place, same size: the time tells
    record.write_bytes(record.read_bytes().replace(b'"y": 1.0', b'"y": 9.0', 1))
    calls.clear()
    load_digests(tmp_path)
    assert calls == ["a"]


def test_streamed_parquet_equals_the_eager_table(tmp_path):
    """Two problems whose knob is an integer in one and text in the other, and a run
    read in several chunks: the streamed file reads back as the eager table."""
    folder = folder_with_runs(
        tmp_path,
        [
            ("a", [(1, 2), (2, 1), None, (0, 5)], {"problem": "p1", "knob": 4}),
            ("b", [(3, 3), (1, 1)], {"problem": "p2", "knob": "ws"}),
        ],
    )
    run_digest.CHUNK, old = 2, run_digest.CHUNK
    try:
        load_digests(tmp_path)
    finally:
        run_digest.CHUNK = old
    assert pq.ParquetFile(folder.cache_file("a", PART)).num_row_groups == 2
    out = tmp_path / "evaluations.parquet"
    assert write_evaluations(folder, ["a", "b"], out) == 6
    assert pq.read_schema(out).field("design.k").type == pa.string()
    eager = tidy_records([r for p in folder.record_files() for r in read_evaluations(p)])
    pd.testing.assert_frame_equal(read_parquet(out), eager, check_dtype=False)
    assert list(read_parquet(out).columns) == list(eager.columns)


def test_a_record_out_of_order_is_read_whole_and_sorted(tmp_path, monkeypatch):
    """Not what a run writes, but the numbers must still be those of the sorted run."""
    monkeypatch.setattr(run_digest, "CLOSEST", 1)
    folder = folder_with_runs(tmp_path, [("a", [(1, 1), (2, 2)], {})])
    lines = folder.record("a").read_text().splitlines(keepends=True)
    folder.record("a").write_text(lines[1] + lines[0])  # (2, 2) first in the file
    d = load_digests(tmp_path)["a"]
    assert kept_positions(d) == [1]  # (1, 1) came first: (2, 2) was never an arrival
    assert [r.record.proposal_index for r in read_evaluations(folder.record("a"))] == [2, 1]
