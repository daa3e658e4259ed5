"""The runner: owns the evaluation loop around any agent.

Budget rule: the budget counts *distinct designs costed by the cost model*. A design
the run has already seen is answered from the run's cache, recorded with
``cached=True``, and charged nothing. So that an agent stuck on known designs cannot
loop forever, a run also stops after ``max_proposals_factor x budget`` proposals, and
when a finite space has been evaluated in full.

Resume rule: a run is resumed by *replaying* its record. The agent is rebuilt with the
same seed and hyperparameters; its proposals are answered from the record, in order,
without re-evaluating or re-recording, until the record runs out; then the run goes on
as normal. Agents are deterministic given their seed and the outcomes they see, so the
replayed agent reaches exactly the state the killed one had.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dsegym.costmodels.problem import Outcome, Problem, coerce_design
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Design
from dsegym.errors import DsegymError
from dsegym.experiments.record_writer import (
    LineFormatter,
    RecordWriter,
    RowWriter,
    first_line,
    line_formatter,
)
from dsegym.experiments.results_folder import ResultsFolder, StopReason
from dsegym.experiments.storage import (
    EvaluationRecord,
    RunFields,
    constraint_labels,
    read_records,
    repair,
    write_json,
)
from dsegym.search.registry import make_agent_for

ProgressCallback = Callable[[int], None]
#: Costs a batch of designs, in order (default: the problem's own ``evaluate_batch``).
BatchFunction = Callable[[Sequence[Design]], list[Outcome]]
#: Makes the batch function of a run from its problem (see ``experiments.parallel``).
BatchFactory = Callable[[Problem], BatchFunction]
#: Opens the writer of a run's rows, given how its rows become lines.
WriterFactory = Callable[[LineFormatter], RowWriter]


#: UTF-8 bytes of a label kept in a run id: two labels, a seed, a hash and the longest
#: suffix (".model_errors.txt") stay within the 255 bytes of a file name.
RUN_ID_PART_BYTES = 100


def _file_part(label: str) -> str:
    """``label`` made safe in a file name: no separators or control characters, bounded."""
    safe = "".join("_" if c == "/" or ord(c) < 32 or ord(c) == 127 else c for c in label)
    data = safe.encode("utf-8", errors="replace")
    if len(data) <= RUN_ID_PART_BYTES:
        return safe
    # The hash in the run id keeps cut labels apart.
    return data[:RUN_ID_PART_BYTES].decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class RunSpec:
    """One (problem, agent, hyperparameters, seed) combination of an experiment."""

    experiment: str
    problem: str
    problem_params: dict[str, Any]
    agent: str
    agent_params: dict[str, Any]
    seed: int
    budget: int
    max_proposals_factor: int = 10
    problem_label: str = ""
    agent_label: str = ""

    @property
    def run_id(self) -> str:
        """A readable, stable id: labels, seed and a hash of the full settings."""
        payload = json.dumps(
            [self.problem, self.problem_params, self.agent, self.agent_params, self.seed],
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha1(payload.encode()).hexdigest()[:8]
        problem = _file_part((self.problem_label or self.problem).replace(":", "."))
        agent = _file_part((self.agent_label or self.agent).replace(":", "."))
        return f"{problem}__{agent}__s{self.seed}__{digest}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunSummary:
    """What a finished run reports."""

    run_id: str
    evaluations: int
    proposals: int
    stop_reason: StopReason
    wall_time_s: float
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ResumeDivergedError(DsegymError):
    """A resumed agent proposed something other than what its record says."""


class RunFailedError(Exception):
    """A run raised; the original error is the cause.

    Attributes:
        evaluations: Distinct evaluations recorded before the error.
        proposals: Proposals answered before the error.
        message: The cause in one line (``Type: text``).
        report: The run's error file: message, evaluations recorded, traceback.
    """

    def __init__(self, evaluations: int, proposals: int, message: str = "", report: str = ""):
        super().__init__(f"run failed after {evaluations} evaluations")
        self.evaluations, self.proposals = evaluations, proposals
        self.message, self.report = message, report


class RunEvaluator:
    """The :class:`~dsegym.search.agent.Evaluator` the runner hands to an agent.

    Args:
        problem: The problem to evaluate on.
        budget: Distinct cost-model evaluations allowed.
        writer: Where rows are appended (``None``: record nothing). Every row of a call
            is written before the call returns, so before the agent sees the outcomes.
        replay: Records of an earlier, interrupted attempt to answer first, in order.
        max_proposals_factor: Stop after this many proposals per unit of budget.
        progress: Called with the number of newly charged evaluations.
        evaluate_batch: Costs the new designs of a call (default: the problem's own
            ``evaluate_batch``); a parallel pool plugs in here without changing what is
            charged, cached or recorded.
    """

    def __init__(
        self,
        problem: Problem,
        budget: int,
        writer: RowWriter | None = None,
        replay: Sequence[EvaluationRecord] = (),
        max_proposals_factor: int = 10,
        progress: ProgressCallback | None = None,
        evaluate_batch: BatchFunction | None = None,
    ):
        self.problem = problem
        self._evaluate_batch = evaluate_batch or problem.evaluate_batch
        self.budget = budget
        self.writer = writer
        self.progress = progress
        self.max_proposals = max(budget, budget * max_proposals_factor)
        self.space_size = problem.space.size
        self.cache: dict[tuple[Any, ...], Outcome] = {}
        self.history: list[Outcome] = []
        self.charged = 0
        self.proposals = 0
        self._replay = deque(replay)
        self._key = problem.space.key

    # ------------------------------------------------------------------ protocol
    @property
    def remaining(self) -> int:
        return max(0, self.budget - self.charged)

    @property
    def stop_reason(self) -> StopReason | None:
        if self.charged >= self.budget:
            return StopReason.BUDGET
        if self.charged >= self.space_size:
            return StopReason.SPACE_EXHAUSTED
        if self.proposals >= self.max_proposals:
            return StopReason.PROPOSAL_LIMIT
        return None

    @property
    def exhausted(self) -> bool:
        return self.stop_reason is not None

    def __call__(self, designs: Sequence[Design]) -> list[Outcome]:
        # First decide, in proposal order, how each design is answered; then cost the
        # new ones in one batch (the model's vectorised path); then record in order.
        plan: list[tuple[str, Design, tuple[Any, ...], int, int]] = []
        replayed: dict[int, Outcome] = {}
        new_keys: set[tuple[Any, ...]] = set()
        for design in designs:
            if self.exhausted:
                break
            design, _ = coerce_design(design)
            key = self._safe_key(design)
            self.proposals += 1
            if self._replay:
                replayed[len(plan)] = self._replayed(design, key)
                kind = "replay"
            elif key in self.cache or key in new_keys:
                kind = "cached"
            else:
                new_keys.add(key)
                self.charged += 1
                kind = "new"
            plan.append((kind, design, key, self.proposals, self.charged))
        new = [(design, key) for kind, design, key, _, _ in plan if kind == "new"]
        per_design = 0.0
        if new:
            start = time.perf_counter()
            outcomes = self._evaluate_batch([d for d, _ in new])
            per_design = (time.perf_counter() - start) / len(new)
            for (_, key), outcome in zip(new, outcomes, strict=True):
                self.cache[key] = outcome
            self._log_model_errors()
        results, rows = [], []
        for i, (kind, _, key, proposal_index, eval_index) in enumerate(plan):
            if kind == "replay":
                outcome = replayed[i]
            else:
                outcome = self.cache[key]
                record = EvaluationRecord.from_outcome(
                    outcome,
                    proposal_index=proposal_index,
                    eval_index=eval_index,
                    cached=kind == "cached",
                    eval_time_s=per_design,
                )
                rows.append(record.to_row())
            results.append(outcome)
        if self.writer is not None:
            self.writer.write_many(rows)
        self.history.extend(results)
        if new and self.progress is not None:
            self.progress(len(new))
        return results

    # ----------------------------------------------------------------- internals
    def _safe_key(self, design: Design) -> tuple[Any, ...]:
        try:
            key = self._key(design)
            hash(key)  # a list or dict value makes the key unhashable
            return key
        except (KeyError, TypeError):  # outside the space: key on its JSON form
            return ("<invalid>", json.dumps(design, sort_keys=True, default=repr))

    def _log_model_errors(self) -> None:
        # Drained after every batch, so a pool's actors or a Ray worker lose none: the
        # writer sends them where the rows go (a file here, the driver's sink under Ray).
        errors = self.problem.model_errors
        if not errors:
            return
        if self.writer is not None:
            self.writer.write_model_errors(format_model_errors(errors))
        errors.clear()

    def _replayed(self, design: Design, key: tuple[Any, ...]) -> Outcome:
        record = self._replay.popleft()
        if self._safe_key(record.design) != key:
            raise ResumeDivergedError(
                f"resume diverged at proposal {record.proposal_index}: the agent proposed "
                f"{design} but the record has {record.design}; the agent is not "
                "deterministic for this seed, so the run cannot be resumed (delete its "
                "record file to start it again)"
            )
        if not record.cached:
            self.charged += 1
        if key not in self.cache:
            self.cache[key] = record.outcome(self.problem)
        return self.cache[key]


def format_model_errors(errors: Sequence[tuple[Design, str]]) -> str:
    """Cost-model tracebacks as the text of a run's ``model_errors.txt``."""
    return "".join(f"design {json.dumps(d, default=repr)}\n{tb}\n" for d, tb in errors)


