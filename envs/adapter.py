"""A Gymnasium env over any problem: each step proposes one whole design."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from dsegym.costmodels.problem import Outcome, Problem
from dsegym.costmodels.registry import make_problem
from dsegym.costmodels.space import Design
from dsegym.envs.rewards import Reward, make_reward

_LOG_BOUND = 710.0
_BOX_TOLERANCE = 1e-6  # float32 rounding at the bounds of a unit Box


def check_action(space: gym.Space, action: Any, what: str = "action") -> np.ndarray:
    """``action`` as an array of ``space``, or a ``ValueError`` saying what is wrong.

    Every dsegym env rejects (never clips) an action outside its action space: the
    wrong length, a NaN or infinite value, a value out of bounds, or a non-integer
    index. Values within float32 rounding of a ``Box`` bound are clipped onto it.
    """
    try:
        arr = np.asarray(action, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what}: expected numbers for {space}, got {type(action).__name__}"
        ) from None
    shape = space.shape or ()
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{what}: has {arr.size} values; {space} needs {int(np.prod(shape))}")
    arr = arr.reshape(shape)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: has NaN or infinite values: {arr.tolist()}")
    if isinstance(space, gym.spaces.MultiDiscrete):
        bad = np.flatnonzero((arr != np.round(arr)) | (arr < 0) | (arr >= space.nvec))
        if len(bad):
            i = int(bad[0])
            raise ValueError(
                f"{what}[{i}] = {arr.flat[i]:g} is not an integer in [0, {space.nvec.flat[i] - 1}]"
            )
        return arr.astype(np.int64)
    if isinstance(space, gym.spaces.Box):
        low, high = space.low.astype(float), space.high.astype(float)
        bad = np.flatnonzero(
            ((arr < low - _BOX_TOLERANCE) | (arr > high + _BOX_TOLERANCE)).reshape(-1)
        )
        if len(bad):
            i = int(bad[0])
            raise ValueError(
                f"{what}[{i}] = {arr.flat[i]:g} is outside [{low.flat[i]:g}, {high.flat[i]:g}]"
            )
        return np.clip(arr, low, high)
    if not space.contains(action):
        raise ValueError(f"{what}: {action!r} is not in {space}")
    return arr


class ProblemEnv(gym.Env):
    """Exposes a problem to RL agents.

    The action is a design: ``MultiDiscrete`` (value indices) for finite spaces, a
    ``Box`` over the unit cube otherwise (see ``DesignSpace.from_unit``). The
    observation is the last design (unit-encoded), its objectives (signed ``log1p``,
    so any unit fits) and a feasibility flag. ``info`` carries the metrics, ``F``,
    feasibility and the reasons a design is infeasible.

    Args:
        problem: A Problem, or a problem name (registered, installed or
            ``module:function``).
        problem_params: Parameters for a named problem.
        reward: A Reward, a reward name, or ``{"name": ..., **kwargs}``.
        episode_length: Steps per episode (the env is a bandit in disguise: the
            design does not depend on the state, but RL libraries need episodes).
        evaluate: How designs are costed (default: the problem itself); agents pass
            the runner's evaluator so budget, caching and recording apply.
        **params: More parameters for a named problem, as ``gymnasium.make`` passes
            them: ``gymnasium.make("dsegym/Nasbench201Hw-v2", hardware="eyeriss")``.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        problem: Problem | str,
        problem_params: Mapping[str, Any] | None = None,
        reward: Reward | str | Mapping[str, Any] | None = None,
        episode_length: int = 16,
        evaluate: Callable[[Sequence[Design]], list[Outcome]] | None = None,
        **params: Any,
    ):
        super().__init__()
        if isinstance(problem, str):
            self.problem = make_problem(problem, {**(problem_params or {}), **params})
        elif params or problem_params:
            raise ValueError(
                f"problem parameters {sorted({**(problem_params or {}), **params})} given "
                "with a built Problem; pass them to make_problem instead"
            )
        else:
            self.problem = problem
        self.space = self.problem.space
        self.reward_fn = make_reward(self.problem, reward)
        self.episode_length = episode_length
        self._evaluate = evaluate or self.problem.evaluate_batch
        self.action_space = self.space.to_gymnasium()
        d, m = len(self.space), self.problem.n_objectives
        self.observation_space = gym.spaces.Box(
            -np.inf, np.inf, shape=(d + m + 1,), dtype=np.float32
        )
        self._steps = 0
        self._obs = self._initial_observation()

    def _initial_observation(self) -> np.ndarray:
        d, m = len(self.space), self.problem.n_objectives
        return np.concatenate([np.full(d, 0.5), np.zeros(m), [0.0]]).astype(np.float32)

    def action_to_design(self, action: Any) -> Design:
        """Decodes an action into a design.

        Raises:
            ValueError: if ``action`` is not in the action space (see :func:`check_action`).
        """
        return self.space.from_action(check_action(self.action_space, action))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._steps = 0
        self._obs = self._initial_observation()
        return self._obs.copy(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        design = self.action_to_design(action)
        outcomes = self._evaluate([design])
        self._steps += 1
        if not outcomes:  # the evaluator's budget is spent
            return self._obs.copy(), 0.0, False, True, {"budget_exhausted": True}
        outcome = outcomes[0]
        F = np.where(np.isfinite(outcome.F), outcome.F, 0.0)
        self._obs = np.concatenate(
            [
                self.space.to_unit(outcome.design)
                if self.space.contains(outcome.design)
                else np.full(len(self.space), 0.5),
                np.sign(F) * np.log1p(np.abs(F)),
                [1.0 if outcome.feasible else 0.0],
            ]
        ).astype(np.float32)
        info = {
            "design": outcome.design,
            "metrics": dict(outcome.evaluation.metrics),
            "F": outcome.F.copy(),
            "feasible": outcome.feasible,
            "violations": list(outcome.evaluation.violations),
        }
        truncated = self._steps >= self.episode_length
        return self._obs.copy(), self.reward_fn(outcome), False, truncated, info
