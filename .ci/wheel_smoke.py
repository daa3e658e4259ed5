"""Smoke test of an installed dsegym wheel, run from a folder outside the checkout.

    python .ci/wheel_smoke.py CHECKOUT    (by .ci/run, with the wheel's virtual environment)

Checks that ``dsegym`` is imported from the wheel (not the checkout), builds and costs
every registered problem (data-needing ones with DSEGYM_DATA_DIR), registers its env,
then copies the quick start and the user-problem example out with ``dsegym example``
and runs them in the current folder: the user problem as shipped, the quick start with
every problem and agent but a budget of 30 and one seed (as shipped it costs about a
minute of CPU serially, more than this step may take).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import yaml

import dsegym
from dsegym.costmodels.registry import make_problem, problem_names
from dsegym.envs import ENV_IDS


def main() -> None:
    checkout = Path(sys.argv[1]).resolve()
    where = Path(dsegym.__file__).resolve()
    if where.is_relative_to(checkout):
        sys.exit(f"dsegym was imported from the checkout ({where}), not from the wheel")
    print(f"dsegym from {where.parent}")
    rng = np.random.default_rng(0)
    for name in problem_names():
        start = time.perf_counter()
        problem = make_problem(name)
        outcomes = problem.evaluate_batch(problem.space.sample_many(rng, 3))
        assert all(o.feasible or o.reasons for o in outcomes), name
        print(
            f"  {name}: {sum(o.feasible for o in outcomes)}/3 feasible, "
            f"{time.perf_counter() - start:.2f} s"
        )
    assert set(ENV_IDS.values()) == set(problem_names())
    gym.make("dsegym/ToyAccelerator-v1").reset(seed=0)
    cli = str(Path(sys.executable).with_name("dsegym"))
    subprocess.run([cli, "example", "quickstart", "."], check=True, stdout=subprocess.DEVNULL)
    tiny = yaml.safe_load(Path("quickstart.yaml").read_text())
    tiny.update(budget=30, seeds=[0], workers=1)
    Path("quickstart-tiny.yaml").write_text(yaml.safe_dump(tiny))
    for argv in (
        [cli, "validate", "quickstart.yaml"],
        [cli, "run", "quickstart-tiny.yaml"],
        [cli, "example", "user-problem", "."],
        [cli, "run", "user_problem/experiment.yaml", "--output", "results/user-problem"],
        [cli, "check", "my_models:cache_problem"],
    ):
        start = time.perf_counter()
        cwd = "user_problem" if argv[1] == "check" else "."
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
        print(f"  {' '.join(argv[1:])}: ok, {time.perf_counter() - start:.1f} s")
    # The benchmark suite and its stored baselines ship as package data.
    from dsegym.experiments.bench import baselines
    from dsegym.experiments.bench.suite import load_suite

    stored, _ = baselines.load(load_suite("dsegym-v1"))
    assert len(stored) and stored["agent"].nunique() >= 8, "baselines missing from the wheel"
    print(f"  bench baselines: {stored['agent'].nunique()} agents, {len(stored)} rows")
    assert Path("results/quickstart/report.html").is_file()
    assert Path("results/user-problem/report.html").is_file()
    print("wheel smoke test passed")


if __name__ == "__main__":
    main()
