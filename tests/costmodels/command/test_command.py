"""The command cost model: success, failure, timeout, missing metrics, concurrency."""

import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from ray import cloudpickle

from dsegym.cli import main
from dsegym.costmodels import make_problem
from dsegym.costmodels.command import CommandModel, parse_spec
from dsegym.errors import ConfigError

PY = sys.executable


def _spec(command, output, **extra):
    return {
        "name": "t",
        "parameters": [
            {"name": "x", "type": "integer", "low": 0, "high": 100},
            {"name": "mode", "type": "categorical", "choices": ["a", "b"]},
        ],
        "metrics": [{"name": "cost"}, {"name": "size"}],
        "command": command,
        "output": output,
        **extra,
    }


def _model(command, output, **extra):
    return CommandModel(parse_spec(_spec(command, output, **extra), "test"))


JSON_SIM = (
    "import json,sys; x=int(sys.argv[1]); "
    "json.dump({'cost': x*2, 'size': {'a':1,'b':2}[sys.argv[2]]}, open('out.json','w'))"
)


def test_example_simulator_gives_its_known_numbers():
    p = make_problem("command")  # the shipped example
    o = p.evaluate({"pe_rows": 16, "pe_cols": 16, "buffer_kb": 64, "dataflow": "ws"})
    # 256x256x256 GEMM on 16x16: 256 tiles x (256 + 32) cycles.
    assert o.evaluation.metrics["latency_cycles"] == 256 * 288
    assert o.evaluation.metrics["area_mm2"] == pytest.approx(0.0022 * 256 + 0.0045 * 64 + 0.1)
    assert o.feasible
    bad = p.evaluate({"pe_rows": 64, "pe_cols": 64, "buffer_kb": 16, "dataflow": "ws"})
    assert not bad.feasible and not bad.evaluation.feasible
    (reason,) = bad.reasons
    assert "exited with code 3" in reason and "needs 32.0 KiB of buffer" in reason


@pytest.mark.parametrize(
    "command, output",
    [
        ([PY, "-c", JSON_SIM, "{{ x }}", "{{ mode }}"], {"format": "json", "file": "out.json"}),
        (
            [
                PY,
                "-c",
                "import sys; open('r.csv','w').write('c,s\\n0,0\\n%s,%s\\n' % "
                "(int(sys.argv[1])*2, {'a':1,'b':2}[sys.argv[2]]))",
                "{{ x }}",
                "{{ mode }}",
            ],
            {"format": "csv", "file": "r.csv", "keys": {"cost": "c", "size": "s"}},
        ),
        (
            f"{PY} -c \"print('cost = {{{{ x * 2 }}}}'); "
            "print('size: {{ 1 if mode == 'a' else 2 }}')\"",
            {"format": "stdout", "patterns": {"cost": r"cost = (\S+)", "size": r"size: (\d+)"}},
        ),
    ],
    ids=["json", "csv", "stdout"],
)
def test_metrics_read_from_json_csv_or_stdout(command, output):
    model = _model(command, output)
    e = model.evaluate({"x": 21, "mode": "b"})
    assert e.feasible and dict(e.metrics) == {"cost": 42.0, "size": 2.0}


def test_input_file_rendered_from_the_design():
    model = _model(
        [
            PY,
            "-c",
            "import json; d=json.load(open('in.json')); "
            "json.dump({'cost': d['x'] + 0.5, 'size': len(d['mode'])}, open('o.json','w'))",
        ],
        {"format": "json", "file": "o.json"},
        files={"in.json": '{"x": {{ x }}, "mode": "{{ mode }}"}'},
    )
    assert dict(model.evaluate({"x": 3, "mode": "a"}).metrics) == {"cost": 3.5, "size": 1.0}


def test_non_zero_exit_is_infeasible_with_exit_code_and_stderr_tail():
    script = "import sys; [print('line', i, file=sys.stderr) for i in range(30)]; sys.exit(7)"
    e = _model([PY, "-c", script], {"format": "json", "file": "o.json"}).evaluate(
        {"x": 1, "mode": "a"}
    )
    assert not e.feasible
    (reason,) = e.violations
    assert "exited with code 7" in reason and "line 29" in reason and "line 5" not in reason


