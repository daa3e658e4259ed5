"""A user's own problem, beside the config naming it, runs through validate, run, report,
show, check and gymnasium.make with no edit to dsegym; check names the rule a faulty
model or agent breaks; problems come from installed packages' entry points too."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import gymnasium as gym
import pytest

from dsegym.cli import main
from dsegym.costmodels import registry
from dsegym.envs.registration import register_all
from dsegym.loading import load_object
from dsegym.testing import ConformanceError, check_agent, check_problem

CONFIG = "user_problem/experiment.yaml"


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    captured = capsys.readouterr()
    return exc.value.code, " ".join((captured.out + captured.err).split())  # rich wraps lines


@pytest.fixture
def user_folder(tmp_path, monkeypatch, capsys):
    """The shipped user-problem example copied out; the current folder is elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code, out = _cli(["example", "user-problem", str(tmp_path)], capsys)
    assert code == 0, out
    yield tmp_path / "user_problem"
    sys.modules.pop("my_models", None)


def test_a_user_problem_runs_like_a_built_in(user_folder, tmp_path, capsys, monkeypatch):
    config = str(user_folder / "experiment.yaml")
    out_dir = str(tmp_path / "results")
    code, out = _cli(["validate", config, "--output", out_dir], capsys)
    assert code == 0 and "valid; 4 runs" in out, out
    code, out = _cli(["run", config, "--output", out_dir], capsys)
    assert code == 0, out
    assert "my_models:cache_problem" in out
    runs = sorted(p.name for p in (tmp_path / "results" / "runs").glob("*.done.json"))
    assert len(runs) == 4 and runs[0].startswith("my_models.cache_problem__")
    monkeypatch.chdir(user_folder)  # where the user keeps my_models.py
    code, out = _cli(["report", out_dir], capsys)
    assert code == 0 and "interactive report" in out, out
    code, out = _cli(["show", "my_models:cache_problem", "-p", "working_set_kib=32"], capsys)
    assert code == 0, out
    for text in ("capacity in KiB", "associativity", "area_mm2 <= 0.5", "1,120 designs"):
        assert text in out
    assert "feasible fraction: 133/200 = 66.5% of designs drawn uniformly at random" in out
    code, out = _cli(["check", "my_models:cache_problem"], capsys)
    assert code == 0 and "every problem check passed" in out, out
    env = gym.make("dsegym/Problem", problem="my_models:cache_problem", working_set_kib=32)
    assert env.unwrapped.problem.params == {"working_set_kib": 32}
    env.reset(seed=0)
    assert env.step(env.action_space.sample())[1] < 0


def test_params_are_validated_against_the_factory_signature(user_folder, capsys):
    config = user_folder / "experiment.yaml"
    text = config.read_text().replace("working_set_kib: 128", "working_set_kib: -1")
    config.write_text(text)
    code, out = _cli(["validate", str(config)], capsys)
    assert code == 2
    assert "problems[0].params" in out and "working_set_kib" in out and "greater than 0" in out


def test_a_missing_module_gets_a_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.yaml"
    config.write_text("name: x\nbudget: 5\nproblems: [no_such_models:make]\nagents: [random]\n")
    code, out = _cli(["validate", str(config)], capsys)
    assert code == 2 and "problems[0].name" in out
    assert "put no_such_models.py (or a package no_such_models/) in one of these folders" in out


FAULTY = """
    from typing import ClassVar
    import numpy as np
    from dsegym.search import AskTellAgent, Hyperparameters
    from dsegym.testing.problems import PickyModel


    class RaisesOnTheEdge(PickyModel):
        name: ClassVar[str] = "raises-on-the-edge"

        def evaluate(self, design, workload=None):
            if design["knob"] == 1.0:
                raise ValueError("knob at its top")
            return super().evaluate(design, workload)


    class GlobalRandom(AskTellAgent[Hyperparameters]):
        def ask(self, n):
            return [self.space.from_unit(np.random.random(len(self.space))) for _ in range(n)]

        def tell(self, outcomes):
            pass
"""


@pytest.mark.parametrize(
    ("target", "rule"),
    [("RaisesOnTheEdge", "no-exception"), ("GlobalRandom", "no-global-random-state")],
)
def test_check_fails_naming_the_rule(target, rule, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "faulty_things.py").write_text(textwrap.dedent(FAULTY))
    try:
        code, out = _cli(["check", f"faulty_things:{target}"], capsys)
    finally:
        sys.modules.pop("faulty_things", None)
    assert code == 1 and f"rule '{rule}' broken" in out, out


