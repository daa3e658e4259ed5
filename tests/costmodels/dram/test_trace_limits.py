"""DRAM traces beyond what the simulator can count (issue 9): errors naming the line,
never an overflow that returns a negative latency as a feasible result."""

from __future__ import annotations

import numpy as np
import pytest

from dsegym.costmodels import make_problem
from dsegym.costmodels.dram.trace import MAX_TIME_NS, Trace, read_stl
from dsegym.errors import WorkloadError


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("99999999999999999999: read 0x80", "line 3: cycle 99999999999999999999 is too large"),
        ("18446744073709551616: read 0x80", "line 3: cycle"),
        ("20: read 0x10000000000000000", "line 3: address 0x10000000000000000 is beyond"),
        ("20: (4294967296) read 0x80", "line 3: request length 4294967296 bytes is more than"),
    ],
)
def test_out_of_range_lines_are_named(tmp_path, line, expected):
    path = tmp_path / "t.stl"
    path.write_text(f"0: read 0x0\n10: write 0x40\n{line}\n")
    with pytest.raises(WorkloadError, match=expected.replace("(", r"\(")):
        read_stl(path, clock_mhz=800.0)


def test_many_long_requests_cannot_ask_for_gigabytes(tmp_path):
    path = tmp_path / "t.stl"
    path.write_text("".join(f"{i}: (1048576) read 0x0\n" for i in range(1025)))
    with pytest.raises(WorkloadError, match="line 1025: the requests so far ask for more than"):
        read_stl(path, clock_mhz=800.0)


def test_binary_trace_is_an_error(tmp_path):
    path = tmp_path / "t.stl"
    path.write_bytes(b"\xff\xfe0: read 0x0\n")
    with pytest.raises(WorkloadError, match="not a UTF-8 text trace"):
        read_stl(path, clock_mhz=800.0)


def test_a_large_but_valid_cycle_gives_a_positive_latency(tmp_path):
    # Before the limits, a cycle of 1e20 overflowed int64 and gave a negative mean
    # latency reported as feasible; the largest accepted time now simulates exactly.
    path = tmp_path / "t.stl"
    last = int(MAX_TIME_NS * 0.8)  # cycles of the DDR3-1600 trace clock (800 MHz)
    path.write_text(f"0: read 0x0\n10: write 0x40\n{last}: read 0x80\n")
    problem = make_problem("dram-mo", {"workload": str(path)})
    outcome = problem.evaluate(problem.space.sample(np.random.default_rng(0)))
    assert outcome.feasible and (outcome.F > 0).all() and np.isfinite(outcome.F).all()
    assert outcome.evaluation.metrics["total_time_ns"] >= last / 0.8


def test_trace_arrays_are_checked_too():
    ok = dict(is_write=np.zeros(1, bool), address=np.zeros(1, np.int64))
    with pytest.raises(WorkloadError, match="finite and non-negative"):
        Trace(np.array([np.nan]), length=np.zeros(1, np.int64), **ok)
    with pytest.raises(WorkloadError, match="issued after"):
        Trace(np.array([2 * MAX_TIME_NS]), length=np.zeros(1, np.int64), **ok)
    with pytest.raises(WorkloadError, match="lengths must be non-negative and total"):
        Trace(np.zeros(1), length=np.array([2**40]), **ok)
