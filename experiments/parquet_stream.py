"""``evaluations.parquet`` written by streaming: never the whole table in memory.

Each run's tidy rows (:mod:`.tidy`) go to the run's Parquet part as they are read, one
row group per chunk (:class:`PartWriter`); :func:`write_evaluations` then copies the
parts' row groups into one file under one schema (:func:`~.tidy.unified_schema`).
pyarrow's ``ParquetWriter`` does the writing; only the schema rules are dsegym's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from dsegym.experiments.results_folder import PART, ResultsFolder
from dsegym.experiments.tidy import arrow_table, unified_schema


class PartWriter:
    """A run's tidy rows as one Parquet file, a row group per chunk.

    The schema is the first chunk's; a later chunk is cast to it. A chunk that does not
    fit (a knob recorded as 4 and later as 'ws') raises :class:`SchemaDriftError`, and
    the caller writes the run in one piece instead (:mod:`.run_digest`; rare).
    """

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_suffix(path.suffix + ".tmp")
        self.writer: Any = None
        self.schema: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = arrow_table(frame)
        if self.writer is None:
            self.schema = table.schema.remove_metadata()
            self.writer = pq.ParquetWriter(self.tmp, self.schema)
        else:
            table = conform(table, self.schema)
        try:
            self.writer.write_table(table)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
            raise SchemaDriftError(str(exc)) from None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.tmp.replace(self.path)


class SchemaDriftError(ValueError):
    """A chunk whose columns do not fit the first chunk's types."""


def conform(table: Any, schema: Any) -> Any:
    """``table`` with ``schema``'s columns, in its order, cast to its types (nulls where
    the table lacks a column).

    Raises:
        SchemaDriftError: if a column holds values of another kind, or a column is new.
    """
    import pyarrow as pa

    extra = set(table.column_names) - set(schema.names)
    if extra:
        raise SchemaDriftError(f"new columns {sorted(extra)}")
    arrays = []
    for f in schema:
        if f.name in table.column_names:
            try:
                arrays.append(table[f.name].cast(f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise SchemaDriftError(f"column {f.name}: {exc}") from None
        else:
            arrays.append(pa.nulls(len(table), f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def write_evaluations(folder: ResultsFolder, run_ids: Sequence[str], out: Path) -> int:
    """Streams the runs' Parquet parts into one file (``evaluations.parquet``).

    The schema is the union of the parts' columns (the run's fields, then design,
    metric, objective and constraint columns, each in order of first appearance); a
    column of different kinds in different parts is written as text, one of integers
    and floats as floats. Row groups are copied part by part, never the whole table.

    Returns:
        The number of rows written.
    """
    import pyarrow.parquet as pq

    parts = [p for r in run_ids if (p := folder.cache_file(r, PART)).is_file()]
    schema = unified_schema([pq.read_schema(p) for p in parts])
    tmp = out.with_suffix(out.suffix + ".tmp")
    rows = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        for part in parts:
            source = pq.ParquetFile(part)
            for g in range(source.num_row_groups):
                table = source.read_row_group(g)
                writer.write_table(cast_to(table, schema))
                rows += table.num_rows
    tmp.replace(out)
    return rows


def cast_to(table: Any, schema: Any) -> Any:
    """``table`` in ``schema`` (columns it lacks as nulls; text columns as text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for f in schema:
        if f.name not in table.column_names:
            arrays.append(pa.nulls(len(table), f.type))
            continue
        column = table[f.name]
        if column.type != f.type and pa.types.is_string(f.type):
            column = pc.cast(column, pa.string())
        arrays.append(column.cast(f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
