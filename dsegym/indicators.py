"""Quality indicators of one run's front against a reference front.

Every indicator is measured in the *reference front's* normalised box, so a run is
scored against what is achievable, not against what the other runs happened to find:

* **Normalisation (rule ``auto``).** Per objective, the ideal and nadir of the
  reference front bound the box. An objective whose reference values are all positive
  and span more than a decade (``max / min > 10``) is normalised in ``log10``; the others
  linearly. The rule is recorded per objective (:attr:`ReferenceBox.log`), and
  ``linear`` / ``log`` force one scale for every objective (``log`` only where all
  values are positive).
* **Hypervolume ratio**: the run front's hypervolume divided by the reference front's,
  both in the box with reference point 1.1 per objective (moocore). Points beyond the
  reference point add nothing.
* **IGD+** (Ishibuchi et al. 2015, Pareto-compliant) and the **additive epsilon
  indicator** (the smallest shift that makes the run front weakly dominate every
  reference point) are moocore's, in the same normalised coordinates; 0 is perfect.
* **Front recall**: the fraction of reference points the run found exactly (equal
  objective vectors), and the fraction it came within ``tolerance`` of (a run point
  no worse than the reference point plus ``tolerance`` in every normalised objective).
  Hand-written: moocore has no such count.

A run without a feasible design scores hypervolume ratio 0, recall 0, and IGD+ /
epsilon of ``inf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import moocore
import numpy as np

from dsegym.pareto import REFERENCE_MARGIN, Normaliser, hypervolume, nondominated

LogRule = Literal["auto", "linear", "log"]
LOG_RULES: tuple[str, ...] = ("auto", "linear", "log")
#: ``auto`` normalises in log10 an objective whose positive reference values span more
#: than this ratio (one decade).
AUTO_LOG_SPAN = 10.0
#: Default tolerance of front recall, in normalised objective units (0.5% of the box).
RECALL_TOLERANCE = 0.005
INDICATORS: tuple[str, ...] = (
    "ref_hv_ratio",
    "igd_plus",
    "epsilon_additive",
    "recall_exact",
    "recall_tol",
)


def log_flags(front: np.ndarray, rule: LogRule = "auto") -> np.ndarray:
    """Which objectives a reference front's box normalises in ``log10`` under ``rule``.

    Raises:
        ValueError: for an unknown rule.
    """
    if rule not in LOG_RULES:
        raise ValueError(f"unknown log rule {rule!r}; allowed: {', '.join(LOG_RULES)}")
    front = np.atleast_2d(np.asarray(front, dtype=float))
    lo, hi = front.min(axis=0), front.max(axis=0)
    positive = lo > 0
    if rule == "linear":
        return np.zeros(front.shape[1], dtype=bool)
    if rule == "log":
        return positive
    with np.errstate(divide="ignore", invalid="ignore"):
        return positive & (hi / np.where(positive, lo, 1.0) > AUTO_LOG_SPAN)


@dataclass(frozen=True)
class ReferenceBox:
    """A reference front and the normalised box every indicator is measured in.

    Attributes:
        front: The reference front in raw ``F`` (minimised) units, non-dominated.
        normaliser: Maps raw ``F`` into the box (ideal 0, nadir 1 per objective).
        rule: The log rule that chose ``normaliser.log``.
        hypervolume: The reference front's own hypervolume in the box.
    """

    front: np.ndarray
    normaliser: Normaliser
    rule: str
    hypervolume: float
    _normalised: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 0)))

    @classmethod
    def from_front(cls, front: np.ndarray, rule: LogRule = "auto") -> ReferenceBox:
        """The box of ``front`` (its finite, non-dominated points) under ``rule``.

        Raises:
            ValueError: if the front has no finite point, or the rule is unknown.
        """
        pts = nondominated(np.asarray(front, dtype=float))
        if not len(pts):
            raise ValueError("a reference front needs at least one finite point")
        flags = log_flags(pts, rule)
        ideal, nadir = pts.min(axis=0), pts.max(axis=0)
        normaliser = Normaliser(ideal, nadir, np.full(len(ideal), 1.0 + REFERENCE_MARGIN), flags)
        normalised = normaliser(pts)
        hv = hypervolume(normalised, normaliser.reference_point)
        return cls(pts, normaliser, rule, hv, normalised)

    @property
    def normalised(self) -> np.ndarray:
        """The reference front in box coordinates."""
        return self._normalised

    @property
    def degenerate(self) -> bool:
        """True when the reference front is one point (every objective has one value)."""
        return self.normaliser.degenerate

    def scales(self, labels: list[str]) -> dict[str, str]:
        """``{objective: "log10" | "linear"}``: the rule's choice, for the record."""
        return {
            lab: ("log10" if flag else "linear")
            for lab, flag in zip(labels, self.normaliser._flags(), strict=True)
        }


