"""A run killed with SIGKILL loses nothing it recorded, and --resume finishes it."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from dsegym.experiments.config import load_config
from dsegym.experiments.launch import run_experiment

from .helpers import records

CONFIG = """
name: killed
budget: 150
seeds: [0, 1]
problems: [{{name: zdt1, params: {{n_var: 6}}}}]
agents: [{{name: tpe, params: {{n_startup_trials: 10}}}}]
output_dir: {out}
"""


def _rows_on_disk(out):
    runs = out / "runs"
    # Complete lines, less each file's run header.
    lines = [p.read_text() for p in runs.glob("*.jsonl")] if runs.exists() else []
    return sum(t.count("\n") - t.startswith('{"dsegym_record"') for t in lines)


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    killed_dir, reference_dir = tmp_path / "killed", tmp_path / "reference"
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(out=killed_dir))
    cmd = [sys.executable, "-m", "dsegym.cli", "run", str(config), "--quiet", "--no-report"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while _rows_on_disk(killed_dir) < 60 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    recorded_before = records(killed_dir)
    n_before = sum(len(v) for v in recorded_before.values())
    assert 60 <= n_before < 300, "the run should have been killed part-way"

    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = records(killed_dir)
    # Nothing recorded before the kill was lost or changed...
    for run_id, rows in recorded_before.items():
        assert after[run_id][: len(rows)] == rows
    # ...and the finished record equals an uninterrupted run's, without repeats.
    run_experiment(load_config(config), results_dir=reference_dir, show_progress=False)
    assert after == records(reference_dir)
    for rows in after.values():
        fresh = [r["eval_index"] for r in rows if not r["cached"]]
        assert fresh == list(range(1, 151))


PARALLEL_CONFIG = """
name: killed-parallel
budget: 300
seeds: [0, 1]
workers: 2
eval_workers: 2
problems: [{{name: synthetic, params: {{delay_ms: 10, wait: sleep}}}}]
agents: [{{name: nsga2, params: {{population_size: 10}}}}]
output_dir: {out}
"""


@pytest.mark.slow
def test_sigkill_during_within_run_parallel_evaluation_then_resume(tmp_path):
    # Both kinds of parallelism on one node: two runs at once, whose rows reach the file
    # through the driver's record sink, each costing its batches on two workers.
    killed_dir, reference_dir = tmp_path / "killed", tmp_path / "reference"
    config = tmp_path / "c.yaml"
    config.write_text(PARALLEL_CONFIG.format(out=killed_dir))
    cmd = [sys.executable, "-m", "dsegym.cli", "run", str(config), "--quiet", "--no-report"]
    # A session of its own, so that Ray's helpers, orphaned by the kill, can be cleared.
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.time() + 120
    while _rows_on_disk(killed_dir) < 120 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    recorded_before = records(killed_dir)
    n_before = sum(len(v) for v in recorded_before.values())
    assert 120 <= n_before < 600, "the runs should have been killed part-way"

    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = records(killed_dir)
    for run_id, rows in recorded_before.items():
        assert after[run_id][: len(rows)] == rows
    # The reference is serial: parallel records are identical.
    run_experiment(
        load_config(config),
        results_dir=reference_dir,
        workers=1,
        eval_workers=1,
        show_progress=False,
    )
    assert after == records(reference_dir)
    for rows in after.values():
        fresh = [r["eval_index"] for r in rows if not r["cached"]]
        assert fresh == list(range(1, 301))