def test_timeout_is_infeasible_and_kills_the_simulator():
    model = _model(
        [
            PY,
            "-c",
            "import time, sys; print('started', file=sys.stderr, flush=True); time.sleep(30)",
        ],
        {"format": "json", "file": "o.json"},
        timeout_s=0.5,
    )
    start = time.perf_counter()
    e = model.evaluate({"x": 1, "mode": "a"})
    assert time.perf_counter() - start < 10
    assert not e.feasible and "timed out after 0.5 s" in e.violations[0]
    assert "started" in e.violations[0]


@pytest.mark.parametrize(
    "script, expected",
    [
        ("import json; json.dump({'cost': 1}, open('o.json','w'))", "metric 'size' missing"),
        ("pass", "output file 'o.json' was not written"),
        ("open('o.json','w').write('{not json')", "is malformed"),
        ("import json; json.dump({'cost': 1, 'size': 'big'}, open('o.json','w'))", "not a number"),
    ],
)
def test_missing_or_bad_metrics_are_infeasible(script, expected):
    e = _model([PY, "-c", script], {"format": "json", "file": "o.json"}).evaluate(
        {"x": 1, "mode": "a"}
    )
    assert not e.feasible and any(expected in r for r in e.violations)
    assert any("exited with code 0" in r for r in e.violations)


def test_missing_executable_is_infeasible():
    e = _model(["/nonexistent/simulator"], {"format": "json", "file": "o.json"}).evaluate(
        {"x": 1, "mode": "a"}
    )
    assert not e.feasible and "could not start" in e.violations[0]


def test_concurrent_evaluations_share_nothing():
    # Every evaluation writes the same file name after a pause: only private working
    # folders keep them apart.
    script = (
        "import json, sys, time; x = int(sys.argv[1]); time.sleep(0.2); "
        "json.dump({'cost': x, 'size': x}, open('out.json', 'w')); time.sleep(0.1); "
        "d = json.load(open('out.json')); json.dump(d, open('out.json', 'w'))"
    )
    model = _model([PY, "-c", script, "{{ x }}"], {"format": "json", "file": "out.json"})
    designs = [{"x": i, "mode": "a"} for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(model.evaluate, designs))
    assert [e.metrics["cost"] for e in results] == list(range(8))
    copy = cloudpickle.loads(cloudpickle.dumps(model))  # how Ray ships it to its workers
    assert copy.evaluate({"x": 5, "mode": "a"}).metrics["size"] == 5


@pytest.mark.parametrize(
    "change, field",
    [
        ({"output": {"format": "json"}}, "output"),
        ({"parameters": [{"name": "x", "type": "integer", "low": 0}]}, "parameters.0.integer.high"),
        ({"command": ["{{ y }}"]}, "command[0]"),
        ({"objectives": ["speed"]}, "unknown metrics ['speed']"),
        ({"timeout_s": -1}, "timeout_s"),
        ({"output": {"format": "stdout", "patterns": {"cost": "no group"}}}, "patterns.cost"),
        ({"files": {"../x": "1"}}, "must be relative"),
    ],
)
def test_bad_spec_names_the_field(change, field):
    spec = {**_spec(["true"], {"format": "json", "file": "o.json"}), **change}
    with pytest.raises(ConfigError, match="test: ") as exc:
        parse_spec(spec, "test")
    assert field in str(exc.value)


def test_bad_spec_file_exits_2_from_the_cli(tmp_path, capsys):
    bad = tmp_path / "sim.yaml"
    bad.write_text(
        "name: s\nparameters: []\nmetrics: [{name: m}]\ncommand: [x]\n"
        "output: {format: csv, file: o.csv}\n"
    )
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "command", "-p", f"spec={bad}", "--random-seed", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "parameters" in err and str(bad) in err and "Traceback" not in err


def test_nan_metric_is_infeasible():
    script = "import json; json.dump({'cost': float('nan'), 'size': 1}, open('o.json','w'))"
    e = _model([PY, "-c", script], {"format": "json", "file": "o.json"}).evaluate(
        {"x": 1, "mode": "a"}
    )
    assert not e.feasible and "NaN" in e.violations[0]
    assert math.isnan(e.metrics.get("cost", math.nan))
