"""Bad input: one clear message naming the field and what is allowed, exit code 2."""

import subprocess
import sys
import textwrap

import pytest

from dsegym.cli import main

from .helpers import cli_fails

GOOD = """
name: t
budget: 10
seeds: [0]
problems: [toy-accelerator]
agents: [random]
"""


def _write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(text))
    return path


_fails = cli_fails


CASES = {
    "malformed yaml": ("name: t\nbudget: [1,\n", "malformed YAML at line"),
    "unknown key": (GOOD + "budgett: 3\n", "budgett: unknown key"),
    "unknown problem": (
        GOOD.replace("toy-accelerator", "zdt9"),
        "problems[0].name: unknown problem 'zdt9'; allowed:",
    ),
    "unknown agent": (
        GOOD.replace("[random]", "[ranodm]"),
        "agents[0].name: unknown agent 'ranodm'; allowed:",
    ),
    "wrong type": (
        GOOD.replace("budget: 10", "budget: lots"),
        "budget: Input should be a valid integer",
    ),
    "zero budget": (
        GOOD.replace("budget: 10", "budget: 0"),
        "budget: Input should be greater than or equal to 1",
    ),
    "out of range hyperparameter": (
        GOOD.replace("[random]", "[{name: nsga2, params: {population_size: 2}}]"),
        "population_size: Input should be greater than or equal to 4",
    ),
    "unknown hyperparameter": (
        GOOD.replace("[random]", "[{name: tpe, params: {gamma: 2}}]"),
        "params.gamma: unknown key",
    ),
    "bad problem parameter": (
        GOOD.replace("[toy-accelerator]", "[{name: zdt1, params: {n_var: 0}}]"),
        "problems[0].params: problem 'zdt1': n_var: Input should be greater than or equal to 2",
    ),
    "user agent that does not import": (
        GOOD.replace("[random]", "['no_such_module:Agent']"),
        "cannot import module 'no_such_module'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config(case, tmp_path, capsys):
    text, expected = CASES[case]
    path = _write(tmp_path, text)
    assert expected in _fails(["validate", str(path)], capsys)
    assert expected in _fails(["run", str(path), "--quiet"], capsys)


def test_missing_files_and_folders(tmp_path, capsys):
    assert "does not exist" in _fails(["run", str(tmp_path / "nope.yaml")], capsys)
    assert "does not exist" in _fails(["report", str(tmp_path / "nowhere")], capsys)
    assert "has no runs/" in _fails(["report", str(tmp_path)], capsys)


def test_bad_evaluate_and_list_arguments(capsys):
    msg = _fails(["evaluate", "toy-accelerator", "-d", "pe_rows=5"], capsys)
    assert "pe_rows=5 is not one of 4, 8, 16, 32, 64" in msg
    assert "missing parameter(s)" in msg
    assert "unknown problem 'nope'" in _fails(["evaluate", "nope"], capsys)
    assert "expected the form name=value" in _fails(["evaluate", "zdt1", "-p", "n_var"], capsys)
    assert "unknown list kind 'cars'; allowed" in _fails(["list", "cars"], capsys)


def test_existing_results_need_resume(tmp_path, capsys):
    path = _write(tmp_path, GOOD + f"output_dir: {tmp_path / 'out'}\n")
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--quiet", "--no-report"])
    assert exc.value.code == 0
    assert "pass --resume" in _fails(["run", str(path), "--quiet"], capsys)
    assert "choose one" in _fails(["run", str(path), "--resume", "--overwrite"], capsys)
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--quiet", "--no-report", "--overwrite"])
    assert exc.value.code == 0


def test_cli_subprocess_prints_no_traceback(tmp_path):
    path = _write(tmp_path, GOOD + "budgett: 3\n")
    proc = subprocess.run(
        [sys.executable, "-m", "dsegym.cli", "run", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "budgett: unknown key" in proc.stderr
