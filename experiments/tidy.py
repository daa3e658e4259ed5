"""The evaluations as one tidy table: a column per design knob, metric, objective, constraint.

A record row nests the design, the metrics and the objective and constraint vectors; a
table people load into pandas, polars or DuckDB should not make them parse JSON. So
``evaluations.parquet`` has one flat column per value:

- the run's fields (``run_id``, ``problem``, ``agent``, ``seed``, ``eval_index``,
  ``cached``, ``feasible``, ...; ``violations`` and the ``objectives`` and
  ``constraints`` labels in order as lists of strings);
- ``design.<knob>`` for every design knob;
- ``metric.<name>`` for every cost-model metric (NaN where the model gave none);
- ``objective.<label>`` for every minimised objective ``F`` (``-<metric>`` for one that
  is maximised; ``+inf`` for a design the model rejected);
- ``constraint.<label>`` for every constraint value ``G`` (feasible iff ``<= 0``),
  labelled as the run recorded (the constrained metric; ``g<i>`` in older records).

The table is built from typed records (:func:`tidy_records`), never from raw lines.

Problems of one experiment may have different knobs, metrics and objectives; a row has
NaN (or null) in the columns of the other problems. ``problem_params`` and
``hyperparameters`` stay JSON text: they are settings, not measurements, and vary in
shape between agents.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from dsegym.experiments.storage import RecordedEvaluation, RunFields
from dsegym.pareto import nondominated_mask

DESIGN = "design."
METRIC = "metric."
OBJECTIVE = "objective."
CONSTRAINT = "constraint."
PREFIXES = (DESIGN, METRIC, OBJECTIVE, CONSTRAINT)

#: Record fields that are lists of text, kept as Parquet lists.
LISTS = ("violations", "objectives", "constraints")
#: Record fields kept as JSON text.
AS_JSON = ("problem_params", "hyperparameters")
#: The record's own scalar fields, after the run's.
RECORD_SCALARS = (
    "proposal_index", "eval_index", "cached", "feasible", "violations", "eval_time_s",
    "timestamp",
)  # fmt: skip
#: The columns of a table with no rows: the run's fields, then the record's scalars.
BASE_COLUMNS = [f.name for f in dataclasses.fields(RunFields)] + list(RECORD_SCALARS)


def _base_row(
    item: RecordedEvaluation, memo: dict[str, tuple[RunFields, dict[str, Any]]]
) -> dict[str, Any]:
    # The run's fields repeat on every record of a run: converted once per run (``memo``,
    # checked for equality, so records whose run fields differ are never mixed up).
    run = item.run
    hit = memo.get(run.run_id)
    if hit is not None and hit[0] == run:
        row = dict(hit[1])
    else:
        row = run.to_row()
        for name in AS_JSON:
            row[name] = json.dumps(row[name], sort_keys=True)
        memo[run.run_id] = (run, dict(row))
    record = item.record
    row.update(
        proposal_index=record.proposal_index,
        eval_index=record.eval_index,
        cached=record.cached,
        feasible=record.feasible,
        violations=record.violations,
        eval_time_s=record.eval_time_s,
        timestamp=record.timestamp,
    )
    return row


def _value_row(item: RecordedEvaluation) -> dict[str, Any]:
    """The design, metrics, objectives and constraints of one record as prefixed cells."""
    record, run = item.record, item.run
    row = {DESIGN + k: v for k, v in record.design.items()}
    row.update({METRIC + k: v for k, v in record.metrics.items()})
    row.update(zip([OBJECTIVE + o for o in run.objectives], record.F, strict=True))
    labels = run.constraint_labels(len(record.G))
    row.update(zip([CONSTRAINT + g for g in labels], record.G, strict=True))
    return row


def _problem_columns(items: Sequence[RecordedEvaluation], index: pd.Index) -> pd.DataFrame:
    """Prefixed columns for the records of one problem."""
    frame = pd.DataFrame([_value_row(item) for item in items], index=index)
    for col in frame.columns:
        if col.startswith(DESIGN):
            # Integer knobs stay integers (nullable: other problems' rows hold no value).
            dtype = frame[col].dtype
            if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                frame[col] = frame[col].astype("Int64")
        else:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def _arrow_safe(column: pd.Series) -> pd.Series:
    """A column whose values mix types is written as text.

    A knob that is 4 in one problem and 'ws' in another cannot be one Parquet type.
    """
    if column.dtype != object:
        return column
    kinds = {
        "number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
        for v in column.dropna()
    }
    if len(kinds) <= 1 or kinds == {"number"}:
        return column
    return column.map(lambda v: None if v is None or v != v else str(v))


def tidy_records(records: Sequence[RecordedEvaluation]) -> pd.DataFrame:
    """The tidy table of typed records, one row each, sorted by run and proposal.

    Null and infinite values follow the record type's one rule (see
    :mod:`.storage`): an objective or constraint the model could not give is ``+inf``, a
    missing metric NaN. Constraint columns are named by the labels each run recorded.
    """
    records = sorted(records, key=lambda r: (r.run.run_id, r.record.proposal_index))
    if not records:
        return pd.DataFrame(columns=BASE_COLUMNS)
    memo: dict[str, tuple[RunFields, dict[str, Any]]] = {}
    run = pd.DataFrame([_base_row(item, memo) for item in records])
    by_problem: dict[str, list[int]] = {}
    for i, item in enumerate(records):
        by_problem.setdefault(item.run.problem, []).append(i)
    parts = [
        _problem_columns([records[i] for i in rows], pd.Index(rows)) for rows in by_problem.values()
    ]
    values = pd.concat(parts).reindex(run.index)
    ordered = sorted(values.columns, key=lambda c: PREFIXES.index(c.split(".", 1)[0] + "."))
    out = pd.concat([run, values[ordered]], axis=1)
    return out.apply(_arrow_safe)


def arrow_table(frame: pd.DataFrame) -> Any:
    """A tidy table (see :func:`tidy_records`) as a pyarrow table (list columns typed)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in LISTS:  # all-empty lists would otherwise be typed list<null>
        if name in table.column_names:
            i = table.column_names.index(name)
            column = table[name]
            if pa.types.is_null(column.type) or pa.types.is_list(column.type):
                table = table.set_column(i, name, column.cast(pa.list_(pa.string())))
    return table


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Writes a tidy table (see :func:`tidy_records`) to ``path``."""
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(frame), path)


def unified_schema(schemas: Sequence[Any]) -> Any:
    """One schema for the tidy tables of several runs (streamed into one file).

    Columns in order of first appearance, the run's fields first, then the prefixed
    columns by kind (design, metric, objective, constraint) as :func:`tidy_records`
    orders them. A column typed differently in different tables: integers and floats
    become floats, anything else mixed becomes text (as :func:`tidy_records` writes a
    knob that is 4 in one problem and 'ws' in another); a column null everywhere stays
    null (a list column: a list of text).
    """
    import pyarrow as pa

    kinds: dict[str, list[Any]] = {}
    for schema in schemas:
        for f in schema:
            kinds.setdefault(f.name, []).append(f.type)
    fields = []
    for name, types in kinds.items():
        distinct = [t for t in dict.fromkeys(types) if not pa.types.is_null(t)]
        if not distinct:
            kind = pa.list_(pa.string()) if name in LISTS else pa.null()
        elif len(distinct) == 1:
            kind = distinct[0]
        elif all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in distinct):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))

    def order(f: Any) -> int:
        head = f.name.split(".", 1)[0] + "."
        return PREFIXES.index(head) + 1 if "." in f.name and head in PREFIXES else 0

    return pa.schema(sorted(fields, key=order))


def read_parquet(path: Path) -> pd.DataFrame:
    """Reads ``evaluations.parquet`` back (list columns as Python lists of strings;
    integer knobs as nullable integers, whatever wrote the file).
    """
    import pyarrow.parquet as pq

    return to_frame(pq.read_table(path))


def to_frame(table: Any) -> pd.DataFrame:
    """A pyarrow table of tidy rows as :func:`read_parquet` gives it."""
    import pyarrow as pa

    frame = table.to_pandas()
    for col in LISTS:
        if col in frame:
            frame[col] = frame[col].map(lambda v: [] if v is None else [str(x) for x in v])
    for f in table.schema:
        if f.name.startswith(DESIGN) and pa.types.is_integer(f.type):
            frame[f.name] = pd.Series(
                table[f.name].to_pandas(types_mapper={f.type: pd.Int64Dtype()}.get),
                index=frame.index,
            )
    return frame


def scan_front(path: Path, problem: str, agent: str | None = None) -> pd.DataFrame | None:
    """:func:`front_rows` of one problem (and agent) of ``evaluations.parquet``, read in
    batches: memory holds one batch and the front, however many rows the file has.

    Returns:
        The front, or None if the file has no feasible charged row of the problem.
    """
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    where = (pc.field("problem") == problem) & pc.field("feasible") & ~pc.field("cached")
    if agent is not None:
        where &= pc.field("agent") == agent
    front: pd.DataFrame | None = None
    seen = 0
    for batch in ds.dataset(path, format="parquet").to_batches(filter=where, batch_size=1 << 16):
        if not batch.num_rows:
            continue
        import pyarrow as pa

        rows = to_frame(pa.Table.from_batches([batch]))
        rows.index = pd.RangeIndex(seen, seen + len(rows))  # the row's place in the file
        seen += len(rows)
        pool = rows if front is None else pd.concat([front, rows]).sort_index(kind="stable")
        front = front_rows(pool, list(rows["objectives"].iloc[0]))
    if front is None:
        return None
    return front.reset_index(drop=True)


def columns(frame: pd.DataFrame, prefix: str) -> list[str]:
    """The columns of one kind (``DESIGN``, ``METRIC``, ...) that hold any value."""
    return [c for c in frame.columns if c.startswith(prefix) and frame[c].notna().any()]


def front_rows(evals: pd.DataFrame, objectives: Sequence[str]) -> pd.DataFrame:
    """The non-dominated feasible evaluations of ``evals`` (all seeds together)."""
    cols = [OBJECTIVE + o for o in objectives]
    done = evals[~evals["cached"].astype(bool) & evals["feasible"].astype(bool)]
    if done.empty:
        return done
    F = done[cols].to_numpy(dtype=float)
    front = done[nondominated_mask(F)]
    return front.drop_duplicates(subset=cols).sort_values(cols[0], kind="stable")
