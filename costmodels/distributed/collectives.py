"""Multi-dimensional collective scheduling with chunking, vectorised over designs.

A collective on a ``D``-dimensional network runs one phase per dimension (all-reduce:
reduce-scatters then all-gathers in reverse, as ASTRA-sim's hierarchical baseline
issues them; a dimension running ``double_binary_tree`` does its all-reduce in place of
its pair). The buffer is split into ``C`` chunks (ASTRA-sim's
``preferred-dataset-splits``); a chunk's bytes on a dimension shrink by the NPU count of
every dimension it has already reduce-scattered over (not for all-to-all).

- ``baseline``: every chunk visits the dimensions in order 1..D.
- ``themis`` (Rashidi et al., ISCA 2022): each chunk's dimension order is chosen from
  the load already scheduled on each dimension, so the load evens out across
  dimensions. The paper sorts the dimensions by that load (least loaded first, taking
  the most bytes); here they are placed one at a time, each time the dimension whose
  load would be least *after* taking this chunk's bytes at that position (the sort with
  the chunk's own cost added). Without it, an idle slow dimension would be handed a
  whole chunk and an idle fast one skipped, making the schedule slower than the
  baseline on strongly asymmetric networks.

Time of the whole collective (this pipeline rule is ours, a closed form in place of
ASTRA-sim's event-driven stream scheduler): a dimension serving up to ``k`` active
chunks at once (``active-chunks-per-dimension``) overlaps their latencies but not their
bytes, so chunk ``c`` keeps dimension ``d`` busy ``max(W, (A + W) / k)`` (``W`` its
bandwidth term); then ``T = max(T1, max_d(busy_d + T1 - L1_d))``, where ``T1`` is the
first chunk alone through all its phases and ``L1_d`` its time on ``d`` (the pipeline
fills and drains around the busiest dimension). One chunk gives exactly the sum of its
phases, the closed forms of :mod:`.network`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _row_sum(x: np.ndarray) -> np.ndarray:
    """Left-to-right sum over dimensions, the order :func:`schedule_one` adds in."""
    total = x[:, 0]
    for d in range(1, x.shape[1]):
        total = total + x[:, d]
    return total


def _themis_loads(
    A: np.ndarray, KC: np.ndarray, Pf: np.ndarray, k: np.ndarray, busy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One chunk's ``(L, W)`` per dimension, dimensions placed one at a time."""
    n, dims = A.shape
    rows = np.arange(n)
    left = np.ones((n, dims), dtype=bool)
    frac = np.ones(n)
    L, W = np.zeros((n, dims)), np.zeros((n, dims))
    for _ in range(dims):
        w = KC * frac[:, None]
        ell = A + w
        pick = np.where(left, busy + np.maximum(w, ell / k), np.inf).argmin(axis=1)
        W[rows, pick] = w[rows, pick]
        L[rows, pick] = ell[rows, pick]
        left[rows, pick] = False
        frac = frac / Pf[rows, pick]
    return L, W


def schedule_ns(
    A: np.ndarray,
    K: np.ndarray,
    P: np.ndarray,
    size_bytes: np.ndarray,
    chunks: np.ndarray,
    active: np.ndarray,
    themis: np.ndarray,
    shrinks: np.ndarray,
) -> np.ndarray:
    """Collective time (ns) of ``n`` designs at once; bit for bit :func:`schedule_one`.

    Args:
        A: ``(n, D)`` latency terms (ns) of each dimension's phases (pair for all-reduce).
        K: ``(n, D)`` bandwidth terms (ns per byte of the bytes entering the dimension).
        P: ``(n, D)`` NPUs per dimension (1 pads a design with fewer dimensions).
        size_bytes: ``(n,)`` buffer bytes per NPU.
        chunks: ``(n,)`` chunks the buffer is split into.
        active: ``(n,)`` active chunks per dimension.
        themis: ``(n,)`` True for Themis scheduling, False for the baseline.
        shrinks: ``(n,)`` True when a chunk shrinks by ``p`` after each dimension.
    """
    n, dims = A.shape
    KC = K * (size_bytes / chunks)[:, None]
    k = active.astype(float)[:, None]
    Pf = np.where(shrinks[:, None], P.astype(float), 1.0)
    rows = np.arange(n)[:, None]

    def loads(order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ordered = Pf[rows, order]
        share = np.empty_like(ordered)
        share[rows, order] = 1.0 / (np.cumprod(ordered, axis=1) / ordered)
        W = KC * share
        return A + W, W

    # Baseline: every chunk alike, in dimension order.
    first, W = loads(np.broadcast_to(np.arange(dims), (n, dims)))
    busy = chunks.astype(float)[:, None] * np.maximum(W, first / k)
    if themis.any():
        t_busy = np.zeros((n, dims))
        t_first = first
        for c in range(int(chunks[themis].max())):
            live = (themis & (c < chunks))[:, None]
            L, Wc = _themis_loads(A, KC, Pf, k, t_busy)
            t_busy = t_busy + np.where(live, np.maximum(Wc, L / k), 0.0)
            if c == 0:
                t_first = L
        busy = np.where(themis[:, None], t_busy, busy)
        first = np.where(themis[:, None], t_first, first)
    t1 = _row_sum(first)
    return np.maximum(t1, ((busy + t1[:, None]) - first).max(axis=1))


def schedule_one(
    A: Sequence[float],
    K: Sequence[float],
    P: Sequence[int],
    size_bytes: float,
    chunks: int,
    active: int,
    themis: bool,
    shrinks: bool,
) -> float:
    """One design's collective time (ns): :func:`schedule_ns` in plain Python, which is
    faster for a single design and gives the same bits.
    """
    dims = len(A)
    chunk = size_bytes / chunks
    KC = [kk * chunk for kk in K]
    k = float(active)
    Pf = [float(p) if shrinks else 1.0 for p in P]

    def loads(order: Sequence[int]) -> tuple[list[float], list[float]]:
        share = [0.0] * dims
        cum = 1.0
        for i, d in enumerate(order):
            cum = Pf[d] if i == 0 else cum * Pf[d]
            share[d] = 1.0 / (cum / Pf[d])
        W = [KC[d] * share[d] for d in range(dims)]
        return [A[d] + W[d] for d in range(dims)], W

    first, W = loads(range(dims))
    if themis:
        busy = [0.0] * dims
        for c in range(chunks):
            L, Wc = [0.0] * dims, [0.0] * dims
            left, frac = list(range(dims)), 1.0
            while left:
                best, pick = math.inf, -1
                for d in left:  # first minimum, as numpy's argmin
                    w = KC[d] * frac
                    key = busy[d] + max(w, (A[d] + w) / k)
                    if key < best:
                        best, pick = key, d
                Wc[pick] = KC[pick] * frac
                L[pick] = A[pick] + Wc[pick]
                left.remove(pick)
                frac = frac / Pf[pick]
            busy = [busy[d] + max(Wc[d], L[d] / k) for d in range(dims)]
            if c == 0:
                first = L
    else:
        busy = [float(chunks) * max(W[d], first[d] / k) for d in range(dims)]
    t1 = first[0]
    for d in range(1, dims):
        t1 = t1 + first[d]
    return max(t1, max((busy[d] + t1) - first[d] for d in range(dims)))
