"""What `validate` passes, `run` can do: bounded YAML, labels and names usable in files."""

from __future__ import annotations

import time

import pytest

from dsegym.errors import ConfigError
from dsegym.experiments.config import check_output_dir
from dsegym.experiments.runner import RunSpec
from dsegym.yaml_input import YamlLimitError, safe_load

from .helpers import cli_fails as _fails
from .test_bad_input import _config


def _alias_bomb(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once(tmp_path, capsys):
    bomb = _alias_bomb()
    assert len(bomb) < 600
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    start = time.perf_counter()
    err = _fails(["validate", str(path)], capsys)
    assert time.perf_counter() - start < 10
    assert "alias" in err


def test_yaml_limits():
    with pytest.raises(YamlLimitError, match="contains it"):
        safe_load("a: &a [1, *a]\n")
    assert safe_load(_alias_bomb(levels=3)) is not None  # 10**3 values: fine
    assert safe_load("base: &b {x: 1}\nuse: *b\n") == {"base": {"x": 1}, "use": {"x": 1}}


@pytest.mark.parametrize(
    "label, expected",
    [("é" * 200, "at most 200 bytes"), ("a\x00b", "control characters"), ("a\nb", "control")],
)
def test_labels_that_cannot_name_a_file_are_refused(tmp_path, capsys, label, expected):
    for key in ("problems", "agents"):
        entry = {"name": "zdt1" if key == "problems" else "random", "label": label}
        err = _fails(["validate", _config(tmp_path, **{key: [entry]})], capsys)
        assert expected in err and "label" in err


@pytest.mark.parametrize("name", ["x" * 100_000, ".", ".."])
def test_experiment_names_that_cannot_name_a_folder_are_refused(tmp_path, capsys, name):
    err = _fails(["validate", _config(tmp_path, name=name)], capsys)
    assert "name" in err


@pytest.mark.parametrize("agent", ["dsegym.search:AskTellAgent", "dsegym.search.agent:Agent"])
def test_abstract_agent_classes_are_refused(tmp_path, capsys, agent):
    err = _fails(["validate", _config(tmp_path, agents=[agent])], capsys)
    assert "abstract class" in err


def test_run_ids_fit_in_a_file_name():
    spec = RunSpec("t", "zdt1", {}, "random", {"x": 1}, 4294967295, 5, 10, "é" * 300, "a/\x00" * 99)
    run_id = spec.run_id
    assert len((run_id + ".model_errors.txt").encode()) <= 255
    assert "/" not in run_id and "\x00" not in run_id
    short = RunSpec("t", "zdt1", {}, "random", {}, 0, 5, 10, "zdt1", "random:x")
    assert short.run_id.startswith("zdt1__random.x__s0__")  # ordinary ids unchanged


def test_an_output_folder_name_too_long_is_one_message(tmp_path):
    with pytest.raises(ConfigError, match="output_dir"):
        check_output_dir(tmp_path / ("x" * 1000))


def test_a_yaml_file_too_large_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("dsegym.yaml_input.MAX_DOCUMENT_CHARS", 100)
    err = _fails(["validate", _config(tmp_path, description="x" * 200)], capsys)
    assert "at most 100 are read" in err


def test_a_command_spec_that_is_not_utf8_is_one_message(tmp_path):
    from dsegym.costmodels.command.spec import load_spec

    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(ConfigError, match="spec.yaml"):
        load_spec(spec)
