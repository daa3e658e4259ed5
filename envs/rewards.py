"""Reward objects for RL agents: each declares its range and its infeasible value.

A reward's meaning never depends on a global flag: it is always "higher is better",
and an infeasible design earns exactly ``infeasible_value``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.errors import ConfigError


class Reward(ABC):
    """Maps an outcome to a scalar reward (higher is better)."""

    #: Inclusive bounds of the reward for feasible designs.
    range: tuple[float, float] = (-math.inf, math.inf)
    #: The reward of a design that is infeasible (model-rejected or out of spec).
    infeasible_value: float = -100.0

    @abstractmethod
    def value(self, outcome: Outcome) -> float:
        """Reward of a feasible outcome."""

    def __call__(self, outcome: Outcome) -> float:
        if not outcome.feasible:
            return self.infeasible_value
        return float(self.value(outcome))


def _signed_log(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


class WeightedSumReward(Reward):
    """Minus a weighted sum of normalised objectives.

    Normalisation ``front`` scales each objective by the problem's known front
    (0 at its best, 1 at its worst); ``log`` takes a signed ``log1p`` so objectives of
    different units and magnitudes weigh alike; ``none`` leaves them as they are.

    Args:
        problem: The problem whose ``F`` is scalarised.
        weights: One weight per objective (default: equal, summing to 1).
        normalisation: ``front``, ``log`` or ``none``; default ``front`` when the
            problem knows its front, else ``log``.
        infeasible_value: Reward of an infeasible design.
    """

    def __init__(
        self,
        problem: Problem,
        weights: list[float] | None = None,
        normalisation: Literal["front", "log", "none"] | None = None,
        infeasible_value: float = -100.0,
    ):
        m = problem.n_objectives
        w = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (m,) or (w < 0).any():
            raise ConfigError(f"reward weights: need {m} non-negative numbers, got {weights}")
        self.weights = w
        if normalisation is None:
            normalisation = "front" if problem.known_front is not None else "log"
        if normalisation == "front" and problem.known_front is None:
            raise ConfigError(
                f"reward normalisation 'front': problem {problem.name!r} has no known front; "
                "allowed: 'log', 'none'"
            )
        self.normalisation = normalisation
        if normalisation == "front":
            front = np.asarray(problem.known_front, dtype=float)
            self._low = front.min(axis=0)
            span = front.max(axis=0) - self._low
            # A front that is one point in some objective (a known single-objective
            # optimum) has no span: measure the gap relative to the optimum instead.
            relative = np.where(self._low != 0, np.abs(self._low), 1.0)
            self._span = np.where(span > 0, span, relative)
        self.infeasible_value = infeasible_value

    def value(self, outcome: Outcome) -> float:
        F = np.asarray(outcome.F, dtype=float)
        if self.normalisation == "front":
            F = (F - self._low) / self._span
        elif self.normalisation == "log":
            F = _signed_log(F)
        return -float(self.weights @ F)


class TargetSpecReward(Reward):
    """ArchGym's target-spec form: minus the mean relative shortfall from targets.

    For each target ``metric <= target`` (or ``>=`` with sense ``max``), the shortfall
    is ``max(0, (value - target) / |target|)``; the reward is 0 once every target is met.

    Args:
        targets: ``{metric: target}``, or ``{metric: {"target": t, "sense": "min"|"max"}}``.
        infeasible_value: Reward of an infeasible design.
    """

    range = (-math.inf, 0.0)

    def __init__(
        self,
        problem: Problem,
        targets: Mapping[str, Any],
        infeasible_value: float = -10.0,
    ):
        if not targets:
            raise ConfigError("target-spec reward: give at least one target")
        known = problem.cost_model.metric_names
        self.targets: list[tuple[str, float, str]] = []
        for metric, spec in targets.items():
            if metric not in known:
                raise ConfigError(
                    f"target-spec reward: unknown metric {metric!r}; allowed: {', '.join(known)}"
                )
            target, sense = (
                (spec["target"], spec.get("sense", "min"))
                if isinstance(spec, Mapping)
                else (spec, "min")
            )
            if float(target) == 0:
                raise ConfigError(f"target-spec reward: target for {metric!r} must be non-zero")
            self.targets.append((metric, float(target), sense))
        self.infeasible_value = infeasible_value

    def value(self, outcome: Outcome) -> float:
        shortfalls = []
        for metric, target, sense in self.targets:
            v = outcome.evaluation.metrics[metric]
            gap = (v - target) if sense == "min" else (target - v)
            shortfalls.append(max(0.0, gap / abs(target)))
        return -float(np.mean(shortfalls))


class HypervolumeGainReward(Reward):
    """The hypervolume a design adds to the front of every design seen so far.

    Objectives are normalised by the known front (or by ``ideal``/``nadir`` given in
    ``F`` space), with the reference point at 1.1 in each normalised objective, so the
    reward lies in [0, 1.1^m]. The env keeps the archive across episodes: this reward
    has state, and ``reset_archive`` clears it.

    Args:
        problem: The problem (needs a known front unless ideal and nadir are given).
        ideal: Per-objective best values in ``F`` space.
        nadir: Per-objective worst values of interest in ``F`` space.
        infeasible_value: Reward of an infeasible design (it adds nothing).
    """

    def __init__(
        self,
        problem: Problem,
        ideal: list[float] | None = None,
        nadir: list[float] | None = None,
        infeasible_value: float = 0.0,
    ):
        from dsegym.pareto import Normaliser

        m = problem.n_objectives
        if ideal is not None and nadir is not None:
            if len(ideal) != m or len(nadir) != m:
                raise ConfigError(f"hypervolume_gain reward: ideal and nadir need {m} values")
            self.normaliser = Normaliser(
                np.asarray(ideal, float), np.asarray(nadir, float), np.full(m, 1.1)
            )
        elif problem.known_front is not None:
            self.normaliser = Normaliser.from_points(np.asarray(problem.known_front))
        else:
            raise ConfigError(
                f"hypervolume_gain reward: problem {problem.name!r} has no known front; "
                "give 'ideal' and 'nadir'"
            )
        self.range = (0.0, float(np.prod(self.normaliser.reference_point)))
        self.infeasible_value = infeasible_value
        self.reset_archive()

    def reset_archive(self) -> None:
        """Forgets every design seen so far."""
        self._front = np.empty((0, len(self.normaliser.reference_point)))
        self._hv = 0.0

    def value(self, outcome: Outcome) -> float:
        from dsegym.pareto import hypervolume, nondominated

        point = self.normaliser(np.asarray(outcome.F, dtype=float))
        front = nondominated(np.vstack([self._front, point]))
        hv = hypervolume(front, self.normaliser.reference_point)
        gain, self._front, self._hv = hv - self._hv, front, hv
        return max(0.0, gain)


class ObservedRangeReward(Reward):
    """Minus the scalarised objectives, normalised by the range seen so far.

    Each objective is scaled by the ideal and nadir of the feasible designs seen in the
    run so far, then combined by the augmented Chebyshev function of
    :mod:`dsegym.costmodels.scalarise` with equal weights. Needing no known front and no
    units, it keeps rewards in about ``[-1, 0]`` on any problem, which suits policy
    gradients; the log-scaled weighted sum spreads a 1e11 pJ*cycles objective over only
    a few units while an infeasible design costs 100.

    Args:
        problem: The problem whose outcomes are rewarded.
        infeasible_value: Reward of a design that misses a spec or is rejected.
    """

    range = (-1.1, 0.0)

    def __init__(self, problem: Problem, infeasible_value: float = -2.0):
        from dsegym.costmodels.scalarise import Scalariser

        self.scalariser = Scalariser(problem.n_objectives, np.random.default_rng(0))
        self.infeasible_value = infeasible_value

    def value(self, outcome: Outcome) -> float:
        self.scalariser.observe([outcome])
        return -min(self.scalariser.fitness(outcome), 1.1)


#: Every reward by name; each takes the problem and its own keyword arguments.
REWARDS: dict[str, Callable[..., Reward]] = {
    "weighted_sum": WeightedSumReward,
    "target_spec": TargetSpecReward,
    "hypervolume_gain": HypervolumeGainReward,
    "observed_range": ObservedRangeReward,
}


def make_reward(problem: Problem, spec: Reward | str | Mapping[str, Any] | None) -> Reward:
    """Builds a reward from an object, a name, or ``{"name": ..., **kwargs}``."""
    if isinstance(spec, Reward):
        return spec
    if spec is None:
        spec = "weighted_sum"
    kwargs: dict[str, Any] = {}
    if isinstance(spec, Mapping):
        kwargs = dict(spec)
        spec = kwargs.pop("name", "weighted_sum")
    if spec not in REWARDS:
        raise ConfigError(f"unknown reward {spec!r}; allowed: {', '.join(REWARDS)}")
    try:
        return REWARDS[spec](problem, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"reward {spec!r}: {exc}") from None
