"""Parity: each agent that wraps a library against that library used directly.

Same problem, budget and seeds on both sides. The raw side is the library's own loop
(pymoo's ``minimize``, an Optuna study's ask and tell, a Nevergrad optimiser's ask and
tell) over the dsegym problem's vectorised ``evaluate_batch``, in the space's library
encoding (what a user of the library would write by hand); the dsegym side is the agent
run through the runner's evaluator (``RunEvaluator``, no record file).

Quality: hypervolume ratio (HV of the feasible non-dominated points found / HV of the
problem's known front, in the problem's normalised space) for several objectives; for
one objective, the known optimum / best feasible value found (1.0 = optimum, higher is
better, so that both read the same way). "Within noise": the two means differ by less
than two standard errors of their difference, or by less than 0.5 %.

Wall time target: the agent's mean wall time at most 1.5 x the raw library's plus the
runner's own per-evaluation cost x budget (measured here, in the same run, as the time
``RunEvaluator`` takes over ``evaluate_batch`` for the same designs), scaled by the
agent's proposals per budget unit: the runner's budget counts distinct designs and
answers repeats free, so an algorithm that revisits designs runs more generations
than the raw loop, which spends its budget on the repeats.

Usage (from the repository root):
    python -m dsegym.experiments.benchmarks.parity [--seeds 5] [--cases nsga2-zdt1 ...]
        [--scale 1.0]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dsegym.costmodels.problem import Problem
from dsegym.costmodels.registry import make_problem
from dsegym.experiments.runner import RunEvaluator
from dsegym.pareto import Normaliser, hypervolume, nondominated
from dsegym.search.agent import finite_objectives, finite_violation
from dsegym.search.registry import make_agent_for


# ---------------------------------------------------------------------- quality
def hv_ratio(problem: Problem, F: np.ndarray) -> float:
    """HV of the feasible points ``F`` over HV of the problem's known front."""
    assert problem.known_front is not None  # parity problems all have one
    if problem.reference_point is not None:
        norm = Normaliser.identity(problem.reference_point)
    else:
        norm = Normaliser.from_points(problem.known_front)
    if len(F) == 0:
        return 0.0
    ref = norm.reference_point
    return hypervolume(norm(nondominated(F)), ref) / hypervolume(norm(problem.known_front), ref)


def best_ratio(problem: Problem, F: np.ndarray) -> float:
    """Best feasible value found / known optimum (1.0 = optimum; ``inf`` if none)."""
    assert problem.known_front is not None
    return float(F[:, 0].min()) / float(problem.known_front[0, 0]) if len(F) else math.inf


def quality(problem: Problem, F: np.ndarray) -> float:
    """Higher is better: HV ratio, or optimum / best value for one objective."""
    if problem.n_objectives > 1:
        return hv_ratio(problem, F)
    return 1.0 / best_ratio(problem, F)


def feasible_F(problem: Problem, outcomes: Any) -> np.ndarray:
    """Objective vectors of the feasible outcomes."""
    rows = [o.F for o in outcomes if o.feasible]
    return np.array(rows, dtype=float).reshape(-1, problem.n_objectives)


# ---------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """One comparison: an agent and the raw library loop it wraps."""

    agent: str
    library: str
    problem: str
    budget: int
    problem_params: dict[str, Any] = field(default_factory=dict)
    agent_params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        params = ",".join(f"{k}={v}" for k, v in self.problem_params.items())
        return f"{self.agent} / {self.problem}{'(' + params + ')' if params else ''}"

    def make_problem(self) -> Problem:
        return make_problem(self.problem, self.problem_params)


ZDT1_30 = {"n_var": 30}
NUMERIC = {"categorical": False}
CASES: dict[str, Case] = {
    "nsga2-zdt1": Case("nsga2", "pymoo", "zdt1", 10_000, ZDT1_30),
    "nsga2-toy": Case("nsga2", "pymoo", "toy-accelerator", 1_000),
    "nsga3-dtlz2": Case("nsga3", "pymoo", "dtlz2", 10_000, {"n_obj": 3}),
    "smsemoa-zdt1": Case("smsemoa", "pymoo", "zdt1", 2_000, ZDT1_30),
    "moead-zdt1": Case("moead", "pymoo", "zdt1", 10_000, ZDT1_30),
    "ga-separable": Case("ga", "pymoo", "separable-discrete", 1_000, NUMERIC),
    "tpe-zdt1": Case("tpe", "optuna", "zdt1", 1_000, ZDT1_30),
    "tpe-toy1": Case("tpe", "optuna", "toy-accelerator-1obj", 200),
    "optuna_nsga2-zdt1": Case("optuna_nsga2", "optuna", "zdt1", 2_000, ZDT1_30),
    "ngopt-separable": Case("ngopt", "nevergrad", "separable-discrete", 1_000, NUMERIC),
    "de-separable": Case("de", "nevergrad", "separable-discrete", 1_000, NUMERIC),
    "pso-separable": Case("pso", "nevergrad", "separable-discrete", 1_000, NUMERIC),
    "smac-zdt1": Case("smac", "smac", "zdt1", 100, {"n_var": 5}),
    "discrete_1p1-separable": Case(
        "discrete_1p1", "nevergrad", "separable-discrete", 1_000, NUMERIC
    ),
}