def front_recall(front: np.ndarray, reference: np.ndarray, tolerance: float | None = None) -> float:
    """Fraction of ``reference`` rows matched by ``front`` (both in the same units).

    Without ``tolerance`` a reference point counts when some front point equals it
    exactly; with it, when some front point is at most ``tolerance`` worse in every
    objective (better is always fine).
    """
    reference = np.atleast_2d(np.asarray(reference, dtype=float))
    front = np.atleast_2d(np.asarray(front, dtype=float))
    if not len(reference):
        return float("nan")
    if not front.size:
        return 0.0
    if tolerance is None:
        found = {tuple(row) for row in front.tolist()}
        return sum(tuple(row) in found for row in reference.tolist()) / len(reference)
    hit = np.zeros(len(reference), dtype=bool)
    for start in range(0, len(front), 512):  # bounded memory: (512, |R|, m) at a time
        block = front[start : start + 512]
        close = (block[:, None, :] <= reference[None, :, :] + tolerance).all(axis=2)
        hit |= close.any(axis=0)
    return float(hit.mean())


def score(
    front: np.ndarray, box: ReferenceBox, tolerance: float = RECALL_TOLERANCE
) -> dict[str, float]:
    """Every indicator of one run's front (raw ``F`` units, feasible points) in ``box``.

    Returns:
        ``ref_hv_ratio``, ``igd_plus``, ``epsilon_additive``, ``recall_exact`` and
        ``recall_tol`` (see the module docstring).
    """
    pts = nondominated(np.asarray(front, dtype=float)) if np.size(front) else np.empty((0,))
    if not len(pts):
        return {
            "ref_hv_ratio": 0.0,
            "igd_plus": float("inf"),
            "epsilon_additive": float("inf"),
            "recall_exact": 0.0,
            "recall_tol": 0.0,
        }
    normalised = box.normaliser(pts)
    ref = box.normalised
    hv = hypervolume(normalised, box.normaliser.reference_point)
    return {
        "ref_hv_ratio": hv / box.hypervolume if box.hypervolume > 0 else float("nan"),
        "igd_plus": float(moocore.igd_plus(normalised, ref=ref)),
        "epsilon_additive": float(moocore.epsilon_additive(normalised, ref=ref)),
        "recall_exact": front_recall(pts, box.front),
        "recall_tol": front_recall(normalised, ref, tolerance),
    }


def describe_box(box: ReferenceBox, labels: list[str]) -> dict[str, Any]:
    """The box as JSON-ready facts (for ``reference_points.json``)."""
    return {
        "log_rule": box.rule,
        "scales": box.scales(labels),
        "ideal": box.normaliser.ideal.tolist(),
        "nadir": box.normaliser.nadir.tolist(),
        "reference_point_normalised": box.normaliser.reference_point.tolist(),
        "reference_hypervolume": box.hypervolume,
        "reference_points": len(box.front),
        "recall_tolerance": RECALL_TOLERANCE,
    }