def error_report(exc: BaseException, evaluations: int) -> tuple[str, str]:
    """A failed run's one-line message and the text of its error file.

    Formatted where the exception happened (a Ray worker, maybe), since the traceback
    does not travel; the driver writes the text with :func:`write_error`.
    """
    message = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    tb = "".join(traceback.format_exception(exc))
    return message, f"{message}\nevaluations recorded: {evaluations}\n\n{tb}"


def write_error(results_dir: Path, run_id: str, report: str) -> None:
    """Saves a failed run's error file (the text :func:`error_report` made)."""
    folder = ResultsFolder(results_dir)
    path = folder.error(run_id)
    folder.claim([path])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report)


@dataclass
class RunStart:
    """What the driver hands to whoever executes a run.

    Attributes:
        replay: Records of an interrupted attempt, to replay through the fresh agent.
        finished: The summary of a run already complete (nothing left to do).
        first_line: The first line of the record the run extends (its header, or a
            format-1 row), so its new lines keep the file's format; ``None``: a new file.
    """

    replay: list[EvaluationRecord] = field(default_factory=list)
    finished: RunSummary | None = None
    first_line: dict[str, Any] | None = None


def prepare_run(spec: RunSpec, results_dir: Path, resume: bool) -> RunStart:
    """Driver side, before a run: reads what a resume needs and clears a fresh start.

    A finished run (completion marker present) is skipped when resuming; an earlier
    attempt's error file goes, and a fresh start also drops the cost-model tracebacks
    of the record it deletes.
    """
    folder = ResultsFolder(results_dir)
    run_id = spec.run_id
    folder.claim(folder.run_paths(run_id))  # refuses a file of the user's in the way
    summary = folder.done_summary(run_id) if resume else None
    if summary is not None:
        fields = {k: summary[k] for k in RunSummary.__dataclass_fields__ if k in summary}
        return RunStart(finished=RunSummary(**fields))
    replay: list[EvaluationRecord] = []
    record = folder.record(run_id)
    if record.exists():
        if resume:
            repair(record)
            replay = list(map(EvaluationRecord.from_row, read_records(record)))
        if not replay:  # nothing to keep (a header alone, say): the run starts afresh
            record.unlink()
    folder.done(run_id).unlink(missing_ok=True)
    folder.error(run_id).unlink(missing_ok=True)
    if not replay:
        folder.model_errors(run_id).unlink(missing_ok=True)
    return RunStart(replay=replay, first_line=first_line(record) if replay else None)


