"""The built-in mapper: buffer-level tiling and fold-loop order, costed for all
candidates at once.

The array-level mapping is fixed by the dataflow (:mod:`.systolic`). Above it, a
mapping is a loop nest ``for piece in T-splits: for outer fold: for inner fold: stream``
where the fold loops run either column folds outside (``col_outer``, SCALE-Sim's order)
or row folds outside (``row_outer``), and the streamed extent ``T`` may be cut into
1, 2, 4, 8 or 16 pieces so that tiles fit the buffers (each piece pays the fold's fill
again). Every candidate is costed in one numpy pass; the mapper keeps the one with the
lowest energy-delay product per layer.

Operands take three roles in a fold: the *stationary* one indexed by (row, column)
folds, the one streamed *along the rows* indexed by (row fold, T), and the one along
the *columns* indexed by (column fold, T). A tile that fits in half of its buffer
(the other half prefetches) is reused across the loops that do not index it; one that
does not fit is fetched again on every pass, and partial sums that do not fit spill to
DRAM and come back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsegym.costmodels.accelerator.hardware import TEMPORAL_SPLITS

INPUT, WEIGHT, OUTPUT = 0, 1, 2
OPERANDS = ("input", "weight", "output")

# (stationary, along-rows, along-columns) operand of each dataflow (ws, os, is, rs).
ROLES = np.array(
    [
        [WEIGHT, INPUT, OUTPUT],
        [OUTPUT, INPUT, WEIGHT],
        [INPUT, WEIGHT, OUTPUT],
        [WEIGHT, INPUT, OUTPUT],
    ]
)

ORDERS = ("col_outer", "row_outer", "pe_inner")
CANDIDATE_ORDER = np.repeat(np.arange(len(ORDERS)), len(TEMPORAL_SPLITS)).astype(float)
CANDIDATE_SPLITS = np.tile(np.array(TEMPORAL_SPLITS, dtype=float), len(ORDERS))


@dataclass
class Traffic:
    """Word counts per operand (arrays indexed ``[operand]`` then broadcast shape).

    Attributes:
        dram_reads: Words read from DRAM per operand.
        dram_writes: Words written to DRAM per operand (outputs and spilled partial sums).
        glb_reads: Words read from the buffer per operand (towards the array or DRAM).
        glb_writes: Words written to the buffer per operand (from DRAM or the array).
        array_words: Words per operand that enter the array (or leave it).
        along_rows: Whether an operand's words travel along a row (else a column).
    """

    dram_reads: list[np.ndarray]
    dram_writes: list[np.ndarray]
    glb_reads: list[np.ndarray]
    glb_writes: list[np.ndarray]
    array_words: list[np.ndarray]
    along_rows: list[np.ndarray]


def candidate_traffic(
    dataflow: np.ndarray,
    sizes: list[np.ndarray],
    unique_input: np.ndarray,
    half_buffer_words: list[np.ndarray],
    row_folds: np.ndarray,
    col_folds: np.ndarray,
    splits: np.ndarray,
    order: np.ndarray,
) -> Traffic:
    """Word traffic of every candidate mapping.

    Args:
        dataflow: Dataflow indices.
        sizes: im2col sizes of the input, weight and output operands (words).
        unique_input: Distinct input words over im2col input words (<= 1 for convs).
        half_buffer_words: Half of each operand's buffer, in words.
        row_folds: Row folds.
        col_folds: Column folds.
        splits: Pieces the streamed extent is cut into.
        order: 0 for ``col_outer``, 1 for ``row_outer``, 2 for ``pe_inner`` (column
            folds outside, the row folds' stationary words all held in each PE so that
            partial sums finish inside the PE; legality is checked by the caller).
    """
    shape = np.broadcast_shapes(dataflow.shape, sizes[0].shape, splits.shape, row_folds.shape)
    zero = np.zeros(shape)
    dram_reads = [zero.copy() for _ in OPERANDS]
    dram_writes = [zero.copy() for _ in OPERANDS]
    glb_reads = [zero.copy() for _ in OPERANDS]
    glb_writes = [zero.copy() for _ in OPERANDS]
    offchip_scale = [np.minimum(unique_input, 1.0), np.ones(()), np.ones(())]
    row_outer = order == 1
    pe_inner = order == 2
    array_words = [zero.copy() for _ in OPERANDS]
    along_rows = [zero.copy() for _ in OPERANDS]

    for operand in range(len(OPERANDS)):
        size = sizes[operand]
        scale = offchip_scale[operand]
        half = half_buffer_words[operand]
        is_output = operand == OUTPUT
        stationary = ROLES[dataflow, 0] == operand
        rows_role = ROLES[dataflow, 1] == operand

        # Footprint that must stay on chip for reuse, and the passes if it does not.
        footprint = np.where(
            stationary,
            size,
            np.where(
                rows_role,
                size / splits / np.where(row_outer, row_folds, 1.0),
                size / splits / np.where(row_outer, 1.0, col_folds),
            ),
        )
        passes_if_missing = np.where(stationary, splits, np.where(rows_role, col_folds, row_folds))
        cols_in_pe = pe_inner & ~stationary & ~rows_role
        fits = (footprint * scale <= half) | (passes_if_missing <= 1) | cols_in_pe
        passes = np.where(fits, 1.0, passes_if_missing)
        # Array-side buffer traffic: stationary tiles load once per piece, the streamed
        # operands once per fold of the other dimension (partial sums that finish in
        # the PEs leave once).
        array_passes = np.where(
            stationary,
            splits,
            np.where(rows_role, col_folds, np.where(cols_in_pe, 1.0, row_folds)),
        )

        if is_output:
            dram_writes[operand] = size * passes
            dram_reads[operand] = size * (passes - 1)
            glb_writes[operand] = size * array_passes + dram_reads[operand]
            glb_reads[operand] = size * (array_passes - 1) + dram_writes[operand]
        else:
            dram_reads[operand] = size * scale * passes
            glb_reads[operand] = size * array_passes
            glb_writes[operand] = dram_reads[operand]
        # Row-streamed words cross the array along a row; stationary loads and
        # column-streamed words (partial sums in ws and is) travel down a column.
        array_words[operand] = size * array_passes
        along_rows[operand] = rows_role

    return Traffic(dram_reads, dram_writes, glb_reads, glb_writes, array_words, along_rows)