# ---------------------------------------------------------------------- dsegym side
def run_agent(case: Case, seed: int, budget: int) -> tuple[np.ndarray, float, int]:
    """The agent through the runner's evaluator: feasible F, wall time and proposals."""
    problem = case.make_problem()
    agent = make_agent_for(case.agent, problem, seed=seed, params=case.agent_params)
    evaluator = RunEvaluator(problem, budget)
    start = time.perf_counter()
    agent.run(evaluator)
    wall = time.perf_counter() - start
    return feasible_F(problem, evaluator.history), wall, evaluator.proposals


# ---------------------------------------------------------------------- raw pymoo
def pymoo_problem(problem: Problem, counter: list[Any]) -> Any:
    """The dsegym problem as a vectorised pymoo ``Problem`` in the space's encoding."""
    from pymoo.core.problem import Problem as PymooProblem

    space = problem.space
    vector = space.pymoo_vector_ok

    class Wrapped(PymooProblem):
        def __init__(self) -> None:
            common = {"n_obj": problem.n_objectives, "n_ieq_constr": problem.n_constraints}
            if vector:
                xl, xu = space.pymoo_bounds()
                super().__init__(n_var=len(space), xl=xl, xu=xu, **common)
            else:
                super().__init__(vars=space.to_pymoo_variables(), **common)

        def _evaluate(self, X: Any, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            outcomes = problem.evaluate_batch([space.from_pymoo(x) for x in X])
            counter.extend(outcomes)
            out["F"] = np.array([finite_objectives(o) for o in outcomes])
            if problem.n_constraints:
                out["G"] = np.array(
                    [[g if np.isfinite(g) else 1e12 for g in o.G] for o in outcomes]
                )

    return Wrapped()


def pymoo_algorithm(case: Case, problem: Problem) -> Any:
    """The algorithm as a pymoo user builds it: pymoo's defaults and documented recipes."""
    from pymoo.algorithms.moo.moead import MOEAD
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.algorithms.moo.sms import SMSEMOA
    from pymoo.algorithms.soo.nonconvex.ga import GA
    from pymoo.core.mixed import (
        MixedVariableDuplicateElimination,
        MixedVariableMating,
        MixedVariableSampling,
    )
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    from pymoo.util.ref_dirs import get_reference_directions

    space = problem.space
    if space.is_continuous:
        ops: dict[str, Any] = {}
    elif space.pymoo_vector_ok:  # pymoo's integer-variable recipe
        ops = {
            "sampling": IntegerRandomSampling(),
            "crossover": SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
            "mutation": PM(eta=20, vtype=float, repair=RoundingRepair()),
        }
    else:  # pymoo's mixed-variable recipe
        dup = MixedVariableDuplicateElimination()
        ops = {
            "sampling": MixedVariableSampling(),
            "mating": MixedVariableMating(eliminate_duplicates=dup),
            "eliminate_duplicates": dup,
        }
    m = problem.n_objectives
    if case.agent == "nsga2":
        return NSGA2(pop_size=100, **ops)
    if case.agent == "nsga3":
        ref_dirs = get_reference_directions("das-dennis", m, n_partitions=12)
        if space.is_continuous:
            ops = {"crossover": SBX(eta=30, prob=1.0), "mutation": PM(eta=20)}
        return NSGA3(ref_dirs=ref_dirs, pop_size=92, **ops)
    if case.agent == "smsemoa":
        return SMSEMOA(pop_size=100, **ops)
    if case.agent == "moead":
        ref_dirs = get_reference_directions("das-dennis", m, n_partitions=99)
        return MOEAD(ref_dirs=ref_dirs, n_neighbors=20, prob_neighbor_mating=0.9)
    if case.agent == "ga":
        return GA(pop_size=32, **ops)
    raise ValueError(f"no raw pymoo algorithm for {case.agent!r}")


def raw_pymoo(case: Case, seed: int, budget: int) -> tuple[np.ndarray, float]:
    """pymoo's ``minimize`` with an evaluation budget."""
    from pymoo.optimize import minimize

    problem = case.make_problem()
    outcomes: list[Any] = []
    wrapped = pymoo_problem(problem, outcomes)
    if case.agent == "ga" and problem.n_objectives > 1:
        raise ValueError("the raw GA comparison needs a single-objective problem")
    start = time.perf_counter()
    minimize(wrapped, pymoo_algorithm(case, problem), ("n_evals", budget), seed=seed)
    wall = time.perf_counter() - start
    return feasible_F(problem, outcomes[:budget]), wall


# ---------------------------------------------------------------------- raw Optuna
def optuna_sampler(case: Case, seed: int) -> Any:
    """The sampler as an Optuna user builds it (the agent's defaults)."""
    import optuna

    if case.agent == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if case.agent == "optuna_nsga2":
        from optuna.samplers import nsgaii

        return optuna.samplers.NSGAIISampler(
            population_size=50,
            crossover=nsgaii.SBXCrossover(eta=20.0),
            mutation=nsgaii.PolynomialMutation(eta=20.0),
            seed=seed,
        )
    raise ValueError(f"no raw Optuna sampler for {case.agent!r}")


def raw_optuna(case: Case, seed: int, budget: int) -> tuple[np.ndarray, float]:
    """An Optuna study driven by ask and tell: one trial at a time for TPE, a generation
    at a time for NSGA-II (both as the agents do, so that workers can share a batch)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    problem = case.make_problem()
    space = problem.space
    distributions = space.to_optuna_distributions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna_sampler(case, seed)
    study = optuna.create_study(directions=["minimize"] * problem.n_objectives, sampler=sampler)
    batch = 50 if case.agent == "optuna_nsga2" else 1
    outcomes: list[Any] = []
    start = time.perf_counter()
    while len(outcomes) < budget:
        trials = [study.ask(distributions) for _ in range(min(batch, budget - len(outcomes)))]
        designs = [space.from_optuna(trial.params) for trial in trials]
        for trial, outcome in zip(trials, problem.evaluate_batch(designs), strict=True):
            outcomes.append(outcome)
            values = finite_objectives(outcome)
            if problem.n_constraints:
                trial.set_constraint("violation", finite_violation(outcome))
            study.tell(trial, values if problem.n_objectives > 1 else values[0])
    wall = time.perf_counter() - start
    return feasible_F(problem, outcomes), wall


# ---------------------------------------------------------------------- raw Nevergrad
NEVERGRAD_NAMES = {"ngopt": "NGOpt", "de": "DE", "pso": "PSO", "discrete_1p1": "DiscreteOnePlusOne"}


def raw_nevergrad(case: Case, seed: int, budget: int) -> tuple[np.ndarray, float]:
    """A Nevergrad optimiser's ask and tell loop over the space's parametrization."""
    import nevergrad as ng

    problem = case.make_problem()
    space = problem.space
    parametrization = space.to_nevergrad()
    parametrization.random_state = np.random.RandomState(seed)
    optimizer = ng.optimizers.registry[NEVERGRAD_NAMES[case.agent]](
        parametrization=parametrization, budget=budget, num_workers=1
    )
    outcomes = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ng.errors.NevergradWarning)
        for _ in range(budget):
            candidate = optimizer.ask()
            outcome = problem.evaluate_batch([space.from_nevergrad(candidate.value)])[0]
            outcomes.append(outcome)
            values = finite_objectives(outcome)
            loss = values[0] if problem.n_objectives == 1 else values
            violation = finite_violation(outcome) if problem.n_constraints else 0.0
            if violation > 0:
                optimizer.tell(candidate, loss, constraint_violation=[violation])
            else:
                optimizer.tell(candidate, loss)
    wall = time.perf_counter() - start
    return feasible_F(problem, outcomes), wall


# ---------------------------------------------------------------------- raw SMAC
def raw_smac(case: Case, seed: int, budget: int) -> tuple[np.ndarray, float]:
    """SMAC's hyperparameter-optimisation facade by ask and tell (unconstrained problems)."""
    import tempfile

    from smac import HyperparameterOptimizationFacade as Facade
    from smac import Scenario
    from smac.multi_objective.parego import ParEGO
    from smac.runhistory.dataclasses import TrialValue

    problem = case.make_problem()
    if problem.n_constraints:
        raise ValueError("the raw SMAC comparison needs an unconstrained problem")
    space = problem.space
    m = problem.n_objectives
    outcomes = []
    with tempfile.TemporaryDirectory() as scratch:
        scenario = Scenario(
            space.to_configspace(seed),
            deterministic=True,
            objectives=[f"f{i}" for i in range(m)] if m > 1 else "cost",
            n_trials=budget,
            seed=seed,
            output_directory=Path(scratch) / "smac",
        )
        smac = Facade(
            scenario,
            None,
            intensifier=Facade.get_intensifier(scenario, max_config_calls=1),
            multi_objective_algorithm=ParEGO(scenario) if m > 1 else None,
            overwrite=True,
            logging_level=40,
        )
        start = time.perf_counter()
        for _ in range(budget):
            info = smac.ask()
            outcome = problem.evaluate_batch([space.from_configspace(info.config)])[0]
            outcomes.append(outcome)
            values = [float(f) for f in outcome.F]
            smac.tell(info, TrialValue(cost=values if m > 1 else values[0]))
        wall = time.perf_counter() - start
    return feasible_F(problem, outcomes), wall


RAW: dict[str, Callable[[Case, int, int], tuple[np.ndarray, float]]] = {
    "pymoo": raw_pymoo,
    "optuna": raw_optuna,
    "nevergrad": raw_nevergrad,
    "smac": raw_smac,
}


# ---------------------------------------------------------------------- runner cost
def runner_cost_per_evaluation(problem: Problem, n: int = 2_000, seed: int = 0) -> float:
    """Seconds the runner's evaluator adds per evaluation over ``evaluate_batch``."""
    designs = problem.space.sample_many(np.random.default_rng(seed), n)
    start = time.perf_counter()
    problem.evaluate_batch(designs)
    direct = time.perf_counter() - start
    evaluator = RunEvaluator(problem, n)
    start = time.perf_counter()
    for i in range(0, n, 100):
        evaluator(designs[i : i + 100])
    through_runner = time.perf_counter() - start
    return max(0.0, (through_runner - direct) / n)


# ---------------------------------------------------------------------- comparison
@dataclass
class Comparison:
    """Figures of one case over several seeds."""

    case: Case
    budget: int
    agent_quality: list[float]
    raw_quality: list[float]
    agent_wall: list[float]
    raw_wall: list[float]
    runner_cost: float
    proposals: list[int]

    @property
    def quality_ratio(self) -> float:
        raw = statistics.mean(self.raw_quality)
        return statistics.mean(self.agent_quality) / raw if raw else math.nan

    @property
    def within_noise(self) -> bool:
        a, r = self.agent_quality, self.raw_quality
        diff = abs(statistics.mean(a) - statistics.mean(r))
        if diff <= 0.005 * abs(statistics.mean(r)):
            return True
        if len(a) < 2:
            return False
        se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(r) / len(r))
        return diff <= 2 * se

    @property
    def proposal_factor(self) -> float:
        """dsegym's proposals per raw-library evaluation.

        The runner charges only new designs; repeats are answered free from its cache,
        so an algorithm that revisits designs makes more proposals within one budget
        than the raw loop, which spends an evaluation on each.
        """
        return statistics.mean(self.proposals) / self.budget

    @property
    def wall_target(self) -> float:
        """1.5 x the raw wall time plus the runner's cost, per raw evaluation made."""
        per_proposal = 1.5 * statistics.mean(self.raw_wall) + self.runner_cost * self.budget
        return per_proposal * max(1.0, self.proposal_factor)

    @property
    def wall_ok(self) -> bool:
        return statistics.mean(self.agent_wall) <= self.wall_target


