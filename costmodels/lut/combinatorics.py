"""Exact combinatorics of sign-symmetric ternary lookup tables.

A ternary LUT accelerator groups ``mu`` activations ``x_0 .. x_{mu-1}`` and precomputes
every signed sum ``sum_i w_i x_i`` with ``w in {-1, 0, +1}^mu``. There are ``3^mu``
weight vectors; the zero vector needs no entry and the other ``3^mu - 1`` come in pairs
``(w, -w)`` whose sums differ only in sign. Storing one of each pair (the *canonical*
vector, whose first non-zero weight is ``+1``) and flipping the sign on read-out
("table symmetrisation" in LUT Tensor Core; "symmetry reduction" in the ISPASS 2026
generator, KULeuven-MICAS/ternary-lut-dse) leaves ``(3^mu - 1) / 2`` entries.

Everything here is exact integer arithmetic; the tests check each closed form against
brute-force enumeration for ``mu = 2 .. 7``.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np

from dsegym.errors import ConfigError

MU_MIN = 2
MU_MAX = 7
SUPPORTED_MU = tuple(range(MU_MIN, MU_MAX + 1))
BUILD_TREES = ("naive", "optimised")


def check_mu(mu: int) -> int:
    """Returns ``mu`` if it is a supported group size, else raises ConfigError."""
    if isinstance(mu, bool) or not isinstance(mu, (int, np.integer)):
        raise ConfigError(f"group size mu must be an integer, got {mu!r}")
    if not MU_MIN <= mu <= MU_MAX:
        raise ConfigError(f"group size mu={mu} is not supported; allowed: {MU_MIN}..{MU_MAX}")
    return int(mu)


def table_entries(mu: int) -> int:
    """Entries of a sign-symmetric table: ``(3^mu - 1) / 2``.

    ``mu=2`` gives 4 (``x0+x1, x0, x0-x1, x1``), ``mu=5`` gives 121.
    """
    mu = check_mu(mu)
    return (3**mu - 1) // 2


def key_bits(mu: int) -> int:
    """Width of the weight key that selects an entry: index bits plus one sign bit.

    The index must name one of the ``(3^mu - 1)/2`` entries or the all-zero group, so
    it needs ``ceil(log2((3^mu + 1) / 2))`` bits; with the sign bit that is
    ``ceil(log2(3^mu + 1))``, which equals ``ceil(mu * log2 3)`` because ``3^mu`` is
    never a power of two. The key is thus also the densest packing of a ternary group:
    4, 5, 7, 8, 10, 12 bits for ``mu = 2 .. 7`` (5 weights
    in 8 bits at ``mu = 5``).
    """
    mu = check_mu(mu)
    index_bits = math.ceil(math.log2(table_entries(mu) + 1))
    return index_bits + 1


def canonical_vectors(mu: int) -> list[tuple[int, ...]]:
    """The ternary weight vectors stored in the table (first non-zero weight is +1)."""
    mu = check_mu(mu)
    vectors = []
    for w in product((-1, 0, 1), repeat=mu):
        nonzero = [v for v in w if v]
        if nonzero and nonzero[0] == 1:
            vectors.append(tuple(w))
    return vectors


def entries_with_nonzeros(mu: int, nonzeros: int) -> int:
    """Stored entries whose weight vector has exactly ``nonzeros`` non-zero weights.

    Choose the positions (``C(mu, k)``) and the signs of all but the first (``2^(k-1)``).
    """
    mu = check_mu(mu)
    if not 1 <= nonzeros <= mu:
        return 0
    return math.comb(mu, nonzeros) * 2 ** (nonzeros - 1)


def naive_adders(mu: int) -> int:
    """Two-input adders when every entry is summed on its own (no sharing).

    An entry with ``k`` non-zero weights costs ``k - 1`` adders (adding a constant zero
    is free), so the count is ``sum_k (k - 1) C(mu, k) 2^(k-1)``. Since
    ``sum_k k C(mu, k) 2^(k-1) = mu 3^(mu-1)`` and ``sum_k C(mu, k) 2^(k-1)`` is the
    entry count, this is ``mu * 3^(mu-1) - (3^mu - 1)/2``: 2, 14, 68, 284, 1094, 4010
    for ``mu = 2 .. 7``.
    """
    mu = check_mu(mu)
    return mu * 3 ** (mu - 1) - table_entries(mu)


def dense_naive_adders(mu: int) -> int:
    """Adders of the naive tree written literally: ``mu - 1`` per entry, zeros included.

    This is what the generator's truth-table variant (V2) puts in RTL before synthesis
    removes the additions of constant zero: ``(mu - 1)(3^mu - 1)/2``.
    """
    mu = check_mu(mu)
    return (mu - 1) * table_entries(mu)


def optimised_adders(mu: int) -> int:
    """Adders of the redundancy-eliminated tree: ``(3^mu - 1)/2 - mu`` (the minimum).

    Construction: the canonical entries with ``w_0 = 0`` are the table of
    ``x_1 .. x_{mu-1}`` (recursion); those with ``w_0 = +1`` are ``x_0`` (a wire) and
    ``x_0 + t`` and ``x_0 - t`` for every entry ``t`` of that smaller table, one adder
    or subtractor each. So ``A(mu) = A(mu-1) + 3^(mu-1) - 1`` with ``A(1) = 0``, which
    sums to ``(3^mu - 1)/2 - mu``. No tree can do better: every entry with two or more
    non-zero weights is a distinct value that needs its own adder output, and there are
    exactly ``(3^mu - 1)/2 - mu`` of them. Counts: 2, 10, 36, 116, 358, 1086.
    """
    mu = check_mu(mu)
    return table_entries(mu) - mu


def generator_v1_adders(mu: int) -> int:
    """Adders the published generator's optimised tree (V1) instantiates.

    Derived from the structure of ``LUTGenCombV1`` in KULeuven-MICAS/ternary-lut-dse:
    2 adders for ``x0 +- x1``, ``4 * 3^(mu-2)`` adders combining those four prefixes with
    every suffix sum (the zero suffix included), ``2 * 3^(mu-3)`` for the first suffix
    level and ``3^(mu-2) - 3`` for deeper suffix levels, which are built three times
    over. Total ``17 * 3^(mu-3) - 1`` for ``mu >= 3`` (16, 50, 152, 458, 1376) and 2 for
    ``mu = 2``. It exceeds :func:`optimised_adders` because of the additions of zero and
    the replicated levels; synthesis removes the former for integers but not for
    floating-point adder instances. Kept as a reference, not used by the cost model.
    """
    mu = check_mu(mu)
    return 2 if mu == 2 else 17 * 3 ** (mu - 3) - 1


def build_adders(mu: int, tree: str) -> int:
    """Adders of the table-build tree ``tree`` (``"naive"`` or ``"optimised"``)."""
    if tree == "naive":
        return naive_adders(mu)
    if tree == "optimised":
        return optimised_adders(mu)
    from dsegym.errors import UnknownNameError

    raise UnknownNameError("table-build tree", tree, BUILD_TREES)


def int_entry_growth_bits(mu: int) -> int:
    """Extra bits an integer entry needs over its activations: ``ceil(log2 mu)``.

    The largest magnitude is ``mu * max|x|``.
    """
    mu = check_mu(mu)
    return math.ceil(math.log2(mu))


# Lookup arrays indexed by mu (entries below MU_MIN are unused), for the vectorised model.
_MU_INDEX = range(MU_MAX + 1)
ENTRIES_BY_MU = np.array([(3**m - 1) // 2 for m in _MU_INDEX], dtype=np.float64)
KEY_BITS_BY_MU = np.array([key_bits(m) if m >= MU_MIN else 0 for m in _MU_INDEX], dtype=np.float64)
NAIVE_ADDERS_BY_MU = np.array(
    [naive_adders(m) if m >= MU_MIN else 0 for m in _MU_INDEX], dtype=np.float64
)
OPTIMISED_ADDERS_BY_MU = np.array(
    [optimised_adders(m) if m >= MU_MIN else 0 for m in _MU_INDEX], dtype=np.float64
)
GROWTH_BITS_BY_MU = np.array(
    [int_entry_growth_bits(m) if m >= MU_MIN else 0 for m in _MU_INDEX], dtype=np.float64
)