def finish_run(spec: RunSpec, results_dir: Path, summary: RunSummary) -> None:
    """Driver side, after a run: writes its completion marker."""
    marker = ResultsFolder(results_dir).done(spec.run_id)
    write_json(marker, {**asdict(summary), "spec": spec.to_dict()})


def evaluate_run(
    spec: RunSpec,
    replay: Sequence[EvaluationRecord],
    open_writer: WriterFactory,
    *,
    progress: ProgressCallback | None = None,
    batch_factory: BatchFactory | None = None,
    problem: Problem | None = None,
    first_line: dict[str, Any] | None = None,
) -> RunSummary:
    """Runs one agent on one problem to the end of its budget; touches no file itself.

    Args:
        spec: The run.
        replay: Records of an interrupted attempt (see :func:`prepare_run`).
        open_writer: Opens where the rows go, given how rows become lines.
        progress: Called with the number of newly charged evaluations.
        batch_factory: Makes the function that costs each batch (parallel evaluation).
        problem: The run's problem, built by the caller (default: built here from the
            spec); the driver builds it so that a node never reads the problem's files.
        first_line: The first line of the record the run extends (see :class:`RunStart`).
    """
    start = time.perf_counter()
    if problem is None:
        problem = make_problem(spec.problem, spec.problem_params)
    agent = make_agent_for(spec.agent, problem, seed=spec.seed, params=spec.agent_params)
    static = RunFields(
        experiment=spec.experiment,
        run_id=spec.run_id,
        problem=spec.problem_label or spec.problem,
        problem_name=spec.problem,
        problem_params=spec.problem_params,
        cost_model=problem.cost_model.name,
        cost_model_version=problem.cost_model.version,
        workload=problem.workload_name,
        objectives=problem.objective_labels,
        agent=spec.agent_label or spec.agent,
        agent_name=spec.agent,
        hyperparameters=agent.hp.model_dump(mode="json"),
        seed=spec.seed,
        constraints=constraint_labels([c.metric for c in problem.constraints]),
    )
    formatter = line_formatter(
        static.to_row(), problem.space.names, problem.cost_model.metric_names, first_line
    )
    writer = open_writer(formatter)
    try:
        evaluator = RunEvaluator(
            problem,
            spec.budget,
            writer,
            replay=replay,
            max_proposals_factor=spec.max_proposals_factor,
            progress=progress,
            evaluate_batch=batch_factory(problem) if batch_factory else None,
        )
        try:
            agent.run(evaluator)
        except Exception as exc:
            # Formatted here, where the count is known; the caller saves it.
            message, report = error_report(exc, evaluator.charged)
            raise RunFailedError(evaluator.charged, evaluator.proposals, message, report) from exc
    finally:
        writer.close()
    return RunSummary(
        run_id=spec.run_id,
        evaluations=evaluator.charged,
        proposals=evaluator.proposals,
        stop_reason=evaluator.stop_reason or StopReason.AGENT_FINISHED,
        wall_time_s=time.perf_counter() - start,
    )


