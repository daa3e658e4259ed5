"""The layout of a run's record file: a run header line, then one line per evaluation.

Format 2 (what dsegym writes now), one ``runs/<run>.jsonl`` per run::

    {"dsegym_record":2,"experiment":"e","run_id":"...",...,"seed":0,"constraints":[],
     "design_keys":["x1","x2"],"metric_keys":["f1","f2"]}
    {"proposal_index":1,"eval_index":1,"cached":false,"design":[0.5,0.25],
     "metrics":[0.5,1.9],"F":[0.5,1.9],"G":[],"feasible":true,"violations":[],
     "eval_time_s":2.8e-05,"timestamp":1796255789.8}

The first line, the run header, carries what is the same for every evaluation of the
run (whose evaluation it is: the run's fields, see ``storage.RunFields``) and the
record format's number; it is written once, in the same write as the run's first
evaluations, so a file never holds a header without the flush that created it (a torn
header is a torn last line, cut off like any other). Each later line carries only what
varies. A ``design`` or ``metrics`` written as a list holds its values in the order of
the header's ``design_keys`` or ``metric_keys``; one whose keys differ (a design outside
the space, a rejected design's empty metrics) is written as an object, as it is.

Format 1 (before the header): every line repeats the run's fields. Such files still
read, and a resumed one goes on in format 1, so a file is never a mix of both.

Reading either gives the same full rows: the run's fields, then the evaluation's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

#: The record format dsegym writes; a reader refuses a newer one rather than misread it.
RECORD_FORMAT = 2
#: The header's marker key (and the format's number).
FORMAT_KEY = "dsegym_record"
DESIGN_KEYS, METRIC_KEYS = "design_keys", "metric_keys"
#: Compact JSON: no space after ``,`` and ``:`` (two bytes per field on every line).
SEPARATORS = (",", ":")


def clean(value: Any) -> Any:
    """``value`` with every non-finite float replaced by null (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """``value`` as compact JSON, non-finite numbers as null."""
    try:
        return json.dumps(value, separators=SEPARATORS, allow_nan=False)
    except ValueError:  # rare (a NaN metric, an infinite objective): clean only then
        return json.dumps(clean(value), separators=SEPARATORS, allow_nan=False)


def is_header(line: Mapping[str, Any]) -> bool:
    """Whether a record line (parsed) is a run header."""
    return FORMAT_KEY in line


class NewerFormatError(ValueError):
    """A record file written in a format newer than this dsegym reads."""


class CompactFormatter:
    """Formats a run's rows as format-2 lines; the first lines written carry the header.

    Args:
        run_fields: The run's fields (``RunFields.to_row()``).
        design_keys: The design's keys in the order the problem's space gives them.
        metric_keys: The cost model's metric names: the header takes the order of the
            first evaluation with metrics in the first batch written (a model may give
            them in another order than it declares), else this one.
        header: The header of the file these rows extend (a resumed run): not written
            again, and its key orders rule.
    """

    def __init__(
        self,
        run_fields: Mapping[str, Any],
        design_keys: Sequence[str] = (),
        metric_keys: Sequence[str] = (),
        *,
        header: Mapping[str, Any] | None = None,
    ):
        self._run_fields = dict(run_fields)
        self._declared = list(design_keys), list(metric_keys)
        self.header: dict[str, Any] | None = None
        self._pending = header is None
        if header is not None:
            self._use(header)

    def _use(self, header: Mapping[str, Any]) -> None:
        self.header = dict(header)
        self._design_keys = tuple(header.get(DESIGN_KEYS) or ())
        self._metric_keys = tuple(header.get(METRIC_KEYS) or ())

    def _header_for(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        design_keys, metric_keys = self._declared
        for row in rows:
            metrics = row.get("metrics")
            if isinstance(metrics, Mapping) and metrics:
                metric_keys = list(metrics)
                break
        return {
            FORMAT_KEY: RECORD_FORMAT,
            **self._run_fields,
            DESIGN_KEYS: design_keys,
            METRIC_KEYS: metric_keys,
        }

    def lines(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The rows' lines; the first call with rows puts the header line first."""
        if not rows:
            return ""
        head = ""
        if self._pending:
            self._use(self._header_for(rows))
            head = dumps(self.header) + "\n"
            self._pending = False
        return head + "".join(map(self.line, rows))

    def line(self, row: Mapping[str, Any]) -> str:
        """One row's line (the evaluation's fields, as ``EvaluationRecord.to_row``)."""
        if self._pending:
            raise RuntimeError("the header goes first: format rows with lines()")
        out = dict(row)
        design, metrics = out.get("design"), out.get("metrics")
        if isinstance(design, Mapping) and tuple(design) == self._design_keys:
            out["design"] = list(design.values())
        if isinstance(metrics, Mapping) and tuple(metrics) == self._metric_keys:
            out["metrics"] = list(metrics.values())
        return dumps(out) + "\n"


class LineDecoder:
    """Turns the parsed lines of one record file back into full rows, in file order.

    Rows of a format-2 file share their run's field values (one ``problem_params``
    object for the whole run): treat them as read-only.
    """

    def __init__(self) -> None:
        self.run_fields: dict[str, Any] | None = None
        #: The header's run fields as the reader types them (the reader sets it).
        self.run: Any = None
        self._design_keys: list[str] = []
        self._metric_keys: list[str] = []

    def row(self, line: dict[str, Any], first: bool) -> dict[str, Any] | None:
        """The full row of a parsed line; ``None`` for the header (``first``: line 1).

        Raises:
            NewerFormatError: if the header names a format newer than this one.
            ValueError, TypeError: if the line is not a record line of its file.
        """
        if is_header(line):
            if not first:
                raise ValueError("a run header may only be the first line")
            self._read_header(line)
            return None
        if self.run_fields is None:  # format 1: every field on the line
            return line
        row = {**self.run_fields, **line}
        for key, names in (("design", self._design_keys), ("metrics", self._metric_keys)):
            values = row.get(key)
            if isinstance(values, list):
                if len(values) != len(names):
                    raise ValueError(f"{key}: {len(values)} values for {len(names)} keys")
                row[key] = dict(zip(names, values, strict=True))
        return row

    def _read_header(self, header: dict[str, Any]) -> None:
        version = header[FORMAT_KEY]
        if isinstance(version, bool) or not isinstance(version, int) or version < 2:
            raise TypeError(f"{FORMAT_KEY}: expected a format number >= 2, got {version!r}")
        if version > RECORD_FORMAT:
            raise NewerFormatError(
                f"record format {version} is newer than this dsegym reads "
                f"(up to {RECORD_FORMAT}); update dsegym to read it"
            )
        for key in (DESIGN_KEYS, METRIC_KEYS):
            keys = header[key]
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise TypeError(f"{key}: expected a list of strings")
        self._design_keys, self._metric_keys = header[DESIGN_KEYS], header[METRIC_KEYS]
        self.run_fields = {
            k: v for k, v in header.items() if k not in (FORMAT_KEY, DESIGN_KEYS, METRIC_KEYS)
        }