def compare(case: Case, seeds: range, budget: int | None = None) -> Comparison:
    """Runs the agent and the raw library for each seed."""
    budget = budget or case.budget
    raw = RAW[case.library]
    problem = case.make_problem()
    figures: dict[str, list[float]] = {"aq": [], "rq": [], "aw": [], "rw": []}
    proposals = []
    for seed in seeds:
        F, wall, n = run_agent(case, seed, budget)
        figures["aq"].append(quality(problem, F))
        figures["aw"].append(wall)
        proposals.append(n)
        F, wall = raw(case, seed, budget)
        figures["rq"].append(quality(problem, F))
        figures["rw"].append(wall)
    return Comparison(
        case,
        budget,
        figures["aq"],
        figures["rq"],
        figures["aw"],
        figures["rw"],
        runner_cost_per_evaluation(problem),
        proposals,
    )


def _mean_sd(xs: list[float]) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.4f} ± {sd:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every budget")
    args = parser.parse_args()
    print(
        "| agent / problem | library | budget | quality: dsegym | quality: library | ratio "
        "| within noise | proposals / budget | wall s: dsegym | wall s: library | wall target s "
        "| wall ok |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.cases:
        case = CASES[name]
        budget = max(1, int(case.budget * args.scale))
        try:
            c = compare(case, range(args.seeds), budget)
        except Exception as exc:  # an extra not installed: say so in the table
            print(f"| {case.label} | {case.library} | {budget} | n/a: {exc} |")
            continue
        print(
            f"| {case.label} | {case.library} | {budget} | {_mean_sd(c.agent_quality)} "
            f"| {_mean_sd(c.raw_quality)} | {c.quality_ratio:.3f} "
            f"| {'yes' if c.within_noise else 'NO'} | {c.proposal_factor:.2f} "
            f"| {statistics.mean(c.agent_wall):.2f} "
            f"| {statistics.mean(c.raw_wall):.2f} | {c.wall_target:.2f} "
            f"| {'yes' if c.wall_ok else 'NO'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
