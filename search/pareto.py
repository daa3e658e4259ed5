"""Pareto fronts, hypervolume and IGD, computed by moocore (never by hand).

Reference-point rule (recorded with every report): when a problem declares a reference
point (ZDT, DTLZ) it is used as is. Otherwise objectives are normalised per problem by
the ideal and nadir of the union of every feasible evaluation of every run of that
problem in the experiment, and the reference point is 1.1 in each normalised objective,
so every run of a problem is measured against the same box.
"""

from __future__ import annotations

from dataclasses import dataclass

import moocore
import numpy as np

REFERENCE_MARGIN = 0.1


def nondominated(F: np.ndarray) -> np.ndarray:
    """The rows of ``F`` no other row dominates (minimisation), duplicates removed."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    F = F[np.isfinite(F).all(axis=1)] if F.size else F
    if len(F) == 0:
        return F.reshape(0, F.shape[1] if F.ndim == 2 else 0)
    front = F[moocore.is_nondominated(F)]
    return np.unique(front, axis=0)


def nondominated_mask(F: np.ndarray) -> np.ndarray:
    """Boolean mask of non-dominated rows (infinite rows are never in the front)."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    mask = np.zeros(len(F), dtype=bool)
    finite = np.isfinite(F).all(axis=1)
    if finite.any():
        mask[np.flatnonzero(finite)] = moocore.is_nondominated(F[finite], keep_weakly=True)
    return mask


@dataclass(frozen=True)
class Normaliser:
    """Maps objectives to a common box: ``(F - ideal) / (nadir - ideal)``.

    Attributes:
        ideal: Per-objective lower corner.
        nadir: Per-objective upper corner.
        reference_point: Reference point in normalised space.
    """

    ideal: np.ndarray
    nadir: np.ndarray
    reference_point: np.ndarray

    def __call__(self, F: np.ndarray) -> np.ndarray:
        span = np.where(self.nadir > self.ideal, self.nadir - self.ideal, 1.0)
        return (np.atleast_2d(F) - self.ideal) / span

    @classmethod
    def from_points(cls, F: np.ndarray) -> Normaliser:
        """Ideal and nadir of the non-dominated points of ``F``; reference 1.1."""
        front = nondominated(F)
        ideal, nadir = front.min(axis=0), front.max(axis=0)
        return cls(ideal, nadir, np.full(len(ideal), 1.0 + REFERENCE_MARGIN))

    @classmethod
    def identity(cls, reference_point: np.ndarray) -> Normaliser:
        """No scaling: the problem's own reference point is used."""
        m = len(reference_point)
        return cls(np.zeros(m), np.ones(m), np.asarray(reference_point, dtype=float))


def hypervolume(F: np.ndarray, reference_point: np.ndarray) -> float:
    """Hypervolume dominated by ``F`` and bounded by ``reference_point`` (moocore)."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    ref = np.asarray(reference_point, dtype=float)
    if F.size == 0:
        return 0.0
    F = F[np.isfinite(F).all(axis=1) & (ref > F).all(axis=1)]
    if len(F) == 0:
        return 0.0
    if F.shape[1] == 1:  # moocore needs 2+ objectives; in 1-D it is a length
        return float(ref[0] - F[:, 0].min())
    return float(moocore.hypervolume(F, ref=ref))


def igd(F: np.ndarray, reference_front: np.ndarray) -> float:
    """Inverted generational distance of ``F`` to a known front (moocore)."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    F = F[np.isfinite(F).all(axis=1)]
    if len(F) == 0:
        return float("inf")
    return float(moocore.igd(F, ref=np.asarray(reference_front, dtype=float)))


def hypervolume_history(
    F: np.ndarray, reference_point: np.ndarray, checkpoints: np.ndarray
) -> np.ndarray:
    """Hypervolume of the first ``k`` rows of ``F`` for each ``k`` in ``checkpoints``."""
    return np.array([hypervolume(F[: int(k)], reference_point) for k in checkpoints])
