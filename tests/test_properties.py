"""Property tests (hypothesis) over configs, designs, traces and env actions, valid and
invalid (issue 9).

The properties: the CLI never prints a traceback and exits 0 or 2, and every error
message names a field or a file; every design evaluates to a finite result or to a
declared-infeasible one with reasons; traces either load or fail naming their file and
line; env actions either step or raise ``ValueError``. Example counts are kept small so
the whole module runs in well under a minute.
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsegym.cli import main
from dsegym.costmodels import make_problem
from dsegym.costmodels.dram.trace import read_stl
from dsegym.envs.adapter import ProblemEnv
from dsegym.errors import WorkloadError

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PROBLEMS = ["zdt1", "toy-accelerator", "toy-accelerator-1obj", "dtlz2", "nope", "[bold]"]
AGENTS = ["random", "grid", "random_walk", "nsga2", "tpe", "dqn", "nope", "os:path", ".x:Y"]
odd_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["[/]", "[bold]x", "\x00", "a" * 500]
)
scalars = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | odd_text
    | st.booleans()
    | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=6,
)


def _problem_entry():
    return st.sampled_from(PROBLEMS) | st.fixed_dictionaries(
        {"name": st.sampled_from(PROBLEMS)},
        optional={
            "params": st.dictionaries(
                st.sampled_from(["n_var", "objectives", "x"]), values, max_size=2
            ),
            "label": odd_text,
        },
    )


def _agent_entry():
    return st.sampled_from(AGENTS) | st.fixed_dictionaries(
        {"name": st.sampled_from(AGENTS)},
        optional={
            "params": st.dictionaries(
                st.sampled_from(["batch_size", "population_size", "n_changes", "zzz"]),
                values | st.lists(st.integers(1, 8), min_size=1, max_size=3),
                max_size=2,
            )
        },
    )


configs = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["ok", "bad name", "[x]"]) | odd_text,
        "budget": st.integers(-3, 8) | values,
        "seeds": st.lists(st.integers(-2, 2**33), max_size=3) | values,
        "problems": st.lists(_problem_entry(), min_size=0, max_size=2) | values,
        "agents": st.lists(_agent_entry(), min_size=0, max_size=2) | values,
        "max_proposals_factor": st.integers(0, 3),
        "hypervolume_scale": st.sampled_from(["linear", "log", "cubic"]),
        "extra_key": values,
    },
)


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    code = exc.value.code or 0
    assert "Traceback" not in out.err and "Traceback" not in out.out
    assert code in (0, 2), out.err
    return code, " ".join(out.err.split())


@SETTINGS
@given(data=configs)
def test_validate_any_config(data, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        code, err = _cli(["validate", str(path), "--output", str(Path(tmp) / "out")], capsys)
        if code == 2:
            assert err.startswith("error:") and str(path) in err, err
            assert len(err) < 5000


@settings(SETTINGS, max_examples=25)
@given(raw=st.binary(max_size=200))
def test_validate_any_bytes(raw, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_bytes(raw)
        code, err = _cli(["validate", str(path)], capsys)
        assert code == 2 and str(path) in err


@settings(SETTINGS, max_examples=8)
@given(
    budget=st.integers(1, 4),
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=2, unique=True),
    problem=st.sampled_from(["zdt1", "toy-accelerator", "toy-accelerator-1obj"]),
    agent=st.sampled_from(["random", "grid", "random_walk", "nsga2"]),
)
def test_run_any_small_valid_config(budget, seeds, problem, agent, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        cfg = {"name": "p", "budget": budget, "seeds": seeds, "problems": [problem]}
        path.write_text(yaml.safe_dump({**cfg, "agents": [agent]}))
        code, err = _cli(["run", str(path), "--output", str(Path(tmp) / "o"), "--quiet"], capsys)
        assert code == 0, err


@settings(SETTINGS, max_examples=30)
@given(
    assignments=st.lists(
        st.tuples(st.sampled_from(["pe_rows", "dataflow", "zz", ""]), odd_text), max_size=4
    )
)
def test_evaluate_any_assignments(assignments, capsys):
    argv = ["evaluate", "toy-accelerator"]
    for key, value in assignments:
        argv += ["-d", f"{key}={value}"]
    code, err = _cli(argv, capsys)
    if code == 2:
        assert "--design" in err or "-d" in err or "name=value" in err


@functools.cache
def _problem(name: str):
    params = {"workload": "cloud-1", "n_requests": 64} if name == "dram-mo" else {}
    return make_problem(name, params)


def _check_outcome(outcome) -> None:
    if outcome.feasible:
        assert np.isfinite(outcome.F).all()
    elif not outcome.evaluation.feasible:
        assert outcome.reasons and np.isinf(outcome.F).all()
    else:  # a spec missed: finite F, a positive violation and its reason
        assert outcome.reasons and outcome.violation > 0


@SETTINGS
@given(
    name=st.sampled_from(["toy-accelerator", "zdt1", "accelerator-systolic", "dram-mo"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_valid_design_evaluates_finite_or_declared_infeasible(name, seed):
    problem = _problem(name)
    design = problem.space.sample(np.random.default_rng(seed))
    _check_outcome(problem.evaluate(design))


@SETTINGS
@given(
    name=st.sampled_from(["toy-accelerator", "zdt1"]),
    design=st.dictionaries(
        st.sampled_from(["pe_rows", "pe_cols", "dataflow", "x1", "x2", "zz"]) | odd_text,
        values,
        max_size=6,
    )
    | values,
)
def test_any_design_is_finite_or_declared_infeasible(name, design):
    problem = _problem(name)
    (batch,) = problem.evaluate_batch([design])
    _check_outcome(batch)
    _check_outcome(problem.evaluate(design))


trace_lines = st.one_of(
    st.builds(
        lambda c, n, op, a: f"{c}: {f'({n}) ' if n is not None else ''}{op} {hex(a)}",
        st.integers(0, 2**70),
        st.none() | st.integers(0, 2**40),
        st.sampled_from(["read", "write", "READ", "fetch"]),
        st.integers(0, 2**70),
    ),
    odd_text,
)


@SETTINGS
@given(lines=st.lists(trace_lines, min_size=0, max_size=6))
def test_any_trace_loads_or_fails_naming_its_file(lines):
    problem = _problem("dram-mo")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.stl"
        path.write_text("\n".join(lines) + "\n")
        try:
            trace = read_stl(path, problem.cost_model.device.clock_mhz)
        except WorkloadError as exc:
            assert str(path) in str(exc)
            return
        design = problem.space.sample(np.random.default_rng(len(lines)))
        try:
            evaluation = problem.cost_model.evaluate(design, trace)
        except WorkloadError as exc:  # e.g. an address beyond the device's capacity
            assert "trace" in str(exc) or str(path.stem) in str(exc)
            return
        _check_outcome(problem.outcome(design, evaluation))
        assert all(math.isfinite(v) and v >= 0 for k, v in evaluation.metrics.items() if "ns" in k)


@functools.cache
def _env(name: str) -> ProblemEnv:
    return ProblemEnv(name, {"n_var": 3} if name == "zdt1" else None)


@SETTINGS
@given(
    name=st.sampled_from(["toy-accelerator", "zdt1"]),
    action=st.lists(
        st.floats(allow_nan=True, allow_infinity=True) | st.integers(-3, 70), min_size=0, max_size=7
    ),
)
def test_any_env_action_steps_or_raises_value_error(name, action):
    env = _env(name)
    env.reset(seed=0)
    space = env.action_space
    arr = np.asarray(action, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        in_space = (
            arr.shape == space.shape
            and np.isfinite(arr).all()
            and space.contains(arr.astype(space.dtype))
            and (np.round(arr) == arr).all() | (space.dtype != np.int64)
        )
    try:
        env.step(action)
    except ValueError:
        assert not in_space
