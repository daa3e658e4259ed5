"""Bad input (issue 9): one message naming the field or file, exit code 2, never a
traceback, never markup, never megabytes."""

from __future__ import annotations

import pytest
import yaml

from .helpers import cli_fails

GOOD = {"name": "t", "budget": 5, "seeds": [0], "problems": ["zdt1"], "agents": ["random"]}


_fails = cli_fails


def _config(tmp_path, **changes):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**GOOD, **changes}))
    return str(path)


def test_user_text_is_printed_literally(tmp_path, capsys):
    err = _fails(["validate", _config(tmp_path, agents=["[bold]x[/]"])], capsys)
    assert "unknown agent '[bold]x[/]'" in err
    err = _fails(["evaluate", "[/]", "--random-seed", "0"], capsys)
    assert "unknown problem '[/]'" in err


def test_messages_never_echo_megabytes(tmp_path, capsys):
    huge = "x" * 300_000
    for argv in (
        ["validate", _config(tmp_path, agents=[huge])],
        ["validate", _config(tmp_path, budget=huge)],
        ["evaluate", "zdt1", "-d", f"x1={huge}"],
        ["evaluate", huge],
    ):
        err = _fails(argv, capsys)
        assert len(err) < 5000 and "characters)" in err, err[:300]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: t\nbudget: \xff\xfe 5\n", "not a UTF-8 text file (byte 16"),
        (b"\x00\x01\x02binary", "not a text file (it contains NUL bytes)"),
        (b"a: " + b"[" * 1500 + b"]" * 1500, "nested more than 50 levels deep"),
        (b"a: " + b"[" * 40 + b"]" * 40, "budget: Field required"),
    ],
)
def test_unreadable_configs(tmp_path, capsys, content, expected):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    assert expected in _fails(["validate", str(path)], capsys)


def test_deep_nesting_inside_valid_yaml(tmp_path, capsys):
    nested: object = 1
    for _ in range(60):
        nested = [nested]
    err = _fails(["validate", _config(tmp_path, description=nested)], capsys)
    assert "nested more than 50 levels deep" in err


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("raise RuntimeError('boom at import')", "RuntimeError: boom at import"),
        ("import sys; sys.exit(3)", "SystemExit: 3"),
        ("def broken(:\n", "SyntaxError"),
        ("1 / 0", "ZeroDivisionError: division by zero"),
    ],
)
def test_user_modules_that_fail_to_import(tmp_path, capsys, monkeypatch, body, expected):
    module = f"user_mod_{abs(hash(body))}"
    (tmp_path / f"{module}.py").write_text(body + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    err = _fails(["validate", _config(tmp_path, agents=[f"{module}:Agent"])], capsys)
    assert f"agents[0]: agent '{module}:Agent': cannot import module" in err
    assert expected in err


def test_relative_module_names(tmp_path, capsys):
    err = _fails(["validate", _config(tmp_path, agents=[".agents:Hill"])], capsys)
    assert "relative module names are not supported" in err


def test_negative_and_huge_random_seed(capsys):
    assert "--random-seed" in _fails(["evaluate", "zdt1", "--random-seed", "-1"], capsys)
    assert "--random-seed" in _fails(["evaluate", "zdt1", "--random-seed", str(2**40)], capsys)


def test_problem_files_are_named_by_their_field(tmp_path, capsys):
    binary = tmp_path / "layers.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    problems = [{"name": "accelerator-systolic", "params": {"workload_file": str(binary)}}]
    err = _fails(["validate", _config(tmp_path, problems=problems)], capsys)
    assert "problems[0].params.workload_file: file" in err and "not UTF-8 text" in err
    problems = [{"name": "accelerator-systolic", "params": {"energy_table": str(binary)}}]
    err = _fails(["validate", _config(tmp_path, problems=problems)], capsys)
    assert "problems[0].params.energy_table:" in err
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,2\n")
    problems = [{"name": "accelerator-systolic", "params": {"workload_file": str(bad_csv)}}]
    err = _fails(["validate", _config(tmp_path, problems=problems)], capsys)
    assert f"problems[0].params.workload_file: {bad_csv}, line 1" in err
    err = _fails(["evaluate", "accelerator-systolic", "-p", f"workload_file={binary}"], capsys)
    assert "--param.workload_file: file" in err
    problems = [{"name": "dram-mo", "params": {"seed": -1}}]
    err = _fails(["validate", _config(tmp_path, problems=problems)], capsys)
    assert "problems[0].params.seed: a seed must be an integer in [0, 4294967295]" in err


def test_dram_trace_errors_name_the_line(tmp_path, capsys):
    trace = tmp_path / "t.stl"
    trace.write_text("0: read 0x0\n10: write 0x40\n99999999999999999999: read 0x80\n")
    problems = [{"name": "dram-mo", "params": {"workload": str(trace)}}]
    err = _fails(["validate", _config(tmp_path, problems=problems)], capsys)
    assert f"problems[0].params.workload: {trace}, line 3: cycle" in err
