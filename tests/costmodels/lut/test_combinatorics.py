import math
import random

import pytest

from dsegym.costmodels.lut import combinatorics as cb
from dsegym.errors import ConfigError, UnknownNameError

# mu: (entries, key bits, naive adders, dense naive adders, optimised adders, generator V1)
EXPECTED = {
    2: (4, 4, 2, 4, 2, 2),
    3: (13, 5, 14, 26, 10, 16),
    4: (40, 7, 68, 120, 36, 50),
    5: (121, 8, 284, 484, 116, 152),
    6: (364, 10, 1094, 1820, 358, 458),
    7: (1093, 12, 4010, 6558, 1086, 1376),
}


@pytest.mark.parametrize("mu", cb.SUPPORTED_MU)
def test_exact_counts(mu):
    entries, key, naive, dense, optimised, v1 = EXPECTED[mu]
    assert cb.table_entries(mu) == entries
    assert cb.key_bits(mu) == key
    assert cb.naive_adders(mu) == naive
    assert cb.dense_naive_adders(mu) == dense
    assert cb.optimised_adders(mu) == optimised
    assert cb.generator_v1_adders(mu) == v1
    assert cb.build_adders(mu, "naive") == naive
    assert cb.build_adders(mu, "optimised") == optimised


@pytest.mark.parametrize("mu", cb.SUPPORTED_MU)
def test_counts_match_brute_force_enumeration(mu):
    vectors = cb.canonical_vectors(mu)
    assert len(vectors) == cb.table_entries(mu)
    # Every non-zero ternary vector is a canonical vector or the negation of one.
    covered = set(vectors) | {tuple(-v for v in w) for w in vectors}
    assert len(covered) == 3**mu - 1
    nonzeros = [sum(1 for v in w if v) for w in vectors]
    assert sum(k - 1 for k in nonzeros) == cb.naive_adders(mu)
    for k in range(1, mu + 1):
        assert nonzeros.count(k) == cb.entries_with_nonzeros(mu, k)
    # The key must distinguish the entries, the zero group and the sign.
    assert 2 ** cb.key_bits(mu) >= 3**mu
    assert 2 ** (cb.key_bits(mu) - 1) < 3**mu
    assert cb.key_bits(mu) == math.ceil(mu * math.log2(3))


def _build_optimised(xs):
    """Builds the table with the recursive shared tree, counting adders."""
    if len(xs) == 1:
        return {(1,): xs[0]}, 0
    rest, adders = _build_optimised(xs[1:])
    table = {(0, *w): v for w, v in rest.items()}
    table[(1,) + (0,) * (len(xs) - 1)] = xs[0]
    for w, v in rest.items():
        table[(1, *w)] = xs[0] + v
        table[(1, *(-x for x in w))] = xs[0] - v
        adders += 2
    return table, adders


@pytest.mark.parametrize("mu", cb.SUPPORTED_MU)
def test_optimised_tree_is_correct_and_minimal(mu):
    rng = random.Random(mu)
    xs = [rng.randint(-128, 127) for _ in range(mu)]
    table, adders = _build_optimised(xs)
    assert set(table) == set(cb.canonical_vectors(mu))
    for w, value in table.items():
        assert value == sum(wi * xi for wi, xi in zip(w, xs, strict=True))
    assert adders == cb.optimised_adders(mu)
    # Lower bound: one adder output per entry with two or more non-zero weights.
    assert adders == cb.table_entries(mu) - cb.entries_with_nonzeros(mu, 1)


def test_ordering_of_variants():
    for mu in cb.SUPPORTED_MU:
        assert cb.optimised_adders(mu) <= cb.naive_adders(mu) <= cb.dense_naive_adders(mu)
        assert cb.optimised_adders(mu) <= cb.generator_v1_adders(mu)


def test_lookup_arrays_agree():
    for mu in cb.SUPPORTED_MU:
        assert cb.ENTRIES_BY_MU[mu] == cb.table_entries(mu)
        assert cb.KEY_BITS_BY_MU[mu] == cb.key_bits(mu)
        assert cb.NAIVE_ADDERS_BY_MU[mu] == cb.naive_adders(mu)
        assert cb.OPTIMISED_ADDERS_BY_MU[mu] == cb.optimised_adders(mu)
        assert cb.GROWTH_BITS_BY_MU[mu] == math.ceil(math.log2(mu))


@pytest.mark.parametrize("bad", [1, 8, 0, -3, 2.5, True, "3"])
def test_unsupported_mu_is_a_config_error(bad):
    with pytest.raises(ConfigError, match="mu"):
        cb.table_entries(bad)


def test_unknown_tree():
    with pytest.raises(UnknownNameError, match="allowed: naive, optimised"):
        cb.build_adders(3, "clever")
