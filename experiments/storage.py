"""Records, typed and read: one JSON line per evaluation (written by :mod:`.record_writer`).

A run killed with SIGKILL loses nothing it had recorded; at worst the last line is torn,
and :func:`read_records` drops it (and :func:`repair` cuts it off the file).

Reading rule (every reader goes through :func:`read_records`): a record file is a
sequence of JSON lines: a run header, then one line per evaluation (format 2; see
``experiments.record_format``), or, in files written before the header, one complete
record per line (format 1). Both read as the same full rows. A last line without its
newline was torn by a kill mid-write and is dropped (a resume cuts it off and costs that
design again, exactly as the killed run would have). A blank line carries nothing and is
skipped. Any other line that is not a complete record (not JSON, not an object, a field
missing or of the wrong type) means the file was changed after dsegym wrote it: the
reader refuses the file with a :class:`RecordError` naming the file, the line and what
is wrong, rather than compute numbers from a record it cannot trust. A file in a format
newer than this dsegym reads is refused with a message saying so.

Null and infinity (one rule): JSON has neither infinity nor NaN, so every non-finite
number is written as null. Read back, a null objective or constraint value (``F``,
``G``) is ``+inf`` (only a design the model rejected has one) and a null metric is NaN
("no value").
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsegym.errors import ConfigError, shorten
from dsegym.experiments.record_format import (
    FORMAT_KEY,
    LineDecoder,
    NewerFormatError,
)
from dsegym.experiments.record_format import clean as _clean

if TYPE_CHECKING:  # the record module stays importable without the cost models
    from dsegym.costmodels.base import Evaluation
    from dsegym.costmodels.problem import Outcome, Problem


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (JSON has none) replaced by null."""
    return _clean(value)


class RecordError(ConfigError):
    """A record file holds a line that is not a record dsegym wrote."""


def _number(value: Any, null: float) -> float:
    """A recorded number (``null`` stands for a non-finite one); a bool is no number."""
    if value is None:
        return null
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number or null, got {type(value).__name__}")
    return float(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return list(value)


def read_vector(values: Sequence[float | None]) -> list[float]:
    """An objective or constraint vector as recorded: null was infinity.

    For ``F`` and ``G`` a non-finite value only ever means the model rejected the
    design, so null reads back as ``+inf`` (a metric's null is NaN: "no value").

    Raises:
        TypeError: if ``values`` is not a list of numbers and nulls.
    """
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"expected a list of numbers, got {type(values).__name__}")
    return [_number(v, math.inf) for v in values]


def read_metrics(values: Mapping[str, float | None]) -> dict[str, float]:
    """A metrics mapping as recorded: null was "no value" (NaN)."""
    return {str(k): _number(v, math.nan) for k, v in _object(values).items()}


