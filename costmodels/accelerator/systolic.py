"""Systolic-array timing, equal to SCALE-Sim 3.0.0's for ws, os and is.

SCALE-Sim maps the im2col GEMM of a layer (``M`` output pixels, ``N`` filters, window
``K``) onto an ``R x C`` array as spatial rows ``Sr``, spatial columns ``Sc`` and a
streamed (temporal) extent ``T``:

======  ======  ======  ======
flow    Sr      Sc      T
======  ======  ======  ======
ws      K       N       M
os      M       N       K
is      K       M       N
======  ======  ======  ======

It runs ``ceil(Sr/R) x ceil(Sc/C)`` folds. A ws or is fold takes ``2R + C + T - 2``
cycles (R cycles to load the stationary tile, then the skewed stream and the drain);
an os fold takes ``R + C + T - 2``. SCALE-Sim's layer total is one less than the sum
over folds (its cycle counter starts at 0). Row-stationary (``rs``, Eyeriss) is not in
SCALE-Sim: here filter rows x channels lie along the rows, output rows along the
columns, and output columns x filter columns x filters are streamed, with os timing.

Stalls follow SCALE-Sim's double-buffered memory: half of each operand buffer is
filled before the layer starts, and each operand then streams from DRAM in chunks of
half a buffer, each chunk taking ``ceil(chunk / bandwidth) + 1`` cycles; a layer stalls
when an operand's stream takes longer than the compute. SCALE-Sim leaves the first
fill out of its count; dsegym charges it by default (see ``Tile.charge_prefill``).
"""

from __future__ import annotations

import numpy as np

DATAFLOW_INDEX = {"ws": 0, "os": 1, "is": 2, "rs": 3}


def spatial_dims(
    dataflow: np.ndarray,
    m: np.ndarray,
    n: np.ndarray,
    k: np.ndarray,
    filter_w: np.ndarray,
    ofmap_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns ``(Sr, Sc, T)`` for dataflow indices (see :data:`DATAFLOW_INDEX`)."""
    rs_rows = k / filter_w
    rs_time = (m / ofmap_h) * filter_w * n
    sr = np.choose(dataflow, [k, m, k, rs_rows])
    sc = np.choose(dataflow, [n, n, m, ofmap_h])
    t = np.choose(dataflow, [m, k, n, rs_time])
    return sr, sc, t


def fold_counts(
    sr: np.ndarray, sc: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row folds and column folds of the mapping."""
    return np.ceil(sr / rows), np.ceil(sc / cols)


def fill_cycles(dataflow: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Per-fold cycles that are not streaming (stationary load, skew, drain)."""
    stationary_load = np.where((dataflow == 0) | (dataflow == 2), rows, 0)
    return stationary_load + rows + cols - 2


def compute_cycles(
    folds: np.ndarray, fill: np.ndarray, t: np.ndarray, splits: np.ndarray
) -> np.ndarray:
    """Cycles of one run of a layer with the stream cut into ``splits`` pieces.

    With ``splits == 1`` this is SCALE-Sim's ``folds * (fill + T) - 1``.
    """
    return folds * (splits * fill + t) - 1


def stream_stall_cycles(
    words: np.ndarray,
    buffer_words: np.ndarray,
    words_per_cycle: np.ndarray,
    compute: np.ndarray,
) -> np.ndarray:
    """Stall cycles of one operand streamed through a double buffer.

    Args:
        words: Words the operand moves between DRAM and the buffer in the layer.
        buffer_words: Capacity of the operand's buffer in words.
        words_per_cycle: DRAM bandwidth of the operand's stream.
        compute: Compute cycles the stream overlaps with.
    """
    half = np.maximum(np.floor(buffer_words / 2), 1.0)
    streamed = np.maximum(words - half, 0.0)
    chunks = np.ceil(streamed / half)
    transfer = chunks * (np.ceil(half / words_per_cycle) + 1)
    return np.maximum(transfer - compute, 0.0)
