"""evaluations.parquet: one column per knob, metric, objective and constraint."""

import math

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dsegym.costmodels.registry import make_problem
from dsegym.experiments.storage import EvaluationRecord, RecordedEvaluation, RunFields, read_records
from dsegym.experiments.tidy import tidy_records, write_parquet


@pytest.fixture(scope="module")
def table(finished):
    return finished.path / "evaluations.parquet"


def records(finished):
    rows = []
    for path in sorted((finished.path / "runs").glob("*.jsonl")):
        rows.extend(read_records(path))
    return rows


def test_one_column_per_knob_metric_objective_and_constraint(finished, table):
    cols = set(pq.read_schema(table).names)
    for label in ("toy-accelerator", "separable-discrete", "zdt1"):
        problem = make_problem(label, {"n_var": 3} if label == "zdt1" else {})
        assert {f"design.{n}" for n in problem.space.names} <= cols
        assert {f"metric.{m}" for m in problem.cost_model.metric_names} <= cols
    objectives = {c for c in cols if c.startswith("objective.")}
    assert objectives == {
        "objective.latency_cycles",
        "objective.energy_pj",
        "objective.area_mm2",
        "objective.edp_pj_cycles",
        "objective.cost",
        "objective.f1",
        "objective.f2",
    }
    assert {c for c in cols if c.startswith("constraint.")} == {
        "constraint.area_mm2",
        "constraint.load",
    }
    # nothing nested is left as JSON text
    assert not {"design", "metrics", "F", "G"} & cols


def test_parquet_types(table):
    schema = pq.read_schema(table)
    assert schema.field("design.pe_rows").type == pa.int64()
    assert schema.field("design.dataflow").type in (pa.string(), pa.large_string())
    assert schema.field("design.x1").type == pa.float64()
    assert schema.field("objective.f1").type == pa.float64()
    assert schema.field("feasible").type == pa.bool_()
    assert schema.field("violations").type == pa.list_(pa.string())
    assert schema.field("objectives").type == pa.list_(pa.string())


def test_values_match_the_records(finished):
    frame = finished.evaluations.set_index(["run_id", "proposal_index"])
    rows = records(finished)
    assert len(frame) == len(rows)
    for row in rows[::37]:
        got = frame.loc[(row["run_id"], row["proposal_index"])]
        for k, v in row["design"].items():
            assert got[f"design.{k}"] == (pytest.approx(v) if isinstance(v, float) else v)
        for k, v in row["metrics"].items():
            assert got[f"metric.{k}"] == pytest.approx(math.nan if v is None else v, nan_ok=True)
        for label, f in zip(row["objectives"], row["F"], strict=True):
            assert got[f"objective.{label}"] == (math.inf if f is None else pytest.approx(f))
        assert list(got["violations"]) == row["violations"]
        assert bool(got["feasible"]) == row["feasible"]


def test_rejected_designs_have_infinite_objectives_and_reasons(finished):
    ev = finished.evaluations
    sep = ev[ev["problem"] == "separable-discrete"]
    rejected = sep[np.isinf(sep["objective.cost"])]
    assert len(rejected) > 0
    assert all(any("cannot run" in r for r in v) for v in rejected["violations"])
    assert not rejected["feasible"].any()
    # a design that breaks the spec has a finite objective and a positive constraint
    over = sep[np.isfinite(sep["objective.cost"]) & ~sep["feasible"]]
    assert len(over) > 0 and (over["constraint.load"] > 0).all()


def test_duckdb_reads_it_without_json(finished, table):
    got = duckdb.sql(
        f"""select agent, count(*) as n, min("objective.f1") as best
            from '{table}' where problem = 'zdt1' and not cached group by agent
            order by agent"""
    ).df()
    ev = finished.evaluations
    zdt = ev[(ev["problem"] == "zdt1") & ~ev["cached"]]
    want = zdt.groupby("agent")["objective.f1"].agg(["count", "min"])
    assert list(got["agent"]) == list(want.index)
    assert list(got["n"]) == list(want["count"])
    assert np.allclose(got["best"], want["min"])


def test_a_knob_with_mixed_types_is_written_as_text(tmp_path):
    def item(problem, mode, index):
        run = RunFields(
            "e", f"r{index}", problem, problem, {}, "m", "1", "", ["y"], "a", "a", {}, 0, None
        )
        record = EvaluationRecord({"mode": mode}, {"y": 1.0}, [1.0], [], True, [], index, index)
        return RecordedEvaluation(run, record)

    flat = tidy_records([item("not-registered-a", 4, 1), item("not-registered-b", "ws", 2)])
    assert list(flat["design.mode"]) == ["4", "ws"]
    assert list(flat["constraints"]) == [None, None]  # records older than the labels
    write_parquet(flat, tmp_path / "t.parquet")
    schema = pq.read_schema(tmp_path / "t.parquet")
    assert schema.field("design.mode").type in (pa.string(), pa.large_string())
    assert schema.field("violations").type == pa.list_(pa.string())  # not list<null>
