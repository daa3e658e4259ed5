"""Resume and concurrent use (issue 9): the config fingerprint, the folder lock,
duplicate runs and everything `dsegym validate` must catch before a run starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import filelock
import pytest
import yaml

from dsegym.cli import main
from dsegym.errors import ConfigError
from dsegym.experiments.config import parse_config
from dsegym.experiments.launch import prepare_results_dir, run_experiment
from dsegym.experiments.results_folder import LOCK_NAME

BASE = {
    "name": "t",
    "budget": 6,
    "seeds": [0, 1],
    "problems": ["zdt1"],
    "agents": [{"name": "random_walk", "params": {"n_changes": 1}}],
}


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return exc.value.code, " ".join(out.err.split())


def _config(tmp_path, name="c.yaml", **changes):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({**BASE, **changes, "output_dir": str(tmp_path / "out")}))
    return str(path)


def test_resume_with_other_parallelism_is_allowed(tmp_path):
    # Records do not depend on workers, eval_workers or the cluster: not fingerprinted.
    from dsegym.experiments.config import fingerprint

    cfg = parse_config(BASE)
    other = parse_config({**BASE, "workers": 3, "eval_workers": 4, "address": "auto"})
    assert fingerprint(other) == fingerprint(cfg)
    run_experiment(cfg, results_dir=tmp_path, show_progress=False)
    prepare_results_dir(other, tmp_path, resume=True, overwrite=False)  # accepted


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"seeds": [0]}, "seeds removed: [1]"),
        ({"budget": 9}, "budget 6 -> 9"),
        (
            {"agents": [{"name": "random_walk", "params": {"n_changes": 2}}]},
            "agent random_walk: hyperparameters",
        ),
        ({"problems": ["zdt2"]}, "problem added: zdt2; problem removed: zdt1"),
    ],
)
def test_resume_with_a_changed_config_is_refused(tmp_path, capsys, changes, expected):
    assert _cli(["run", _config(tmp_path), "--quiet", "--no-report"], capsys)[0] == 0
    code, err = _cli(["run", _config(tmp_path, "d.yaml", **changes), "--resume"], capsys)
    assert code == 2 and "the config changed since its runs were made" in err
    assert expected in err and "--overwrite" in err
    # The same config resumes; the changed one starts again with --overwrite.
    assert _cli(["run", _config(tmp_path), "--resume", "--quiet", "--no-report"], capsys)[0] == 0
    new = _config(tmp_path, "d.yaml", **changes)
    assert _cli(["run", new, "--overwrite", "--quiet", "--no-report"], capsys)[0] == 0
    assert _cli(["run", new, "--resume", "--quiet", "--no-report"], capsys)[0] == 0


def test_a_second_process_is_refused_while_the_first_holds_the_folder(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    other = filelock.FileLock(str(out / LOCK_NAME))  # another open file: another holder
    with other.acquire(timeout=0):
        code, err = _cli(["run", _config(tmp_path), "--quiet"], capsys)
        assert code == 2 and "is in use by another dsegym process" in err
        code, err = _cli(["report", str(out)], capsys)
        assert code == 2 and "in use" in err
    assert _cli(["run", _config(tmp_path), "--quiet", "--no-report"], capsys)[0] == 0


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    script = textwrap.dedent(
        f"""
        import sys, time, filelock
        lock = filelock.FileLock({str(out / LOCK_NAME)!r})
        lock.acquire()
        print("held", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        cfg = parse_config(BASE)
        with pytest.raises(ConfigError, match="in use"):
            run_experiment(cfg, results_dir=out, show_progress=False)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        run_experiment(cfg, results_dir=out, show_progress=False)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"seeds": [0, 3, 0]}, "seeds[2]: seed 0 repeats seeds[0]"),
        ({"agents": ["random", "random"]}, "agents[1] repeats agents[0]"),
        (
            {"agents": ["nsga2", {"name": "nsga2", "params": {"population_size": 100}}]},
            "agents[1] repeats agents[0] (nsga2 with identical hyperparameters",
        ),
        ({"problems": ["zdt1", {"name": "zdt1", "label": "again"}]}, "problems[1] repeats"),
        ({"seeds": [2**32]}, "seeds.0: Input should be less than or equal to 4294967295"),
        ({"seeds": [-1]}, "seeds.0: Input should be greater than or equal to 0"),
        ({"agents": ["dqn"]}, "agents[0] on problems[0] (zdt1): agent 'dqn' needs a finite space"),
        ({"agents": ["botorch"]}, "agents[0] on problems[0] (zdt1): agent 'botorch' needs"),
    ],
)
def test_validate_catches_what_a_run_would_reject(tmp_path, capsys, changes, expected):
    pytest.importorskip("stable_baselines3")
    if changes.get("agents") == ["botorch"]:
        try:
            import botorch  # noqa: F401
        except ImportError:
            pass
        else:
            pytest.skip("botorch is installed")
    code, err = _cli(["validate", _config(tmp_path, **changes)], capsys)
    assert code == 2 and expected in err, err


def test_validate_catches_an_output_folder_that_cannot_be_created(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**BASE, "output_dir": str(blocker / "out")}))
    code, err = _cli(["validate", str(path)], capsys)
    assert code == 2 and "output_dir: cannot create" in err and "is not a folder" in err
    code, err = _cli(["run", str(path), "--quiet"], capsys)
    assert code == 2 and "cannot create" in err
    code, err = _cli(["validate", _config(tmp_path), "--output", str(blocker)], capsys)
    assert code == 2 and "--output:" in err and "exists and is not a folder" in err