@dataclass(frozen=True)
class RunFields:
    """The fields every line of a run's record repeats: whose evaluation it is.

    Attributes:
        experiment: The experiment's name.
        run_id: The run (see ``RunSpec.run_id``).
        problem: The problem's label in the experiment.
        problem_name: The registered problem name.
        problem_params: The problem's parameters, as given.
        cost_model: The cost model's name.
        cost_model_version: Its version (records of other versions are not comparable).
        workload: The workload's name.
        objectives: The objective labels, in the order of ``F``.
        agent: The agent's label in the experiment.
        agent_name: The registered agent name (or ``module:Class``).
        hyperparameters: Every hyperparameter, defaults included.
        seed: The run's seed.
        constraints: The constraint labels, in the order of ``G`` (see
            :func:`constraint_labels`); ``None`` in records written before they were
            recorded, whose constraints read as ``g0``, ``g1``, ...
    """

    experiment: str
    run_id: str
    problem: str
    problem_name: str
    problem_params: dict[str, Any]
    cost_model: str
    cost_model_version: str
    workload: str
    objectives: list[str]
    agent: str
    agent_name: str
    hyperparameters: dict[str, Any]
    seed: int
    constraints: list[str] | None = None

    def to_row(self) -> dict[str, Any]:
        """The fields in the order they open each record line."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunFields:
        """Reads the run's fields of a record line.

        Raises:
            KeyError, TypeError: if a field is missing or of the wrong type.
        """
        text = {}
        for name in ("experiment", "run_id", "problem", "cost_model", "cost_model_version"):
            if not isinstance(row[name], str):
                raise TypeError(f"{name}: expected a string")
            text[name] = row[name]
        for name in ("workload", "agent"):
            text[name] = str(row[name])
        return cls(
            **text,
            problem_name=str(row.get("problem_name", row["problem"])),
            problem_params=_object(row["problem_params"]),
            objectives=_texts(row["objectives"]),
            agent_name=str(row.get("agent_name", row["agent"])),
            hyperparameters=_object(row["hyperparameters"]),
            seed=_int(row["seed"]),
            constraints=None if row.get("constraints") is None else _texts(row["constraints"]),
        )

    def constraint_labels(self, n: int) -> list[str]:
        """Labels for ``n`` constraint values: as recorded, else positional ``g<i>``."""
        if self.constraints is not None and len(self.constraints) == n:
            return self.constraints
        return [f"g{i}" for i in range(n)]


def constraint_labels(metrics: Sequence[str]) -> list[str]:
    """A problem's constraint labels from its constrained metrics, in the order of ``G``.

    Two specs on one metric (a lower and an upper bound) are told apart as ``metric``
    and ``metric_2``.
    """
    seen: dict[str, int] = {}
    out = []
    for name in metrics:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


@dataclass(frozen=True, slots=True)
class EvaluationRecord:
    """One recorded evaluation: what a record line holds besides the run's fields.

    The one shape of an evaluation outside the cost model: the runner writes it
    (:meth:`to_row`), a resumed run replays it (:meth:`from_row`, :meth:`outcome`),
    ``dsegym evaluate --json`` prints it, and the analysis reads its fields. Non-finite
    numbers are written as null and read back as NaN (a metric) or infinity (an
    objective or constraint value of a design the model rejected).

    Attributes:
        design: The design as costed (validated when it was in the space).
        metrics: The cost model's metrics (NaN where it gave none).
        F: Objective values, all minimised (infinity: rejected by the model).
        G: Constraint values, feasible iff ``<= 0``.
        feasible: Whether the design is feasible (model and constraints).
        violations: Why it is infeasible.
        proposal_index: The proposal's 1-based position in the run.
        eval_index: Distinct evaluations charged so far, this one included.
        cached: Answered from the run's cache (charged nothing).
        eval_time_s: Cost-model time per design of the batch this one was costed in.
        timestamp: When it was recorded (seconds since the epoch).
    """

    design: dict[str, Any]
    metrics: dict[str, float]
    F: list[float]
    G: list[float]
    feasible: bool
    violations: list[str]
    proposal_index: int = 0
    eval_index: int = 0
    cached: bool = False
    eval_time_s: float = 0.0
    timestamp: float = 0.0

    #: The fields of a record line, in the order they are written.
    ROW_KEYS = (
        "proposal_index", "eval_index", "cached", "design", "metrics", "F", "G",
        "feasible", "violations", "eval_time_s", "timestamp",
    )  # fmt: skip
    #: The fields that describe the outcome, not its place in a run.
    OUTCOME_KEYS = ("design", "metrics", "F", "G", "feasible", "violations")

    @classmethod
    def from_outcome(
        cls,
        outcome: Outcome,
        *,
        proposal_index: int = 0,
        eval_index: int = 0,
        cached: bool = False,
        eval_time_s: float = 0.0,
        timestamp: float | None = None,
    ) -> EvaluationRecord:
        """The record of an outcome (``timestamp`` defaults to now)."""
        return cls(
            design=outcome.design,
            metrics=dict(outcome.evaluation.metrics),
            F=outcome.F.tolist(),
            G=outcome.G.tolist(),
            feasible=outcome.feasible,
            violations=list(outcome.evaluation.violations),
            proposal_index=proposal_index,
            eval_index=eval_index,
            cached=cached,
            eval_time_s=eval_time_s,
            timestamp=time.time() if timestamp is None else timestamp,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EvaluationRecord:
        """Reads a record line's fields (the run's fields beside them are ignored).

        Raises:
            KeyError, TypeError: if a field is missing or of the wrong type.
        """
        return cls(
            design=_object(row["design"]),
            metrics=read_metrics(row["metrics"]),
            F=read_vector(row["F"]),
            G=read_vector(row["G"]),
            feasible=_bool(row["feasible"]),
            violations=_texts(row["violations"]),
            proposal_index=_int(row["proposal_index"]),
            eval_index=_int(row["eval_index"]),
            cached=_bool(row["cached"]),
            eval_time_s=_number(row["eval_time_s"], math.nan),
            timestamp=_number(row["timestamp"], math.nan),
        )

    def to_row(self) -> dict[str, Any]:
        """The record line's fields, in their order (non-finite numbers as they are:
        the record writer writes them as null).
        """
        # Spelled out rather than looped over ROW_KEYS: this runs once per evaluation.
        return {
            "proposal_index": self.proposal_index,
            "eval_index": self.eval_index,
            "cached": self.cached,
            "design": self.design,
            "metrics": self.metrics,
            "F": self.F,
            "G": self.G,
            "feasible": self.feasible,
            "violations": self.violations,
            "eval_time_s": self.eval_time_s,
            "timestamp": self.timestamp,
        }

    def outcome_fields(self) -> dict[str, Any]:
        """The outcome alone, JSON-safe (what ``dsegym evaluate --json`` prints)."""
        return {key: json_safe(getattr(self, key)) for key in self.OUTCOME_KEYS}

    @property
    def rejected(self) -> bool:
        """Whether the cost model rejected the design (no finite objective values)."""
        return not all(math.isfinite(f) for f in self.F)

    def evaluation(self) -> Evaluation:
        """The cost model's answer this record replays to."""
        from dsegym.costmodels.base import Evaluation

        if self.rejected:
            return Evaluation.infeasible(self.violations, {})
        return Evaluation(self.metrics)

    def outcome(self, problem: Problem) -> Outcome:
        """The outcome this record replays to on ``problem``, without costing it again.

        A design outside the problem's space is replayed as the infeasible outcome it
        was recorded as.
        """
        from dsegym.costmodels.base import Evaluation
        from dsegym.costmodels.problem import coerce_design

        design, problems = coerce_design(self.design)
        if problems or not problem.space.contains(design):
            return problem.outcome(design, Evaluation.infeasible(self.violations))
        return problem.outcome(problem.space.validate(design), self.evaluation())


