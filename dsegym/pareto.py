"""Pareto fronts, hypervolume and IGD, computed by moocore (never by hand).

Reference-point rule (recorded with every report in ``reference_points.json``):

* A problem that declares a reference point (ZDT, DTLZ) is measured in its raw
  objectives against that point.
* Otherwise each objective is normalised, per problem, by the ideal (minimum) and nadir
  (maximum) of the *union of the runs' own Pareto fronts* (each run's non-dominated
  feasible points, pooled, plus the known front if the problem has one), as EMO
  benchmarking does; the reference point is 1.1 in every normalised objective. Every
  point of every run's front then lies inside the box ``[0, 1]^m``, so every run with a
  feasible design gets a positive hypervolume, whatever the other runs found.
* With ``scale="log"``, objectives whose front values are all positive are normalised
  in ``log10`` instead (for metrics spanning decades); the others stay linear.
* A problem with one objective, or whose ideal equals its nadir in every objective, has
  no meaningful hypervolume: it is summarised by the best value found and the
  evaluations needed to reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import moocore
import numpy as np

REFERENCE_MARGIN = 0.1
Scale = Literal["linear", "log"]
SCALES: tuple[str, ...] = ("linear", "log")


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

    Objectives flagged in ``log`` are mapped the same way in ``log10`` space. An
    objective whose ideal equals its nadir is only shifted (its span counts as 1).

    Attributes:
        ideal: Per-objective lower corner (raw units).
        nadir: Per-objective upper corner (raw units).
        reference_point: Reference point in normalised space.
        log: Per objective, whether it is normalised in ``log10`` space.
    """

    ideal: np.ndarray
    nadir: np.ndarray
    reference_point: np.ndarray
    log: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def _flags(self) -> np.ndarray:
        return self.log if len(self.log) == len(self.ideal) else np.zeros(len(self.ideal), bool)

    def __call__(self, F: np.ndarray) -> np.ndarray:
        F = np.atleast_2d(np.asarray(F, dtype=float))
        log = self._flags()
        lo, hi = self.ideal.astype(float), self.nadir.astype(float)
        if log.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                F = np.where(log, np.log10(np.where(log, F, 1.0)), F)
                lo, hi = np.where(log, np.log10(lo), lo), np.where(log, np.log10(hi), hi)
        span = np.where(hi > lo, hi - lo, 1.0)
        return (F - lo) / span

    @property
    def degenerate(self) -> bool:
        """True when ideal equals nadir in every objective (one point dominates all)."""
        return bool(np.all(self.nadir <= self.ideal))

    @classmethod
    def from_points(cls, F: np.ndarray) -> Normaliser:
        """Ideal and nadir of the non-dominated points of ``F``; reference 1.1."""
        front = nondominated(F)
        ideal, nadir = front.min(axis=0), front.max(axis=0)
        return cls(ideal, nadir, np.full(len(ideal), 1.0 + REFERENCE_MARGIN))

    @classmethod
    def from_fronts(cls, fronts: Sequence[np.ndarray], scale: Scale = "linear") -> Normaliser:
        """The module's rule: ideal and nadir of the union of the given fronts.

        Args:
            fronts: Each run's own Pareto front (and the known front, if any); empty
                fronts are skipped.
            scale: ``"log"`` normalises in ``log10`` every objective whose front values
                are all positive.

        Raises:
            ValueError: if every front is empty, or ``scale`` is unknown.
        """
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; allowed: {', '.join(SCALES)}")
        pooled = [np.atleast_2d(f) for f in fronts if np.size(f)]
        if not pooled:
            raise ValueError("no front has a point")
        union = np.vstack(pooled)
        union = union[np.isfinite(union).all(axis=1)]
        if not len(union):
            raise ValueError("no front has a finite point")
        ideal, nadir = union.min(axis=0), union.max(axis=0)
        log = (ideal > 0) if scale == "log" else np.zeros(len(ideal), dtype=bool)
        return cls(ideal, nadir, np.full(len(ideal), 1.0 + REFERENCE_MARGIN), log)

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