def execute_run(
    spec: RunSpec,
    results_dir: Path | str,
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    batch_factory: BatchFactory | None = None,
    problem: Problem | None = None,
) -> RunSummary:
    """Runs one agent on one problem in this process, recording everything.

    A finished run (completion marker present) is skipped when resuming. ``problem``
    is the run's problem if the caller built it already (default: built from the spec).

    Raises:
        RunFailedError: if the agent raised; the run's error file is written first.
    """
    results_dir = Path(results_dir)
    start = prepare_run(spec, results_dir, resume)
    if start.finished is not None:
        return start.finished
    folder = ResultsFolder(results_dir)
    record, errors = folder.record(spec.run_id), folder.model_errors(spec.run_id)
    try:
        summary = evaluate_run(
            spec,
            start.replay,
            lambda formatter: RecordWriter(record, formatter, model_error_path=errors),
            progress=progress,
            batch_factory=batch_factory,
            problem=problem,
            first_line=start.first_line,
        )
    except RunFailedError as failed:
        write_error(results_dir, spec.run_id, failed.report)
        raise
    finish_run(spec, results_dir, summary)
    return summary


def guarded_run(spec: RunSpec, run: Callable[[], RunSummary]) -> tuple[RunSummary, str | None]:
    """Runs one spec; an exception fails its own run, not the experiment.

    Returns:
        The run's summary (status ``error`` if it raised) and, if it raised, the text of
        its error file, for the driver to save (a Ray worker opens no results file).
    """
    try:
        return run(), None
    except RunFailedError as failed:
        message = f"{failed.message} (after {failed.evaluations} evaluations)"
        summary = RunSummary(
            spec.run_id, failed.evaluations, failed.proposals, StopReason.ERROR, 0.0, error=message
        )
        return summary, failed.report
    except Exception as exc:  # noqa: BLE001 - reported per run, the others go on
        message, report = error_report(exc, 0)
        return RunSummary(spec.run_id, 0, 0, StopReason.ERROR, 0.0, error=message), report
