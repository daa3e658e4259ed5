"""The command model leaves nothing behind and trusts nothing its simulator writes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dsegym.costmodels.command import CommandModel, parse_spec
from dsegym.costmodels.command.process import MAX_STDOUT_BYTES, run_command
from dsegym.errors import ConfigError

PY = sys.executable
OUT = {"format": "json", "file": "o.json"}


def _model(command, output=OUT, **extra):
    spec = {
        "name": "t",
        "parameters": [
            {"name": "x", "type": "integer", "low": 0, "high": 100},
            {"name": "mode", "type": "categorical", "choices": ["a", "it's a b"]},
        ],
        "metrics": [{"name": "cost"}],
        "command": command,
        "output": output,
        **extra,
    }
    return CommandModel(parse_spec(spec, "test"))


def _spawner(pidfile: Path, then: str) -> str:
    """A simulator that starts a setsid'd sleeper and a background sleeper, then ``then``.

    The sleepers do not hold the simulator's pipes, so nothing waits for them to end.
    """
    return (
        "import subprocess, sys, json\n"
        "quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"a = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(60)'], "
        "start_new_session=True, **quiet)\n"
        f"b = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(60)'], **quiet)\n"
        f"open({str(pidfile)!r}, 'w').write(f'{{a.pid}} {{b.pid}}')\n" + then
    )


def _gone(pid: int, within_s: float = 5.0) -> bool:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _pids(pidfile: Path) -> list[int]:
    return [int(p) for p in pidfile.read_text().split()]


def test_setsid_and_background_children_are_killed_after_a_successful_evaluation(tmp_path):
    pidfile = tmp_path / "pids"
    script = _spawner(pidfile, "json.dump({'cost': 1}, open('o.json', 'w'))")
    e = _model([PY, "-c", script]).evaluate({"x": 1, "mode": "a"})
    assert e.feasible
    assert all(_gone(pid) for pid in _pids(pidfile))


def test_a_timeout_kills_children_that_left_the_session(tmp_path):
    pidfile = tmp_path / "pids"
    script = _spawner(pidfile, "import time; time.sleep(60)")
    e = _model([PY, "-c", script], timeout_s=1.0).evaluate({"x": 1, "mode": "a"})
    assert "timed out" in e.violations[0]
    assert all(_gone(pid) for pid in _pids(pidfile))


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_dsegym_kills_the_simulator_and_removes_its_folder(tmp_path, sig):
    spec = tmp_path / "spec.yaml"
    pidfile = tmp_path / "pids"
    script = _spawner(pidfile, "import time; time.sleep(60)")
    spec.write_text(
        "name: t\nparameters: [{name: x, type: integer, low: 0, high: 9}]\n"
        "metrics: [{name: cost}]\noutput: {format: json, file: o.json}\n"
        f"command: [{PY!r}, '-c', {script!r}]\n"
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen(
        [PY, "-m", "dsegym.cli", "evaluate", "command", "-p", f"spec={spec}", "-d", "x=1"],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    end = time.monotonic() + 60
    while not pidfile.exists() or len(pidfile.read_text().split()) < 2:
        assert time.monotonic() < end and proc.poll() is None, proc.stderr
        time.sleep(0.05)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert all(_gone(pid) for pid in _pids(pidfile))
    assert not any(temp.glob("dsegym-cmd-*"))
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_standard_output_is_bounded(tmp_path):
    n = MAX_STDOUT_BYTES + (1 << 20)
    done = run_command(
        [PY, "-c", f"import sys; sys.stdout.write('x' * {n} + 'END')"], tmp_path, os.environ, 30
    )
    assert done.returncode == 0 and done.stdout_truncated
    assert len(done.stdout) == MAX_STDOUT_BYTES and done.stdout.endswith("END")


def test_templates_are_sandboxed():
    attack = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    e = _model([PY, "-c", "pass", attack]).evaluate({"x": 1, "mode": "a"})
    assert not e.feasible and "template could not be rendered" in e.violations[0]


def test_a_string_command_passes_each_value_as_one_argument():
    script = "import json, sys; json.dump({'cost': len(sys.argv)}, open('o.json', 'w'))"
    model = _model(f"{PY} -c {script!r} {{{{ mode }}}} {{{{ x }}}}")
    e = model.evaluate({"x": 3, "mode": "it's a b"})
    assert e.feasible and e.metrics["cost"] == 3  # argv: -c's 0th, mode, x


def test_a_metrics_file_that_is_a_link_is_refused(tmp_path):
    secret = tmp_path / "elsewhere.json"
    secret.write_text('{"cost": 5}')
    script = f"import os; os.symlink({str(secret)!r}, 'o.json')"
    e = _model([PY, "-c", script]).evaluate({"x": 1, "mode": "a"})
    assert not e.feasible and "symbolic link" in e.violations[0]


@pytest.mark.parametrize(
    "value, expected",
    [("true", "not a number"), ("1" * 400, "too large"), ("1e999", "not a finite number")],
)
def test_json_metrics_must_be_finite_numbers(value, expected):
    script = f"open('o.json', 'w').write('{{\"cost\": {value}}}')"
    e = _model([PY, "-c", script]).evaluate({"x": 1, "mode": "a"})
    assert not e.feasible and expected in e.violations[0]


@pytest.mark.parametrize("name", ["", ".", "sub/", "a/."])
def test_spec_file_names_must_name_files(name):
    with pytest.raises(ConfigError, match="must name a file"):
        _model([PY, "-c", "pass"], files={name: "x"})
    with pytest.raises(ConfigError, match="must name a file|needs 'file'"):
        _model([PY, "-c", "pass"], {"format": "json", "file": name})


def test_a_design_value_on_the_command_line_can_name_a_string_choice(tmp_path, capsys):
    from dsegym.cli import main

    script = "import json, sys; json.dump({'cost': len(sys.argv[1])}, open('o.json', 'w'))"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: t\nparameters: [{name: v, type: categorical, choices: ['98.5', 'true', 2]}]\n"
        "metrics: [{name: cost}]\noutput: {format: json, file: o.json}\n"
        f"command: [{PY!r}, '-c', {script!r}, '{{{{ v }}}}']\n"
    )
    for value, length in (("98.5", 4), ("true", 4), ("2", 1)):
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", "command", "-p", f"spec={spec}", "-d", f"v={value}", "--json"])
            raise SystemExit(0)
        assert exc.value.code == 0, capsys.readouterr().err
        assert f'"cost": {length}' in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
