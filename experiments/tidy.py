"""The evaluations as one tidy table: a column per design knob, metric, objective, constraint.

A record row nests the design, the metrics and the objective and constraint vectors; a
table people load into pandas, polars or DuckDB should not make them parse JSON. So
``evaluations.parquet`` has one flat column per value:

- the run's fields (``run_id``, ``problem``, ``agent``, ``seed``, ``eval_index``,
  ``cached``, ``feasible``, ...; ``violations`` and the ``objectives`` labels in order
  as lists of strings);
- ``design.<knob>`` for every design knob;
- ``metric.<name>`` for every cost-model metric (NaN where the model gave none);
- ``objective.<label>`` for every minimised objective ``F`` (``-<metric>`` for one that
  is maximised; ``+inf`` for a design the model rejected);
- ``constraint.<metric>`` for every constraint value ``G`` (feasible iff ``<= 0``).

Problems of one experiment may have different knobs, metrics and objectives; a row has
NaN (or null) in the columns of the other problems. ``problem_params`` and
``hyperparameters`` stay JSON text: they are settings, not measurements, and vary in
shape between agents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsegym.errors import DsegymError
from dsegym.experiments.storage import read_vector
from dsegym.pareto import nondominated_mask

DESIGN = "design."
METRIC = "metric."
OBJECTIVE = "objective."
CONSTRAINT = "constraint."
PREFIXES = (DESIGN, METRIC, OBJECTIVE, CONSTRAINT)

#: Record fields that become prefixed columns (or are implied by their names).
NESTED = ("design", "metrics", "F", "G")
#: Record fields that are lists of text, kept as Parquet lists.
LISTS = ("violations", "objectives")
#: Record fields kept as JSON text.
AS_JSON = ("problem_params", "hyperparameters")


def constraint_labels(problem_name: str, params: dict[str, Any], n: int) -> list[str]:
    """Names for a problem's constraint values: the constrained metric, else ``g<i>``.

    A problem that can no longer be built (a user's module that moved) still gets a
    table, with positional names.
    """
    from dsegym.costmodels.registry import make_problem

    try:
        names = [c.metric for c in make_problem(problem_name, params).constraints]
    except DsegymError:
        names = []
    if len(names) != n:
        return [f"g{i}" for i in range(n)]
    seen: dict[str, int] = {}
    out = []
    for name in names:  # two specs on one metric (a lower and an upper bound file)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _vectors(values: pd.Series, labels: Sequence[str], prefix: str) -> pd.DataFrame:
    rows = [read_vector(row) for row in values]
    return pd.DataFrame(
        np.asarray(rows, dtype=float).reshape(len(rows), len(labels)),
        columns=[prefix + label for label in labels],
        index=values.index,
    )


def _mapping(values: pd.Series, prefix: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(values), index=values.index)
    for col in frame.columns:
        # Integer knobs stay integers (nullable: other problems' rows hold no value).
        if pd.api.types.is_integer_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64")
    return frame.add_prefix(prefix)


def _problem_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefixed columns for the rows of one problem (one set of objective labels)."""
    first = frame.iloc[0]
    labels = list(first["objectives"])
    n_g = len(first["G"]) if isinstance(first["G"], list) else 0
    g_labels = constraint_labels(
        str(first.get("problem_name", first["problem"])), first["problem_params"], n_g
    )
    metrics = _mapping(frame["metrics"], METRIC).apply(pd.to_numeric, errors="coerce")
    return pd.concat(
        [
            _mapping(frame["design"], DESIGN),
            metrics.astype(float),
            _vectors(frame["F"], labels, OBJECTIVE),
            _vectors(frame["G"], g_labels, CONSTRAINT),
        ],
        axis=1,
    )


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


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Flattens record rows (as :func:`analysis.load_evaluations` gives them).

    Extra record fields are kept; a nested extra field is written as JSON text.
    """
    parts = [_problem_columns(frame) for _, frame in df.groupby("problem", sort=False)]
    values = pd.concat(parts).reindex(df.index) if parts else pd.DataFrame(index=df.index)
    ordered = sorted(values.columns, key=lambda c: PREFIXES.index(c.split(".", 1)[0] + "."))
    run = df.drop(columns=[c for c in NESTED if c in df])
    for col in run.columns:
        nested = run[col].map(lambda v: isinstance(v, dict)).any()
        if col in AS_JSON or nested:
            run[col] = run[col].map(lambda v: json.dumps(v, sort_keys=True))
    out = pd.concat([run, values[ordered]], axis=1)
    return out.apply(_arrow_safe)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Writes the tidy table of ``df``'s records to ``path``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(tidy(df), preserve_index=False)
    for name in LISTS:  # all-empty lists would otherwise be typed list<null>
        if name in table.column_names:
            i = table.column_names.index(name)
            table = table.set_column(i, name, table[name].cast(pa.list_(pa.string())))
    pq.write_table(table, path)


def read_parquet(path: Path) -> pd.DataFrame:
    """Reads ``evaluations.parquet`` back (list columns as Python lists of strings)."""
    frame = pd.read_parquet(path)
    for col in LISTS:
        if col in frame:
            frame[col] = frame[col].map(lambda v: [] if v is None else [str(x) for x in v])
    return frame


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
