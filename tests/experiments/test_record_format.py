"""The record file's two formats: a run header then compact lines (2), every field per line (1).

Both read as the same full rows; a format-1 folder loads and resumes in its own format.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dsegym
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import run_experiment
from dsegym.experiments.record_format import FORMAT_KEY, RECORD_FORMAT, clean
from dsegym.experiments.record_writer import RecordWriter, RowFormatter, line_formatter
from dsegym.experiments.results_folder import ResultsFolder
from dsegym.experiments.storage import (
    RecordError,
    RunFields,
    iter_record_chunks,
    read_evaluations,
    read_records,
    repair,
)

from .helpers import records

RUN = RunFields(
    "e", "r", "p", "p", {"n": 1}, "m", "1", "w", ["f1", "f2"], "a", "a", {"k": 2}, 0, ["g"]
).to_row()
ROW = {
    "proposal_index": 1,
    "eval_index": 1,
    "cached": False,
    "design": {"x": 0.5, "y": "b"},
    "metrics": {"f1": 1.0, "f2": 2.0},
    "F": [1.0, 2.0],
    "G": [-1.0],
    "feasible": True,
    "violations": [],
    "eval_time_s": 0.001,
    "timestamp": 7.0,
}
CONFIG = {
    "name": "fmt",
    "budget": 24,
    "seeds": [0, 1],
    "problems": [{"name": "zdt1", "params": {"n_var": 4}}],
    "agents": [{"name": "nsga2", "params": {"population_size": 6}}],
}


def _write(path: Path, batches, first_line=None) -> None:
    formatter = line_formatter(RUN, ["x", "y"], ["f1", "f2"], first_line)
    with RecordWriter(path, formatter) as writer:
        for batch in batches:
            writer.write_many(batch)


def test_the_header_carries_the_run_and_lines_only_what_varies(tmp_path):
    path = tmp_path / "r.jsonl"
    _write(path, [[], [ROW, {**ROW, "eval_index": 2}], [ROW]])  # an empty batch: no header yet
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 4 and lines[0][FORMAT_KEY] == RECORD_FORMAT == 2
    assert {k: lines[0][k] for k in RUN} == RUN
    assert (lines[0]["design_keys"], lines[0]["metric_keys"]) == (["x", "y"], ["f1", "f2"])
    assert lines[1] == {**ROW, "design": [0.5, "b"], "metrics": [1.0, 2.0]}
    rows = read_records(path)
    assert rows == [{**RUN, **ROW}, {**RUN, **ROW, "eval_index": 2}, {**RUN, **ROW}]
    assert [list(r) for r in rows] == [[*RUN, *ROW]] * 3  # the key order of format 1
    assert read_evaluations(path)[0].run == RunFields.from_row(RUN)
    chunks = list(iter_record_chunks(path, 2))  # streamed, the same records
    assert [len(c) for c in chunks] == [2, 1] and sum(chunks, []) == read_evaluations(path)


def test_keys_that_differ_from_the_header_are_written_as_objects(tmp_path):
    path = tmp_path / "r.jsonl"
    odd = {**ROW, "design": {"y": "b", "x": 0.5}, "metrics": {}, "F": [math.inf] * 2}
    _write(path, [[ROW, odd]])
    line = json.loads(path.read_text().splitlines()[2])
    assert line["design"] == {"y": "b", "x": 0.5} and line["metrics"] == {}
    assert read_records(path)[1] == {**RUN, **odd, "F": [None, None]}
    assert list(read_records(path)[1]["design"]) == ["y", "x"]


def test_the_header_takes_the_metric_order_the_model_gives(tmp_path):
    path = tmp_path / "r.jsonl"
    given_order = {**ROW, "metrics": {"f2": 2.0, "f1": 1.0}}
    _write(path, [[{**ROW, "metrics": {}}, given_order]])
    assert json.loads(path.read_text().splitlines()[0])["metric_keys"] == ["f2", "f1"]
    assert list(read_records(path)[1]["metrics"]) == ["f2", "f1"]


def test_a_torn_header_or_first_line_is_repaired(tmp_path):
    path = tmp_path / "r.jsonl"
    _write(path, [[ROW]])
    header, row = path.read_text().splitlines(keepends=True)
    path.write_text(header + row[:30])  # killed while writing the first row
    assert read_records(path) == [] and repair(path) == 0 and path.read_text() == header
    path.write_text(header[:40])  # killed while writing the header
    assert read_records(path) == [] and repair(path) == 0 and path.read_text() == ""


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda h, r: h.replace('"dsegym_record":2', '"dsegym_record":3') + r, "format 3 is newer"),
        (lambda h, r: r + h, "line 1, is not a record dsegym wrote"),  # no header before the row
        (lambda h, r: h + r + h, "line 3, is not a record dsegym wrote (a run header may only be"),
        (lambda h, r: h + r.replace('[0.5,"b"]', "[0.5]"), "design: 1 values for 2 keys"),
        (lambda h, r: h.replace('"design_keys":[', '"design_keys":[1,') + r, "list of strings"),
    ],
)
def test_a_damaged_header_or_line_is_refused(tmp_path, damage, why):
    path = tmp_path / "r.jsonl"
    _write(path, [[ROW]])
    header, row = path.read_text().splitlines(keepends=True)
    path.write_text(damage(header, row))
    with pytest.raises(RecordError, match="r.jsonl") as exc:
        read_records(path)
    assert why in str(exc.value)


def _as_format_1(path: Path) -> None:
    """Rewrites a record as dsegym wrote it before the run header."""
    rows = read_records(path)
    run = {k: rows[0][k] for k in RUN}
    formatter = RowFormatter(run)
    path.write_text(formatter.lines([{k: v for k, v in r.items() if k not in run} for r in rows]))


def test_a_format_1_folder_loads_and_resumes_in_its_own_format(tmp_path):
    cfg = parse_config(CONFIG)
    reference = tmp_path / "reference"
    run_experiment(cfg, results_dir=reference, show_progress=False)
    old = tmp_path / "old"
    run_experiment(cfg, results_dir=old, show_progress=False)
    folder = ResultsFolder(old)
    paths = sorted(folder.runs_dir.glob("*.jsonl"))
    for path in paths:
        _as_format_1(path)
    assert records(old) == records(reference)
    assert len(dsegym.load(old).evaluations) == 48
    # Kill the first run mid-line (format 1) and leave the second run in format 2: a
    # folder that mixes both, as an old folder resumed by this dsegym would.
    run_experiment(cfg, results_dir=tmp_path / "new", show_progress=False)
    paths[1].write_bytes((tmp_path / "new" / "runs" / paths[1].name).read_bytes())
    lines = paths[0].read_text().splitlines(keepends=True)
    paths[0].write_text("".join(lines[:9]) + lines[9][:50])
    folder.done(paths[0].stem).unlink()
    run_experiment(cfg, results_dir=old, resume=True, show_progress=False)
    assert records(old) == records(reference)
    first_lines = [json.loads(p.read_text().splitlines()[0]) for p in paths]
    assert FORMAT_KEY not in first_lines[0] and first_lines[0]["run_id"] == paths[0].stem
    assert FORMAT_KEY in first_lines[1]
    assert paths[0].read_text().count(FORMAT_KEY) == 0  # no header appended mid-file


def test_a_resumed_format_2_run_keeps_one_header_and_the_same_records(tmp_path):
    cfg = parse_config(CONFIG)
    reference, cut = tmp_path / "reference", tmp_path / "cut"
    run_experiment(cfg, results_dir=reference, show_progress=False)
    run_experiment(cfg, results_dir=cut, show_progress=False)
    folder = ResultsFolder(cut)
    first, second = sorted(folder.runs_dir.glob("*.jsonl"))
    header, *rows = first.read_text().splitlines(keepends=True)
    first.write_text(header + "".join(rows[:5]) + rows[5][:20])
    second.write_text(second.read_text().splitlines(keepends=True)[0][:30])  # torn header
    for path in (first, second):
        folder.done(path.stem).unlink()
    run_experiment(cfg, results_dir=cut, resume=True, show_progress=False)
    assert records(cut) == records(reference)
    for path in (first, second):
        assert path.read_text().count(FORMAT_KEY) == 1
        assert path.read_text().startswith('{"' + FORMAT_KEY)


# ------------------------------------------------------- property: written == read
KEYS = st.lists(st.text(min_size=1, max_size=4), min_size=0, max_size=4, unique=True)
SCALARS = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False), st.text(max_size=4), st.booleans()
)


@st.composite
def _rows(draw):
    design_keys, metric_keys = draw(KEYS), draw(KEYS)
    n_obj, n_con = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    objective = st.one_of(st.floats(allow_nan=False), st.just(math.inf))
    rows = []
    for i in range(draw(st.integers(1, 6))):
        keys = draw(st.sampled_from([design_keys, metric_keys, sorted(design_keys)[::-1]]))
        design = {k: draw(SCALARS) for k in keys}
        metrics = {k: draw(st.floats()) for k in draw(st.sampled_from([metric_keys, []]))}
        rows.append(
            {
                "proposal_index": i + 1,
                "eval_index": draw(st.integers(0, 10**9)),
                "cached": draw(st.booleans()),
                "design": design,
                "metrics": metrics,
                "F": draw(st.lists(objective, min_size=n_obj, max_size=n_obj)),
                "G": draw(st.lists(objective, min_size=n_con, max_size=n_con)),
                "feasible": draw(st.booleans()),
                "violations": draw(st.lists(st.text(max_size=6), max_size=2)),
                "eval_time_s": draw(st.floats(min_value=0)),
                "timestamp": draw(st.floats(min_value=0, allow_infinity=False)),
            }
        )
    run = {**RUN, "objectives": [f"f{i}" for i in range(n_obj)]}
    run["constraints"] = [f"g{i}" for i in range(n_con)]
    return run, design_keys, metric_keys, rows, draw(st.integers(1, 3))


@settings(max_examples=100, deadline=None)
@given(case=_rows(), old=st.booleans())
def test_rows_written_are_the_rows_read(case, old):
    run, design_keys, metric_keys, rows, batch = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.jsonl"
        formatter = RowFormatter(run) if old else line_formatter(run, design_keys, metric_keys)
        with RecordWriter(path, formatter) as writer:
            for start in range(0, len(rows), batch):
                writer.write_many(rows[start : start + batch])
        back = read_records(path)
    expected = [clean({**run, **row}) for row in rows]  # non-finite numbers read as null
    assert back == expected
    assert [list(r) for r in back] == [list(r) for r in expected]
    assert all(list(b["design"]) == list(e["design"]) for b, e in zip(back, expected, strict=True))
