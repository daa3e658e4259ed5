"""EvaluationRecord: the one shape of a recorded evaluation, written, read and replayed."""

import json
import math

import numpy as np
import pytest

from dsegym.experiments.record_writer import RowFormatter
from dsegym.experiments.storage import EvaluationRecord

DESIGNS = {
    "feasible": {"width": 3, "kind": "b", "knob": 0.25},
    "over spec": {"width": 6, "kind": "a", "knob": 0.0},  # size 7 > 6
    "rejected": {"width": 8, "kind": "c", "knob": 1.0},
}


def _through_a_line(record: EvaluationRecord) -> EvaluationRecord:
    line = RowFormatter({"run_id": "r", "seed": 0}).line(record.to_row())
    return EvaluationRecord.from_row(json.loads(line))


@pytest.mark.parametrize("case", sorted(DESIGNS))
def test_a_written_record_replays_to_the_same_outcome(picky_problem, case):
    outcome = picky_problem.evaluate(DESIGNS[case])
    record = EvaluationRecord.from_outcome(
        outcome, proposal_index=4, eval_index=3, cached=True, eval_time_s=0.5, timestamp=7.0
    )
    back = _through_a_line(record)
    assert (back.proposal_index, back.eval_index, back.cached) == (4, 3, True)
    assert (back.eval_time_s, back.timestamp) == (0.5, 7.0)
    replayed = back.outcome(picky_problem)
    assert replayed.design == outcome.design
    assert replayed.feasible == outcome.feasible
    assert replayed.evaluation.violations == outcome.evaluation.violations
    np.testing.assert_array_equal(replayed.F, outcome.F)
    np.testing.assert_array_equal(replayed.G, outcome.G)
    assert back.rejected == (case == "rejected")


def test_the_line_keeps_the_on_disk_keys_in_order(picky_problem):
    record = EvaluationRecord.from_outcome(picky_problem.evaluate(DESIGNS["rejected"]))
    row = json.loads(RowFormatter({"run_id": "r"}).line(record.to_row()))
    assert list(row) == ["run_id", *EvaluationRecord.ROW_KEYS]
    assert row["F"] == [None, None] and row["metrics"] == {} and row["feasible"] is False


def test_a_design_outside_the_space_replays_as_infeasible(picky_problem):
    record = EvaluationRecord(
        design={"width": 99, "kind": "a", "knob": 0.0},
        metrics={},
        F=[math.inf, math.inf],
        G=[math.inf],
        feasible=False,
        violations=["width: 99 is above 8"],
    )
    outcome = _through_a_line(record).outcome(picky_problem)
    assert not outcome.feasible and outcome.evaluation.violations == ("width: 99 is above 8",)


def test_outcome_fields_are_json_safe(picky_problem):
    record = EvaluationRecord.from_outcome(picky_problem.evaluate(DESIGNS["rejected"]))
    fields = record.outcome_fields()
    assert list(fields) == list(EvaluationRecord.OUTCOME_KEYS)
    assert fields["F"] == [None, None]
    json.dumps(fields, allow_nan=False)