def test_installed_packages_add_problems_through_entry_points(monkeypatch, capsys):
    spec = registry.ProblemSpec("dsegym.costmodels.reference.zdt:zdt2", "zdt", 3)
    entry = metadata.EntryPoint("zdt2-plugin", "tests.test_plugins:PLUGIN", "dsegym.problems")
    monkeypatch.setitem(globals(), "PLUGIN", spec)
    monkeypatch.setattr(metadata, "entry_points", lambda group: [entry])
    monkeypatch.setattr(registry, "_declares_problems", lambda: True)
    registry.installed_problems.cache_clear()
    try:
        assert "zdt2-plugin" in registry.problem_names()
        assert register_all()["dsegym/Zdt2Plugin-v3"] == "zdt2-plugin"
        assert gym.make("dsegym/Zdt2Plugin-v3", n_var=3).unwrapped.problem.name == "zdt2-plugin"
        code, out = _cli(["list", "problems"], capsys)
        assert code == 0 and "zdt2-plugin" in out and "zdt v3" in out
    finally:
        registry.installed_problems.cache_clear()
        gym.registry.pop("dsegym/Zdt2Plugin-v3", None)


README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _readme_block(first_line: str) -> str:
    start = README.index(first_line)
    return README[start : README.index("```", start)]


def test_the_readme_problem_and_agent_pass_their_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "readme_models.py").write_text(_readme_block("# my_models.py"))
    (tmp_path / "readme_agents.py").write_text(_readme_block("# my_agents.py"))
    try:
        problem = registry.make_problem("readme_models:cache_problem", {"working_set_kib": 128})
        check_problem(problem)
        agent = load_object("readme_agents:HillClimber")
        # It stops at a local optimum, before its budget is spent (as the README says).
        with pytest.raises(ConformanceError, match="budget-respected"):
            check_agent(agent, {"neighbours": 4}, budget=16)
        assert check_agent(agent, {"neighbours": 4}, budget=16, full_budget=False) == {}
    finally:
        sys.modules.pop("readme_models", None)
        sys.modules.pop("readme_agents", None)


def test_the_readme_layout_table_matches_the_tree():
    table = README[README.index("## Layout") : README.index("## Cost models")]
    listed = set(re.findall(r"^\| `([^`/]+)/` \|", table, flags=re.M))
    root = Path(__file__).parents[1]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    folders = {path.split("/")[0] for path in tracked if "/" in path}
    assert listed == folders


def test_example_copies_refuse_to_overwrite_and_unknown_names_are_named(tmp_path, capsys):
    code, out = _cli(["example", "list"], capsys)
    assert code == 0 and "quickstart" in out and "user-problem" in out
    code, out = _cli(["example", "quickstart", str(tmp_path)], capsys)
    assert code == 0 and (tmp_path / "quickstart.yaml").is_file()
    code, out = _cli(["example", "quickstart", str(tmp_path)], capsys)
    assert code == 2 and "exists" in out and "overwrites nothing" in out
    code, out = _cli(["example", "nope"], capsys)
    assert code == 2 and "unknown example 'nope'" in out and "quickstart" in out


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("zdt1", "every problem check passed"),
        ("dsegym.search.random_search:RandomSearch", "every agent check passed"),
        ("dsegym.testing.problems:PickyModel", "every cost model check passed"),
    ],
)
def test_check_accepts_names_agents_and_models(target, says, capsys):
    code, out = _cli(["check", target, *(["-p", "n_var=3"] if target == "zdt1" else [])], capsys)
    assert code == 0 and says in out, out


def test_check_refuses_what_it_cannot_check(capsys):
    code, out = _cli(["check", "dsegym.errors:MAX_ECHO"], capsys)
    assert code == 2 and "expected an Agent subclass, a CostModel, a Problem" in out
    code, out = _cli(["check", "nothing-by-that-name"], capsys)
    assert code == 2 and "give module:Object" in out


def test_the_entry_point_gate_finds_a_declaring_distribution(tmp_path, monkeypatch):
    dist = tmp_path / "some_models-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[console_scripts]\nx = y:z\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert not registry._declares_problems()
    (dist / "entry_points.txt").write_text("[dsegym.problems]\nmy-cache = my_models:CACHE\n")
    assert registry._declares_problems()