def read_records(path: Path) -> list[dict[str, Any]]:
    """Reads every complete row of a record file, by the reading rule above.

    Rows keep the run's fields beside the record's; :func:`read_evaluations` gives them
    typed, and every row returned here reads as one. The rows of a format-2 file share
    the run's field values (one ``problem_params`` object): treat them as read-only.

    Raises:
        RecordError: naming the file and line of a row that is not a record.
    """
    return [row for _, row in _rows(path)]


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The complete rows of a record file with their 1-based line numbers."""
    return [(number, row) for number, row, _ in _iter_rows(path)]


def _iter_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], RecordedEvaluation]]:
    """The complete rows of a record file, read line by line (memory does not grow with
    the file), each with its line number and typed, by the reading rule above.
    """
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RecordError(f"record file {str(path)!r} cannot be read: {exc}") from None
    decoder = LineDecoder()  # the file's format: its run header, if it has one
    with f:
        for number, line in enumerate(f, start=1):
            if not line.endswith(b"\n"):
                return  # the last line, torn by a kill mid-write
            if not line.strip():
                continue
            parsed = _parse_line(path, number, line, decoder)
            if parsed is not None:  # None: the run header
                yield number, *parsed


def _parse_line(
    path: Path, number: int, line: bytes, decoder: LineDecoder
) -> tuple[dict[str, Any], RecordedEvaluation] | None:
    """One complete line: its full row and the row typed (or the file refused).

    The one place that reads both formats; ``None`` for a run header, whose run fields
    ``decoder`` keeps for the lines after it (typed once, as ``decoder.run``).
    """
    try:
        parsed = json.loads(line)
        if not isinstance(parsed, dict):
            raise TypeError(f"expected a JSON object, got {type(parsed).__name__}")
        row = decoder.row(parsed, first=number == 1)
        if row is None:
            decoder.run = RunFields.from_row(decoder.run_fields or {})
            return None
        run = decoder.run or RunFields.from_row(row)
        record = EvaluationRecord.from_row(row)
        if len(record.F) != len(run.objectives):
            raise ValueError(f"{len(record.F)} objective values for {len(run.objectives)}")
        if run.constraints is not None and len(record.G) != len(run.constraints):
            raise ValueError(f"{len(record.G)} constraint values for {len(run.constraints)}")
    except NewerFormatError as exc:
        raise RecordError(f"record file {str(path)!r}: {exc}") from None
    except KeyError as exc:
        raise _bad_line(path, number, f"field {exc} is missing") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise _bad_line(path, number, str(exc)) from None
    return row, RecordedEvaluation(run, record)


def iter_record_chunks(path: Path, size: int) -> Iterator[list[RecordedEvaluation]]:
    """The records of a record file, typed, in lists of at most ``size`` (file order).

    Reads the file line by line by the reading rule above, so a reader that keeps only
    what it needs per chunk holds one chunk at a time however long the run was.

    Raises:
        RecordError: naming the file and line of a row that is not a record.
    """
    chunk: list[RecordedEvaluation] = []
    for _, _, typed in _iter_rows(path):
        chunk.append(typed)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bad_line(path: Path, number: int, why: str) -> RecordError:
    return RecordError(
        f"record file {str(path)!r}, line {number}, is not a record dsegym wrote "
        f"({shorten(why, 120)}); the file was changed after the run: restore it, delete "
        "that line, or delete the file to run that run again with --resume"
    )


@dataclass(frozen=True, slots=True)
class RecordedEvaluation:
    """One line of a record file, typed: whose evaluation (``run``) and what it was."""

    run: RunFields
    record: EvaluationRecord


def read_evaluations(path: Path) -> list[RecordedEvaluation]:
    """Every record of a record file, typed, by the reading rule above.

    Raises:
        RecordError: naming the file and line of a row that is not a record.
    """
    return [typed for _, _, typed in _iter_rows(path)]


def repair(path: Path) -> int:
    """Cuts a torn last line off a record file; returns the number of complete rows.

    A torn run header (the file's only line) leaves an empty file.
    """
    if not path.exists():
        return 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end != len(data):
        with open(path, "r+b") as f:
            f.truncate(end)
    lines = data[:end].count(b"\n")
    header = data.startswith(b'{"' + FORMAT_KEY.encode() + b'"')
    return lines - 1 if header and lines else lines


def write_json(path: Path, payload: Any) -> None:
    """Writes JSON atomically (temporary file, then rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_clean(payload), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
